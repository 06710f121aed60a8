#!/usr/bin/env bash
# Synthesizes every stack into cdk/cdk.out (cdk-nag AwsSolutions runs during synth
# and fails it on any unacknowledged finding).
#
#   scripts/synth.sh [extra cdk synth arguments, e.g. -c kmsKeyArns=...]
#
# The Lambda asset defaults to ../target/lambda/secrets-cmk-rule (cargo lambda's
# output); set SECRETS_CMK_ASSET or -c assetPath=DIR to use another.
#
# The organization stacks are synthesized only with organization context. When none is
# configured (no organizationId in the arguments, cdk.json or cdk.context.json), this
# script adds EXAMPLE values (placement members, two Regions, no account list) so that
# the organization and code bucket templates and their StackSet bodies are synthesized
# and linted too. For the central placement pass the context yourself, e.g.
#   scripts/synth.sh -c organizationId=o-... -c targetOuIds=ou-... \
#     -c deploymentRegions=eu-west-1,us-east-1 -c functionPlacement=central
# Never deploy the example output: `cdk deploy` synthesizes again with your own context.
set -euo pipefail
cd "$(dirname "$0")/.."

args=("$@")
configured() {
  local arg
  for arg in "${args[@]+"${args[@]}"}"; do
    [[ "$arg" == organizationId=* ]] && return 0
  done
  node -e '
    const fs = require("fs");
    for (const file of ["cdk.json", "cdk.context.json"]) {
      if (!fs.existsSync(file)) continue;
      const json = JSON.parse(fs.readFileSync(file, "utf8"));
      const context = file === "cdk.json" ? json.context ?? {} : json;
      if (context.organizationId) process.exit(0);
    }
    process.exit(1);'
}
if ! configured; then
  echo "synth: no organization configured; synthesizing the organization stacks (members placement) with EXAMPLE context" >&2
  args+=(
    -c organizationId=o-exampleorg1
    -c targetOuIds=ou-exam-pleou123
    -c deploymentRegions=eu-west-1,us-east-1
  )
fi

rm -rf cdk.out
npx cdk synth --quiet "${args[@]}"
npx tsx scripts/embedded-templates.ts cdk.out
