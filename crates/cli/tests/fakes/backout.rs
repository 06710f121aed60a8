//! `backout`: the default key restored with an UpdateSecret that names no key, an alias
//! by the key ARN the plan recorded; an entry refused (and nothing changed for it) when
//! its previous key is of an untrusted account, its recorded ARN disagrees with its
//! reference, or its live key is not the plan's new key; an entry already restored left
//! alone; a dry run listing every key it would restore to.

use crate::support::{FOREIGN, FOREIGN_ACCOUNT, OLD, OTHER, TARGET, account, backout, entry, plan};
use rule_core::RuleParameters;
use secrets_cmk_aws::op;
use secrets_cmk_aws::testing::{FakeAws, secret_arn};
use secrets_cmk_cli::output::DEFAULT_KEY_LABEL;

/// The fake account with the secret `name` on TARGET (where `remediate` moved it).
fn re_keyed(names: &[&str]) -> FakeAws {
    let aws = account();
    for name in names {
        aws.add_secret(name, Some(TARGET));
    }
    aws
}

/// No UpdateSecret at all, and the secret `name` still on `key`.
fn assert_unchanged(aws: &FakeAws, name: &str, key: &str) {
    assert_eq!(aws.calls_of(op::UPDATE_SECRET), 0, "{:?}", aws.updates());
    assert_eq!(aws.kms_key_of(name).as_deref(), Some(key));
}

#[tokio::test(start_paused = true)]
async fn the_default_key_is_restored_with_an_update_that_names_no_key() {
    // GIVEN a secret moved off the default key
    let aws = re_keyed(&["a"]);
    let plan = plan(vec![entry("a", None, None)]);
    // WHEN backed out
    let run = backout(&aws, plan, RuleParameters::default(), true).await;
    // THEN one UpdateSecret without a key, and the secret is on the default key again
    run.assert_ok();
    assert_eq!(aws.updates(), [(secret_arn("a"), None)]);
    assert_eq!(aws.kms_key_of("a"), None);
    assert!(run.out.contains("restored 1 of 1"), "{}", run.out);
}

#[tokio::test(start_paused = true)]
async fn an_alias_is_restored_by_the_key_arn_the_plan_recorded() {
    // GIVEN a secret moved off alias/old (which still points at OLD)
    let aws = re_keyed(&["b"]);
    let plan = plan(vec![entry("b", Some("alias/old"), Some(OLD))]);
    // WHEN backed out
    let run = backout(&aws, plan, RuleParameters::default(), true).await;
    // THEN UpdateSecret was sent the key ARN, not the alias (it may be re-pointed)
    run.assert_ok();
    assert_eq!(aws.updates(), [(secret_arn("b"), Some(OLD.to_owned()))]);
    assert_eq!(aws.kms_key_of("b").as_deref(), Some(OLD));
}

#[tokio::test(start_paused = true)]
async fn a_previous_key_of_an_untrusted_account_is_refused_unless_its_account_is_allowed() {
    // GIVEN a plan (anyone may edit it) whose previous key is a describable CMK of an
    // account nobody trusts
    let aws = re_keyed(&["c"]);
    let edited = plan(vec![entry("c", Some(FOREIGN), Some(FOREIGN))]);
    // WHEN backed out
    let run = backout(&aws, edited.clone(), RuleParameters::default(), true).await;
    // THEN refused naming the account, the key never described, nothing changed
    let message = run.incomplete();
    assert!(
        message.contains("1 secret(s) refused and 0 failed"),
        "{message}"
    );
    assert!(run.out.contains("refused: previous key:"), "{}", run.out);
    assert!(run.out.contains(FOREIGN_ACCOUNT), "{}", run.out);
    assert!(!aws.calls_to(op::DESCRIBE_KEY).contains(&FOREIGN.to_owned()));
    assert_unchanged(&aws, "c", TARGET);

    // WHEN its account is allowed (--allowed-key-accounts) THEN it is restored
    let trust = RuleParameters::from_pairs([("allowedKeyAccounts", FOREIGN_ACCOUNT)]).unwrap();
    backout(&aws, edited, trust, true).await.assert_ok();
    assert_eq!(aws.kms_key_of("c").as_deref(), Some(FOREIGN));
}

#[tokio::test(start_paused = true)]
async fn an_entry_whose_recorded_arn_disagrees_with_its_reference_is_refused() {
    // GIVEN a plan saying alias/old was OTHER, while alias/old is OLD
    let aws = re_keyed(&["b"]);
    let plan = plan(vec![entry("b", Some("alias/old"), Some(OTHER))]);
    // WHEN backed out
    let run = backout(&aws, plan, RuleParameters::default(), true).await;
    // THEN refused, saying what the reference is now, and nothing changed
    run.incomplete();
    assert!(
        run.out
            .contains(&format!("previous key alias/old is now {OLD}, not {OTHER}")),
        "{}",
        run.out
    );
    assert_unchanged(&aws, "b", TARGET);
}

#[tokio::test(start_paused = true)]
async fn a_secret_no_longer_on_the_plans_new_key_is_refused_and_left_alone() {
    // GIVEN a secret someone moved to another key after the re-key
    let aws = re_keyed(&["a"]);
    aws.set_kms_key("a", Some(OTHER));
    let plan = plan(vec![entry("a", None, None)]);
    // WHEN backed out
    let run = backout(&aws, plan, RuleParameters::default(), true).await;
    // THEN refused, and its key is not overwritten
    run.incomplete();
    assert!(
        run.out
            .contains("its key is not the one the plan moved it to"),
        "{}",
        run.out
    );
    assert_unchanged(&aws, "a", OTHER);
}

#[tokio::test(start_paused = true)]
async fn refused_entries_change_nothing_while_the_others_are_restored() {
    // GIVEN one restorable entry among the three kinds of refusal
    let aws = re_keyed(&["ok", "foreign", "edited", "moved"]);
    aws.set_kms_key("moved", Some(OTHER));
    let plan = plan(vec![
        entry("ok", None, None),
        entry("foreign", Some(FOREIGN), Some(FOREIGN)),
        entry("edited", Some("alias/old"), Some(OTHER)),
        entry("moved", None, None),
    ]);
    // WHEN backed out
    let run = backout(&aws, plan, RuleParameters::default(), true).await;
    // THEN only the restorable one was changed
    let message = run.incomplete();
    assert!(
        message.contains("3 secret(s) refused and 0 failed"),
        "{message}"
    );
    assert_eq!(aws.updates(), [(secret_arn("ok"), None)]);
    assert_eq!(aws.kms_key_of("foreign").as_deref(), Some(TARGET));
    assert_eq!(aws.kms_key_of("edited").as_deref(), Some(TARGET));
    assert_eq!(aws.kms_key_of("moved").as_deref(), Some(OTHER));
}

#[tokio::test(start_paused = true)]
async fn a_secret_already_on_its_previous_key_is_left_alone() {
    // GIVEN secrets already back: one on the default key, one on OLD by its ARN (the plan
    // says alias/old, which resolves to it)
    let aws = account();
    aws.add_secret("a", None);
    aws.add_secret("b", Some(OLD));
    let plan = plan(vec![
        entry("a", None, None),
        entry("b", Some("alias/old"), Some(OLD)),
    ]);
    // WHEN backed out
    let run = backout(&aws, plan, RuleParameters::default(), true).await;
    // THEN no UpdateSecret, both reported as already restored
    run.assert_ok();
    assert_eq!(aws.calls_of(op::UPDATE_SECRET), 0);
    assert_eq!(
        run.out.matches("already on its previous key").count(),
        2,
        "{}",
        run.out
    );
    assert!(
        run.out
            .contains("0 failed, 0 refused, 2 already on their previous key"),
        "{}",
        run.out
    );
}

#[tokio::test(start_paused = true)]
async fn a_dry_run_lists_the_keys_it_restores_to_and_changes_nothing() {
    // GIVEN three re-keyed secrets: one from the default key, two from alias/old
    let aws = re_keyed(&["a", "b", "c"]);
    let plan = plan(vec![
        entry("a", None, None),
        entry("b", Some("alias/old"), Some(OLD)),
        entry("c", Some("alias/old"), Some(OLD)),
    ]);
    // WHEN backed out without --apply
    let run = backout(&aws, plan, RuleParameters::default(), false).await;
    // THEN every key it would restore to is listed once, with its count; nothing changed
    run.assert_ok();
    for line in [
        "dry run, nothing changed: 3 to restore",
        "Keys this backout restores to (review them):",
        &format!("  {DEFAULT_KEY_LABEL}: 1 secret(s)"),
        &format!("  {OLD}: 2 secret(s)"),
        "Run again with --apply to restore.",
    ] {
        assert!(run.out.contains(line), "{line:?} missing:\n{}", run.out);
    }
    assert_eq!(aws.calls_of(op::UPDATE_SECRET), 0);
    for name in ["a", "b", "c"] {
        assert_eq!(aws.kms_key_of(name).as_deref(), Some(TARGET));
    }
}
