//! `doctor --organization`, in the members: the rule's last run in every account and Region
//! where the member StackSet has an instance, and, for the `central` placement, whether
//! AWS Config's invocation on a member's behalf was accepted by the central function (pure).
//!
//! Why a role into each member (`--role-name`) and not an aggregator: an AWS Config
//! aggregator reports compliance per rule, account and Region
//! (DescribeAggregateComplianceByConfigRules, shape `AggregateComplianceByConfigRule`:
//! AccountId, AwsRegion, Compliance, ConfigRuleName), never a rule's invocation times or
//! its last error; only DescribeConfigRuleEvaluationStatus, in the rule's own account,
//! does (botocore `config/2014-11-12`).

use super::checks::later;
use super::model::{CheckResult, RuleStatus};
use chrono::{DateTime, Duration, SecondsFormat, Utc};

/// The member rules check's id and title.
pub const MEMBER_RULES: (&str, &str) = (
    "member-rules",
    "the rule's last run in every member account and Region",
);

/// The central placement's check id and title.
pub const CENTRAL_INVOCATIONS: (&str, &str) = (
    "central-invocations",
    "the central function accepted Config's invocations from members",
);

/// The most entries a result names (the count covers the rest).
const LISTED_AT_MOST: usize = 20;

/// What doctor saw of the rule in one member account and Region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRule {
    /// The member account.
    pub account: String,
    /// The Region.
    pub region: String,
    /// The rule there, or why doctor could not look.
    pub seen: MemberSeen,
}

/// The rule in one member, or why it was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberSeen {
    /// The rule's status (`None`: no rule of that name there).
    Rule(Option<RuleStatus>),
    /// The member could not be reached or read: why, and the flag or grant that would help.
    NotReached {
        /// What stopped doctor.
        why: String,
        /// What to pass or allow.
        how: String,
    },
}

/// The verdict on one member's rule.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    Ok(DateTime<Utc>),
    Failed(String),
    Pending(String),
    NotReached(String),
}

/// A periodic rule's period (`MaximumExecutionFrequency`).
pub fn period(frequency: &str) -> Option<Duration> {
    let hours = match frequency {
        "One_Hour" => 1,
        "Three_Hours" => 3,
        "Six_Hours" => 6,
        "Twelve_Hours" => 12,
        "TwentyFour_Hours" => 24,
        _ => return None,
    };
    Some(Duration::hours(hours))
}

fn at(when: DateTime<Utc>) -> String {
    when.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Whether the last run failed: a failure later than every success (or no success at all).
pub fn failed_last(status: &RuleStatus) -> bool {
    let success = later(
        status.last_successful_invocation,
        status.last_successful_evaluation,
    );
    let failure = later(status.last_failed_invocation, status.last_failed_evaluation);
    match (failure, success) {
        (Some(failure), Some(success)) => failure > success,
        (Some(_), None) => true,
        (None, _) => false,
    }
}

fn error_of(status: &RuleStatus) -> String {
    format!(
        "{} {}",
        status.last_error_code.as_deref().unwrap_or("no error code"),
        status.last_error_message.as_deref().unwrap_or("")
    )
    .trim_end()
    .to_owned()
}

/// One member's verdict. A periodic rule is late when its last success is older than
/// two periods: Config's schedule is not exact, so one period of delay is allowed.
fn judge(seen: &MemberSeen, rule_name: &str, now: DateTime<Utc>) -> Verdict {
    let status = match seen {
        MemberSeen::NotReached { why, .. } => return Verdict::NotReached(why.clone()),
        MemberSeen::Rule(None) => return Verdict::Failed(format!("no rule named {rule_name}")),
        MemberSeen::Rule(Some(status)) => status,
    };
    match status.state.as_deref() {
        None | Some("ACTIVE" | "EVALUATING") => {}
        Some(state) => return Verdict::Failed(format!("the rule is {state}")),
    }
    if failed_last(status)
        || (status.last_successful_invocation.is_none() && status.last_error_code.is_some())
    {
        let when = later(status.last_failed_invocation, status.last_failed_evaluation)
            .map_or_else(String::new, |t| format!(" at {}", at(t)));
        return Verdict::Failed(format!("last run failed{when}: {}", error_of(status)));
    }
    let Some(success) = later(
        status.last_successful_invocation,
        status.last_successful_evaluation,
    ) else {
        return Verdict::Pending("not run yet".to_owned());
    };
    let frequency = status.maximum_execution_frequency.as_deref();
    if let (Some(frequency), Some(period)) = (frequency, frequency.and_then(period))
        && now - success > period * 2
    {
        return Verdict::Failed(format!(
            "last successful run at {}, more than two periods ({frequency}) ago",
            at(success)
        ));
    }
    Verdict::Ok(success)
}

fn listed(entries: &[String]) -> String {
    let mut shown: Vec<String> = entries.iter().take(LISTED_AT_MOST).cloned().collect();
    if entries.len() > LISTED_AT_MOST {
        shown.push(format!("and {} more", entries.len() - LISTED_AT_MOST));
    }
    shown.join("; ")
}

/// The member rules check: every account and Region with a StackSet instance runs the
/// rule, and its last run did not fail. `members` is empty when there was no instance
/// to look at.
pub fn member_rules(members: &[MemberRule], rule_name: &str, now: DateTime<Utc>) -> CheckResult {
    let (id, title) = MEMBER_RULES;
    if members.is_empty() {
        return CheckResult::not_checked(
            id,
            title,
            "the member StackSet has no instance to look at (see stackset-instances)",
            None,
        );
    }
    let mut failed = Vec::new();
    let mut pending = Vec::new();
    let mut unreached = Vec::new();
    let mut how = None;
    let mut ok = 0;
    for member in members {
        let place = format!("{}/{}", member.account, member.region);
        match judge(&member.seen, rule_name, now) {
            Verdict::Ok(_) => ok += 1,
            Verdict::Failed(why) => failed.push(format!("{place}: {why}")),
            Verdict::Pending(why) => pending.push(format!("{place}: {why}")),
            Verdict::NotReached(why) => {
                if let MemberSeen::NotReached { how: h, .. } = &member.seen {
                    how.get_or_insert_with(|| h.clone());
                }
                unreached.push(format!("{place}: {why}"));
            }
        }
    }
    let total = members.len();
    if !failed.is_empty() {
        return CheckResult::fail(
            id,
            title,
            format!(
                "rule {rule_name} fails in {} of {total} member account-Region(s): {}",
                failed.len(),
                listed(&failed)
            ),
            format!(
                "in each member named, run `secrets-cmk doctor --rule-name {rule_name}` (its rule \
                 and permission checks say what is wrong) and read the function's logs; a missing \
                 rule: redeploy the StackSet instance (aws cloudformation update-stack-instances)"
            ),
        );
    }
    let unchecked: Vec<String> = unreached.iter().chain(&pending).cloned().collect();
    if !unchecked.is_empty() {
        return CheckResult::not_checked(
            id,
            title,
            format!(
                "{ok} of {total} member account-Region(s) ran rule {rule_name} successfully; not \
                 checked: {}",
                listed(&unchecked)
            ),
            Some(how.unwrap_or_else(|| {
                format!(
                    "start one: aws configservice start-config-rules-evaluation --config-rule-names {rule_name} (in the member)"
                )
            })),
        );
    }
    CheckResult::pass(
        id,
        title,
        format!("rule {rule_name} ran successfully last in all {total} member account-Region(s)"),
    )
}

/// The account of a Lambda function ARN (`arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME`).
pub fn function_account(arn: &str) -> Option<&str> {
    let parts: Vec<&str> = arn.split(':').collect();
    match parts.as_slice() {
        ["arn", _, "lambda", _, account, "function", ..] => Some(account),
        _ => None,
    }
}

/// Whether an invocation error says the function refused AWS Config (its resource policy
/// did not admit the call). No AWS page names the code Config records then: these are the
/// words of Lambda's AccessDenied and of PutConfigRule's refusal ("The AWS Lambda function
/// ... cannot be invoked. Check the specified function ARN, and check the function's
/// permissions"); `assumed` in docs/aws-behaviour.md.
pub fn is_refusal(status: &RuleStatus) -> bool {
    let text = error_of(status).to_ascii_lowercase();
    [
        "accessdenied",
        "insufficientpermissions",
        "not authorized",
        "cannot be invoked",
        "permission",
    ]
    .iter()
    .any(|word| text.contains(word))
}

/// The `central` check: in members whose rule names a function of another account (the
/// central one), Config's invocation was accepted: a successful invocation later than any
/// failure, and no last error that says the function refused Config.
pub fn central_invocations(members: &[MemberRule]) -> CheckResult {
    let (id, title) = CENTRAL_INVOCATIONS;
    let central: Vec<(&MemberRule, &RuleStatus, &str)> = members
        .iter()
        .filter_map(|m| match &m.seen {
            MemberSeen::Rule(Some(status)) => {
                let function = status.source.as_deref()?;
                let owner = function_account(function)?;
                (owner != m.account).then_some((m, status, function))
            }
            _ => None,
        })
        .collect();
    if central.is_empty() {
        let reached = members
            .iter()
            .filter(|m| matches!(m.seen, MemberSeen::Rule(Some(_))))
            .count();
        let why = if reached == 0 {
            "no member's rule could be read (see member-rules)".to_owned()
        } else {
            format!(
                "none of the {reached} member rule(s) read names a function of another account: \
                 placement `members`, which does not rely on aws:SourceOrgID"
            )
        };
        return CheckResult::not_checked(id, title, why, None);
    }
    let refused: Vec<String> = central
        .iter()
        .filter(|(_, status, _)| failed_last(status) && is_refusal(status))
        .map(|(m, status, _)| format!("{}/{}: {}", m.account, m.region, error_of(status)))
        .collect();
    let function = central[0].2;
    if !refused.is_empty() {
        return CheckResult::fail(
            id,
            title,
            format!(
                "the central function refused Config's invocation for {} of {} member \
                 account-Region(s): {}",
                refused.len(),
                central.len(),
                listed(&refused)
            ),
            format!(
                "read the function's resource policy (aws lambda get-policy --function-name \
                 {function}): its statement for config.amazonaws.com must have \
                 StringEquals aws:SourceOrgID = the organization's id; if it has, Config's \
                 invocation does not carry aws:SourceOrgID there: deploy with \
                 functionPlacement=members (cdk/README.md)"
            ),
        );
    }
    let accepted: Vec<(&MemberRule, DateTime<Utc>)> = central
        .iter()
        .filter(|(_, status, _)| !failed_last(status))
        .filter_map(|(m, status, _)| Some((*m, status.last_successful_invocation?)))
        .collect();
    match accepted.first() {
        Some((first, when)) => CheckResult::pass(
            id,
            title,
            format!(
                "the central function {function} accepted Config's invocation for {} of {} member \
                 account-Region(s) (e.g. {}/{} at {}): the aws:SourceOrgID grant admits them",
                accepted.len(),
                central.len(),
                first.account,
                first.region,
                at(*when)
            ),
        ),
        None => CheckResult::not_checked(
            id,
            title,
            format!(
                "no member's rule has a successful invocation of {function} yet ({} member \
                 account-Region(s) name it)",
                central.len()
            ),
            Some(
                "start one in a member: aws configservice start-config-rules-evaluation \
                 --config-rule-names <rule>, then run doctor --organization again"
                    .to_owned(),
            ),
        ),
    }
}
