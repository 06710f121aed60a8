#!/usr/bin/env bash
# Synthesizes every stack into cdk/cdk.out (cdk-nag AwsSolutions runs during synth
# and fails it on any unacknowledged finding).
#
#   scripts/synth.sh [extra cdk synth arguments, e.g. -c kmsKeyArns=...]
#
# The Lambda asset defaults to ../target/lambda/secrets-cmk-rule (cargo lambda's
# output); set SECRETS_CMK_ASSET or -c assetPath=DIR to use another.
#
# The organization stack is synthesized only with organization context. When none is
# configured (no organizationId in the arguments, cdk.json or cdk.context.json), this
# script adds EXAMPLE values so that the organization template, its conformance pack
# and its StackSet body are synthesized and linted too. Never deploy that output:
# `cdk deploy` synthesizes again with your own context.
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
  echo "synth: no organization configured; synthesizing SecretsCmkOrganization with EXAMPLE context" >&2
  args+=(
    -c organizationId=o-exampleorg1
    -c targetOuIds=ou-exam-pleou123
    -c memberAccountIds=111111111111,222222222222
  )
fi

rm -rf cdk.out
npx cdk synth --quiet "${args[@]}"
npx tsx scripts/embedded-templates.ts cdk.out
