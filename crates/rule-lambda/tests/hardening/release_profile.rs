//! The deployed build keeps unwinding, so `lambda_runtime` answers a panic in the handler
//! with an error response instead of the process dying. `cargo lambda build --release`
//! (what `make lambda` runs and the CDK deploys) passes its own value for each of
//! `strip`, `lto`, `codegen-units` and `panic` that `[profile.release]` leaves unset,
//! `panic=abort` among them (cargo-lambda's guide, "Release optimizations"), so each must
//! be set in the workspace's Cargo.toml; and `main.rs` refuses to compile with abort.

const WORKSPACE_MANIFEST: &str = include_str!("../../../../Cargo.toml");
const LAMBDA_MAIN: &str = include_str!("../../src/main.rs");

/// The `key = value` lines of the `[profile.release]` table.
fn release_profile() -> Vec<(String, String)> {
    WORKSPACE_MANIFEST
        .lines()
        .skip_while(|line| line.trim() != "[profile.release]")
        .skip(1)
        .take_while(|line| !line.trim_start().starts_with('['))
        .filter(|line| !line.trim_start().starts_with('#'))
        .filter_map(|line| line.split_once('='))
        .map(|(key, value)| (key.trim().to_owned(), value.trim().to_owned()))
        .collect()
}

#[test]
fn every_key_cargo_lambda_would_override_is_set_and_panic_unwinds() {
    // GIVEN the release profile cargo-lambda builds the deployed asset with
    let profile = release_profile();
    let value = |key: &str| {
        profile
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    // WHEN each key cargo-lambda sets by default is looked up
    for key in ["strip", "lto", "codegen-units", "panic"] {
        // THEN Cargo.toml sets it, so cargo-lambda leaves it alone
        assert!(
            value(key).is_some(),
            "[profile.release] must set {key}: {profile:?}"
        );
    }
    // AND panic unwinds
    assert_eq!(value("panic"), Some("\"unwind\""));
}

#[test]
fn the_lambda_binary_refuses_to_compile_with_panic_abort() {
    // GIVEN the binary's main / THEN a compile_error! guards the abort strategy
    let guard = LAMBDA_MAIN
        .split_once("#[cfg(panic = \"abort\")]")
        .map(|(_, after)| after.trim_start());
    assert!(
        guard.is_some_and(|after| after.starts_with("compile_error!")),
        "main.rs must hold #[cfg(panic = \"abort\")] compile_error!(...)"
    );
}
