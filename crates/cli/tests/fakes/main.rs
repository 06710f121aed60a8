//! `remediate` and `backout` over the in-memory fakes of `secrets_cmk_aws::testing`: the
//! order of a change (plan first), what a failure half way or a lagging read-back leaves
//! behind, and what is refused before anything changes. Fast and deterministic (tokio's
//! clock is paused, so the verification's waits cost nothing); the end-to-end tests run
//! the binary against the emulator.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

/// The fake account, the jobs, and running them.
mod support;

/// remediate --apply: the plan written first and after each change, a failure half way,
/// a read-back that lags.
mod remediate_apply;

/// remediate's checks before any change: untrusted targets, the rule's own table, the
/// DryRun advice.
mod remediate_checks;

/// backout: the default key and aliases restored exactly; what it refuses, and leaves
/// alone; the dry run's review list.
mod backout;
