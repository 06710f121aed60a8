//! What the function refuses to do whatever the event says: assume a role other than its
//! own setting, or judge a configuration item of another account than the event's.

use crate::error::RuleError;
use rule_core::{ConfigRuleEvent, InvokingEvent};

/// The role to assume in the evaluated account. The function's own setting
/// (`SECRETS_CMK_EXECUTION_ROLE_NAME`) wins and may not be overridden: whoever can edit a
/// rule's parameters in a member account must not make the central function assume
/// another role. Without a setting, the parameter names it.
pub(super) fn execution_role<'a>(
    parameter: Option<&'a str>,
    setting: Option<&'a str>,
) -> Result<Option<&'a str>, RuleError> {
    match (parameter, setting) {
        (Some(parameter), Some(setting)) if parameter != setting => {
            Err(RuleError::Refused(format!(
                "rule parameter executionRoleName {parameter:?} differs from this function's \
                 own setting {setting:?} ({}); remove the parameter or make it equal",
                crate::settings::EXECUTION_ROLE_NAME_VAR
            )))
        }
        (parameter, None) => Ok(parameter),
        (_, setting) => Ok(setting),
    }
}

/// A change notification's item (or summary) must be of the account the event is for:
/// the function acts in `accountId`'s account, so an item of another account would be
/// judged, and reported, with facts from the wrong one.
pub(super) fn refuse_foreign_items(event: &ConfigRuleEvent) -> Result<(), RuleError> {
    match &event.invoking_event {
        InvokingEvent::ConfigurationItemChange {
            configuration_item, ..
        } => same_account(
            event,
            "the configuration item",
            &configuration_item.account_id,
        ),
        InvokingEvent::OversizedConfigurationItemChange { summary, .. } => {
            same_account(event, "the configuration item summary", &summary.account_id)
        }
        InvokingEvent::Scheduled { .. } => Ok(()),
    }
}

pub(super) fn same_account(
    event: &ConfigRuleEvent,
    what: &str,
    account: &str,
) -> Result<(), RuleError> {
    if account == event.account_id {
        return Ok(());
    }
    Err(RuleError::Refused(format!(
        "{what} is of account {account:?}, the event's accountId is {:?}",
        event.account_id
    )))
}
