//! The two product binaries the demo runs, found next to its own executable: `make demo`
//! builds the workspace (`cargo build --workspace`), which puts `secrets-cmk-demo`,
//! `secrets-cmk-rule` and `secrets-cmk` in the same target profile directory
//! (`target/debug`). The demo cannot take them from cargo (`CARGO_BIN_EXE_*` exists
//! for tests and benches only), so it looks beside itself and names what to build when
//! one is missing.

use std::path::{Path, PathBuf};

use secrets_cmk_harness::{Error, Result};

/// What to run when a binary is missing.
const BUILD_HINT: &str = "build the workspace first: make demo does (cargo build --workspace)";

/// The paths of the binaries the demo runs.
pub(crate) struct Binaries {
    /// The Lambda, `secrets-cmk-rule` (package rule-lambda).
    pub(crate) rule: PathBuf,
    /// The command-line tool, `secrets-cmk` (package secrets-cmk-cli).
    pub(crate) cli: PathBuf,
}

impl Binaries {
    /// Both binaries from the directory of the running demo executable.
    pub(crate) fn beside_this_executable() -> Result<Binaries> {
        let exe = std::env::current_exe().map_err(|source| Error::Io {
            context: "finding the demo's own executable".into(),
            source,
        })?;
        let dir = exe.parent().unwrap_or(Path::new("."));
        Ok(Binaries {
            rule: existing(dir, "secrets-cmk-rule", "the secrets-cmk-rule binary")?,
            cli: existing(dir, "secrets-cmk", "the secrets-cmk binary")?,
        })
    }
}

/// `dir/name` (with the platform's executable suffix) if it is a file.
fn existing(dir: &Path, name: &str, what: &'static str) -> Result<PathBuf> {
    let path = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    if path.is_file() {
        Ok(path)
    } else {
        Err(Error::Missing {
            what,
            path: path.display().to_string(),
            hint: BUILD_HINT,
        })
    }
}
