//! What an organization audit gathered, and how its reach is told (pure): which
//! account-Regions were swept, which were not and why, which members were left out. The
//! secrets themselves are rendered as in a one-account audit (their rows carry `account`
//! and `region`); this adds the part only an organization run has.

use super::Reach;
use super::accounts::Member;
use crate::output::AuditRow;
use secrets_cmk_aws::ApiCalls;
use std::collections::BTreeSet;
use std::fmt::Write;
use std::sync::Arc;

/// The most accounts or Regions not audited that the final error message names one by one.
pub const FAILURES_NAMED: usize = 3;

/// An account, or one Region of it, that was not audited completely.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAudited {
    /// The account id.
    pub account: String,
    /// The Region; `None` when the account could not be reached at all (no Region of it
    /// was swept).
    pub region: Option<String>,
    /// Why (the AWS error, or why the account is not audited).
    pub reason: String,
}

impl NotAudited {
    /// `ACCOUNT REGION: REASON`, or `ACCOUNT (every Region): REASON`.
    pub fn line(&self) -> String {
        match &self.region {
            Some(region) => format!("{} {region}: {}", self.account, self.reason),
            None => format!("{} (every Region): {}", self.account, self.reason),
        }
    }
}

/// Everything an organization audit gathered: what the renderers (and `--format asff`,
/// `--security-hub`) need.
#[derive(Debug, Clone, Default)]
pub struct OrganizationAudit {
    /// Every secret that was listed, in account-Region order (the order the pairs were
    /// planned in, whatever order they finished in).
    pub rows: Vec<AuditRow>,
    /// The account-Region pairs swept (completely or not), in order.
    pub swept: Vec<(String, String)>,
    /// What was not audited, and why.
    pub not_audited: Vec<NotAudited>,
    /// Members left out because they are not ACTIVE (not a failure).
    pub inactive: Vec<Member>,
    /// The role assumed in the other accounts.
    pub role_name: Option<String>,
    /// The caller's own account.
    pub caller: String,
    /// How the accounts were reached (their cached sessions), for what acts in them
    /// afterwards; `None` in a value built by hand.
    pub reach: Option<Arc<Reach>>,
    /// The API calls made, by operation.
    pub calls: ApiCalls,
}

impl OrganizationAudit {
    /// The Regions swept in any account, each once, sorted.
    pub fn regions(&self) -> Vec<String> {
        let set: BTreeSet<&String> = self.swept.iter().map(|(_, region)| region).collect();
        set.into_iter().cloned().collect()
    }

    /// The accounts at least one Region of which was swept, each once, in order.
    pub fn accounts(&self) -> Vec<String> {
        let mut accounts: Vec<String> = Vec::new();
        for (account, _) in &self.swept {
            if !accounts.contains(account) {
                accounts.push(account.clone());
            }
        }
        accounts
    }

    /// What was not audited, for the exit status's message: one line each, or, past
    /// [`FAILURES_NAMED`], one count (the table or stderr already listed each).
    pub fn failures(&self) -> Vec<String> {
        if self.not_audited.len() > FAILURES_NAMED {
            return vec![format!(
                "{} account(s) or Region(s) not audited (listed above)",
                self.not_audited.len()
            )];
        }
        self.not_audited
            .iter()
            .map(|n| format!("not audited: {}", n.line()))
            .collect()
    }

    /// The reach of the run, for people (after the table; on stderr with the other
    /// formats): accounts and account-Regions swept, then each one not audited with why,
    /// then the members left out.
    pub fn scope_text(&self) -> String {
        let accounts = self.accounts();
        let mut out = String::new();
        let _ = writeln!(
            out,
            "\nAccounts: {} audited ({} account-Region(s) swept; Regions: {}){}",
            accounts.len(),
            self.swept.len(),
            list_or_none(&self.regions()),
            self.role_name
                .as_ref()
                .map(|role| format!("; role {role} in every account but {}", self.caller))
                .unwrap_or_default(),
        );
        if !self.not_audited.is_empty() {
            let _ = writeln!(out, "Not audited ({}):", self.not_audited.len());
            for not_audited in &self.not_audited {
                let _ = writeln!(out, "  {}", not_audited.line());
            }
        }
        if !self.inactive.is_empty() {
            let _ = writeln!(
                out,
                "Left out, not ACTIVE: {}",
                self.inactive
                    .iter()
                    .map(|m| format!("{} ({})", m.id, m.state))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        out
    }

    /// What the HTML report's parameters add for an organization run.
    pub fn meta_parameters(&self) -> Vec<(String, String)> {
        let accounts = self.accounts();
        let mut parameters = vec![
            (
                "Accounts audited".to_owned(),
                format!("{}: {}", accounts.len(), list_or_none(&accounts)),
            ),
            (
                "Account-Regions swept".to_owned(),
                self.swept.len().to_string(),
            ),
            (
                "Not audited".to_owned(),
                if self.not_audited.is_empty() {
                    "none".to_owned()
                } else {
                    self.not_audited
                        .iter()
                        .map(NotAudited::line)
                        .collect::<Vec<_>>()
                        .join("; ")
                },
            ),
        ];
        if let Some(role) = &self.role_name {
            parameters.push(("Role".to_owned(), role.clone()));
        }
        if !self.inactive.is_empty() {
            parameters.push((
                "Left out, not ACTIVE".to_owned(),
                self.inactive
                    .iter()
                    .map(|m| format!("{} ({})", m.id, m.state))
                    .collect::<Vec<_>>()
                    .join(", "),
            ));
        }
        parameters
    }
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn audit() -> OrganizationAudit {
        OrganizationAudit {
            swept: vec![
                ("111111111111".into(), "us-east-1".into()),
                ("111111111111".into(), "eu-west-1".into()),
                ("222222222222".into(), "us-east-1".into()),
            ],
            not_audited: vec![
                NotAudited {
                    account: "333333333333".into(),
                    region: None,
                    reason: "could not assume the role: AccessDenied".into(),
                },
                NotAudited {
                    account: "222222222222".into(),
                    region: Some("eu-west-1".into()),
                    reason: "listing secrets stopped: throttled".into(),
                },
            ],
            inactive: vec![Member {
                id: "444444444444".into(),
                name: "old".into(),
                state: "SUSPENDED".into(),
            }],
            role_name: Some("Audit".into()),
            caller: "111111111111".into(),
            ..OrganizationAudit::default()
        }
    }

    #[test]
    fn the_reach_names_what_was_swept_what_was_not_and_why() {
        // GIVEN a run with an unreachable account, a cut-short Region, a suspended member
        let audit = audit();
        // WHEN told / THEN accounts and Regions are counted once each
        assert_eq!(audit.accounts(), ["111111111111", "222222222222"]);
        assert_eq!(audit.regions(), ["eu-west-1", "us-east-1"]);
        let text = audit.scope_text();
        assert!(
            text.contains("Accounts: 2 audited (3 account-Region(s) swept; Regions: eu-west-1, us-east-1); role Audit in every account but 111111111111"),
            "{text}"
        );
        // AND each one not audited is named with its reason
        assert!(text.contains("Not audited (2):"), "{text}");
        assert!(
            text.contains("  333333333333 (every Region): could not assume the role: AccessDenied"),
            "{text}"
        );
        assert!(
            text.contains("  222222222222 eu-west-1: listing secrets stopped: throttled"),
            "{text}"
        );
        assert!(
            text.contains("Left out, not ACTIVE: 444444444444 (SUSPENDED)"),
            "{text}"
        );
        // AND the exit message names both
        let failures = audit.failures();
        assert_eq!(failures.len(), 2);
        assert!(failures[0].starts_with("not audited: 333333333333"));
        // AND many are counted in one line
        let mut many = audit.clone();
        many.not_audited = vec![many.not_audited[0].clone(); FAILURES_NAMED + 1];
        assert_eq!(
            many.failures(),
            ["4 account(s) or Region(s) not audited (listed above)"]
        );
    }

    #[test]
    fn the_report_meta_lists_accounts_and_what_was_not_reached() {
        let meta = audit().meta_parameters();
        let value = |name: &str| {
            meta.iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        assert_eq!(value("Accounts audited"), "2: 111111111111, 222222222222");
        assert_eq!(value("Account-Regions swept"), "3");
        assert!(value("Not audited").starts_with("333333333333 (every Region)"));
        assert_eq!(value("Role"), "Audit");
        // AND a complete run says so
        let complete = OrganizationAudit {
            not_audited: Vec::new(),
            ..audit()
        };
        assert!(
            complete
                .meta_parameters()
                .contains(&("Not audited".to_owned(), "none".to_owned()))
        );
        assert!(!complete.scope_text().contains("Not audited"));
    }
}
