//! Which Regions of an account an organization audit sweeps: every `--region` given (each
//! once), or with `--all-regions` the account's enabled Regions, which Account ListRegions
//! reports with that account's own credentials (an opt-in Region one account enabled is
//! not enabled in another).

use secrets_cmk_aws::{ApiCalls, AwsError, SdkConfig};
use std::future::Future;

/// Account ListRegions, as counted and named in errors.
pub const LIST_REGIONS: &str = "account:ListRegions";

/// The opt statuses of a Region that can be used: enabled by an opt-in, or one of the
/// Regions every account has (AWS: Regions introduced before 20 March 2019).
pub const ENABLED_STATUSES: [&str; 2] = ["ENABLED", "ENABLED_BY_DEFAULT"];

/// Account ListRegions, every page.
pub trait RegionLister {
    /// The enabled Regions of the account the lister's credentials act in, as
    /// (name, opt status).
    fn enabled_regions(
        &self,
    ) -> impl Future<Output = Result<Vec<(String, String)>, AwsError>> + Send;
}

/// [`RegionLister`] over the real Account client.
#[derive(Debug, Clone)]
pub struct AccountRegions {
    client: aws_sdk_account::Client,
    calls: ApiCalls,
}

impl AccountRegions {
    /// A lister acting with `config` (the audited account's own credentials).
    pub fn from_config(config: &SdkConfig, calls: ApiCalls) -> AccountRegions {
        AccountRegions {
            client: aws_sdk_account::Client::new(config),
            calls,
        }
    }
}

impl RegionLister for AccountRegions {
    async fn enabled_regions(&self) -> Result<Vec<(String, String)>, AwsError> {
        use aws_sdk_account::types::RegionOptStatus;
        let mut regions = Vec::new();
        let mut next_token: Option<String> = None;
        loop {
            self.calls.record(LIST_REGIONS);
            // No AccountId: the call is about the caller's own account, which is the
            // audited one (its role's credentials), and needs no trusted access.
            let page = self
                .client
                .list_regions()
                .region_opt_status_contains(RegionOptStatus::Enabled)
                .region_opt_status_contains(RegionOptStatus::EnabledByDefault)
                .set_next_token(next_token.take())
                .send()
                .await
                .map_err(|e| AwsError::from_sdk(LIST_REGIONS, e))?;
            for region in page.regions() {
                let Some(name) = region.region_name() else {
                    return Err(AwsError::malformed_response(
                        LIST_REGIONS,
                        "a Region without a RegionName",
                    ));
                };
                let status = region
                    .region_opt_status()
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_default();
                regions.push((name.to_owned(), status));
            }
            match page.next_token() {
                Some(token) if !token.is_empty() => next_token = Some(token.to_owned()),
                _ => return Ok(regions),
            }
        }
    }
}

/// The Regions to sweep from what ListRegions answered: only enabled ones (the filter
/// was asked for; a Region answered with another status is still left out), each once,
/// sorted so every run and every account lists them in the same order.
pub fn region_set(listed: &[(String, String)]) -> Vec<String> {
    let mut regions: Vec<String> = listed
        .iter()
        .filter(|(name, status)| !name.is_empty() && ENABLED_STATUSES.contains(&status.as_str()))
        .map(|(name, _)| name.clone())
        .collect();
    regions.sort();
    regions.dedup();
    regions
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, s)| ((*n).to_owned(), (*s).to_owned()))
            .collect()
    }

    #[test]
    fn only_enabled_regions_are_swept_each_once_in_order() {
        // GIVEN default, opted-in, disabled and changing Regions, one listed twice
        let answer = listed(&[
            ("us-west-2", "ENABLED_BY_DEFAULT"),
            ("af-south-1", "ENABLED"),
            ("me-south-1", "DISABLED"),
            ("ap-east-1", "ENABLING"),
            ("eu-south-1", "DISABLING"),
            ("us-east-1", "ENABLED_BY_DEFAULT"),
            ("us-west-2", "ENABLED_BY_DEFAULT"),
            ("", "ENABLED"),
        ]);
        // WHEN the set is made / THEN the enabled ones, sorted, each once
        assert_eq!(
            region_set(&answer),
            ["af-south-1", "us-east-1", "us-west-2"]
        );
        assert!(region_set(&[]).is_empty());
    }
}
