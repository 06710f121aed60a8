//! What `remediate` refuses or warns about before it changes anything: a target key of an
//! untrusted account (no DescribeKey, no UpdateSecret), a target the rule's own table
//! would not pass (row 9), and a denied KMS dry run (a warning, not a refusal).

use crate::support::{
    FOREIGN, FOREIGN_ACCOUNT, FOREIGN_OTHER, TARGET, account, plan_path, remediate, remediation,
};
use rule_core::RuleParameters;
use secrets_cmk_aws::testing::secret_arn;
use secrets_cmk_aws::{KeyUseProbe, op};

#[tokio::test(start_paused = true)]
async fn a_target_of_an_untrusted_account_is_refused_before_any_describe_key_or_change() {
    // GIVEN a default-key secret, and a describable CMK of an account nobody trusts
    let aws = account();
    aws.add_secret("a", None);
    let dir = tempfile::tempdir().unwrap();

    // WHEN it is the target
    let run = remediate(&aws, &remediation(dir.path(), FOREIGN, &["a"])).await;

    // THEN refused naming the account; not described, nothing changed, no plan written
    let problems = run.unsafe_target();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains(FOREIGN_ACCOUNT), "{problems:?}");
    assert!(problems[0].contains("not trusted"), "{problems:?}");
    assert_eq!(aws.calls_of(op::DESCRIBE_KEY), 0);
    assert_eq!(aws.calls_of(op::UPDATE_SECRET), 0);
    assert_eq!(aws.kms_key_of("a"), None);
    assert!(!plan_path(dir.path()).exists());
}

#[tokio::test(start_paused = true)]
async fn with_allowed_accounts_and_approved_keys_the_rules_table_bounds_the_target() {
    // GIVEN the foreign account allowed, and only one of its keys approved
    let aws = account();
    aws.add_secret("a", None);
    let params = RuleParameters::from_pairs([
        ("allowedKeyAccounts", FOREIGN_ACCOUNT),
        ("kmsKeyArns", FOREIGN),
    ])
    .unwrap();
    let dir = tempfile::tempdir().unwrap();

    // WHEN its other key is the target
    let mut job = remediation(dir.path(), FOREIGN_OTHER, &["a"]);
    job.params = params;
    let run = remediate(&aws, &job).await;

    // THEN the account passes (the key is described) but the rule refuses it (row 9);
    // nothing is changed
    let problems = run.unsafe_target();
    assert!(
        problems[0].contains("is not a key the rule accepts"),
        "{problems:?}"
    );
    assert!(
        problems[0].contains("not one of the approved keys"),
        "{problems:?}"
    );
    assert!(
        aws.calls_to(op::DESCRIBE_KEY)
            .contains(&FOREIGN_OTHER.to_owned())
    );
    assert_eq!(aws.calls_of(op::UPDATE_SECRET), 0);
    assert_eq!(aws.kms_key_of("a"), None);

    // WHEN the approved key is the target THEN the secret is re-keyed to it
    job.target = rule_core::KeyRef::parse(FOREIGN).unwrap();
    let run = remediate(&aws, &job).await;
    run.assert_ok();
    assert_eq!(aws.updates(), [(secret_arn("a"), Some(FOREIGN.to_owned()))]);
    assert_eq!(aws.kms_key_of("a").as_deref(), Some(FOREIGN));
}

#[tokio::test(start_paused = true)]
async fn a_denied_dry_run_is_a_warning_and_the_re_key_proceeds() {
    // GIVEN KMS denying the caller's dry runs on the target
    let aws = account();
    aws.add_secret("a", None);
    aws.set_probe(
        TARGET,
        KeyUseProbe::Denied("kms:GenerateDataKey (DryRun) was denied: not authorized".into()),
    );
    let dir = tempfile::tempdir().unwrap();

    // WHEN re-keyed
    let run = remediate(&aws, &remediation(dir.path(), TARGET, &["a"])).await;

    // THEN the output warns, naming both possibilities, and the secret is re-keyed
    run.assert_ok();
    assert!(
        run.out
            .contains("warning: kms:GenerateDataKey (DryRun) was denied: not authorized"),
        "{}",
        run.out
    );
    assert!(
        run.out
            .contains("this warning is expected and the re-key will work"),
        "{}",
        run.out
    );
    assert_eq!(aws.kms_key_of("a").as_deref(), Some(TARGET));
    // AND the dry run was asked before the change
    let log = aws.call_log();
    let probe = log
        .iter()
        .position(|c| c.operation == op::GENERATE_DATA_KEY);
    let update = log.iter().position(|c| c.operation == op::UPDATE_SECRET);
    assert!(probe.is_some() && probe < update, "{log:?}");
}
