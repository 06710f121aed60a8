//! Where the harness finds the workspace, the venv and the emulator. Binaries are not
//! found here: whoever starts one passes its path (a test takes it from cargo's
//! `CARGO_BIN_EXE_<name>`, the demo from next to its own executable).

use std::path::{Path, PathBuf};

/// The workspace root (this package lives in `<workspace>/crates/harness`).
pub fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .ancestors()
        .nth(2)
        .unwrap_or(manifest_dir)
        .to_path_buf()
}

/// The project's venv interpreter, `<workspace>/.venv/bin/python`.
pub fn venv_python() -> PathBuf {
    workspace_root().join(".venv").join("bin").join("python")
}

/// The emulator entry point, `<workspace>/tests/emulator/server.py`.
pub fn emulator_script() -> PathBuf {
    workspace_root()
        .join("tests")
        .join("emulator")
        .join("server.py")
}
