//! `LambdaProcess` drives a process through the runtime API: many invocations on one
//! process, errors, logs, a clean environment, process death and deadlines. The process
//! here is a stand-in runtime client (`stand_in_lambda.py`), so these tests do not need
//! the real binary; the real end-to-end tests run `secrets-cmk-rule` the same way.

use std::time::{Duration, Instant};

use secrets_cmk_harness::paths;
use secrets_cmk_harness::{Error, InvocationOutcome, LambdaOptions, LambdaProcess, Result};
use serde_json::{Value, json};

const ENDPOINT: &str = "http://127.0.0.1:9";

fn stand_in() -> LambdaOptions {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("self_tests")
        .join("stand_in_lambda.py");
    LambdaOptions::for_endpoint(paths::venv_python(), ENDPOINT)
        .with_args([script.display().to_string()])
}

#[tokio::test]
async fn one_process_serves_many_invocations_in_a_clean_environment() -> Result<()> {
    // GIVEN a started process with one extra variable
    let lambda =
        LambdaProcess::start(stand_in().with_env("SECRETS_CMK_EXECUTION_ROLE_NAME", "audit"))
            .await?;

    // WHEN it is invoked
    let response = lambda
        .invoke_event(&json!({"action": "echo"}))
        .await?
        .into_response()?;

    // THEN it saw the event, Lambda's headers and Lambda's environment, and nothing of ours
    assert_eq!(response["event"], json!({"action": "echo"}));
    assert_eq!(
        response["headers"]["lambda-runtime-invoked-function-arn"],
        lambda.function_arn()
    );
    let env = &response["env"];
    for (name, value) in [
        ("AWS_ENDPOINT_URL", ENDPOINT),
        ("AWS_REGION", "us-east-1"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
        ("AWS_LAMBDA_FUNCTION_NAME", "secrets-cmk-rule"),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("SECRETS_CMK_EXECUTION_ROLE_NAME", "audit"),
    ] {
        assert_eq!(env[name], value, "{name}");
    }
    assert_eq!(
        env["AWS_LAMBDA_RUNTIME_API"],
        lambda.runtime_api().runtime_api()
    );
    // cargo sets CARGO_MANIFEST_DIR for this test process: the child must not inherit it.
    assert_eq!(env.get("CARGO_MANIFEST_DIR"), None);

    // WHEN the next invocation fails, and the one after succeeds
    let failed = lambda.invoke_event(&json!({"action": "fail"})).await?;
    let again = lambda
        .invoke_event(&json!({"action": "echo", "n": 3}))
        .await?;

    // THEN the error is reported and the same process still serves
    assert_eq!(
        failed,
        InvocationOutcome::Error {
            error_type: "StandInError".into(),
            error_message: "failed on request".into()
        }
    );
    assert_eq!(again.into_response()?["event"]["n"], 3);
    assert!(lambda.is_running());

    // AND stdout and stderr were captured, JSON lines readable as JSON
    assert!(
        lambda.logs().contains("a plain stderr line"),
        "{}",
        lambda.logs()
    );
    let actions: Vec<Value> = lambda
        .json_logs()
        .into_iter()
        .filter(|line| line["message"] == "invocation")
        .map(|line| line["action"].clone())
        .collect();
    assert_eq!(actions, [json!("echo"), json!("fail"), json!("echo")]);
    let offset = lambda.log_offset();
    lambda.invoke_event(&json!({"action": "echo"})).await?;
    assert_eq!(lambda.json_logs_since(offset).len(), 1);
    Ok(())
}

#[tokio::test]
async fn a_process_that_dies_fails_the_invocation_with_its_logs() -> Result<()> {
    // GIVEN a started process
    let lambda = LambdaProcess::start(stand_in()).await?;

    // WHEN an invocation makes it exit
    let error = lambda
        .invoke_event(&json!({"action": "exit"}))
        .await
        .expect_err("the process died");

    // THEN the error says so, with the exit status and the last output
    let Error::ProcessExited { status, output, .. } = &error else {
        panic!("unexpected error: {error}");
    };
    assert!(status.contains('3'), "{status}");
    assert!(output.contains("exiting on request"), "{output}");
    assert!(!lambda.is_running());
    Ok(())
}

#[tokio::test]
async fn an_invocation_past_its_deadline_times_out() -> Result<()> {
    // GIVEN a started process
    let lambda = LambdaProcess::start(stand_in()).await?;

    // WHEN an invocation outlives a short deadline
    let started = Instant::now();
    let error = lambda
        .invoke(
            &json!({"action": "sleep", "seconds": 10}),
            &lambda.function_arn(),
            Duration::from_millis(300),
        )
        .await
        .expect_err("deadline passed");

    // THEN the harness gives up after the deadline plus its slack, not later
    assert!(matches!(error, Error::Timeout { .. }), "{error}");
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "{:?}",
        started.elapsed()
    );
    Ok(())
}

#[tokio::test]
async fn a_binary_that_exits_at_start_fails_start_with_its_output() {
    // GIVEN a "Lambda" that exits at once
    let options = LambdaOptions::for_endpoint(paths::venv_python(), ENDPOINT).with_args([
        "-c",
        "import sys; print('no runtime api for me'); sys.exit(7)",
    ]);

    // WHEN it is started
    let error = LambdaProcess::start(options)
        .await
        .expect_err("exits at start");

    // THEN start fails with the status and the output
    let message = error.to_string();
    assert!(message.contains("exited unexpectedly"), "{message}");
    assert!(message.contains("no runtime api for me"), "{message}");
}

#[tokio::test]
async fn a_missing_binary_is_a_clear_error_naming_its_path() {
    // GIVEN options naming a binary that is not there
    let options = LambdaOptions::for_endpoint("/nonexistent/secrets-cmk-rule", ENDPOINT);

    // WHEN it is started
    let error = LambdaProcess::start(options)
        .await
        .expect_err("nothing to run");

    // THEN the error names the path and says how to build it
    assert!(matches!(error, Error::Missing { .. }), "{error:?}");
    let message = error.to_string();
    assert!(
        message.contains("/nonexistent/secrets-cmk-rule"),
        "{message}"
    );
    assert!(message.contains("cargo build"), "{message}");
}
