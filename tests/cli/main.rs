//! The `secrets-cmk` command-line tool end to end: the built binary, run as a user runs
//! it (a clean environment: PATH, a throw-away HOME, dummy credentials, `AWS_REGION`, and
//! `AWS_ENDPOINT_URL` pointing at the emulator), with assertions on its exit code and
//! output and, through the SDK and the emulator's request log, on what it changed.
//!
//! Every test starts its own emulator and stops it (by dropping it). Build the binary
//! first (`cargo build --workspace --all-targets`) or point `SECRETS_CMK_CLI_BIN` at it.
//!
//! Table of contents:

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod audit; // every format, exit codes 0/1/2, several Regions, unverified secrets
mod backout; // restores every previous key (the default one too), idempotent, refuses drift
mod remediate; // dry run, apply exactly the targets, unsafe targets, service-owned secrets
mod support;
mod trust_boundary; // untrusted targets and restored keys, edited plans, what UpdateSecret re-encrypts // running the binary; seeding; reading the emulator's state
