//! A change (or oversized change) notification: its one resource, decided and reported
//! under the type and id the notification gave (reporting anything else would wipe the
//! other resources' results).

use super::trust::same_account;
use crate::connector::AccountServices;
use crate::error::RuleError;
use chrono::{DateTime, Utc};
use rule_core::{
    ConfigRuleEvent, ConfigurationItem, ConfigurationItemSummary, Decision, Evaluation,
    SecretFacts, Verdict, out_of_scope, resource_gone,
};
use secrets_cmk_aws::{AwsError, ConfigHistory, KeyCache, SecretStore, evaluate_secret};

/// One resource's outcome on a change notification.
pub(super) enum Decided {
    Evaluation(Evaluation),
    Skipped { resource_id: String, reason: String },
}

/// Rows 1-12 for the resource of a change notification's configuration item.
pub(super) async fn evaluate_item<S: AccountServices>(
    services: &S,
    event: &ConfigRuleEvent,
    item: &ConfigurationItem,
    ordering_timestamp: DateTime<Utc>,
) -> Result<Decided, RuleError> {
    let report = |verdict: Verdict| {
        reported(
            &item.resource_type,
            &item.resource_id,
            &verdict,
            ordering_timestamp,
        )
    };
    if let Some(verdict) = resource_gone(item.status, event.event_left_scope) {
        return Ok(report(verdict));
    }
    if let Some(verdict) = out_of_scope(&item.resource_type, &item.resource_id) {
        return Ok(report(verdict));
    }
    let mut facts = SecretFacts::from_configuration_item(item).map_err(RuleError::InvalidEvent)?;
    // The configuration item has the key and tags but no deletion date, owner or
    // replicas: those come from DescribeSecret.
    match services.store().describe(&facts.arn).await {
        Ok(Some(current)) => {
            facts.deleted_date = current.deleted_date;
            facts.owning_service = current.owning_service;
            facts.replicas = current.replicas;
        }
        Ok(None) => return Ok(not_found_yet(&facts.resource_id, &facts.arn)),
        Err(err) => return Ok(skipped(&facts.resource_id, &err)),
    }
    Ok(decide_one(services, event, facts, ordering_timestamp).await)
}

/// An oversized notification carries only a summary: fetch the item from Config, or
/// when Config no longer has it, ask Secrets Manager directly.
pub(super) async fn evaluate_oversized<S: AccountServices>(
    services: &S,
    event: &ConfigRuleEvent,
    summary: &ConfigurationItemSummary,
) -> Result<Decided, RuleError> {
    let ordering_timestamp = summary.capture_time;
    let report = |verdict: Verdict| {
        reported(
            &summary.resource_type,
            &summary.resource_id,
            &verdict,
            ordering_timestamp,
        )
    };
    if let Some(verdict) = resource_gone(summary.status, event.event_left_scope) {
        return Ok(report(verdict));
    }
    // Known from the summary alone: no need to fetch the item to find it out of scope.
    if let Some(verdict) = out_of_scope(&summary.resource_type, &summary.resource_id) {
        return Ok(report(verdict));
    }
    let history = services
        .config()
        .latest_configuration_item(&summary.resource_type, &summary.resource_id)
        .await;
    match history {
        Ok(Some(item)) => {
            same_account(
                event,
                "the configuration item Config returned",
                &item.account_id,
            )?;
            return evaluate_item(services, event, &item, item.capture_time).await;
        }
        Ok(None) => {}
        Err(err) => return Ok(skipped(&summary.resource_id, &err)),
    }
    let secret_id = summary.arn.as_deref().unwrap_or(&summary.resource_id);
    match services.store().describe(secret_id).await {
        Ok(Some(mut facts)) => {
            facts.resource_id = summary.resource_id.clone();
            Ok(decide_one(services, event, facts, ordering_timestamp).await)
        }
        Ok(None) => Ok(not_found_yet(&summary.resource_id, secret_id)),
        Err(err) => Ok(skipped(&summary.resource_id, &err)),
    }
}

async fn decide_one<S: AccountServices>(
    services: &S,
    event: &ConfigRuleEvent,
    facts: SecretFacts,
    ordering_timestamp: DateTime<Utc>,
) -> Decided {
    let mut cache = KeyCache::new();
    match evaluate_secret(&facts, &event.rule_parameters, services.keys(), &mut cache).await {
        Decision::Verdict(verdict) => {
            Decided::Evaluation(Evaluation::for_secret(&facts, &verdict, ordering_timestamp))
        }
        Decision::Unverifiable { reason } => Decided::Skipped {
            resource_id: facts.resource_id,
            reason,
        },
    }
}

/// The notification says the secret exists (a deletion arrives as its own
/// `ResourceDeleted` notification, row 1) but DescribeSecret does not find it: its
/// answer may lag the write, or a deletion is under way. Either way NOT_APPLICABLE
/// would be a guess, so there is no verdict and the invocation fails Retryable: Config
/// tries again, and the deletion notification, if that is what it was, settles it.
fn not_found_yet(resource_id: &str, secret_id: &str) -> Decided {
    Decided::Skipped {
        resource_id: resource_id.to_owned(),
        reason: format!(
            "DescribeSecret does not find {secret_id} although the configuration item says it \
             exists; no verdict until Secrets Manager and Config agree"
        ),
    }
}

fn skipped(resource_id: &str, err: &AwsError) -> Decided {
    Decided::Skipped {
        resource_id: resource_id.to_owned(),
        reason: err.to_string(),
    }
}

/// The verdict on the resource a notification names, under the type and id it gave.
fn reported(
    resource_type: &str,
    resource_id: &str,
    verdict: &Verdict,
    ordering_timestamp: DateTime<Utc>,
) -> Decided {
    Decided::Evaluation(Evaluation {
        resource_type: resource_type.to_owned(),
        resource_id: resource_id.to_owned(),
        compliance: verdict.compliance,
        annotation: verdict.annotation.clone(),
        ordering_timestamp,
    })
}
