//! `check-template`'s findings as people read them: the shared findings model
//! ([`crate::output::Finding`]), so the table and the HTML report are audit's own. A
//! template resource has no account or Region yet (those columns disappear); its name
//! is where it stands and its logical id (`template:line LogicalId`, so the table lists
//! a file's findings in line order), its id adds the resource type, and the fix is
//! advice on the template.

use super::judge::Finding as TemplateFinding;
use crate::output::{Finding, Fix, Verdict};
use rule_core::Row;

/// One people's finding per judged resource, in the same order.
pub fn findings(judged: &[TemplateFinding]) -> Vec<Finding> {
    judged.iter().map(finding).collect()
}

fn finding(judged: &TemplateFinding) -> Finding {
    let verdict = Verdict::of(judged.compliance);
    Finding {
        verdict,
        row: judged.row,
        cause: Finding::cause_of(judged.row),
        key: None,
        account: None,
        region: None,
        name: format!("{}:{} {}", judged.template, judged.line, judged.logical_id),
        id: format!(
            "{}:{} {} ({})",
            judged.template, judged.line, judged.logical_id, judged.resource_type
        ),
        reason: judged.reason.clone(),
        fix: verdict.is_finding().then(|| Fix {
            advice: advice(judged.row, &judged.resource_type).to_owned(),
            command: None,
            runbook: None,
        }),
    }
}

/// What to change in the template for a finding of `row`.
fn advice(row: Option<Row>, resource_type: &str) -> &'static str {
    let rds = resource_type.starts_with("AWS::RDS::");
    match row {
        None => {
            "Not settled by the template: run check-template with --resolve (AWS credentials), \
             or name a key the template creates."
        }
        Some(Row::ReplicaFails) => {
            "Give each ReplicaRegions entry a KmsKeyId: a customer managed key of that \
             replica's Region."
        }
        Some(Row::KeyNotEnabled) => "Enable the key the template creates (Enabled: true).",
        Some(_) if rds => {
            "Set MasterUserSecret.KmsKeyId to a customer managed key (e.g. !GetAtt Key.Arn of \
             an AWS::KMS::Key in the template)."
        }
        Some(_) => {
            "Set KmsKeyId to a customer managed key (e.g. !GetAtt Key.Arn of an AWS::KMS::Key \
             in the template), of the stack's own account and Region."
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rule_core::Compliance;

    fn judged(compliance: Option<Compliance>, row: Option<Row>, kind: &str) -> TemplateFinding {
        TemplateFinding {
            template: "t.yaml".to_owned(),
            logical_id: "Db".to_owned(),
            resource_type: kind.to_owned(),
            compliance,
            row,
            reason: "why".to_owned(),
            line: 7,
        }
    }

    #[test]
    fn a_non_compliant_resource_is_a_finding_with_template_advice() {
        // GIVEN an RDS cluster on the default key / WHEN made a people's finding
        let finding = finding(&judged(
            Some(Compliance::NonCompliant),
            Some(Row::DefaultKey),
            "AWS::RDS::DBCluster",
        ));
        // THEN it names the resource and its line, with the row's cause and RDS advice
        assert_eq!(finding.verdict, Verdict::NonCompliant);
        assert_eq!(finding.cause, Row::DefaultKey.label());
        assert_eq!(finding.name, "t.yaml:7 Db");
        assert_eq!(finding.id, "t.yaml:7 Db (AWS::RDS::DBCluster)");
        assert!(finding.account.is_none() && finding.region.is_none());
        let fix = finding.fix.unwrap();
        assert!(
            fix.advice.contains("MasterUserSecret.KmsKeyId"),
            "{}",
            fix.advice
        );
    }

    #[test]
    fn unverified_says_resolve_and_compliant_has_no_fix() {
        let unverified = finding(&judged(None, None, "AWS::SecretsManager::Secret"));
        assert_eq!(unverified.verdict, Verdict::Unverified);
        assert!(unverified.fix.unwrap().advice.contains("--resolve"));
        let compliant = finding(&judged(
            Some(Compliance::Compliant),
            Some(Row::Compliant),
            "AWS::SecretsManager::Secret",
        ));
        assert!(compliant.fix.is_none());
    }
}
