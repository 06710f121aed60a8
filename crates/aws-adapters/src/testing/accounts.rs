//! The fake STS: [`RoleAssumer`] (AssumeRole), handing out credentials that work nowhere
//! but expire like real ones, or a scripted failure per role.

use super::{Failure, FakeAws};
use crate::accounts::{RoleAssumer, TemporaryCredentials};
use crate::calls::op;
use crate::error::AwsError;
use std::time::{Duration, SystemTime};

/// How long assumed credentials last unless a test says otherwise (STS's default).
const DEFAULT_LIFETIME: Duration = Duration::from_secs(60 * 60);

/// The STS part of a [`FakeAws`].
#[derive(Debug)]
pub(super) struct AccountsState {
    lifetime: Duration,
    failures: Vec<(String, Failure)>,
}

impl Default for AccountsState {
    fn default() -> AccountsState {
        AccountsState {
            lifetime: DEFAULT_LIFETIME,
            failures: Vec::new(),
        }
    }
}

impl FakeAws {
    /// Every AssumeRole of `role_arn` fails with `failure`.
    pub fn fail_assume_role(&self, role_arn: &str, failure: Failure) {
        self.state()
            .accounts
            .failures
            .push((role_arn.to_owned(), failure));
    }

    /// Assumed credentials expire `lifetime` after the AssumeRole call (default: an hour).
    pub fn credentials_lifetime(&self, lifetime: Duration) {
        self.state().accounts.lifetime = lifetime;
    }
}

impl RoleAssumer for FakeAws {
    async fn assume_role(
        &self,
        role_arn: &str,
        session_name: &str,
    ) -> Result<TemporaryCredentials, AwsError> {
        self.record(op::ASSUME_ROLE, role_arn);
        let state = self.state();
        if let Some((_, failure)) = state.accounts.failures.iter().find(|(r, _)| r == role_arn) {
            return Err(failure.error(op::ASSUME_ROLE));
        }
        Ok(TemporaryCredentials {
            access_key_id: "ASIAFAKEFAKEFAKEFAKE".to_owned(),
            secret_access_key: "fake-secret-access-key".to_owned(),
            session_token: format!("fake-session-token-{session_name}"),
            expiration: SystemTime::now() + state.accounts.lifetime,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::{AccountAccessError, AccountSessions};

    const MEMBER_ROLE: &str = "arn:aws:iam::444455556666:role/Audit";

    fn sessions(aws: &FakeAws) -> AccountSessions<FakeAws> {
        AccountSessions::new(aws_config::SdkConfig::builder().build(), aws.clone())
    }

    /// Reach `account` from 111122223333 (through the role Audit when it is another),
    /// for an invocation ending now.
    async fn reach(
        sessions: &AccountSessions<FakeAws>,
        account: &str,
    ) -> Result<Option<SystemTime>, AccountAccessError> {
        let role = (account != "111122223333").then_some("Audit");
        let (_, expiry) = sessions
            .config_for("111122223333", account, "aws", role, SystemTime::now())
            .await?;
        Ok(expiry)
    }

    #[tokio::test]
    async fn a_member_role_is_assumed_once_while_its_credentials_last() {
        // GIVEN sessions over the fake STS
        let aws = FakeAws::new();
        let sessions = sessions(&aws);
        // WHEN the own account and a member account are asked for, twice
        for _ in 0..2 {
            assert_eq!(reach(&sessions, "111122223333").await.unwrap(), None);
            assert!(reach(&sessions, "444455556666").await.unwrap().is_some());
        }
        // THEN the role was assumed once
        assert_eq!(aws.calls_to(op::ASSUME_ROLE), [MEMBER_ROLE]);
    }

    #[tokio::test]
    async fn short_lived_credentials_are_renewed_and_failures_are_scripted_per_role() {
        // GIVEN credentials that expire inside the renewal margin
        let aws = FakeAws::new();
        aws.credentials_lifetime(Duration::from_secs(60));
        let sessions = sessions(&aws);
        for _ in 0..2 {
            reach(&sessions, "444455556666").await.unwrap();
        }
        // THEN each request assumed the role again
        assert_eq!(aws.calls_of(op::ASSUME_ROLE), 2);
        // AND a failing role surfaces as AssumeRole, retryable when throttled
        aws.fail_assume_role(MEMBER_ROLE, Failure::throttled());
        let err = reach(&sessions, "444455556666").await.unwrap_err();
        assert!(
            matches!(err, AccountAccessError::AssumeRole { .. }),
            "{err}"
        );
        assert!(err.is_retryable());
    }
}
