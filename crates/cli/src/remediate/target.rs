//! The target key: checked once per account and Region concerned, by rule-core's
//! remediation table and then by the decision table itself (a target must be a key the
//! rule would pass: trusted account, customer managed, Enabled, approved when
//! `kmsKeyArns` is set), before anything changes.

use super::Remediation;
use super::select::{Action, Item};
use crate::change::{Services, StoredKey, resolve_stored};
use crate::error::CliError;
use rule_core::{KeyProblem, KeyRef, Scope, SecretFacts, rule_rejects_target, target_lookups};
use secrets_cmk_aws::{KeyCache, KeyDirectory, KeyUsage, KeyUse, KeyUseProbe, check_key};

/// The checks that need neither a call nor a secret: an `alias/aws/...` target, a key
/// ARN of another Region than the run's.
pub(super) fn obvious_problems(target: &KeyRef, region: &str) -> Vec<String> {
    let key = target.to_string();
    let mut problems = Vec::new();
    if target.is_aws_managed_alias() {
        problems.push(KeyProblem::AwsManagedAlias { key: key.clone() }.to_string());
    }
    if let Some(key_region) = target.region()
        && key_region != region
    {
        problems.push(
            KeyProblem::OtherRegion {
                key,
                key_region: key_region.to_owned(),
                secret_region: region.to_owned(),
            }
            .to_string(),
        );
    }
    problems
}

/// Check the target key once per account and Region concerned (any problem: nothing is
/// changed), then mark each pending secret as to change (with the key it is on now,
/// resolved, for the plan) or already on the target.
pub(super) async fn check<S, K, C>(
    services: &Services<S, K, C>,
    job: &Remediation,
    items: &mut [Item],
) -> Result<(), CliError>
where
    K: KeyDirectory + Sync,
{
    let mut scopes: Vec<&SecretFacts> = Vec::new();
    for item in items.iter().filter(|i| i.action == Action::Pending) {
        if let Some(facts) = &item.facts
            && !scopes.iter().any(|known| known.scope == facts.scope)
        {
            scopes.push(facts);
        }
    }
    let mut cache = KeyCache::new();
    let mut resolved: Vec<(Scope, String)> = Vec::new();
    let mut problems = Vec::new();
    // Secrets of several accounts (ARNs given with --secret) each resolve the key in
    // their own account: say which one a problem is about.
    let several = scopes.len() > 1;
    for facts in scopes {
        let checked = match check_key(
            &job.target,
            &facts.scope,
            &job.params,
            &services.keys,
            KeyUse::Target,
        )
        .await
        {
            Ok(description) => rule_accepts(facts, &description.arn, job, services, &mut cache)
                .await
                .map(|()| description.arn),
            Err(problem) => Err(problem),
        };
        match checked {
            Ok(arn) => resolved.push((facts.scope.clone(), arn)),
            Err(problem) if several => problems.push(format!(
                "{problem} (for the secrets of account {})",
                facts.scope.account
            )),
            Err(problem) => problems.push(problem.to_string()),
        }
    }
    if !problems.is_empty() {
        return Err(CliError::UnsafeTarget { problems });
    }

    for item in items.iter_mut().filter(|i| i.action == Action::Pending) {
        let Some(facts) = &item.facts else { continue };
        let Some((_, target)) = resolved.iter().find(|(scope, _)| *scope == facts.scope) else {
            continue;
        };
        let previous = resolve_stored(
            facts.kms_key_id.as_deref(),
            &facts.scope,
            &services.keys,
            &mut cache,
        )
        .await;
        item.action = if previous.is_key(target) {
            Action::OnTarget(target.clone())
        } else {
            Action::Change {
                target: target.clone(),
                previous,
            }
        };
    }
    Ok(())
}

/// The decision table on the secret as it would be on the target (rule-core's
/// `rule_rejects_target`), after the lookups it needs (approved aliases, the target).
async fn rule_accepts<S, K, C>(
    facts: &SecretFacts,
    target_arn: &str,
    job: &Remediation,
    services: &Services<S, K, C>,
    cache: &mut KeyCache,
) -> Result<(), KeyProblem>
where
    K: KeyDirectory + Sync,
{
    cache
        .resolve(
            &services.keys,
            target_lookups(facts, target_arn, &job.params),
        )
        .await;
    match rule_rejects_target(facts, target_arn, &job.params, cache) {
        None => Ok(()),
        Some(why) => Err(KeyProblem::RuleRejects {
            key: job.target.to_string(),
            why,
        }),
    }
}

/// Warnings before a change: whether the caller may use each target key (KMS dry runs),
/// and secrets whose present key could not be resolved (their backout plan entry
/// cannot be verified). Advice only: see `secrets_cmk_aws::key_use` for why a denied dry
/// run does not refuse.
pub(super) async fn advise<K: KeyUsage + Sync>(keys: &K, items: &[Item]) -> Vec<String> {
    let mut warnings = Vec::new();
    let mut probed: Vec<&str> = Vec::new();
    for item in items {
        let Action::Change { target, previous } = &item.action else {
            continue;
        };
        if let StoredKey::Unresolved(reason) = previous {
            warnings.push(format!(
                "{}: the key it is on now cannot be resolved ({reason}); `backout` will refuse \
                 to restore it",
                item.label
            ));
        }
        if probed.contains(&target.as_str()) {
            continue;
        }
        probed.push(target);
        // The target is a key ARN: qualifying leaves it as it is.
        let (Ok(key), Some(facts)) = (KeyRef::parse(target), &item.facts) else {
            continue;
        };
        let key = key.qualify(&facts.scope);
        match keys.probe_encrypt(&key).await {
            KeyUseProbe::Allowed => {}
            KeyUseProbe::Denied(reason) => warnings.push(format!(
                "{reason}. Without kms:GenerateDataKey and kms:Encrypt on {target}, UpdateSecret \
                 changes the key but leaves the existing versions on the old key. If your \
                 permission holds only through Secrets Manager (kms:ViaService) or its \
                 encryption context, this warning is expected and the re-key will work."
            )),
            KeyUseProbe::Unknown(reason) => warnings.push(format!(
                "could not check your use of {target} (KMS dry run): {reason}"
            )),
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";

    #[test]
    fn obviously_unsafe_targets_need_no_call() {
        // GIVEN/WHEN/THEN an aws/ alias and a key ARN of another Region are refused at once
        let aws = obvious_problems(
            &KeyRef::parse("alias/aws/secretsmanager").unwrap(),
            "us-east-1",
        );
        assert_eq!(aws.len(), 1);
        assert!(aws[0].contains("is an AWS managed key"), "{aws:?}");
        let arn = format!("arn:aws:kms:eu-west-1:111122223333:key/{KEY_ID}");
        let west = obvious_problems(&KeyRef::parse(&arn).unwrap(), "us-east-1");
        assert!(
            west[0].contains("is in eu-west-1, the secret is in us-east-1"),
            "{west:?}"
        );
        // AND an alias, a bare id, or a key ARN of the Region need DescribeKey to judge
        for fine in ["alias/app", KEY_ID, &arn.replace("eu-west-1", "us-east-1")] {
            assert!(obvious_problems(&KeyRef::parse(fine).unwrap(), "us-east-1").is_empty());
        }
    }
}
