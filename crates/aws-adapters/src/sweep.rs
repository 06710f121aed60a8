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

/// The listing half of a sweep: ListSecrets, one page after another (each needs the
/// previous page's token, so pages cannot be fetched in parallel: listing is the floor
/// of a sweep's time).
#[derive(Debug)]
pub struct Listing<'a, S> {
    store: &'a S,
    next: NextPage,
    pages: u64,
}

impl<'a, S: SecretStore + Sync> Listing<'a, S> {
    /// A listing that has not started.
    pub fn new(store: &'a S) -> Listing<'a, S> {
        Listing {
            store,
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

    /// The next page's secrets; `Ok(None)` once every page is listed. A ListSecrets
    /// failure (after the SDK's retries) is returned; the listing can be asked again.
    pub async fn next_page(&mut self) -> Result<Option<Vec<ListedSecret>>, AwsError> {
        let token = match &self.next {
            NextPage::Done => return Ok(None),
            NextPage::First => None,
            NextPage::Token(token) => Some(token.clone()),
        };
        let page = self.store.list_page(token).await?;
        self.pages += 1;
        self.next = page.next_token.map_or(NextPage::Done, NextPage::Token);
        Ok(Some(page.secrets))
    }
}

/// The deciding half of a sweep: the replica details and key facts a listed page needs
/// (DescribeSecret [`DESCRIBE_CONCURRENCY`] at a time, DescribeKey once per distinct
/// reference, cached across pages), then the decisions. It runs while the next pages are
/// listed.
#[derive(Debug)]
pub struct PageDecider<'a, S, K> {
    store: &'a S,
    directory: &'a K,
    params: &'a RuleParameters,
    cache: KeyCache,
}

impl<'a, S, K> PageDecider<'a, S, K>
where
    S: SecretStore + Sync,
    K: KeyDirectory + Sync,
{
    /// A decider with an empty key cache.
    pub fn new(
        store: &'a S,
        directory: &'a K,
        params: &'a RuleParameters,
    ) -> PageDecider<'a, S, K> {
        PageDecider {
            store,
            directory,
            params,
            cache: KeyCache::new(),
        }
    }

    /// Distinct key references described so far.
    pub fn keys_described(&self) -> usize {
        self.cache.len()
    }

    /// Decide every secret of a listed page, in its order. A DescribeSecret failure makes
    /// only that secret unverifiable; a secret that vanished since it was listed is left
    /// out (the next sweep's stale-result cleanup covers it).
    pub async fn decide(&mut self, page: Vec<ListedSecret>) -> Vec<SweepItem> {
        let store = self.store;
        let params = self.params;
        let gathered: Vec<Option<Gathered>> = stream::iter(page)
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

        gathered
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
            .collect()
    }
}

/// A sweep over every secret ListSecrets returns for one account and region, one page at
/// a time: [`Listing`] then [`PageDecider`] for each page, in turn (the CLI's audit). The
/// rule's periodic run drives the two halves itself so that they overlap.
#[derive(Debug)]
pub struct Sweep<'a, S, K> {
    listing: Listing<'a, S>,
    decider: PageDecider<'a, S, K>,
}

impl<'a, S, K> Sweep<'a, S, K>
where
    S: SecretStore + Sync,
    K: KeyDirectory + Sync,
{
    /// A sweep that has not listed anything yet.
    pub fn new(store: &'a S, directory: &'a K, params: &'a RuleParameters) -> Sweep<'a, S, K> {
        Sweep {
            listing: Listing::new(store),
            decider: PageDecider::new(store, directory, params),
        }
    }

    /// Whether every page has been listed.
    pub fn is_done(&self) -> bool {
        self.listing.is_done()
    }

    /// Pages listed so far.
    pub fn pages(&self) -> u64 {
        self.listing.pages()
    }

    /// Distinct key references described so far.
    pub fn keys_described(&self) -> usize {
        self.decider.keys_described()
    }

    /// List and decide the next page; `Ok(None)` once every page is done. A ListSecrets
    /// failure (after the SDK's retries) ends the sweep with the error; what was decided
    /// on earlier pages stands. A DescribeSecret failure makes only that secret
    /// unverifiable.
    pub async fn next_page(&mut self) -> Result<Option<Vec<SweepItem>>, AwsError> {
        match self.listing.next_page().await? {
            None => Ok(None),
            Some(page) => Ok(Some(self.decider.decide(page).await)),
        }
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

/// What DescribeSecret says of a secret that had a result but was not listed.
#[derive(Debug)]
pub enum Unlisted {
    /// DescribeSecret does not find it: its result may be cleared.
    Gone,
    /// It exists (ListSecrets lagged behind its creation or a change): decided from
    /// DescribeSecret's facts instead, so its result is refreshed, never cleared.
    Present(SweepItem),
    /// DescribeSecret failed: its result is left as it is.
    Failed(AwsError),
}

/// Ask DescribeSecret about each of `resource_ids` (previously reported, not listed by
/// the sweep), [`DESCRIBE_CONCURRENCY`] at a time, in order. A secret that still exists
/// is decided as the sweep would have, with one shared key cache.
pub async fn recheck_unlisted<S, K>(
    store: &S,
    directory: &K,
    params: &RuleParameters,
    resource_ids: &[&str],
) -> Vec<(String, Unlisted)>
where
    S: SecretStore + Sync,
    K: KeyDirectory + Sync,
{
    let described: Vec<(String, Result<Option<SecretFacts>, AwsError>)> =
        stream::iter(resource_ids)
            .map(|id| async move { ((*id).to_owned(), store.describe(id).await) })
            .buffered(DESCRIBE_CONCURRENCY)
            .collect()
            .await;
    let mut cache = KeyCache::new();
    let mut rechecked = Vec::with_capacity(described.len());
    for (resource_id, outcome) in described {
        let unlisted = match outcome {
            Ok(None) => Unlisted::Gone,
            Err(err) => Unlisted::Failed(err),
            Ok(Some(mut secret)) => {
                // Config knows the secret by the id it was reported under.
                secret.resource_id.clone_from(&resource_id);
                let decision = evaluate_secret(&secret, params, directory, &mut cache).await;
                Unlisted::Present(SweepItem { secret, decision })
            }
        };
        rechecked.push((resource_id, unlisted));
    }
    rechecked
}
