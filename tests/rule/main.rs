//! The rule end to end: the built `secrets-cmk-rule` binary under our Lambda Runtime API
//! server, the real SDK, the emulator on loopback; assertions on the PutEvaluations the
//! emulator recorded and on the API calls it served.
//!
//! Table of contents:

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "../common/stage.rs"]
mod common_stage;

mod accounts;
mod bad_input;
mod decision_table;
mod message_types;
mod stage;
mod sweep_at_scale;
mod trust_boundary;
