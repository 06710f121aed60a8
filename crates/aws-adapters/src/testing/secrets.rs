//! The fake Secrets Manager: [`SecretStore`] (ListSecrets, DescribeSecret) and
//! [`SecretKeyChanger`] (UpdateSecret) over one list of secrets.
//!
//! A secret is found by its ARN or its name, as Secrets Manager does. UpdateSecret
//! stores the `KmsKeyId` as sent (`None`: back on the default key), and what can go
//! wrong around it can be scripted: a failure for one secret or on the Nth call, a
//! DescribeSecret that lags the change, a hook that runs at each call (to look at the
//! world, e.g. a plan file, at the moment of the change).

use super::{Failure, FakeAws};
use crate::calls::op;
use crate::error::AwsError;
use crate::remediation::SecretKeyChanger;
use crate::secrets::{LIST_PAGE_SIZE, ListedSecret, SecretPage, SecretStore};
use rule_core::SecretFacts;
use std::sync::Arc;
use std::time::Duration;

/// What runs at each UpdateSecret, with the secret id and the `KmsKeyId` as sent.
type UpdateHook = Arc<dyn Fn(&str, Option<&str>) + Send + Sync>;

/// When a scripted UpdateSecret failure applies.
#[derive(Debug, Clone)]
enum UpdateWhen {
    /// Every call for this secret (ARN or name).
    Secret(String),
    /// The Nth UpdateSecret call of the run (1-based), whatever the secret.
    Call(usize),
}

#[derive(Debug)]
struct FakeSecret {
    facts: SecretFacts,
    /// After each UpdateSecret, this many DescribeSecret reads still show the old key.
    lag: usize,
    /// The old key, and how many more reads show it.
    stale: Option<(Option<String>, usize)>,
    /// ListSecrets leaves it out (AWS's listing lagging its creation); DescribeSecret
    /// still finds it.
    unlisted: bool,
}

impl FakeSecret {
    fn is(&self, id: &str) -> bool {
        self.facts.arn == id || self.facts.name == id
    }
}

/// The Secrets Manager part of a [`FakeAws`].
#[derive(Default)]
pub(super) struct SecretsState {
    secrets: Vec<FakeSecret>,
    /// How long ListSecrets takes for page i (0-based); pages past the list are instant.
    list_delays: Vec<Duration>,
    list_failures: Vec<(usize, Failure)>,
    describe_failures: Vec<(String, Failure)>,
    update_failures: Vec<(UpdateWhen, Failure)>,
    updates: Vec<(String, Option<String>)>,
    on_update: Option<UpdateHook>,
}

impl SecretsState {
    fn find(&self, id: &str) -> Option<&FakeSecret> {
        self.secrets.iter().find(|s| s.is(id))
    }

    fn find_mut(&mut self, id: &str) -> Option<&mut FakeSecret> {
        self.secrets.iter_mut().find(|s| s.is(id))
    }

    /// Whether `scripted` (an ARN or name given to a script) means the secret `id`.
    fn means(&self, scripted: &str, id: &str) -> bool {
        scripted == id || self.find(id).is_some_and(|s| s.is(scripted))
    }
}

impl FakeAws {
    /// Add the plain secret `name` of the fixture account on `kms_key_id` (`None`: the
    /// default key); see [`super::secret_facts`]. Its ARN.
    pub fn add_secret(&self, name: &str, kms_key_id: Option<&str>) -> String {
        self.put_secret(super::secret_facts(name, kms_key_id))
    }

    /// Add a secret with exactly these facts (or replace the one with its ARN). Listed
    /// without replica details; a secret with replicas is listed as a multi-Region
    /// primary. Its ARN.
    pub fn put_secret(&self, facts: SecretFacts) -> String {
        let arn = facts.arn.clone();
        let mut state = self.state();
        let secrets = &mut state.secrets.secrets;
        match secrets.iter_mut().find(|s| s.facts.arn == arn) {
            Some(known) => known.facts = facts,
            None => secrets.push(FakeSecret {
                facts,
                lag: 0,
                stale: None,
                unlisted: false,
            }),
        }
        arn
    }

    /// The secret `id` (ARN or name) as it is now (never lagged), if it exists.
    pub fn secret(&self, id: &str) -> Option<SecretFacts> {
        self.state().secrets.find(id).map(|s| s.facts.clone())
    }

    /// The key the secret `id` is on now, as stored (`None`: the default key, or no such
    /// secret).
    pub fn kms_key_of(&self, id: &str) -> Option<String> {
        self.secret(id).and_then(|facts| facts.kms_key_id)
    }

    /// Move the secret `id` to `kms_key_id` behind the tool's back (someone else did it):
    /// no call is counted.
    pub fn set_kms_key(&self, id: &str, kms_key_id: Option<&str>) {
        if let Some(secret) = self.state().secrets.find_mut(id) {
            secret.facts.kms_key_id = kms_key_id.map(str::to_owned);
            secret.stale = None;
        }
    }

    /// After each UpdateSecret of the secret `id`, the next `reads` DescribeSecret calls
    /// for it still show the key it had before (AWS's answer lagging the write).
    pub fn lag_describe(&self, id: &str, reads: usize) {
        if let Some(secret) = self.state().secrets.find_mut(id) {
            secret.lag = reads;
        }
    }

    /// ListSecrets leaves the secret `id` out, as AWS's listing may for a few minutes
    /// after a write; DescribeSecret still finds it.
    pub fn hide_from_list(&self, id: &str) {
        if let Some(secret) = self.state().secrets.find_mut(id) {
            secret.unlisted = true;
        }
    }

    /// Every DescribeSecret of the secret `id` (ARN or name) fails with `failure`.
    pub fn fail_describe(&self, id: &str, failure: Failure) {
        self.state()
            .secrets
            .describe_failures
            .push((id.to_owned(), failure));
    }

    /// ListSecrets fails with `failure` for page `page` (0-based).
    pub fn fail_list_page(&self, page: usize, failure: Failure) {
        self.state().secrets.list_failures.push((page, failure));
    }

    /// ListSecrets takes `delays[i]` for page i (on tokio's clock, which is real time
    /// unless the test pauses it).
    pub fn slow_pages(&self, delays: &[Duration]) {
        self.state().secrets.list_delays = delays.to_vec();
    }

    /// Every UpdateSecret of the secret `id` (ARN or name) fails with `failure` and
    /// changes nothing.
    pub fn fail_update_secret(&self, id: &str, failure: Failure) {
        self.state()
            .secrets
            .update_failures
            .push((UpdateWhen::Secret(id.to_owned()), failure));
    }

    /// The `nth` UpdateSecret call (1-based, whatever the secret) fails with `failure`
    /// and changes nothing.
    pub fn fail_update_call(&self, nth: usize, failure: Failure) {
        self.state()
            .secrets
            .update_failures
            .push((UpdateWhen::Call(nth), failure));
    }

    /// Run `hook` at each UpdateSecret, with the secret id and the `KmsKeyId` as sent,
    /// before the call fails or changes anything. The hook may use the fake.
    pub fn on_update_secret(&self, hook: impl Fn(&str, Option<&str>) + Send + Sync + 'static) {
        self.state().secrets.on_update = Some(Arc::new(hook));
    }

    /// Every UpdateSecret request so far, failed ones included, in order: the secret id
    /// and the `KmsKeyId` as sent (`None`: the default key).
    pub fn updates(&self) -> Vec<(String, Option<String>)> {
        self.state().secrets.updates.clone()
    }
}

impl SecretStore for FakeAws {
    async fn list_page(&self, next_token: Option<String>) -> Result<SecretPage, AwsError> {
        self.record(op::LIST_SECRETS, next_token.as_deref().unwrap_or_default());
        let start: usize = match next_token.as_deref().map(str::parse).transpose() {
            Ok(start) => start.unwrap_or(0),
            Err(_) => {
                let failure = Failure::new(
                    crate::FailureKind::Rejected,
                    "InvalidNextTokenException",
                    "the next token is not one this fake gave",
                );
                return Err(failure.error(op::LIST_SECRETS));
            }
        };
        let page_size = usize::try_from(LIST_PAGE_SIZE).unwrap_or(100);
        let page = start / page_size;
        let delay = self.state().secrets.list_delays.get(page).copied();
        if let Some(delay) = delay {
            tokio::time::sleep(delay).await;
        }
        let state = self.state();
        if let Some((_, failure)) = state.secrets.list_failures.iter().find(|(p, _)| *p == page) {
            return Err(failure.error(op::LIST_SECRETS));
        }
        let secrets: Vec<&FakeSecret> = state
            .secrets
            .secrets
            .iter()
            .filter(|secret| !secret.unlisted)
            .collect();
        let end = (start + page_size).min(secrets.len());
        Ok(SecretPage {
            secrets: secrets
                .get(start..end)
                .unwrap_or_default()
                .iter()
                .map(|secret| listed(&secret.facts))
                .collect(),
            next_token: (end < secrets.len()).then(|| end.to_string()),
        })
    }

    async fn describe(&self, secret_id: &str) -> Result<Option<SecretFacts>, AwsError> {
        self.record(op::DESCRIBE_SECRET, secret_id);
        let mut state = self.state();
        let secrets = &mut state.secrets;
        if let Some((_, failure)) = secrets
            .describe_failures
            .iter()
            .find(|(scripted, _)| secrets.means(scripted, secret_id))
        {
            return Err(failure.error(op::DESCRIBE_SECRET));
        }
        let Some(secret) = secrets.find_mut(secret_id) else {
            return Ok(None);
        };
        let mut facts = secret.facts.clone();
        if let Some((old, reads)) = &mut secret.stale {
            facts.kms_key_id = old.clone();
            *reads -= 1;
            if *reads == 0 {
                secret.stale = None;
            }
        }
        // DescribeSecret always reports replica details (none is an empty list).
        facts.replicas = facts.replicas.or_else(|| Some(vec![]));
        Ok(Some(facts))
    }
}

/// A secret as ListSecrets reports it: no replica details; a primary Region when it has
/// replicas.
fn listed(facts: &SecretFacts) -> ListedSecret {
    let has_replicas = facts.replicas.as_ref().is_some_and(|r| !r.is_empty());
    ListedSecret {
        primary_region: has_replicas.then(|| facts.scope.region.clone()),
        facts: SecretFacts {
            replicas: None,
            ..facts.clone()
        },
    }
}

impl SecretKeyChanger for FakeAws {
    async fn update_kms_key(
        &self,
        secret_id: &str,
        kms_key_id: Option<&str>,
    ) -> Result<(), AwsError> {
        self.record(op::UPDATE_SECRET, secret_id);
        let hook = {
            let mut state = self.state();
            let secrets = &mut state.secrets;
            secrets
                .updates
                .push((secret_id.to_owned(), kms_key_id.map(str::to_owned)));
            secrets.on_update.clone()
        };
        // Outside the lock: the hook may call the fake.
        if let Some(hook) = hook {
            hook(secret_id, kms_key_id);
        }
        let mut state = self.state();
        let secrets = &mut state.secrets;
        let nth = secrets.updates.len();
        let failure = secrets.update_failures.iter().find(|(when, _)| match when {
            UpdateWhen::Secret(scripted) => secrets.means(scripted, secret_id),
            UpdateWhen::Call(n) => *n == nth,
        });
        if let Some((_, failure)) = failure {
            return Err(failure.error(op::UPDATE_SECRET));
        }
        let Some(secret) = secrets.find_mut(secret_id) else {
            return Err(
                Failure::not_found("Secrets Manager can't find the specified secret.")
                    .error(op::UPDATE_SECRET),
            );
        };
        let old = std::mem::replace(
            &mut secret.facts.kms_key_id,
            kms_key_id.filter(|k| !k.is_empty()).map(str::to_owned),
        );
        secret.stale = (secret.lag > 0).then_some((old, secret.lag));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::{REGION, key_arn, secret_arn};
    use super::*;
    use rule_core::ReplicaFacts;
    use std::sync::Mutex;

    #[tokio::test]
    async fn secrets_are_listed_in_pages_of_100_and_described_by_arn_or_name() {
        // GIVEN 150 secrets, one of them a multi-Region primary
        let aws = FakeAws::new();
        for i in 0..150 {
            aws.add_secret(&format!("s{i:03}"), None);
        }
        let mut primary = super::super::secret_facts("s000", Some("alias/app"));
        primary.replicas = Some(vec![ReplicaFacts {
            region: "us-east-1".into(),
            kms_key_id: None,
            status: Some("InSync".into()),
        }]);
        aws.put_secret(primary);
        // WHEN listed and described
        let first = aws.list_page(None).await.unwrap();
        let second = aws.list_page(first.next_token.clone()).await.unwrap();
        let by_name = aws.describe("s000").await.unwrap().unwrap();
        // THEN two pages, the replaced secret listed once as a primary, replicas only
        // in DescribeSecret
        assert_eq!((first.secrets.len(), second.secrets.len()), (100, 50));
        assert_eq!(second.next_token, None);
        assert_eq!(first.secrets[0].primary_region.as_deref(), Some(REGION));
        assert_eq!(first.secrets[0].facts.replicas, None);
        assert_eq!(by_name.arn, secret_arn("s000"));
        assert_eq!(by_name.replicas.map(|r| r.len()), Some(1));
        assert_eq!(aws.calls_to(op::LIST_SECRETS), ["", "100"]);
        assert_eq!(aws.describe("nope").await.unwrap(), None);
    }

    #[tokio::test]
    async fn update_failures_and_lag_are_scripted() {
        // GIVEN three secrets; the 2nd UpdateSecret fails, "c" lags one read
        let aws = FakeAws::new();
        for name in ["a", "b", "c"] {
            aws.add_secret(name, None);
        }
        aws.fail_update_call(2, Failure::access_denied("no kms:Encrypt"));
        aws.lag_describe("c", 1);
        let seen = Arc::new(Mutex::new(Vec::new()));
        let hook_seen = Arc::clone(&seen);
        let hook_aws = aws.clone();
        aws.on_update_secret(move |id, _| {
            hook_seen.lock().unwrap().push(hook_aws.kms_key_of(id));
        });
        let key = key_arn("k");
        // WHEN each is moved to the key
        for name in ["a", "b", "c"] {
            let _ = aws.update_kms_key(&secret_arn(name), Some(&key)).await;
        }
        // THEN a and c moved, b not; the hook saw each before its change
        assert_eq!(aws.kms_key_of("a"), Some(key.clone()));
        assert_eq!(aws.kms_key_of("b"), None);
        assert_eq!(*seen.lock().unwrap(), [None, None, None]);
        assert_eq!(aws.updates().len(), 3);
        // AND c's first read shows the old key, the next the new one
        assert_eq!(aws.describe("c").await.unwrap().unwrap().kms_key_id, None);
        assert_eq!(
            aws.describe("c").await.unwrap().unwrap().kms_key_id,
            Some(key.clone())
        );
        // AND restoring the default key stores none
        aws.update_kms_key("a", None).await.unwrap();
        assert_eq!(aws.kms_key_of("a"), None);
    }

    #[tokio::test]
    async fn a_failure_for_one_secret_matches_its_arn_and_its_name() {
        let aws = FakeAws::new();
        aws.add_secret("a", None);
        aws.fail_update_secret("a", Failure::throttled());
        aws.fail_describe(&secret_arn("a"), Failure::throttled());
        assert!(aws.update_kms_key(&secret_arn("a"), None).await.is_err());
        assert!(aws.describe("a").await.is_err());
        assert!(aws.update_kms_key("missing", None).await.is_err());
        aws.fail_list_page(0, Failure::throttled());
        assert!(aws.list_page(None).await.is_err());
    }
}
