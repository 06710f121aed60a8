//! The `secrets-cmk` command-line tool end to end: this package's binary (cargo builds
//! it for this test and names it in `CARGO_BIN_EXE_secrets-cmk`), run as a user runs it
//! (a clean environment: PATH, a throw-away HOME, dummy credentials, `AWS_REGION`, and
//! `AWS_ENDPOINT_URL` pointing at the emulator), with assertions on its exit code and
//! output and, through the SDK and the emulator's request log, on what it changed.
//!
//! Every test starts its own emulator and stops it (by dropping it).
//!
//! Table of contents:

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod audit; // every format (the table: summary first, findings only; html), exit codes, Regions, unverified
mod backout; // restores every previous key (the default one too), idempotent, refuses drift
mod doctor; // each check's pass / fail with its fix / not checked, exit codes 0/1/2
mod doctor_organization; // --organization across accounts: each member's rule, OU coverage, central invocations
mod organization; // audit --organization: every account once, an unreachable one reported, --accounts, --all-regions, --concurrency, SUSPENDED left out
mod remediate; // dry run, apply exactly the targets, unsafe targets, service-owned secrets
mod report; // the rule's results from a Config aggregator equal what each account of an organization recorded; prefix, formats, exit codes
mod report_security_hub; // report --security-hub: each result imported by its own account in its Region; without --role-name the members' are reported, not imported
mod security_hub; // audit --format asff field by field; --security-hub read back with GetFindings, re-import updates, 100 a call, failed findings resent then reported
mod support; // running the binary; seeding; reading the emulator's state
mod trust_boundary; // untrusted targets and restored keys, edited plans, what UpdateSecret re-encrypts
