#!/usr/bin/env bash
# The Guard rule's tests (make guard-test): the cfn-guard unit tests of guard/tests/, then
# the shared template corpus with expectations derived from contract/templates/cases.json.
#
# CFN_GUARD: the pinned cfn-guard (make guard-tool); PYTHON: a Python with cfn-lint (the
# project venv), whose template decoder reads the corpus's short-form YAML.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${CFN_GUARD:?set CFN_GUARD to the cfn-guard binary (make guard-tool installs it)}"
PYTHON=${PYTHON:-.venv/bin/python}
RULES=guard/secrets-cmk.guard

for tests in guard/tests/*.yaml; do
  # cfn-guard test exits non-zero when an expectation or the rules file does not hold.
  if ! output=$("$CFN_GUARD" test --rules-file "$RULES" --test-data "$tests" 2>&1); then
    grep -v 'No Test expectation was set' <<<"$output" >&2
    echo "guard: $tests: an expectation does not hold" >&2
    exit 1
  fi
  echo "guard: $tests: $(grep -c '^Test Case' <<<"$output") cases hold"
done

"$PYTHON" guard/check_corpus.py "$CFN_GUARD" "$RULES" contract/templates
