//! The emulator starts, serves the SDK, resets, answers its admin API, and stops on drop.

use std::time::Duration;

use aws_sdk_config::primitives::DateTime;
use aws_sdk_config::types::{ComplianceType, Evaluation};
use secrets_cmk_harness::seed::{self, NewSecret};
use secrets_cmk_harness::{
    Context, DEFAULT_ACCOUNT, DEFAULT_REGION, Emulator, EmulatorOptions, Result,
};
use serde_json::json;

#[tokio::test]
async fn serves_the_sdk_resets_and_stops_on_drop() -> Result<()> {
    // GIVEN a started emulator
    let emulator = Emulator::start().await?;
    let port = emulator.port();
    assert!(emulator.health().await?);
    let sm = emulator.secretsmanager(DEFAULT_REGION);

    // WHEN a secret is created through the SDK
    let secret = seed::create_secret(&sm, &NewSecret::named("harness-one")).await?;

    // THEN it is listed, in the default account, and the request log saw the call
    let listed = sm.list_secrets().send().await.context("ListSecrets")?;
    let names: Vec<_> = listed
        .secret_list()
        .iter()
        .filter_map(|s| s.name())
        .collect();
    assert_eq!(names, ["harness-one"]);
    assert!(
        secret
            .arn
            .contains(&format!(":{DEFAULT_ACCOUNT}:secret:harness-one-"))
    );
    let requests = emulator.requests().await?;
    let create = requests
        .iter()
        .find(|r| r.operation == "CreateSecret")
        .expect("logged");
    assert_eq!(create.service, "secretsmanager");
    assert_eq!(create.account, DEFAULT_ACCOUNT);
    assert_eq!(create.region, DEFAULT_REGION);
    assert_eq!(create.access_key_id, "testing");

    // WHEN it is reset
    emulator.reset().await?;

    // THEN the secret and the log are gone
    let listed = sm.list_secrets().send().await.context("ListSecrets")?;
    assert!(listed.secret_list().is_empty());
    assert_eq!(emulator.request_count("CreateSecret").await?, 0);

    // WHEN it is dropped
    drop(emulator);

    // THEN its port refuses connections
    let connect = tokio::net::TcpStream::connect(("127.0.0.1", port));
    let refused = tokio::time::timeout(Duration::from_secs(5), connect).await;
    assert!(
        matches!(refused, Ok(Err(_))),
        "port {port} still accepts: {refused:?}"
    );
    Ok(())
}

#[tokio::test]
async fn admin_api_round_trips_through_the_typed_helpers() -> Result<()> {
    // GIVEN an emulator with a secret
    let emulator = Emulator::start().await?;
    let sm = emulator.secretsmanager(DEFAULT_REGION);
    let secret = seed::create_secret(&sm, &NewSecret::named("owned")).await?;

    // WHEN the rule's calls are made: a TestMode PutEvaluations, and one with a minted token
    let config = emulator.config(DEFAULT_REGION);
    let evaluation = |kind: ComplianceType| {
        Evaluation::builder()
            .compliance_resource_type("AWS::SecretsManager::Secret")
            .compliance_resource_id(&secret.arn)
            .compliance_type(kind)
            .annotation("harness")
            .ordering_timestamp(DateTime::from_secs(1_700_000_000))
            .build()
            .expect("all required fields set")
    };
    config
        .put_evaluations()
        .result_token("TESTMODE")
        .test_mode(true)
        .evaluations(evaluation(ComplianceType::Compliant))
        .send()
        .await
        .context("PutEvaluations in TestMode")?;
    let token = emulator.mint_result_token("secrets-cmk").await?;
    config
        .put_evaluations()
        .result_token(&token)
        .evaluations(evaluation(ComplianceType::NonCompliant))
        .send()
        .await
        .context("PutEvaluations with a minted token")?;

    // THEN both calls are recorded, typed, in order
    let calls = emulator.evaluations().await?;
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert!(calls[0].test_mode);
    assert_eq!(calls[0].result_token, "TESTMODE");
    assert_eq!(calls[0].account, DEFAULT_ACCOUNT);
    assert_eq!(calls[0].region, DEFAULT_REGION);
    assert_eq!(calls[1].config_rule_name.as_deref(), Some("secrets-cmk"));
    let all = emulator.all_evaluations().await?;
    assert_eq!(all[1].resource_id, secret.arn);
    assert_eq!(all[1].compliance_type, "NON_COMPLIANT");
    assert_eq!(all[1].annotation.as_deref(), Some("harness"));

    // WHEN a secret is marked service-owned
    emulator
        .set_owning_service(DEFAULT_ACCOUNT, DEFAULT_REGION, &secret.arn, "rds")
        .await?;

    // THEN ListSecrets reports the owner
    let listed = sm.list_secrets().send().await.context("ListSecrets")?;
    assert_eq!(listed.secret_list()[0].owning_service(), Some("rds"));

    // WHEN one throttling fault is injected on ListSecrets
    emulator
        .set_faults(json!({"rules": [{"service": "secretsmanager", "operation": "ListSecrets", "kind": "throttle", "count": 1}]}))
        .await?;

    // THEN the SDK's retry absorbs it and the log shows the fault
    sm.list_secrets().send().await.context("ListSecrets")?;
    let faulted: Vec<_> = emulator
        .requests()
        .await?
        .into_iter()
        .filter(|r| r.operation == "ListSecrets" && r.fault.is_some())
        .collect();
    assert_eq!(faulted.len(), 1, "{faulted:?}");

    // AND marking a resource not recorded is accepted
    emulator.mark_not_recorded(&secret.arn).await?;
    Ok(())
}

#[tokio::test]
async fn a_missing_emulator_script_is_a_clear_error() {
    // GIVEN options pointing at a script that does not exist
    let options = EmulatorOptions {
        script: "/nonexistent/server.py".into(),
        ..EmulatorOptions::default()
    };

    // WHEN the emulator is started
    let error = Emulator::start_with(options).await.expect_err("must fail");

    // THEN the error names what is missing and where
    let message = error.to_string();
    assert!(message.contains("emulator script"), "{message}");
    assert!(message.contains("/nonexistent/server.py"), "{message}");
}
