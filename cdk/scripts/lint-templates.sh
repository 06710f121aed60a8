#!/usr/bin/env bash
# cfn-lint on every synthesized template and on every template embedded in one
# (conformance pack bodies, the member StackSet body). Run scripts/synth.sh first.
#
#   CFN_LINT=path/to/cfn-lint scripts/lint-templates.sh
set -euo pipefail
cd "$(dirname "$0")/.."

cfn_lint="${CFN_LINT:-../.venv/bin/cfn-lint}"
shopt -s nullglob
templates=(cdk.out/*.template.json)
embedded=(cdk.out/embedded/*.json)
if (( ${#templates[@]} == 0 || ${#embedded[@]} == 0 )); then
  echo "lint-templates: nothing to lint in cdk.out; run scripts/synth.sh first" >&2
  exit 1
fi
"$cfn_lint" "${templates[@]}" "${embedded[@]}"
echo "cfn-lint: ${#templates[@]} templates and ${#embedded[@]} embedded templates clean"
