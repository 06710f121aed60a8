//! Hardening (issue 7): a compliance rule that lies under load is worse than none. The
//! built `secrets-cmk-rule` binary against the emulator, under injected faults, near its
//! deadline, twice over the same estate; and a scan proving nothing reads secrets.
//!
//! Table of contents:

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "../common/stage.rs"]
mod common_stage;
mod support;

mod deadline; // the deadline falls mid-sweep: whole pages reported, then a clear error
mod faults; // throttling/5xx on every call change nothing; AccessDenied skips, names, guesses nothing
mod idempotence; // same estate, same evaluations; a change event touches one result
mod no_secret_reads; // nothing reads a secret value or decrypts, in the sources or the binary
