//! `secrets-cmk-rule`: the AWS Config custom rule Lambda. Wiring only: logging, the AWS
//! configuration and clients (built once, outside the handler), the runtime loop.

// lambda_runtime turns a panic in the handler into an error response only when the
// binary unwinds; with panic=abort the process dies and Config sees a runtime crash.
// `cargo lambda build --release` defaults to abort unless Cargo.toml says otherwise.
#[cfg(panic = "abort")]
compile_error!("secrets-cmk-rule must be built with panic = \"unwind\" (see [profile.release])");

use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use rule_lambda::{AwsConnector, Invocation, RuleHandler, settings};
use secrets_cmk_aws::{ConfigSource, load_sdk_config};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_current_span(false)
        .without_time()
        .init();

    let settings = settings::from_env(|name| std::env::var(name).ok())?;
    let sdk_config = load_sdk_config(&ConfigSource::default()).await;
    let handler = RuleHandler::new(AwsConnector::new(sdk_config), settings);
    let handler = &handler;

    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        let invocation = Invocation {
            invoked_function_arn: event.context.invoked_function_arn.clone(),
            deadline: event.context.deadline(),
        };
        handler
            .handle(&event.payload, &invocation)
            .await
            .map_err(Diagnostic::from)
    }))
    .await
}
