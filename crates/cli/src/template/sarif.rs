//! `check-template`'s findings as SARIF 2.1.0, the format code-scanning dashboards
//! (GitHub's `upload-sarif`, among others) read: one rule per decision-table row plus one
//! for "not verified", a result per finding with its file and line. NON_COMPLIANT is
//! `level: error`; not verified is a `warning`; COMPLIANT and NOT_APPLICABLE are results
//! of kind `pass`, so a dashboard can count what was checked. Files that were refused are
//! tool execution notifications of the run, which is then not successful.

use super::judge::Finding;
use super::source::PathError;
use rule_core::{Compliance, Row};
use serde_json::{Value, json};

/// The SARIF version written.
pub const SARIF_VERSION: &str = "2.1.0";
/// The schema of that version.
pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The rule id of a finding without a verdict.
pub const UNVERIFIED_RULE: &str = "secrets-cmk/unverified";

/// The rule id of a decision-table row: `secrets-cmk/row-5a`.
pub fn rule_id(row: Row) -> String {
    format!("secrets-cmk/row-{}", row.number())
}

/// The SARIF log, pretty-printed and newline-terminated.
pub fn sarif(findings: &[Finding], refused: &[PathError]) -> Result<String, serde_json::Error> {
    let mut rules: Vec<Value> = Row::ALL
        .iter()
        .map(|row| {
            let level = match row.compliance() {
                Compliance::NonCompliant => "error",
                Compliance::Compliant | Compliance::NotApplicable => "none",
            };
            json!({
                "id": rule_id(*row),
                "name": format!("DecisionTableRow{}", row.number()),
                "shortDescription": {"text": format!("Row {}: {}", row.number(), row.label())},
                "fullDescription": {"text": format!(
                    "Decision-table row {} of secrets-cmk (docs/design.md): {} ({}).",
                    row.number(), row.label(), row.compliance().as_str()
                )},
                "defaultConfiguration": {"level": level},
                "properties": {"compliance": row.compliance().as_str()}
            })
        })
        .collect();
    rules.push(json!({
        "id": UNVERIFIED_RULE,
        "name": "NotVerified",
        "shortDescription": {"text": "The template does not settle the key"},
        "fullDescription": {"text": "The key could not be judged from the template (a parameter without Default, Fn::ImportValue, a literal key offline, ...); never guessed."},
        "defaultConfiguration": {"level": "warning"}
    }));
    let results: Vec<Value> = findings.iter().map(result).collect();
    let notifications: Vec<Value> = refused
        .iter()
        .map(|refused| {
            let mut location =
                json!({"physicalLocation": {"artifactLocation": {"uri": uri(&refused.path)}}});
            if let Some(line) = refused.error.line {
                location["physicalLocation"]["region"] = json!({"startLine": line});
            }
            json!({
                "level": "error",
                "message": {"text": format!("{}: {}", refused.path, refused.error)},
                "locations": [location]
            })
        })
        .collect();
    let log = json!({
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{
            "tool": {"driver": {
                "name": "secrets-cmk",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://example.invalid/secrets-cmk",
                "rules": rules
            }},
            "invocations": [{
                "executionSuccessful": refused.is_empty(),
                "toolExecutionNotifications": notifications
            }],
            "results": results
        }]
    });
    let mut text = serde_json::to_string_pretty(&log)?;
    text.push('\n');
    Ok(text)
}

fn result(finding: &Finding) -> Value {
    let (rule, index, level, kind) = match (finding.row, finding.compliance) {
        (Some(row), Some(Compliance::NonCompliant)) => {
            (rule_id(row), row_index(row), "error", "fail")
        }
        (Some(row), Some(_)) => (rule_id(row), row_index(row), "none", "pass"),
        // SARIF allows a level other than none only with kind fail.
        _ => (
            UNVERIFIED_RULE.to_owned(),
            Row::ALL.len(),
            "warning",
            "fail",
        ),
    };
    json!({
        "ruleId": rule,
        "ruleIndex": index,
        "kind": kind,
        "level": level,
        "message": {"text": format!("{} ({}): {}", finding.logical_id, finding.resource_type, finding.reason)},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": uri(&finding.template)},
                "region": {"startLine": finding.line}
            },
            "logicalLocations": [{"name": finding.logical_id, "kind": "resource"}]
        }],
        "properties": {
            "compliance": finding.compliance.map(|c| c.as_str()),
            "resourceType": finding.resource_type
        }
    })
}

fn row_index(row: Row) -> usize {
    Row::ALL.iter().position(|r| *r == row).unwrap_or_default()
}

/// A relative path as a URI reference: `/`-separated, characters outside the unreserved
/// set percent-encoded.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(
            uri("contract/templates/a b.yaml"),
            "contract/templates/a%20b.yaml"
        );
        assert_eq!(
            uri("cdk.out/Stack.template.json"),
            "cdk.out/Stack.template.json"
        );
    }
}
