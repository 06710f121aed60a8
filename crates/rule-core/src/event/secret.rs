//! [`SecretFacts`] built from a configuration item: which ARN, name and scope the
//! evaluated secret has when all the rule got is Config's item.

use super::error::EventError;
use super::item::ConfigurationItem;
use super::partition::partition_of_region;
use crate::evaluation::SECRET_RESOURCE_TYPE;
use crate::facts::SecretFacts;
use crate::key_ref::{Scope, bounded};

impl SecretFacts {
    /// Facts from a change item: key, tags, ARN (the item's ARN, or a resource id that is
    /// an ARN, or one built from partition/account/region/name), scope, and
    /// `resource_id` = the item's `resourceId`. `deleted_date`, `owning_service` and
    /// `replicas` are left unknown: a configuration item does not carry them, the caller
    /// fills them from DescribeSecret.
    pub fn from_configuration_item(ci: &ConfigurationItem) -> Result<SecretFacts, EventError> {
        if ci.resource_type != SECRET_RESOURCE_TYPE {
            return Err(EventError::WrongResourceType {
                path: "configurationItem.resourceType".to_owned(),
                found: bounded(&ci.resource_type),
            });
        }
        let (arn, path) = if let Some(arn) = ci.arn.as_deref().filter(|arn| !arn.is_empty()) {
            (arn.to_owned(), "configurationItem.ARN")
        } else if ci.resource_id.starts_with("arn:") {
            (ci.resource_id.clone(), "configurationItem.resourceId")
        } else {
            let name = ci.resource_name.as_deref().unwrap_or(&ci.resource_id);
            let arn = format!(
                "arn:{}:secretsmanager:{}:{}:secret:{name}",
                partition_of_region(&ci.region),
                ci.region,
                ci.account_id
            );
            (arn, "configurationItem.resourceName")
        };
        let scope = Scope::from_secret_arn(&arn).map_err(|source| EventError::BadArn {
            path: path.to_owned(),
            source,
        })?;
        let name = match ci.resource_name.as_deref().filter(|name| !name.is_empty()) {
            Some(name) => name.to_owned(),
            None => secret_name_from_arn(&arn).to_owned(),
        };
        Ok(SecretFacts {
            arn,
            resource_id: ci.resource_id.clone(),
            name,
            scope,
            kms_key_id: ci.kms_key_id.clone(),
            deleted_date: None,
            owning_service: None,
            tags: ci.tags.clone(),
            replicas: None,
        })
    }
}

/// The resource part after `secret:` (including the random suffix, which cannot be told
/// apart from a name that happens to end in `-xxxxxx`).
fn secret_name_from_arn(arn: &str) -> &str {
    arn.splitn(7, ':').nth(6).unwrap_or(arn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_name_is_the_part_after_secret() {
        assert_eq!(
            secret_name_from_arn(
                "arn:aws:secretsmanager:us-east-1:111122223333:secret:db/app-AbCdEf"
            ),
            "db/app-AbCdEf"
        );
    }
}
