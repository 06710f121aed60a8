//! An audit's rows as [`Finding`]s, each with the fix for its cause: the `remediate`
//! command and the SSM runbook where re-keying the secret fixes it, advice where it does
//! not (a secret another service manages, a replica, a key that is gone, no verdict).

use super::finding::{Finding, Fix, Verdict};
use super::{AuditRow, key_label};
use rule_core::Row;

/// The SSM Automation runbook that re-keys one secret (`cdk/lib/names.ts`).
pub const REKEY_RUNBOOK: &str = "SecretsCmk-RekeySecret";

/// What stands for the customer managed key the user picks, in a suggested command.
pub const KEY_PLACEHOLDER: &str = "KEY";

impl AuditRow {
    /// This secret as a finding, with its fix.
    pub fn finding(&self) -> Finding {
        Finding {
            verdict: Verdict::of(self.compliance),
            row: self.row,
            cause: Finding::cause_of(self.row),
            key: Some(key_label(self.kms_key_id.as_deref())),
            account: Some(self.account.clone()),
            region: Some(self.region.clone()),
            name: self.name.clone(),
            id: self.arn.clone(),
            reason: self.reason.clone(),
            fix: fix_of(self),
        }
    }
}

/// The fix for a finding; `None` for COMPLIANT and NOT_APPLICABLE.
fn fix_of(row: &AuditRow) -> Option<Fix> {
    let advice = |text: String| {
        Some(Fix {
            advice: text,
            command: None,
            runbook: None,
        })
    };
    let Some(decided) = row.row else {
        return advice(
            "Not verified: fix what the reason names (a permission, throttling) and audit \
             again."
                .to_owned(),
        );
    };
    if decided.compliance() != rule_core::Compliance::NonCompliant {
        return None;
    }
    if let Some(service) = &row.owning_service {
        return advice(format!(
            "Managed by {service}: re-key it through {service} (remediate refuses \
             service-owned secrets)."
        ));
    }
    match decided {
        Row::ReplicaFails => advice(
            "A replica's key fails: give the replica a customer managed key of its own Region \
             (remediate re-keys the primary only)."
                .to_owned(),
        ),
        Row::KeyNotFound => advice(
            "The key no longer exists: restore it if it is pending deletion (CancelKeyDeletion), \
             then re-key."
                .to_owned(),
        ),
        _ => {
            let enable = if decided == Row::KeyNotEnabled {
                "Enable the key, or re-key"
            } else {
                "Re-key"
            };
            Some(Fix {
                advice: format!(
                    "{enable} the secret to a customer managed key ({KEY_PLACEHOLDER}) of {}: \
                     the command is a dry run, add --apply to change it.",
                    row.region
                ),
                command: Some(format!(
                    "secrets-cmk --region {} remediate --secret {} --kms-key-id {KEY_PLACEHOLDER}",
                    shell_quote(&row.region),
                    shell_quote(&row.arn)
                )),
                runbook: Some(format!(
                    "{REKEY_RUNBOOK} (SecretId={}, KmsKeyId={KEY_PLACEHOLDER})",
                    row.arn
                )),
            })
        }
    }
}

/// `text` as one word of a POSIX shell: as is when it holds only characters no shell
/// treats specially, else in single quotes (a name may hold anything).
pub fn shell_quote(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@%+=,".contains(c));
    if plain {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rule_core::Compliance;

    fn audit_row(row: Option<Row>, owning_service: Option<&str>) -> AuditRow {
        AuditRow {
            arn: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf".into(),
            name: "db".into(),
            account: "111122223333".into(),
            region: "eu-west-1".into(),
            kms_key_id: None,
            compliance: row.map(Row::compliance),
            row,
            owning_service: owning_service.map(str::to_owned),
            reason: "why".into(),
        }
    }

    #[test]
    fn a_secret_remediate_can_fix_gets_the_command_and_the_runbook() {
        // GIVEN a secret on the default key
        let finding = audit_row(Some(Row::DefaultKey), None).finding();
        // THEN the finding carries its cause, the default key's label and the fix
        assert_eq!(finding.verdict, Verdict::NonCompliant);
        assert_eq!(finding.cause, "default key");
        assert_eq!(finding.key.as_deref(), Some("(default) aws/secretsmanager"));
        let fix = finding.fix.unwrap();
        assert_eq!(
            fix.command.as_deref(),
            Some(
                "secrets-cmk --region eu-west-1 remediate --secret \
                 arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf --kms-key-id KEY"
            )
        );
        assert!(
            fix.runbook
                .unwrap()
                .starts_with("SecretsCmk-RekeySecret (SecretId=arn:")
        );
        assert!(fix.advice.contains("--apply"), "{}", fix.advice);
    }

    #[test]
    fn what_remediate_refuses_gets_advice_only() {
        for (row, service, says) in [
            (Some(Row::DefaultKey), Some("rds"), "through rds"),
            (Some(Row::ReplicaFails), None, "replica"),
            (Some(Row::KeyNotFound), None, "no longer exists"),
            (None, None, "Not verified"),
        ] {
            let fix = audit_row(row, service).finding().fix.unwrap();
            assert!(fix.advice.contains(says), "{row:?}: {}", fix.advice);
            assert_eq!((fix.command, fix.runbook), (None, None), "{row:?}");
        }
        let disabled = audit_row(Some(Row::KeyNotEnabled), None).finding().fix;
        assert!(
            disabled
                .unwrap()
                .advice
                .starts_with("Enable the key, or re-key")
        );
    }

    #[test]
    fn compliant_and_not_applicable_need_no_fix() {
        for row in [Row::Compliant, Row::CrossAccountUnverified, Row::Exempt] {
            let finding = audit_row(Some(row), None).finding();
            assert_eq!(finding.fix, None, "{row:?}");
            assert_ne!(finding.verdict, Verdict::of(Some(Compliance::NonCompliant)));
        }
    }

    #[test]
    fn shell_words_are_quoted_when_they_hold_anything_special() {
        assert_eq!(shell_quote("us-east-1"), "us-east-1");
        assert_eq!(
            shell_quote("arn:aws:secretsmanager:us-east-1:1:secret:a/b-x"),
            "arn:aws:secretsmanager:us-east-1:1:secret:a/b-x"
        );
        assert_eq!(shell_quote("<b>x</b>; rm"), "'<b>x</b>; rm'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
    }
}
