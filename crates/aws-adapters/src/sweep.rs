//! Gathering facts and deciding: one secret (change events, the CLI's targeted checks) or
//! every secret of an account and region, page by page (periodic sweeps, audits).
//!
//! The facts-then-decide split keeps the decision pure (rule-core) and the calls minimal:
//! ListSecrets already carries the key, deletion date, owner and tags of every secret, so
//! a sweep only adds one DescribeKey per distinct key reference (cached across pages) and
//! one DescribeSecret per multi-Region primary whose replicas have to be checked.

use crate::error::AwsError;
use crate::keys::{KeyCache, KeyDirectory};
use crate::secrets::{ListedSecret, SecretStore};
use futures_util::stream::{self, StreamExt};
use rule_core::{
    Decision, RuleParameters, SecretFacts, decide, key_lookups_needed, replica_keys_matter,
};

/// DescribeSecret calls in flight at once for one page's multi-Region secrets.
pub const DESCRIBE_CONCURRENCY: usize = 8;

/// Gather the key facts `secret` needs (through `cache`) and decide.
pub async fn evaluate_secret<K: KeyDirectory + Sync>(
    secret: &SecretFacts,
    params: &RuleParameters,
    directory: &K,
    cache: &mut KeyCache,
) -> Decision {
    cache
        .resolve(directory, key_lookups_needed(secret, params))
        .await;
    decide(secret, params, cache)
}

/// One decided secret.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepItem {
    /// The facts the decision was made from.
    pub secret: SecretFacts,
    /// The decision.
    pub decision: Decision,
}

#[derive(Debug, Clone, PartialEq)]
enum NextPage {
    First,
    Token(String),
    Done,
}

/// A sweep over every secret ListSecrets returns for one account and region, one page at
/// a time so the caller can report each page while the next is fetched.
#[derive(Debug)]
pub struct Sweep<'a, S, K> {
    store: &'a S,
    directory: &'a K,
    params: &'a RuleParameters,
    cache: KeyCache,
    next: NextPage,
    pages: u64,
}

impl<'a, S, K> Sweep<'a, S, K>
where
    S: SecretStore + Sync,
    K: KeyDirectory + Sync,
{
    /// A sweep that has not listed anything yet.
    pub fn new(store: &'a S, directory: &'a K, params: &'a RuleParameters) -> Sweep<'a, S, K> {
        Sweep {
            store,
            directory,
            params,
            cache: KeyCache::new(),
            next: NextPage::First,
            pages: 0,
        }
    }

    /// Whether every page has been listed.
    pub fn is_done(&self) -> bool {
        self.next == NextPage::Done
    }

    /// Pages listed so far.
    pub fn pages(&self) -> u64 {
        self.pages
    }

    /// Distinct key references described so far.
    pub fn keys_described(&self) -> usize {
        self.cache.len()
    }

    /// List and decide the next page; `Ok(None)` once every page is done. A ListSecrets
    /// failure (after the SDK's retries) ends the sweep with the error; what was decided
    /// on earlier pages stands. A DescribeSecret failure makes only that secret
    /// unverifiable.
    pub async fn next_page(&mut self) -> Result<Option<Vec<SweepItem>>, AwsError> {
        let token = match &self.next {
            NextPage::Done => return Ok(None),
            NextPage::First => None,
            NextPage::Token(token) => Some(token.clone()),
        };
        let page = self.store.list_page(token).await?;
        self.pages += 1;
        self.next = page.next_token.map_or(NextPage::Done, NextPage::Token);

        let store = self.store;
        let params = self.params;
        let gathered: Vec<Option<Gathered>> = stream::iter(page.secrets)
            .map(|listed| gather_replicas(store, params, listed))
            .buffered(DESCRIBE_CONCURRENCY)
            .collect()
            .await;

        let needed: Vec<_> = gathered
            .iter()
            .flatten()
            .filter_map(|g| g.as_ref().ok())
            .flat_map(|secret| key_lookups_needed(secret, params))
            .collect();
        self.cache.resolve(self.directory, needed).await;

        let items = gathered
            .into_iter()
            .flatten()
            .map(|gathered| match gathered {
                Ok(secret) => {
                    let decision = decide(&secret, params, &self.cache);
                    SweepItem { secret, decision }
                }
                Err((secret, reason)) => SweepItem {
                    secret,
                    decision: Decision::Unverifiable { reason },
                },
            })
            .collect();
        Ok(Some(items))
    }
}

/// A listed secret with replica details added where needed, or the reason they could
/// not be fetched (the secret is then unverifiable, not guessed).
type Gathered = Result<SecretFacts, (SecretFacts, String)>;

/// Replica details come only from DescribeSecret, so it is called only for multi-Region
/// primaries that are still live, not exempt, and whose replicas the rule checks.
/// `None`: the secret vanished between ListSecrets and DescribeSecret; it is not reported
/// (the next sweep's stale-result cleanup covers it).
async fn gather_replicas<S: SecretStore + Sync>(
    store: &S,
    params: &RuleParameters,
    listed: ListedSecret,
) -> Option<Gathered> {
    if !needs_replica_details(&listed, params) {
        return Some(Ok(listed.facts));
    }
    match store.describe(&listed.facts.arn).await {
        Ok(Some(described)) => {
            let mut facts = listed.facts;
            facts.replicas = described.replicas;
            Some(Ok(facts))
        }
        Ok(None) => None,
        Err(err) => {
            let reason = format!("replica details unavailable: {err}");
            Some(Err((listed.facts, reason)))
        }
    }
}

fn needs_replica_details(listed: &ListedSecret, params: &RuleParameters) -> bool {
    listed.may_have_replicas() && replica_keys_matter(&listed.facts, params)
}
