//! The real `secrets-cmk-rule` binary, run as Lambda runs it: a process polling our
//! [`RuntimeApiServer`], with Lambda's environment variables, pointed at the emulator.
//!
//! The process serves many invocations, one at a time; its stdout and stderr (the JSON
//! log lines) are captured for assertions. It never sees the developer's environment:
//! the environment is cleared and rebuilt (`PATH` and `LLVM_PROFILE_FILE` pass through),
//! `HOME` is an empty directory, the AWS config and credentials files are an empty file,
//! and instance metadata is disabled.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use crate::emulator::{Credentials, DEFAULT_ACCOUNT, DEFAULT_REGION, Emulator};
use crate::process::ManagedChild;
use crate::runtime_api::{InvocationOutcome, RuntimeApiServer};
use crate::{Error, Result};

/// The deadline an invocation gets unless the test sets one.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(60);

/// Slack past the deadline before the harness gives up on an invocation: Lambda would
/// have stopped the function at the deadline; the slack absorbs a loaded test machine.
pub const DEADLINE_SLACK: Duration = Duration::from_secs(2);

/// How long the binary may take from spawn to its first `/next` poll.
pub const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);

/// The function name unless the test sets one.
pub const DEFAULT_FUNCTION_NAME: &str = "secrets-cmk-rule";

/// Environment variables passed through from the test process when set (coverage).
const PASS_THROUGH_ENV: &[&str] = &["PATH", "LLVM_PROFILE_FILE"];

/// How to run the Lambda. Build with [`LambdaOptions::new`] and the `with_*` methods.
#[derive(Clone, Debug)]
pub struct LambdaOptions {
    /// The binary to run: `secrets-cmk-rule` (a test passes
    /// `env!("CARGO_BIN_EXE_secrets-cmk-rule")`), or a stand-in runtime client.
    pub binary: PathBuf,
    /// Arguments for the binary (none for the real Lambda; a stand-in may need some).
    pub args: Vec<String>,
    /// `AWS_ENDPOINT_URL`: the emulator.
    pub endpoint: String,
    /// `AWS_REGION` and `AWS_DEFAULT_REGION`.
    pub region: String,
    /// The account of the function (its ARN).
    pub account_id: String,
    /// `AWS_LAMBDA_FUNCTION_NAME`.
    pub function_name: String,
    /// The function's own credentials (the execution role's, in Lambda).
    pub credentials: Credentials,
    /// Extra environment, applied last (e.g. `RUST_LOG`, `SECRETS_CMK_EXECUTION_ROLE_NAME`).
    pub env: Vec<(String, String)>,
}

impl LambdaOptions {
    /// Defaults for `binary` as a Lambda in the default account and region, talking to
    /// `emulator`.
    pub fn new(binary: impl Into<PathBuf>, emulator: &Emulator) -> Self {
        LambdaOptions::for_endpoint(binary, emulator.endpoint())
    }

    /// Defaults for `binary` as a Lambda talking to `endpoint`.
    pub fn for_endpoint(binary: impl Into<PathBuf>, endpoint: impl Into<String>) -> Self {
        LambdaOptions {
            binary: binary.into(),
            args: Vec::new(),
            endpoint: endpoint.into(),
            region: DEFAULT_REGION.to_owned(),
            account_id: DEFAULT_ACCOUNT.to_owned(),
            function_name: DEFAULT_FUNCTION_NAME.to_owned(),
            credentials: Credentials::default_account(),
            env: Vec::new(),
        }
    }

    /// Adds an environment variable.
    pub fn with_env(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.push((name.into(), value.into()));
        self
    }

    /// Sets the region.
    pub fn with_region(mut self, region: impl Into<String>) -> Self {
        self.region = region.into();
        self
    }

    /// Sets the function's credentials.
    pub fn with_credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = credentials;
        self
    }

    /// Sets the arguments for the binary.
    pub fn with_args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.args = args.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the function name.
    pub fn with_function_name(mut self, name: impl Into<String>) -> Self {
        self.function_name = name.into();
        self
    }

    /// The function ARN (`arn:aws:lambda:REGION:ACCOUNT:function:NAME`).
    pub fn function_arn(&self) -> String {
        format!(
            "arn:aws:lambda:{}:{}:function:{}",
            self.region, self.account_id, self.function_name
        )
    }
}

/// A running Lambda process and its runtime API server. Dropping it kills the process.
#[derive(Debug)]
pub struct LambdaProcess {
    // Field order matters on drop: the process goes first, then its server.
    process: ManagedChild,
    server: RuntimeApiServer,
    options: LambdaOptions,
    one_at_a_time: tokio::sync::Mutex<()>,
}

impl LambdaProcess {
    /// Starts the runtime API server and the binary, and waits until the binary polls
    /// for its first invocation (so a crash at start-up fails here, with its logs).
    pub async fn start(options: LambdaOptions) -> Result<LambdaProcess> {
        if !options.binary.is_file() {
            return Err(Error::Missing {
                what: "the Lambda's binary",
                path: options.binary.display().to_string(),
                hint: "build it (cargo build --workspace builds secrets-cmk-rule)",
            });
        }
        let server = RuntimeApiServer::start().await?;
        let process = ManagedChild::spawn(
            "lambda",
            lambda_command(&options.binary, &options, &server, &Sandbox::prepare()?),
            None,
        )?;
        process
            .wait_for(
                server.wait_for_polls(1),
                "the Lambda's first /next poll",
                STARTUP_TIMEOUT,
            )
            .await?;
        Ok(LambdaProcess {
            process,
            server,
            options,
            one_at_a_time: tokio::sync::Mutex::new(()),
        })
    }

    /// Invokes the function with `event` as `function_arn`, giving it `deadline`
    /// (sent as `Lambda-Runtime-Deadline-Ms`). Waits at most `deadline` plus
    /// [`DEADLINE_SLACK`]; after such a timeout the process is still busy with the
    /// event (Lambda would have replaced it): start a new one. Invocations are
    /// sequential: a second call waits for the first.
    pub async fn invoke(
        &self,
        event: &Value,
        function_arn: &str,
        deadline: Duration,
    ) -> Result<InvocationOutcome> {
        let _turn = self.one_at_a_time.lock().await;
        let pending = self.server.enqueue(event, function_arn, deadline)?;
        let what = format!("the outcome of invocation {}", pending.request_id());
        self.process
            .wait_for(pending.outcome(), &what, deadline + DEADLINE_SLACK)
            .await?
    }

    /// Invokes with this function's ARN and [`DEFAULT_DEADLINE`].
    pub async fn invoke_event(&self, event: &Value) -> Result<InvocationOutcome> {
        self.invoke(event, &self.function_arn(), DEFAULT_DEADLINE)
            .await
    }

    /// This function's ARN.
    pub fn function_arn(&self) -> String {
        self.options.function_arn()
    }

    /// The options it was started with.
    pub fn options(&self) -> &LambdaOptions {
        &self.options
    }

    /// The runtime API server it polls.
    pub fn runtime_api(&self) -> &RuntimeApiServer {
        &self.server
    }

    /// The process id while the process runs (e.g. to read `/proc/<pid>/status`);
    /// `None` once it has exited.
    pub fn pid(&self) -> Option<u32> {
        self.is_running().then(|| self.process.id())
    }

    /// Whether the process is still running.
    pub fn is_running(&self) -> bool {
        self.process.exit_status().is_none()
    }

    /// Everything the process wrote on stdout and stderr so far, line by line.
    pub fn logs(&self) -> String {
        self.process.output().text_since(0)
    }

    /// The current end of the logs, to read only what follows with
    /// [`LambdaProcess::logs_since`].
    pub fn log_offset(&self) -> usize {
        self.process.output().len()
    }

    /// The log lines written after `offset` (from [`LambdaProcess::log_offset`]).
    pub fn logs_since(&self, offset: usize) -> String {
        self.process.output().text_since(offset)
    }

    /// The log lines after `offset` that are JSON objects (tracing's JSON format).
    pub fn json_logs_since(&self, offset: usize) -> Vec<Value> {
        self.process
            .output()
            .lines_since(offset)
            .iter()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .filter(Value::is_object)
            .collect()
    }

    /// All JSON log lines so far.
    pub fn json_logs(&self) -> Vec<Value> {
        self.json_logs_since(0)
    }

    /// Stops the process now (what drop does).
    pub fn stop(self) {
        drop(self);
    }
}

/// A home directory and an empty file for the Lambda's environment: no profile, no
/// credentials file, and (unlike a missing file) no warning from the SDK about it.
struct Sandbox {
    home: PathBuf,
    empty_file: PathBuf,
}

impl Sandbox {
    fn prepare() -> Result<Sandbox> {
        let home = std::env::temp_dir().join("secrets-cmk-e2e-home");
        std::fs::create_dir_all(&home)
            .map_err(Error::io(format!("creating {}", home.display())))?;
        let empty_file = home.join("empty");
        // Created once, never written: concurrent tests share it safely.
        std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&empty_file)
            .map_err(Error::io(format!("creating {}", empty_file.display())))?;
        Ok(Sandbox { home, empty_file })
    }
}

fn lambda_command(
    binary: &std::path::Path,
    options: &LambdaOptions,
    server: &RuntimeApiServer,
    sandbox: &Sandbox,
) -> Command {
    let mut command = Command::new(binary);
    command.args(&options.args).env_clear();
    for name in PASS_THROUGH_ENV {
        if let Some(value) = std::env::var_os(name) {
            command.env(name, value);
        }
    }
    let name = &options.function_name;
    command
        .env("HOME", &sandbox.home)
        .env("TZ", ":UTC")
        .env("RUST_BACKTRACE", "1")
        .env("AWS_LAMBDA_RUNTIME_API", server.runtime_api())
        .env("AWS_LAMBDA_FUNCTION_NAME", name)
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{name}"))
        .env(
            "AWS_LAMBDA_LOG_STREAM_NAME",
            format!("2025/01/01/[$LATEST]{:032x}", std::process::id()),
        )
        .env("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand")
        .env("AWS_EXECUTION_ENV", "AWS_Lambda_rust")
        .env("AWS_REGION", &options.region)
        .env("AWS_DEFAULT_REGION", &options.region)
        .env("AWS_ENDPOINT_URL", &options.endpoint)
        .env("AWS_ACCESS_KEY_ID", &options.credentials.access_key_id)
        .env(
            "AWS_SECRET_ACCESS_KEY",
            &options.credentials.secret_access_key,
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", &sandbox.empty_file)
        .env("AWS_SHARED_CREDENTIALS_FILE", &sandbox.empty_file);
    if let Some(token) = &options.credentials.session_token {
        command.env("AWS_SESSION_TOKEN", token);
    }
    command.envs(options.env.iter().map(|(k, v)| (k, v)));
    command
}
