//! The estate the hardening tests sweep: several pages of secrets over every kind of
//! verdict a sweep can reach without faults.

use secrets_cmk_harness::seed::{
    Key, Secret, create_alias, create_cmk, create_secrets, disable_key,
};
use secrets_cmk_harness::{DEFAULT_ACCOUNT, DEFAULT_REGION, Result, Stage};

/// Customer managed keys by id, ARN, alias name and alias ARN (COMPLIANT), the default
/// key (row 4), the AWS managed alias (row 5), a disabled key (row 8), a key that does
/// not exist (row 7), in turn.
pub(crate) struct Estate {
    pub(crate) secrets: Vec<Secret>,
    pub(crate) keys: Vec<Key>,
}

/// Seeds `count` secrets cycling over the estate's eight key references.
pub(crate) async fn seed_estate(stage: &Stage, count: usize) -> Result<Estate> {
    let kms = stage.kms();
    let a = create_cmk(&kms, "a").await?;
    let b = create_cmk(&kms, "b").await?;
    let c = create_cmk(&kms, "c").await?;
    let disabled = create_cmk(&kms, "disabled").await?;
    create_alias(&kms, "alias/c", &c.key_id).await?;
    disable_key(&kms, &disabled.key_id).await?;
    let references: [Option<String>; 8] = [
        Some(a.key_id.clone()),
        Some(b.arn.clone()),
        Some("alias/c".to_owned()),
        Some(format!(
            "arn:aws:kms:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:alias/c"
        )),
        None,
        Some("alias/aws/secretsmanager".to_owned()),
        Some(disabled.arn.clone()),
        Some(format!(
            "arn:aws:kms:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:key/0000aaaa-00aa-00aa-00aa-000000aaaaaa"
        )),
    ];
    let secrets = create_secrets(&stage.secretsmanager(), "estate", count, |i| {
        references[i % references.len()].clone()
    })
    .await?;
    Ok(Estate {
        secrets,
        keys: vec![a, b, c, disabled],
    })
}
