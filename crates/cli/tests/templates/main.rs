//! `secrets-cmk check-template`, end to end through the built binary: the shared corpus of
//! `contract/templates` (every verdict and line of `cases.json`), the output formats, the
//! hostile inputs and their limits, the paths a run accepts, and `--resolve` against the
//! emulator (each of those tests starts its own emulator and stops it by dropping it).
//!
//! Table of contents:

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod corpus; // every case of cases.json, offline, in JSON and SARIF
mod hostile; // untrusted input: every refusal, the limits, the time they take
mod output; // the JSON fields, the SARIF 2.1.0 shape, the table and its summary
mod paths; // files, directories, cloud assemblies, missing paths
mod resolve; // --resolve: DescribeKey in the emulator, untrusted keys never described
mod support;
