//! Self-tests of the end-to-end harness: each part is proven against what it stands in
//! for, before the real end-to-end tests rely on it. Every test starts what it needs and
//! stops it (by dropping it).

// A test may panic on a broken expectation; that is how it fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod emulator; // the emulator process: SDK access, admin API, reset, stop on drop
mod lambda_process; // a process driven through LambdaProcess (a stand-in runtime client)
mod runtime_api; // the Runtime API as a lambda_runtime client drives it
mod seed; // seeding helpers: keys, secrets, replicas, deletions, other accounts
