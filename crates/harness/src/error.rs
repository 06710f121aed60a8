//! One error type for the harness: every failure says what the harness was doing and,
//! where it helps, what to run to fix it.

use std::time::Duration;

/// The harness's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while setting up or driving an end-to-end test.
///
/// `Debug` prints the message and its causes as text (not a struct dump), so a test
/// returning `Result<()>` fails with a readable report, process output included.
#[derive(thiserror::Error)]
pub enum Error {
    /// A prerequisite is missing (the venv, the emulator script, the Lambda binary).
    #[error("{what} not found at {path}: {hint}")]
    Missing {
        /// What is missing, e.g. "the secrets-cmk-rule binary".
        what: &'static str,
        /// Where the harness looked.
        path: String,
        /// What to run to get it.
        hint: &'static str,
    },
    /// An operating-system call failed (spawning a process, binding a socket, ...).
    #[error("{context}: {source}")]
    Io {
        /// What the harness was doing.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// An AWS SDK call against the emulator failed. The message carries the SDK's full
    /// error chain; the source keeps the typed error for `downcast_ref`.
    #[error("{context}: {message}")]
    Sdk {
        /// What the harness was doing, e.g. "CreateSecret e2e-1".
        context: String,
        /// The SDK error with its whole context (`DisplayErrorContext`).
        message: String,
        /// The typed SDK error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// An HTTP exchange (admin API, runtime API) failed at the transport level.
    #[error("{context}: {source}")]
    Http {
        /// What the harness was doing.
        context: String,
        /// The underlying error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The emulator's admin API answered with a non-success status.
    #[error("emulator admin API {method} {path} answered HTTP {status}: {body}")]
    Admin {
        /// The HTTP method.
        method: String,
        /// The admin path.
        path: String,
        /// The HTTP status code.
        status: u16,
        /// The response body (as text).
        body: String,
    },
    /// JSON could not be (de)serialized.
    #[error("{context}: {source}")]
    Json {
        /// What the harness was doing.
        context: String,
        /// The underlying error.
        #[source]
        source: serde_json::Error,
    },
    /// Something did not happen in time. `output` is the tail of the process's logs.
    #[error("timed out after {after:?} waiting for {what}\n--- output ---\n{output}")]
    Timeout {
        /// What the harness was waiting for.
        what: String,
        /// How long it waited.
        after: Duration,
        /// Captured logs of the process concerned.
        output: String,
    },
    /// A child process (emulator or Lambda) exited when it should have been running.
    #[error("{what} exited unexpectedly ({status})\n--- output ---\n{output}")]
    ProcessExited {
        /// Which process.
        what: &'static str,
        /// Its exit status, as text.
        status: String,
        /// Its captured output.
        output: String,
    },
    /// The harness was used in a way it does not support, or saw data it cannot read.
    #[error("{0}")]
    Invalid(String),
}

impl std::fmt::Debug for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self}")?;
        if matches!(self, Error::Sdk { .. }) {
            // The message already holds the SDK's whole error chain.
            return Ok(());
        }
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            write!(f, "\ncaused by: {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

impl Error {
    /// Wraps an I/O error with what the harness was doing.
    pub(crate) fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> Error {
        let context = context.into();
        move |source| Error::Io { context, source }
    }

    /// Wraps a JSON error with what the harness was doing.
    pub(crate) fn json(context: impl Into<String>) -> impl FnOnce(serde_json::Error) -> Error {
        let context = context.into();
        move |source| Error::Json { context, source }
    }

    /// Wraps an HTTP transport error with what the harness was doing.
    pub(crate) fn http<E>(context: impl Into<String>) -> impl FnOnce(E) -> Error
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        let context = context.into();
        move |source| Error::Http {
            context,
            source: Box::new(source),
        }
    }

    /// Wraps an AWS SDK error, keeping its full context in the message.
    pub(crate) fn sdk<E>(context: impl Into<String>) -> impl FnOnce(E) -> Error
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        let context = context.into();
        move |source| Error::Sdk {
            context,
            message: aws_smithy_types::error::display::DisplayErrorContext(&source).to_string(),
            source: Box::new(source),
        }
    }
}

/// Adds context to an AWS SDK call's result in a test:
/// `sm.list_secrets().send().await.context("ListSecrets")?`.
pub trait Context<T> {
    /// Turns the error into an [`Error::Sdk`] that says what was being done.
    fn context(self, what: impl Into<String>) -> Result<T>;
}

impl<T, E> Context<T> for std::result::Result<T, E>
where
    E: std::error::Error + Send + Sync + 'static,
{
    fn context(self, what: impl Into<String>) -> Result<T> {
        self.map_err(Error::sdk(what))
    }
}
