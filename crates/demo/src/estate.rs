//! The demo estate: one secret for each row of the decision table, in the emulator's
//! default account and region (plus a partner account for the cross-account key).

use rule_core::Row;
use secrets_cmk_harness::seed::{
    Key, NewSecret, assume_role, create_alias, create_cmk, create_secret, disable_key,
    schedule_secret_deletion,
};
use secrets_cmk_harness::{DEFAULT_ACCOUNT, DEFAULT_REGION, Emulator, Error, Result};
use std::collections::BTreeMap;

/// The remediation target.
pub(crate) const APPROVED_ALIAS: &str = "alias/secrets-cmk-demo";
const PARTNER_ACCOUNT: &str = "222233334444";
/// An account nobody trusted: its key must never pass (row 5a).
const STRANGER_ACCOUNT: &str = "999988887777";
const REPLICA_REGION: &str = "us-west-2";
/// The exemption tag key.
pub(crate) const EXEMPTION_TAG: &str = "cmk-exempt";
/// The secret the demo backs out after remediation.
pub(crate) const BACKOUT_EXAMPLE: &str = "demo/legacy-api-token";

/// What was seeded: each secret's name, ARN and the row it demonstrates.
pub(crate) struct DemoEstate {
    secrets: BTreeMap<String, (String, Row, &'static str)>,
    gone: String,
    partner_key_arn: String,
}

impl DemoEstate {
    /// Create the keys and secrets.
    pub(crate) async fn seed(emulator: &Emulator) -> Result<DemoEstate> {
        let kms = emulator.kms(DEFAULT_REGION);
        let sm = emulator.secretsmanager(DEFAULT_REGION);
        let approved = create_cmk(&kms, "secrets-cmk demo: the approved key").await?;
        create_alias(&kms, APPROVED_ALIAS, &approved.key_id).await?;
        let team = create_cmk(&kms, "another team's key, not approved").await?;
        let disabled = create_cmk(&kms, "a disabled key").await?;
        disable_key(&kms, &disabled.key_id).await?;
        let aws_managed = kms
            .describe_key()
            .key_id("alias/aws/secretsmanager")
            .send()
            .await
            .map_err(|e| Error::Invalid(format!("DescribeKey alias/aws/secretsmanager: {e}")))?
            .key_metadata()
            .and_then(|m| m.arn())
            .map(str::to_owned)
            .ok_or_else(|| Error::Invalid("no ARN for aws/secretsmanager".into()))?;
        let partner = assume_role(&emulator.sts(), PARTNER_ACCOUNT, "demo-seeder").await?;
        let partner_key: Key = create_cmk(
            &emulator.kms_as(&partner, DEFAULT_REGION),
            "a partner account's key",
        )
        .await?;
        let stranger = assume_role(&emulator.sts(), STRANGER_ACCOUNT, "demo-seeder").await?;
        let stranger_key: Key = create_cmk(
            &emulator.kms_as(&stranger, DEFAULT_REGION),
            "a key of an account nobody trusted",
        )
        .await?;
        let missing = format!(
            "arn:aws:kms:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:key/00000000-0000-4000-8000-00000000dead"
        );

        let specs: Vec<(NewSecret, Row, &'static str)> = vec![
            (
                NewSecret::named("demo/retiring-service").with_kms_key(&approved.arn),
                Row::ScheduledForDeletion,
                "scheduled for deletion",
            ),
            (
                NewSecret::named("demo/break-glass").with_tag(EXEMPTION_TAG, "SEC-1234"),
                Row::Exempt,
                "exemption tag",
            ),
            (
                NewSecret::named("demo/legacy-api-token"),
                Row::DefaultKey,
                "default key",
            ),
            (
                NewSecret::named("demo/explicit-aws-alias")
                    .with_kms_key("alias/aws/secretsmanager"),
                Row::AwsManagedAlias,
                "alias/aws/*",
            ),
            (
                NewSecret::named("demo/hostage-risk").with_kms_key(&stranger_key.arn),
                Row::UntrustedKeyAccount,
                "key of an untrusted account",
            ),
            (
                NewSecret::named("demo/aws-managed-by-arn").with_kms_key(&aws_managed),
                Row::AwsManagedKey,
                "AWS managed key ARN",
            ),
            (
                NewSecret::named("demo/orphaned").with_kms_key(&missing),
                Row::KeyNotFound,
                "key does not exist",
            ),
            (
                NewSecret::named("demo/on-disabled-key").with_kms_key(&disabled.key_id),
                Row::KeyNotEnabled,
                "disabled key",
            ),
            (
                NewSecret::named("demo/unapproved-key").with_kms_key(&team.arn),
                Row::NotApproved,
                "not an approved key",
            ),
            (
                NewSecret::named("demo/partner-shared").with_kms_key(&partner_key.arn),
                Row::CrossAccountUnverified,
                "partner account key",
            ),
            (
                NewSecret::named("demo/multi-region")
                    .with_kms_key(APPROVED_ALIAS)
                    .with_replica(REPLICA_REGION, None),
                Row::ReplicaFails,
                "replica on default key",
            ),
            (
                NewSecret::named("demo/payments-db").with_kms_key(APPROVED_ALIAS),
                Row::Compliant,
                "approved CMK",
            ),
        ];
        let mut secrets = BTreeMap::new();
        for (spec, row, what) in specs {
            let secret = create_secret(&sm, &spec).await?;
            secrets.insert(secret.name.clone(), (secret.arn, row, what));
        }
        let retiring = &secrets["demo/retiring-service"].0;
        schedule_secret_deletion(&sm, retiring, 7).await?;
        let gone = format!(
            "arn:aws:secretsmanager:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:secret:demo/already-gone-x1Y2z3"
        );
        secrets.insert(
            "demo/already-gone".to_owned(),
            (gone.clone(), Row::Gone, "deleted (change event)"),
        );
        Ok(DemoEstate {
            secrets,
            gone,
            partner_key_arn: partner_key.arn,
        })
    }

    /// List what was seeded.
    pub(crate) fn print(&self) {
        let mut rows: Vec<_> = self.secrets.iter().collect();
        rows.sort_by_key(|(_, (_, row, _))| *row);
        for (name, (_, row, what)) in rows {
            println!("    row {:>2}  {name:<26} {what}", row.number());
        }
    }

    /// The ARN of the secret that exists only as a deleted configuration item.
    pub(crate) fn gone_arn(&self) -> &str {
        &self.gone
    }

    /// The secret name for an ARN, if it is one of ours.
    pub(crate) fn name_of(&self, arn: &str) -> Option<&str> {
        self.secrets
            .iter()
            .find(|(_, (a, _, _))| a == arn)
            .map(|(name, _)| name.as_str())
    }

    /// The decision-table row a secret was seeded to show.
    pub(crate) fn row_of(&self, name: &str) -> Option<Row> {
        self.secrets.get(name).map(|(_, row, _)| *row)
    }

    /// The ARN of a seeded secret (empty if unknown).
    pub(crate) fn arn_of(&self, name: &str) -> &str {
        self.secrets
            .get(name)
            .map_or("", |(arn, _, _)| arn.as_str())
    }

    /// The approved keys: the demo key by alias name, the partner's key by ARN.
    pub(crate) fn approved_keys(&self) -> String {
        format!("{APPROVED_ALIAS},{}", self.partner_key_arn)
    }

    /// The rule parameters of the demo, as Config passes them (a JSON string).
    pub(crate) fn rule_parameters(&self) -> String {
        serde_json::json!({ "kmsKeyArns": self.approved_keys(), "exemptionTagKey": EXEMPTION_TAG })
            .to_string()
    }
}
