//! The rule end to end: this package's `secrets-cmk-rule` binary (cargo builds it for
//! this test and names it in `CARGO_BIN_EXE_secrets-cmk-rule`) under the harness's
//! Lambda Runtime API server, the real SDK, the emulator on loopback; assertions on the
//! PutEvaluations the emulator recorded and on the API calls it served. Every test
//! starts its own [`Stage`](secrets_cmk_harness::Stage) and stops it by dropping it.
//!
//! Table of contents:

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod accounts; // organization rules: a member account reached by AssumeRole, or a clear error
mod bad_input; // bad events and parameters: NonRetryable, nothing reported, the next one served
mod decision_table; // every row of the decision table through the binary
mod eventual_consistency; // ListSecrets lagging writes: the cleanup confirms before it clears
mod message_types; // change, oversized change (Config history, DescribeSecret), scheduled sweep
mod regions; // row 5b: a key of another Region, never described
mod report_changes_only; // reportChangesOnly: steady state puts nothing, one change puts one
mod sweep_at_scale; // 250 secrets: batches of 100 and exactly the minimum of API calls
mod trust_boundary; // untrusted key accounts, foreign execution roles, foreign items refused

/// The Lambda binary under test, built by cargo for this test target.
const RULE_BINARY: &str = env!("CARGO_BIN_EXE_secrets-cmk-rule");
