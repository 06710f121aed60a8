//! The driver's one error type: what it was doing, and why that failed.

/// The driver's result type.
pub(crate) type Result<T, E = BenchError> = std::result::Result<T, E>;

/// Everything that stops a benchmark run.
#[derive(thiserror::Error)]
pub(crate) enum BenchError {
    /// The harness (emulator, Lambda process, seeding) failed.
    #[error(transparent)]
    Harness(#[from] secrets_cmk_harness::Error),
    /// A file or process operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What the driver was doing.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// JSON could not be read or written.
    #[error("{context}: {source}")]
    Json {
        /// What the driver was doing.
        context: String,
        /// The underlying error.
        #[source]
        source: serde_json::Error,
    },
    /// A prerequisite is missing.
    #[error("{what} not found at {path}: {hint}")]
    Missing {
        /// What is missing.
        what: &'static str,
        /// Where the driver looked.
        path: String,
        /// How to get it.
        hint: &'static str,
    },
    /// Something the benchmark relies on did not hold.
    #[error("{0}")]
    Failed(String),
}

impl std::fmt::Debug for BenchError {
    /// `main` returns this: print the message and its causes, not a struct dump.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self}")?;
        let mut source = std::error::Error::source(self);
        // The harness's error already carries its causes in its message.
        if matches!(self, BenchError::Harness(_)) {
            source = None;
        }
        while let Some(cause) = source {
            write!(f, "\ncaused by: {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

impl BenchError {
    /// Wraps an I/O error with what the driver was doing.
    pub(crate) fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> BenchError {
        let context = context.into();
        move |source| BenchError::Io { context, source }
    }

    /// Wraps a JSON error with what the driver was doing.
    pub(crate) fn json(context: impl Into<String>) -> impl FnOnce(serde_json::Error) -> BenchError {
        let context = context.into();
        move |source| BenchError::Json { context, source }
    }
}
