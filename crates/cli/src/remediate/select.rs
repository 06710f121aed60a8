//! Which secrets a remediation looks at, and the refusals that need only the secret.

use super::Remediation;
use crate::audit::sweep_region;
use crate::change::{Services, StoredKey};
use crate::error::CliError;
use crate::output::{ActionRow, key_label};
use crate::term::Progress;
use rule_core::{Compliance, Decision, Row, Scope, SecretFacts, secret_refusal};
use secrets_cmk_aws::{KeyDirectory, SecretStore};

/// One secret looked at, and what happens to it.
#[derive(Debug)]
pub(super) struct Item {
    /// The name (or what was given, when the secret was not found).
    pub(super) label: String,
    /// What was learned about it; `None` when it could not be described.
    pub(super) facts: Option<SecretFacts>,
    pub(super) action: Action,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Action {
    /// Still to be checked.
    Pending,
    /// Move it to the key ARN `target`; `previous` is what it is on now, resolved.
    Change { target: String, previous: StoredKey },
    /// Already on this key ARN.
    OnTarget(String),
    /// Left alone, for this reason.
    Refuse(String),
}

impl Item {
    pub(super) fn refused(
        label: impl Into<String>,
        facts: Option<SecretFacts>,
        reason: impl Into<String>,
    ) -> Item {
        Item {
            label: label.into(),
            facts,
            action: Action::Refuse(reason.into()),
        }
    }

    fn pending(facts: SecretFacts) -> Item {
        Item {
            label: facts.name.clone(),
            facts: Some(facts),
            action: Action::Pending,
        }
    }

    pub(super) fn arn(&self) -> Option<&str> {
        self.facts.as_ref().map(|f| f.arn.as_str())
    }

    /// The key as stored now (`None`: the default key).
    pub(super) fn current(&self) -> Option<&str> {
        self.facts
            .as_ref()
            .and_then(|f| f.kms_key_id.as_deref())
            .filter(|k| !k.is_empty())
    }

    pub(super) fn row(&self, outcome: String) -> ActionRow {
        let to = match &self.action {
            Action::Change { target, .. } | Action::OnTarget(target) => target.clone(),
            Action::Pending | Action::Refuse(_) => "-".to_owned(),
        };
        let from = if self.facts.is_some() {
            key_label(self.current())
        } else {
            "-".to_owned()
        };
        ActionRow {
            secret: self.label.clone(),
            from,
            to,
            outcome,
        }
    }
}

/// Every NON_COMPLIANT secret of the Region, by the rule's own sweep.
pub(super) async fn non_compliant<S, K, C>(
    services: &Services<S, K, C>,
    job: &Remediation,
    progress: &Progress,
) -> Result<Vec<Item>, CliError>
where
    S: SecretStore + Sync,
    K: KeyDirectory + Sync,
{
    let swept = sweep_region(
        &services.store,
        &services.keys,
        &job.params,
        &job.region,
        progress,
    )
    .await;
    if let Some(error) = swept.error {
        // Nothing has been changed yet: stop rather than act on half a Region.
        return Err(CliError::aws(
            format!(
                "auditing {} for NON_COMPLIANT secrets (nothing was changed)",
                job.region
            ),
            error,
        ));
    }
    let mut items = Vec::new();
    for swept in swept.items {
        let label = swept.secret.name.clone();
        let facts = Some(swept.secret);
        match swept.decision {
            Decision::Verdict(verdict) if verdict.compliance == Compliance::NonCompliant => {
                if verdict.row == Row::ReplicaFails {
                    items.push(Item::refused(
                        label,
                        facts,
                        format!(
                            "NON_COMPLIANT because of a replica's key, which re-keying the \
                             primary does not fix ({})",
                            verdict.annotation
                        ),
                    ));
                } else {
                    items.extend(facts.map(Item::pending));
                }
            }
            Decision::Verdict(_) => {}
            Decision::Unverifiable { reason } => {
                items.push(Item::refused(
                    label,
                    facts,
                    format!("could not be verified: {reason}"),
                ));
            }
        }
    }
    Ok(items)
}

/// The secrets named on the command line, described one by one.
pub(super) async fn named<S: SecretStore + Sync>(
    store: &S,
    ids: &[String],
    region: &str,
) -> Vec<Item> {
    let mut items = Vec::new();
    for id in ids {
        let id = id.trim();
        if id.starts_with("arn:") {
            match Scope::from_secret_arn(id) {
                Err(e) => {
                    items.push(Item::refused(id, None, e.to_string()));
                    continue;
                }
                Ok(scope) if scope.region != region => {
                    items.push(Item::refused(
                        id,
                        None,
                        format!(
                            "it is in {}, this run works in {region} (run again with --region {})",
                            scope.region, scope.region
                        ),
                    ));
                    continue;
                }
                Ok(_) => {}
            }
        }
        match store.describe(id).await {
            Ok(Some(facts)) => items.push(Item::pending(facts)),
            Ok(None) => items.push(Item::refused(
                id,
                None,
                format!("no such secret in {region}"),
            )),
            Err(e) => items.push(Item::refused(id, None, format!("cannot be described: {e}"))),
        }
    }
    items
}

/// The per-secret refusals: twice in one run, then rule-core's (scheduled for deletion,
/// owned by a service).
pub(super) fn refuse_per_secret(items: &mut [Item]) {
    let mut seen: Vec<String> = Vec::new();
    for item in items.iter_mut().filter(|i| i.action == Action::Pending) {
        let Some(facts) = &item.facts else { continue };
        let reason = if seen.contains(&facts.arn) {
            Some(
                "named more than once; a secret is changed at most once per run (AWS: at most \
                 once every 10 minutes)"
                    .to_owned(),
            )
        } else {
            secret_refusal(facts)
        };
        seen.push(facts.arn.clone());
        if let Some(reason) = reason {
            item.action = Action::Refuse(reason);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn facts(name: &str) -> SecretFacts {
        let arn = format!("arn:aws:secretsmanager:us-east-1:111122223333:secret:{name}-AbCdEf");
        SecretFacts {
            scope: Scope::from_secret_arn(&arn).unwrap(),
            resource_id: arn.clone(),
            arn,
            name: name.to_owned(),
            kms_key_id: None,
            deleted_date: None,
            owning_service: None,
            tags: vec![],
            replicas: None,
        }
    }

    #[test]
    fn per_secret_refusals_name_the_reason_and_leave_the_others() {
        // GIVEN a plain secret, the same again, one scheduled for deletion, one owned by RDS
        let mut deleted = facts("old");
        deleted.deleted_date = Some(chrono::Utc.with_ymd_and_hms(2030, 1, 2, 0, 0, 0).unwrap());
        let mut owned = facts("rds");
        owned.owning_service = Some("rds".into());
        let mut items = vec![
            Item::pending(facts("a")),
            Item::pending(facts("a")),
            Item::pending(deleted),
            Item::pending(owned),
        ];
        // WHEN checked
        refuse_per_secret(&mut items);
        // THEN only the first stays pending, each other says why
        assert_eq!(items[0].action, Action::Pending);
        let reasons: Vec<String> = items[1..]
            .iter()
            .map(|i| match &i.action {
                Action::Refuse(reason) => reason.clone(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert!(
            reasons[0].starts_with("named more than once"),
            "{reasons:?}"
        );
        assert_eq!(reasons[1], "scheduled for deletion on 2030-01-02");
        assert_eq!(
            reasons[2],
            "managed by rds; change its key through rds, not Secrets Manager"
        );
    }
}
