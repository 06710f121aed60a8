//! The end-to-end test harness of secrets-cmk: the real binaries, run as Lambda and a
//! user run them, against the AWS emulator on loopback. The end-to-end tests (next to
//! each binary's package), the demo and the benchmark build on it.
//!
//! | module | what it gives a test |
//! |---|---|
//! | [`stage`] | [`Stage`]: an emulator and the rule's Lambda; sweep, change, faults, read back |
//! | [`invocation`] | [`Invocation`]: one invocation's outcome and PutEvaluations calls, asserted |
//! | [`emulator`] | [`Emulator`]: the emulator process, SDK clients pointed at it, its admin API |
//! | [`seed`] | keys, aliases, secrets (bulk too), replicas, deletions, other accounts |
//! | [`organization`] | an AWS Organization and its member accounts |
//! | [`events`] | Config events shaped as Config sends them |
//! | [`lambda`] | [`LambdaProcess`]: a binary polling our runtime API, with its logs |
//! | [`runtime_api`] | [`RuntimeApiServer`]: the Lambda Runtime API, as `lambda_runtime` uses it |
//! | [`http`] | a small HTTP client for loopback servers |
//! | [`paths`] | the workspace root, the venv's Python, the emulator script |
//!
//! Binaries are passed in, never searched for: a test names its package's binary with
//! `env!("CARGO_BIN_EXE_secrets-cmk-rule")`, so a plain `cargo test` builds what it runs.
//! Everything a test starts is stopped when its handle drops.
//!
//! ```no_run
//! use secrets_cmk_harness::{Emulator, LambdaOptions, LambdaProcess, events, seed};
//!
//! # async fn example(rule_binary: &std::path::Path) -> secrets_cmk_harness::Result<()> {
//! let emulator = Emulator::start().await?;
//! let sm = emulator.secretsmanager("us-east-1");
//! let secret = seed::create_secret(&sm, &seed::NewSecret::named("db")).await?;
//!
//! let lambda = LambdaProcess::start(LambdaOptions::new(rule_binary, &emulator)).await?;
//! let context = events::RuleContext::default_account();
//! let ci = events::SecretCi::for_arn(&secret.arn).to_json();
//! let outcome = lambda.invoke_event(&events::change_event(&context, &ci, false)).await?;
//! let recorded = emulator.all_evaluations().await?;
//! # let _ = (outcome, recorded);
//! # Ok(())
//! # }
//! ```

pub mod emulator;
mod error;
pub mod events;
pub mod http;
pub mod invocation;
pub mod lambda;
pub mod organization;
pub mod paths;
mod process;
mod role_check;
pub mod runtime_api;
pub mod seed;
pub mod stage;

pub use emulator::{
    Credentials, DEFAULT_ACCOUNT, DEFAULT_REGION, Emulator, EmulatorOptions, RecordedEvaluation,
    RecordedPutEvaluations, RecordedRequest,
};
pub use error::{Context, Error, Result};
pub use invocation::{Invocation, Verdict};
pub use lambda::{LambdaOptions, LambdaProcess};
pub use runtime_api::{InvocationOutcome, PendingInvocation, RuntimeApiServer};
pub use stage::Stage;
