//! The end-to-end test harness of secrets-cmk: the real `secrets-cmk-rule` binary, run as
//! Lambda runs it, against the AWS emulator on loopback.
//!
//! | module | what it gives a test |
//! |---|---|
//! | [`emulator`] | [`Emulator`]: the emulator process, SDK clients pointed at it, its admin API |
//! | [`seed`] | keys, aliases, secrets (bulk too), replicas, deletions, other accounts |
//! | [`events`] | Config events shaped as Config sends them |
//! | [`lambda`] | [`LambdaProcess`]: the binary polling our runtime API, with its logs |
//! | [`runtime_api`] | [`RuntimeApiServer`]: the Lambda Runtime API, as `lambda_runtime` uses it |
//! | [`http`] | a small HTTP client for loopback servers |
//!
//! Everything a test starts is stopped when its handle drops.
//!
//! ```no_run
//! use secrets_cmk_e2e::{Emulator, LambdaOptions, LambdaProcess, events, seed};
//!
//! # async fn example() -> secrets_cmk_e2e::Result<()> {
//! let emulator = Emulator::start().await?;
//! let sm = emulator.secretsmanager("us-east-1");
//! let secret = seed::create_secret(&sm, &seed::NewSecret::named("db")).await?;
//!
//! let lambda = LambdaProcess::start(LambdaOptions::new(&emulator)).await?;
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
pub mod lambda;
pub mod paths;
mod process;
pub mod runtime_api;
pub mod seed;

pub use emulator::{
    Credentials, DEFAULT_ACCOUNT, DEFAULT_REGION, Emulator, EmulatorOptions, RecordedEvaluation,
    RecordedPutEvaluations, RecordedRequest,
};
pub use error::{Context, Error, Result};
pub use lambda::{LambdaOptions, LambdaProcess};
pub use runtime_api::{InvocationOutcome, PendingInvocation, RuntimeApiServer};
