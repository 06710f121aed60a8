//! Hardening (issue 7): a compliance rule that lies under load is worse than none. This
//! package's `secrets-cmk-rule` binary (from cargo, `CARGO_BIN_EXE_secrets-cmk-rule`)
//! against the emulator, under injected faults, near its deadline, twice over the same
//! estate; and a scan proving nothing reads secrets.
//!
//! Table of contents:

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod deadline; // the deadline falls mid-sweep: whole pages reported, then a clear error
mod estate; // the seeded estate: several pages over every fault-free verdict
mod faults; // throttling/5xx on every call change nothing; AccessDenied skips, names, guesses nothing
mod idempotence; // same estate, same evaluations; a change event touches one result
mod no_secret_reads; // nothing reads a secret value or decrypts, in the sources or the binary
mod release_profile; // the deployed build unwinds: cargo-lambda cannot turn panic into abort

/// The Lambda binary under test, built by cargo for this test target.
const RULE_BINARY: &str = env!("CARGO_BIN_EXE_secrets-cmk-rule");
