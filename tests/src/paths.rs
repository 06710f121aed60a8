//! Where the harness finds the workspace, the venv, the emulator and the built binaries.

use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// Environment variable that overrides the path of the `secrets-cmk-rule` binary.
pub const RULE_BIN_ENV: &str = "SECRETS_CMK_RULE_BIN";

/// The workspace root (the parent of this package's directory).
pub fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// The project's venv interpreter, `<workspace>/.venv/bin/python`.
pub fn venv_python() -> PathBuf {
    workspace_root().join(".venv").join("bin").join("python")
}

/// The emulator entry point, `<workspace>/tests/emulator/server.py`.
pub fn emulator_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("emulator")
        .join("server.py")
}

/// Cargo's target directory: `CARGO_TARGET_DIR` if set, else `<workspace>/target`.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                workspace_root().join(dir)
            }
        }
        _ => workspace_root().join("target"),
    }
}

/// The Lambda binary: `$SECRETS_CMK_RULE_BIN`, else `<target>/debug/secrets-cmk-rule`.
/// Errors clearly when it has not been built.
pub fn rule_binary() -> Result<PathBuf> {
    let path = match std::env::var_os(RULE_BIN_ENV) {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => target_dir().join("debug").join("secrets-cmk-rule"),
    };
    if path.is_file() {
        Ok(path)
    } else {
        Err(Error::Missing {
            what: "the secrets-cmk-rule binary",
            path: path.display().to_string(),
            hint: "build it with cargo build --bin secrets-cmk-rule (or set SECRETS_CMK_RULE_BIN)",
        })
    }
}

/// Environment variable that overrides the path of the `secrets-cmk` CLI binary.
pub const CLI_BIN_ENV: &str = "SECRETS_CMK_CLI_BIN";

/// The CLI binary: `$SECRETS_CMK_CLI_BIN`, else `<target>/debug/secrets-cmk`. Errors
/// clearly when it has not been built.
pub fn cli_binary() -> Result<PathBuf> {
    let path = match std::env::var_os(CLI_BIN_ENV) {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => target_dir().join("debug").join("secrets-cmk"),
    };
    if path.is_file() {
        Ok(path)
    } else {
        Err(Error::Missing {
            what: "the secrets-cmk binary",
            path: path.display().to_string(),
            hint: "build it with cargo build -p secrets-cmk-cli (or set SECRETS_CMK_CLI_BIN)",
        })
    }
}
