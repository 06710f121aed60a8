//! The demo's organization step: an organization of the demo account and two members,
//! each with a few secrets in two Regions, audited in one run by `secrets-cmk audit
//! --organization --role-name ...`; then once more with one member's role denied, to show
//! that account reported while the others complete.
//!
//! moto's default account creates the organization and is its management account; its
//! AssumeRole needs no role to exist (the credentials act in the role's account), so the
//! denied role is the emulator's fault injection.

use crate::cli;
use secrets_cmk_harness::organization::{create_member, create_organization};
use secrets_cmk_harness::seed::{NewSecret, assume_role, create_cmk, create_secret};
use secrets_cmk_harness::{DEFAULT_REGION, Emulator, Error, Result};
use serde_json::json;
use std::path::Path;

/// The role the audit assumes in each member.
pub(crate) const AUDIT_ROLE: &str = "SecretsCmkAudit";
/// The Regions the members keep secrets in.
pub(crate) const REGIONS: [&str; 2] = [DEFAULT_REGION, "eu-west-1"];

/// Create the organization and seed its members; their account ids.
pub(crate) async fn seed_organization(emulator: &Emulator) -> Result<Vec<String>> {
    let org = create_organization(emulator).await?;
    let mut members = Vec::new();
    for name in ["payments", "analytics"] {
        let id = create_member(&org, name).await?;
        let creds = assume_role(&emulator.sts(), &id, "demo-seeder").await?;
        for region in REGIONS {
            let key = create_cmk(&emulator.kms_as(&creds, region), "member key").await?;
            let sm = emulator.secretsmanager_as(&creds, region);
            create_secret(
                &sm,
                &NewSecret::named(format!("{name}/db")).with_kms_key(&key.arn),
            )
            .await?;
            create_secret(&sm, &NewSecret::named(format!("{name}/api-token"))).await?;
        }
        println!("    member account {id} ({name}): 2 secrets in each of {REGIONS:?}");
        members.push(id);
    }
    Ok(members)
}

/// Run the organization audit, then again with the last member's role denied; the
/// member accounts.
pub(crate) async fn show_organization_audit(
    emulator: &Emulator,
    binary: &Path,
) -> Result<Vec<String>> {
    let members = seed_organization(emulator).await?;
    let args: Vec<String> = [
        "audit",
        "--organization",
        "--role-name",
        AUDIT_ROLE,
        "--region",
        REGIONS[0],
        "--region",
        REGIONS[1],
    ]
    .iter()
    .map(|a| (*a).to_owned())
    .collect();
    cli(
        binary,
        emulator,
        &args,
        "every ACTIVE account of the organization, 2 Regions each",
        &[0],
    )?;

    let denied = members
        .last()
        .ok_or_else(|| Error::Invalid("no member accounts".into()))?;
    emulator
        .set_faults(json!({"rules": [
            {"service": "sts", "operation": "AssumeRole", "kind": "access_denied", "match": denied}
        ]}))
        .await?;
    let what = format!("again, with the role in {denied} denied: reported, the others complete");
    cli(binary, emulator, &args, &what, &[2])?;
    emulator.set_faults(json!({})).await?;
    Ok(members)
}
