//! An AWS Organization in the emulator, for the tests, the demo and the benchmark of
//! `audit --organization`, `report --aggregator` and `doctor --organization`.
//!
//! moto's default account ([`crate::DEFAULT_ACCOUNT`]) creates it and is its management
//! account; each member is an account moto creates (its id in the CreateAccount status,
//! ACTIVE at once). moto's AssumeRole needs no role to exist: credentials for a role in a
//! member act in that member ([`crate::seed::assume_role`]).

use aws_sdk_organizations::types::OrganizationFeatureSet;

use crate::emulator::{Credentials, Emulator};
use crate::{DEFAULT_REGION, Error, Result};

/// An Organizations client of the management account.
pub fn organizations(emulator: &Emulator) -> aws_sdk_organizations::Client {
    aws_sdk_organizations::Client::new(
        &emulator.sdk_config(&Credentials::default_account(), DEFAULT_REGION),
    )
}

/// Creates the organization (all features), managed by the default account; its client.
pub async fn create_organization(emulator: &Emulator) -> Result<aws_sdk_organizations::Client> {
    let org = organizations(emulator);
    org.create_organization()
        .feature_set(OrganizationFeatureSet::All)
        .send()
        .await
        .map_err(Error::sdk("CreateOrganization"))?;
    Ok(org)
}

/// Creates the member account `name` (e-mail `name@example.com`); its id.
pub async fn create_member(org: &aws_sdk_organizations::Client, name: &str) -> Result<String> {
    let created = org
        .create_account()
        .account_name(name)
        .email(format!("{name}@example.com"))
        .send()
        .await
        .map_err(Error::sdk(format!("CreateAccount {name}")))?;
    created
        .create_account_status()
        .and_then(|status| status.account_id())
        .map(str::to_owned)
        .ok_or_else(|| Error::Invalid(format!("CreateAccount {name} returned no AccountId")))
}

/// Creates the organization and one member per name; the members' ids, in order.
pub async fn create_organization_with(emulator: &Emulator, names: &[&str]) -> Result<Vec<String>> {
    let org = create_organization(emulator).await?;
    let mut members = Vec::with_capacity(names.len());
    for name in names {
        members.push(create_member(&org, name).await?);
    }
    Ok(members)
}
