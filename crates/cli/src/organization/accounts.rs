//! Which accounts an organization audit reaches: the organization's members
//! (Organizations ListAccounts) or the ones named with `--accounts`, and who the caller is
//! (STS GetCallerIdentity). The choice is pure ([`select_accounts`]); the two AWS reads
//! are small adapters behind [`MemberLister`] and [`CallerLookup`].

use crate::error::CliError;
use secrets_cmk_aws::{ApiCalls, AwsError, SdkConfig};
use std::future::Future;

/// Organizations ListAccounts, as counted and named in errors.
pub const LIST_ACCOUNTS: &str = "organizations:ListAccounts";
/// STS GetCallerIdentity, as counted and named in errors.
pub const GET_CALLER_IDENTITY: &str = "sts:GetCallerIdentity";

/// One account of the organization, as ListAccounts describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The 12-digit account id.
    pub id: String,
    /// The account's friendly name (empty when ListAccounts gave none).
    pub name: String,
    /// Its lifecycle state: `State` (ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED, ...),
    /// else the older `Status` AWS retires in favour of it.
    pub state: String,
}

impl Member {
    /// Whether it can be audited: only ACTIVE accounts (a suspended or closing account
    /// has no working role to assume, and its secrets cannot be used).
    pub fn is_active(&self) -> bool {
        self.state == "ACTIVE"
    }
}

/// Who runs the audit: the account the base credentials act in, and its partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The caller's account id.
    pub account: String,
    /// `aws`, `aws-cn`, `aws-us-gov`, ... (from the caller's ARN).
    pub partition: String,
}

/// An account the audit could not even start in, and why (it is reported, the others go on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The account id.
    pub account: String,
    /// Why it is not audited.
    pub reason: String,
}

/// The accounts to audit, in order (the caller's first when it is one of them), and the
/// named accounts that cannot be.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Selection {
    /// Audited.
    pub accounts: Vec<String>,
    /// Named with `--accounts` but not an ACTIVE member of the organization.
    pub skipped: Vec<Skipped>,
    /// Members left out because they are not ACTIVE (with `--organization` alone): not a
    /// failure, the table says so.
    pub inactive: Vec<Member>,
}

/// Organizations ListAccounts, every page.
pub trait MemberLister {
    /// Every account of the organization, in any state.
    fn members(&self) -> impl Future<Output = Result<Vec<Member>, AwsError>> + Send;
}

/// STS GetCallerIdentity.
pub trait CallerLookup {
    /// The caller's account and partition.
    fn caller(&self) -> impl Future<Output = Result<Caller, AwsError>> + Send;
}

/// [`MemberLister`] and [`CallerLookup`] over the real clients.
#[derive(Debug, Clone)]
pub struct AwsDirectory {
    organizations: aws_sdk_organizations::Client,
    sts: aws_sdk_sts::Client,
    calls: ApiCalls,
}

impl AwsDirectory {
    /// Clients from the caller's own configuration; calls counted in `calls`.
    pub fn from_config(config: &SdkConfig, calls: ApiCalls) -> AwsDirectory {
        AwsDirectory {
            organizations: aws_sdk_organizations::Client::new(config),
            sts: aws_sdk_sts::Client::new(config),
            calls,
        }
    }
}

impl MemberLister for AwsDirectory {
    async fn members(&self) -> Result<Vec<Member>, AwsError> {
        let mut members = Vec::new();
        let mut next_token: Option<String> = None;
        loop {
            self.calls.record(LIST_ACCOUNTS);
            let page = self
                .organizations
                .list_accounts()
                .set_next_token(next_token.take())
                .send()
                .await
                .map_err(|e| AwsError::from_sdk(LIST_ACCOUNTS, e))?;
            for account in page.accounts() {
                let Some(id) = account.id() else {
                    return Err(AwsError::malformed_response(
                        LIST_ACCOUNTS,
                        "an account without an Id",
                    ));
                };
                let state = account
                    .state()
                    .map(|state| state.as_str().to_owned())
                    .or_else(|| account.status().map(|status| status.as_str().to_owned()))
                    .unwrap_or_default();
                members.push(Member {
                    id: id.to_owned(),
                    name: account.name().unwrap_or_default().to_owned(),
                    state,
                });
            }
            // ListAccounts may return an empty page with a NextToken: only a missing
            // token ends the listing.
            match page.next_token() {
                Some(token) if !token.is_empty() => next_token = Some(token.to_owned()),
                _ => return Ok(members),
            }
        }
    }
}

impl CallerLookup for AwsDirectory {
    async fn caller(&self) -> Result<Caller, AwsError> {
        self.calls.record(GET_CALLER_IDENTITY);
        let identity = self
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| AwsError::from_sdk(GET_CALLER_IDENTITY, e))?;
        let (Some(account), Some(arn)) = (identity.account(), identity.arn()) else {
            return Err(AwsError::malformed_response(
                GET_CALLER_IDENTITY,
                "no Account or Arn",
            ));
        };
        let partition = partition_of_arn(arn).ok_or_else(|| {
            AwsError::malformed_response(
                GET_CALLER_IDENTITY,
                format!("the Arn {arn} is not an ARN"),
            )
        })?;
        Ok(Caller {
            account: account.to_owned(),
            partition,
        })
    }
}

/// The partition of an ARN (`arn:PARTITION:...`).
pub fn partition_of_arn(arn: &str) -> Option<String> {
    let mut parts = arn.split(':');
    match (parts.next(), parts.next()) {
        (Some("arn"), Some(partition)) if !partition.is_empty() => Some(partition.to_owned()),
        _ => None,
    }
}

/// `--accounts`: comma-separated 12-digit ids, each once (in order); a bad one is an
/// error naming it.
pub fn parse_account_ids(list: &str) -> Result<Vec<String>, CliError> {
    let mut ids: Vec<String> = Vec::new();
    for id in list.split(',').map(str::trim) {
        if id.is_empty() {
            return Err(CliError::Usage(format!(
                "--accounts {list:?}: an empty account id (give 12-digit ids separated by commas)"
            )));
        }
        if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CliError::Usage(format!(
                "--accounts: {id:?} is not an account id (12 digits)"
            )));
        }
        if !ids.iter().any(|known| known == id) {
            ids.push(id.to_owned());
        }
    }
    Ok(ids)
}

/// `--role-name`: an IAM role name, optionally with its path (`team/Auditor`), as it goes
/// into `arn:PARTITION:iam::ACCOUNT:role/NAME`.
pub fn validate_role_name(name: &str) -> Result<(), CliError> {
    let bad = |why: &str| Err(CliError::Usage(format!("--role-name {name:?}: {why}")));
    if name.is_empty() {
        return bad("must not be empty");
    }
    if name.starts_with('/') || name.ends_with('/') || name.contains("//") {
        return bad("give the role's name (with its path, if any) without a leading or trailing /");
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || "+=,.@_-/".contains(c);
    if let Some(c) = name.chars().find(|c| !allowed(*c)) {
        return bad(&format!(
            "{c:?} is not allowed in an IAM role name (letters, digits and +=,.@_-)"
        ));
    }
    let last = name.rsplit('/').next().unwrap_or(name);
    if last.len() > 64 {
        return bad("an IAM role name has at most 64 characters");
    }
    Ok(())
}

/// The accounts to audit. `named` (from `--accounts`) wins over the organization's list;
/// with `members` (from `--organization`) each named account must be an ACTIVE member,
/// and without names every ACTIVE member is audited. Without either (`--all-regions`
/// alone) the caller's own account is. The caller's own account comes first.
pub fn select_accounts(
    caller: &Caller,
    members: Option<&[Member]>,
    named: Option<&[String]>,
) -> Selection {
    let mut selection = Selection::default();
    match (members, named) {
        (None, None) => selection.accounts.push(caller.account.clone()),
        (None, Some(named)) => selection.accounts = named.to_vec(),
        (Some(members), Some(named)) => {
            for id in named {
                match members.iter().find(|m| &m.id == id) {
                    Some(member) if member.is_active() => selection.accounts.push(id.clone()),
                    Some(member) => selection.skipped.push(Skipped {
                        account: id.clone(),
                        reason: format!(
                            "its state in the organization is {} (only ACTIVE accounts are audited)",
                            or_unknown(&member.state)
                        ),
                    }),
                    None => selection.skipped.push(Skipped {
                        account: id.clone(),
                        reason: "not a member of the organization (ListAccounts)".to_owned(),
                    }),
                }
            }
        }
        (Some(members), None) => {
            for member in members {
                if member.is_active() {
                    if !selection.accounts.contains(&member.id) {
                        selection.accounts.push(member.id.clone());
                    }
                } else {
                    selection.inactive.push(member.clone());
                }
            }
        }
    }
    if let Some(own) = selection.accounts.iter().position(|a| a == &caller.account) {
        let own = selection.accounts.remove(own);
        selection.accounts.insert(0, own);
    }
    selection
}

/// Every audited account other than the caller's needs `--role-name`: the error names
/// the first such account.
pub fn require_role_for_others(
    caller: &Caller,
    accounts: &[String],
    role_name: Option<&str>,
) -> Result<(), CliError> {
    match (role_name, accounts.iter().find(|a| *a != &caller.account)) {
        (None, Some(other)) => Err(CliError::Usage(format!(
            "--role-name is required: account {other} is not the caller's own ({}), and the \
             audit reaches it by assuming arn:{}:iam::{other}:role/NAME",
            caller.account, caller.partition
        ))),
        _ => Ok(()),
    }
}

fn or_unknown(state: &str) -> &str {
    if state.is_empty() { "unknown" } else { state }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller() -> Caller {
        Caller {
            account: "111111111111".into(),
            partition: "aws".into(),
        }
    }

    fn member(id: &str, state: &str) -> Member {
        Member {
            id: id.into(),
            name: format!("n-{id}"),
            state: state.into(),
        }
    }

    fn org() -> Vec<Member> {
        vec![
            member("222222222222", "ACTIVE"),
            member("111111111111", "ACTIVE"),
            member("333333333333", "SUSPENDED"),
            member("444444444444", "PENDING_CLOSURE"),
            member("555555555555", "ACTIVE"),
        ]
    }

    #[test]
    fn the_organization_is_its_active_accounts_with_the_caller_first() {
        // GIVEN an organization with suspended and closing members / WHEN selected
        let selection = select_accounts(&caller(), Some(&org()), None);
        // THEN only ACTIVE ones are audited, the caller's first, the rest kept in order
        assert_eq!(
            selection.accounts,
            ["111111111111", "222222222222", "555555555555"]
        );
        // AND the others are listed as left out, not as failures
        let inactive: Vec<&str> = selection.inactive.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(inactive, ["333333333333", "444444444444"]);
        assert!(selection.skipped.is_empty());
    }

    #[test]
    fn named_accounts_of_the_organization_must_be_active_members() {
        let named = vec![
            "555555555555".to_owned(),
            "333333333333".to_owned(),
            "999999999999".to_owned(),
        ];
        let selection = select_accounts(&caller(), Some(&org()), Some(&named));
        assert_eq!(selection.accounts, ["555555555555"]);
        let skipped: Vec<(&str, &str)> = selection
            .skipped
            .iter()
            .map(|s| (s.account.as_str(), s.reason.as_str()))
            .collect();
        assert_eq!(skipped.len(), 2);
        assert_eq!(skipped[0].0, "333333333333");
        assert!(skipped[0].1.contains("SUSPENDED"), "{}", skipped[0].1);
        assert_eq!(skipped[1].0, "999999999999");
        assert!(skipped[1].1.contains("not a member"), "{}", skipped[1].1);
    }

    #[test]
    fn named_accounts_without_the_organization_are_taken_as_given() {
        let named = vec!["555555555555".to_owned(), "111111111111".to_owned()];
        let selection = select_accounts(&caller(), None, Some(&named));
        assert_eq!(selection.accounts, ["111111111111", "555555555555"]);
        // AND with neither, the caller's own account alone
        assert_eq!(
            select_accounts(&caller(), None, None).accounts,
            ["111111111111"]
        );
    }

    #[test]
    fn account_ids_are_twelve_digits_each_once() {
        assert_eq!(
            parse_account_ids(" 111111111111,222222222222 ,111111111111").unwrap(),
            ["111111111111", "222222222222"]
        );
        for (bad, named) in [
            ("11111111111", "\"11111111111\""),
            ("111111111111,abcdefghijkl", "\"abcdefghijkl\""),
            ("1111111111111", "\"1111111111111\""),
            ("111111111111,,222222222222", "empty account id"),
            ("", "empty account id"),
        ] {
            let err = parse_account_ids(bad).unwrap_err().to_string();
            assert!(err.contains(named), "{bad:?}: {err}");
        }
    }

    #[test]
    fn role_names_are_iam_names_with_an_optional_path() {
        for good in ["SecretsCmkAudit", "team/audit/Reader", "a+b=c,d.e@f_g-h"] {
            assert!(validate_role_name(good).is_ok(), "{good}");
        }
        for (bad, why) in [
            ("", "empty"),
            ("/Audit", "leading"),
            ("Audit/", "trailing"),
            ("Au dit", "not allowed"),
            ("Audit*", "not allowed"),
            (&"x".repeat(65), "64"),
        ] {
            let err = validate_role_name(bad).unwrap_err().to_string();
            assert!(err.contains(why), "{bad:?}: {err}");
        }
    }

    #[test]
    fn a_role_name_is_needed_only_for_accounts_other_than_the_callers() {
        let own = vec!["111111111111".to_owned()];
        assert!(require_role_for_others(&caller(), &own, None).is_ok());
        let both = vec!["111111111111".to_owned(), "222222222222".to_owned()];
        let err = require_role_for_others(&caller(), &both, None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("--role-name is required") && err.contains("222222222222"));
        assert!(require_role_for_others(&caller(), &both, Some("Audit")).is_ok());
    }

    #[test]
    fn the_partition_comes_from_the_callers_arn() {
        assert_eq!(
            partition_of_arn("arn:aws-cn:sts::111111111111:assumed-role/a/b").as_deref(),
            Some("aws-cn")
        );
        assert_eq!(partition_of_arn("not-an-arn"), None);
        assert_eq!(partition_of_arn("arn::x"), None);
    }
}
