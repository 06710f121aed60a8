"""The Guard rule against the shared template corpus (contract/templates/cases.json).

Every case the rule can see is derived from cases.json, none is written here:

- a case with `resolve: true` needs DescribeKey: not for Guard;
- a NON_COMPLIANT case whose row the rule decides (3, 4, 5, 11) must FAIL, on a rule
  named for that row (`..._row_11_...`); a NON_COMPLIANT case of another row (8: a
  template key's `Enabled: false`) is beyond a lookup-free rule and must PASS;
- every other case (COMPLIANT, NOT_APPLICABLE, no verdict) and every `not_reported`
  resource must PASS: Guard never guesses a failure.

Each case runs on its own copy of the template holding only the judged resource among
the secrets and databases (keys, aliases, parameters and conditions stay), so a failure
is always that resource's. Templates are read with cfn-lint's decoder (short-form
intrinsics become long form) and written as JSON for cfn-guard. Parameters a Guard rule
takes (`exemptionTagKey`, `checkReplicas`) go into an input parameters file; the others
need lookups and do not change what the rule can see.

Usage: python check_corpus.py CFN_GUARD RULES CORPUS_DIR
Exit 0 when every case holds, 1 otherwise (each mismatch is printed).
"""

import json
import pathlib
import subprocess
import sys
import tempfile

from cfnlint.decode import decode

JUDGED_TYPES = {"AWS::SecretsManager::Secret", "AWS::RDS::DBInstance", "AWS::RDS::DBCluster"}
GUARD_ROWS = {"3", "4", "5", "11"}
GUARD_PARAMETERS = {"exemptionTagKey", "checkReplicas"}


def load(path):
    template, problems = decode(str(path))
    if problems or template is None:
        raise SystemExit(f"{path}: cfn-lint cannot read it: {[str(p) for p in problems]}")
    return json.loads(json.dumps(template))


def isolated(template, logical_id):
    """The template with `logical_id` as its only secret or database."""
    copy = dict(template)
    copy["Resources"] = {
        name: resource
        for name, resource in template["Resources"].items()
        if name == logical_id or resource.get("Type") not in JUDGED_TYPES
    }
    if logical_id not in copy["Resources"]:
        raise SystemExit(f"{logical_id} is not a resource of the template")
    return copy


def failed_rules(cfn_guard, rules, template, parameters, work):
    """The names of the rules that FAIL on `template` with `parameters`."""
    data = work / "template.json"
    data.write_text(json.dumps(template))
    command = [cfn_guard, "validate", "--rules", rules, "--data", str(data), "--output-format", "json", "--show-summary", "none"]
    guard_parameters = {k: v for k, v in parameters.items() if k in GUARD_PARAMETERS}
    if guard_parameters:
        params = work / "parameters.json"
        params.write_text(json.dumps({"SecretsCmkParameters": guard_parameters}))
        command += ["--input-params", str(params)]
    run = subprocess.run(command, capture_output=True, text=True, check=False)
    # cfn-guard exits 19 when a rule fails, 0 when none does; anything else is an error.
    if run.returncode not in (0, 19):
        raise SystemExit(f"cfn-guard failed ({run.returncode}): {run.stderr or run.stdout}")
    report = json.loads(run.stdout)
    return sorted(entry["Rule"]["name"] for entry in report["not_compliant"])


def expectation(case):
    """(must fail, why) for a case of cases.json."""
    if case["compliance"] == "NON_COMPLIANT" and case["row"] in GUARD_ROWS:
        return True, f"row {case['row']}"
    if case["compliance"] == "NON_COMPLIANT":
        return False, f"row {case['row']} needs more than a lookup-free rule sees"
    return False, f"{case['compliance'] or 'no verdict'}"


def main(cfn_guard, rules, corpus_dir):
    corpus_dir = pathlib.Path(corpus_dir)
    cases = json.loads((corpus_dir / "cases.json").read_text())
    if cases.get("format") != 1:
        raise SystemExit(f"cases.json format {cases.get('format')!r}: this runner reads format 1")
    templates = {}
    mismatches = 0
    checked = 0
    runs = [(case, *expectation(case)) for case in cases["cases"] if not case["resolve"]]
    runs += [({**entry, "parameters": {}, "row": None}, False, "not reported") for entry in cases["not_reported"]]
    with tempfile.TemporaryDirectory() as work:
        for case, must_fail, why in runs:
            path = corpus_dir / case["template"]
            template = templates.setdefault(case["template"], load(path))
            failed = failed_rules(cfn_guard, rules, isolated(template, case["logical_id"]), case["parameters"], pathlib.Path(work))
            row_rule = f"_row_{case['row']}_"
            # A failure must come from the case's row only (`rds` rules for a database).
            rds = case["resource_type"].startswith("AWS::RDS::") if "resource_type" in case else False
            ok = (
                bool(failed) and all(row_rule in name and ("_rds_" in name) == rds for name in failed)
                if must_fail
                else not failed
            )
            checked += 1
            verdict = "FAIL" if failed else "PASS"
            label = f"{case['template']} {case['logical_id']} {json.dumps(case['parameters'])}"
            print(f"{'ok ' if ok else 'BAD'} {label}: {verdict} {failed if failed else ''} (expected {'FAIL' if must_fail else 'PASS'}: {why})")
            mismatches += 0 if ok else 1
    print(f"{checked} corpus cases, {mismatches} mismatched")
    return 1 if mismatches else 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    sys.exit(main(*sys.argv[1:]))
