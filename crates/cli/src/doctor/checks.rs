//! The checks on the account and Region, each a pure function of what the probes saw.
//!
//! Each turns one fact the rule relies on (docs/aws-behaviour.md) or one usual set-up
//! mistake into pass / fail / not checked, and says how to fix a failure.

use super::model::{
    CallerIdentity, CheckResult, ConfigItem, DescribedSecret, DiscoveredResource, ListedSecret,
    Observed, Recorder, RuleStatus, describe_error,
};
use secrets_cmk_aws::FailureKind;

/// The only resource type the rule evaluates.
pub const SECRET_TYPE: &str = "AWS::SecretsManager::Secret";

/// Check ids and titles, in the order the report lists them.
pub const CREDENTIALS: (&str, &str) = ("credentials", "credentials and caller identity");
/// The recorder check.
pub const RECORDER: (&str, &str) = ("recorder", "Config records AWS::SecretsManager::Secret");
/// The resourceId check.
pub const RESOURCE_ID: (&str, &str) = ("resource-id", "Config's resourceId of a secret is its ARN");
/// The PrimaryRegion check.
pub const PRIMARY_REGION: (&str, &str) = (
    "primary-region",
    "ListSecrets reports PrimaryRegion of a replicated secret",
);
/// The configuration item check.
pub const CONFIG_ITEM: (&str, &str) = (
    "config-item",
    "a secret's configuration item names its key KMSKeyId",
);
/// The deployed rule's check.
pub const RULE: (&str, &str) = ("rule", "the deployed rule and its last evaluation");

/// Credentials: GetCallerIdentity answered (it needs no permission, so an error means the
/// credentials themselves are missing, expired or invalid).
pub fn credentials(caller: &Observed<CallerIdentity>) -> CheckResult {
    let (id, title) = CREDENTIALS;
    match caller {
        Ok(caller) => CheckResult::pass(
            id,
            title,
            format!("account {}, as {}", caller.account, caller.arn),
        ),
        Err(error) if matches!(error.kind, FailureKind::Unavailable) => CheckResult::fail(
            id,
            title,
            describe_error(error),
            "AWS did not answer: check the network, a proxy, and AWS_ENDPOINT_URL if it is set",
        ),
        Err(error) => CheckResult::fail(
            id,
            title,
            describe_error(error),
            "give the CLI valid credentials: `aws sso login` or another profile (--profile), \
             or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN that have not expired",
        ),
    }
}

/// Whether `recorder` records secrets, by its recording strategy (or, when AWS sent none,
/// by `allSupported` and the inclusion list).
pub fn records_secrets(recorder: &Recorder) -> bool {
    match recorder.strategy.as_deref() {
        Some("ALL_SUPPORTED_RESOURCE_TYPES") => true,
        Some("INCLUSION_BY_RESOURCE_TYPES") => {
            recorder.resource_types.iter().any(|t| t == SECRET_TYPE)
        }
        Some("EXCLUSION_BY_RESOURCE_TYPES") => {
            !recorder.excluded_types.iter().any(|t| t == SECRET_TYPE)
        }
        _ => recorder.all_supported || recorder.resource_types.iter().any(|t| t == SECRET_TYPE),
    }
}

/// The recorder: one exists, records secrets, is recording, and its last delivery worked.
/// Without it Config sends the rule no change events and knows no secret.
pub fn recorder(recorders: &Observed<Vec<Recorder>>, region: &str) -> CheckResult {
    let (id, title) = RECORDER;
    let recorders = match recorders {
        Ok(recorders) => recorders,
        Err(error) => return CheckResult::from_error(id, title, error),
    };
    if recorders.is_empty() {
        return CheckResult::fail(
            id,
            title,
            format!("no configuration recorder in {region}"),
            format!(
                "set up AWS Config in {region} recording {SECRET_TYPE} (console: AWS Config, \
                 Settings; or put-configuration-recorder, put-delivery-channel, \
                 start-configuration-recorder)"
            ),
        );
    }
    let Some(recorder) = recorders.iter().find(|r| records_secrets(r)) else {
        let names: Vec<&str> = recorders.iter().map(|r| r.name.as_str()).collect();
        return CheckResult::fail(
            id,
            title,
            format!(
                "recorder {} does not record {SECRET_TYPE}",
                names.join(", ")
            ),
            format!(
                "add {SECRET_TYPE} to the recorder's recording group (or record all supported \
                 types): aws configservice put-configuration-recorder"
            ),
        );
    };
    let name = &recorder.name;
    let Some(status) = &recorder.status else {
        return CheckResult::not_checked(
            id,
            title,
            format!("recorder {name} records {SECRET_TYPE}, but its status was not returned"),
            None,
        );
    };
    if !status.recording {
        return CheckResult::fail(
            id,
            title,
            format!("recorder {name} records {SECRET_TYPE} but is stopped"),
            format!(
                "aws configservice start-configuration-recorder --configuration-recorder-name {name}"
            ),
        );
    }
    if status.last_status.as_deref() == Some("Failure") {
        let error = status.last_error.as_deref().unwrap_or("no error given");
        return CheckResult::fail(
            id,
            title,
            format!("recorder {name} is recording, but its last recording failed: {error}"),
            "check the recorder's IAM role and its delivery channel (S3 bucket policy, KMS key)",
        );
    }
    CheckResult::pass(
        id,
        title,
        format!("recorder {name} records {SECRET_TYPE} and is recording"),
    )
}

/// Config's resourceId for a secret equals its ARN: the rule reports each result with the
/// secret's ARN as ComplianceResourceId, and Config attaches results by resourceId.
pub fn resource_id(
    discovered: &Observed<Vec<DiscoveredResource>>,
    listed: &Observed<Vec<ListedSecret>>,
) -> CheckResult {
    let (id, title) = RESOURCE_ID;
    let (discovered, listed) = match (discovered, listed) {
        (Err(error), _) | (_, Err(error)) => return CheckResult::from_error(id, title, error),
        (Ok(discovered), Ok(listed)) => (discovered, listed),
    };
    if discovered.is_empty() {
        return CheckResult::not_checked(
            id,
            title,
            format!("Config has discovered no {SECRET_TYPE} in this Region"),
            Some(
                "create a secret (or wait for the recorder to discover one) and run doctor again"
                    .to_owned(),
            ),
        );
    }
    let by_name = |name: &str| listed.iter().find(|s| s.name == name);
    for resource in discovered {
        if resource.resource_id.starts_with("arn:") {
            continue;
        }
        let arn = resource
            .resource_name
            .as_deref()
            .and_then(by_name)
            .map_or_else(|| "its ARN".to_owned(), |s| s.arn.clone());
        return CheckResult::fail(
            id,
            title,
            format!(
                "Config identifies a secret as {:?}, not by {arn}: the rule's results (keyed by \
                 ARN) would not attach to the resources Config records",
                resource.resource_id
            ),
            "report this with doctor's output: the rule's ComplianceResourceId must follow \
             Config's resourceId (docs/aws-behaviour.md, AWS Config)",
        );
    }
    let matched = discovered
        .iter()
        .filter(|r| listed.iter().any(|s| s.arn == r.resource_id))
        .count();
    if matched == 0 {
        return CheckResult::not_checked(
            id,
            title,
            format!(
                "{} discovered secret(s), none among the {} ListSecrets listed (deleted, or listed later)",
                discovered.len(),
                listed.len()
            ),
            None,
        );
    }
    CheckResult::pass(
        id,
        title,
        format!("{matched} discovered secret(s) have their ARN as resourceId"),
    )
}

/// ListSecrets reports PrimaryRegion for a replicated secret: the sweep calls
/// DescribeSecret (for replica keys) only for secrets whose PrimaryRegion is their own
/// Region, so without it no replica key would ever be checked.
///
/// `described` are the DescribeSecret answers for the secrets doctor looked at: those
/// listed with a PrimaryRegion if any, else a sample of the others.
pub fn primary_region(
    listed: &Observed<Vec<ListedSecret>>,
    described: &Observed<Vec<DescribedSecret>>,
) -> CheckResult {
    let (id, title) = PRIMARY_REGION;
    let listed = match listed {
        Ok(listed) => listed,
        Err(error) => return CheckResult::from_error(id, title, error),
    };
    let with_primary: Vec<&ListedSecret> = listed
        .iter()
        .filter(|s| s.primary_region.is_some())
        .collect();
    if let Some(first) = with_primary.first() {
        return CheckResult::pass(
            id,
            title,
            format!(
                "ListSecrets reported PrimaryRegion for {} secret(s), e.g. {} ({})",
                with_primary.len(),
                first.arn,
                first.primary_region.as_deref().unwrap_or_default()
            ),
        );
    }
    let described = match described {
        Ok(described) => described,
        Err(error) => return CheckResult::from_error(id, title, error),
    };
    let replicated = described
        .iter()
        .find(|s| s.primary_region.is_some() || !s.replica_regions.is_empty());
    match replicated {
        Some(secret) => CheckResult::fail(
            id,
            title,
            format!(
                "DescribeSecret shows {} is replicated ({}), but ListSecrets listed no PrimaryRegion \
                 for it: a sweep would not check its replicas' keys",
                secret.arn,
                replication_of(secret)
            ),
            "report this with doctor's output; until it is fixed, run `secrets-cmk audit` in \
             each replica Region too",
        ),
        None => CheckResult::not_checked(
            id,
            title,
            format!(
                "no replicated secret here: none of the {} secret(s) listed has a PrimaryRegion, \
                 and none of the {} described has replicas",
                listed.len(),
                described.len()
            ),
            Some("run doctor in a Region with a replicated secret".to_owned()),
        ),
    }
}

fn replication_of(secret: &DescribedSecret) -> String {
    match (&secret.primary_region, secret.replica_regions.as_slice()) {
        (_, [_, ..]) => format!("replicas in {}", secret.replica_regions.join(", ")),
        (Some(primary), []) => format!("primary in {primary}"),
        (None, []) => "no replica".to_owned(),
    }
}

/// The deployed rule exists, is active, and its last invocation and evaluation worked.
/// `rule` is `Ok(None)` when Config has no rule of that name.
pub fn rule(rule: &Observed<Option<RuleStatus>>, rule_name: &str, region: &str) -> CheckResult {
    let (id, title) = RULE;
    let status = match rule {
        Ok(Some(status)) => status,
        Ok(None) => {
            return CheckResult::fail(
                id,
                title,
                format!("no Config rule named {rule_name} in {region}"),
                "deploy the CDK app in this Region (cdk/README.md), or pass --rule-name with the \
                 deployed name (a conformance pack's rule has a suffix: aws configservice \
                 describe-config-rules)",
            );
        }
        Err(error) => return CheckResult::from_error(id, title, error),
    };
    let source = status.source.as_deref().unwrap_or("its function");
    match status.state.as_deref() {
        None | Some("ACTIVE" | "EVALUATING") => {}
        Some(state) => {
            return CheckResult::fail(
                id,
                title,
                format!("rule {rule_name} is {state}"),
                "redeploy the rule (its stack or conformance pack)",
            );
        }
    }
    let last_success = later(
        status.last_successful_invocation,
        status.last_successful_evaluation,
    );
    let last_failure = later(status.last_failed_invocation, status.last_failed_evaluation);
    let failed_last = match (last_failure, last_success) {
        (Some(failure), Some(success)) => failure > success,
        (Some(_), None) => true,
        (None, _) => false,
    };
    if failed_last || (last_success.is_none() && status.last_error_code.is_some()) {
        let code = status.last_error_code.as_deref().unwrap_or("no error code");
        let message = status.last_error_message.as_deref().unwrap_or("");
        return CheckResult::fail(
            id,
            title,
            format!("rule {rule_name}: its last run failed: {code} {message}")
                .trim_end()
                .to_owned(),
            format!(
                "read the function's logs ({source}, CloudWatch log group /aws/lambda/<function>); \
                 an AccessDenied names the grant to add (contract/contract.json); then \
                 aws configservice start-config-rules-evaluation --config-rule-names {rule_name}"
            ),
        );
    }
    match status
        .last_successful_evaluation
        .or(status.last_successful_invocation)
    {
        Some(when) => CheckResult::pass(
            id,
            title,
            format!(
                "rule {rule_name} ({source}) last evaluated successfully at {}",
                when.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
        ),
        None => CheckResult::not_checked(
            id,
            title,
            format!("rule {rule_name} exists but has not evaluated yet"),
            Some(format!(
                "start one: aws configservice start-config-rules-evaluation --config-rule-names {rule_name}"
            )),
        ),
    }
}

/// The later of two optional times (either, when only one is known).
pub fn later<T: Ord>(a: Option<T>, b: Option<T>) -> Option<T> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// The field a secret's configuration item names its key with, as the rule reads it from
/// change events.
pub const KEY_FIELD: &str = "KMSKeyId";

/// The secret whose item [`config_item`] should look at: the first discovered secret
/// that ListSecrets lists on a key other than the default (only such an item has a key
/// field at all).
pub fn item_candidate(
    discovered: &Observed<Vec<DiscoveredResource>>,
    listed: &Observed<Vec<ListedSecret>>,
) -> Option<String> {
    let (Ok(discovered), Ok(listed)) = (discovered, listed) else {
        return None;
    };
    listed
        .iter()
        .filter(|s| s.kms_key_id.as_deref().is_some_and(|k| !k.is_empty()))
        .find(|s| discovered.iter().any(|r| r.resource_id == s.arn))
        .map(|s| s.arn.clone())
}

/// A secret's configuration item names its key `KMSKeyId`: the rule reads the key of a
/// change event from that field. `item` is `None` when there was no candidate, and
/// `Ok(None)` when Config returned no item.
pub fn config_item(item: Option<&Observed<Option<ConfigItem>>>) -> CheckResult {
    let (id, title) = CONFIG_ITEM;
    let item = match item {
        None => {
            return CheckResult::not_checked(
                id,
                title,
                "no secret Config has discovered is on a customer managed key here",
                Some("run doctor where a recorded secret has a customer managed key".to_owned()),
            );
        }
        Some(Err(error)) => return CheckResult::from_error(id, title, error),
        Some(Ok(None)) => {
            return CheckResult::not_checked(
                id,
                title,
                "Config returned no item for the secret",
                None,
            );
        }
        Some(Ok(Some(item))) => item,
    };
    if item.fields.iter().any(|f| f == KEY_FIELD) {
        return CheckResult::pass(
            id,
            title,
            format!("the item of {} has {KEY_FIELD}", item.resource_id),
        );
    }
    let similar: Vec<&str> = item
        .fields
        .iter()
        .filter(|f| f.to_ascii_lowercase().contains("kms"))
        .map(String::as_str)
        .collect();
    let seen = if similar.is_empty() {
        "no key field".to_owned()
    } else {
        format!("only {}", similar.join(", "))
    };
    CheckResult::fail(
        id,
        title,
        format!(
            "the item of {} (a secret on a customer managed key) has {seen}: change events would \
             carry no key the rule can read",
            item.resource_id
        ),
        "report this with doctor's output: the rule reads the key of a change event from \
         KMSKeyId (crates/rule-core/src/event/); until it is fixed, the periodic sweep still \
         judges every secret",
    )
}
