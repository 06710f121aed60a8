//! Behaviour tests of rule-core through its public API only. The modules read as the
//! table of contents of what the rule promises.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

mod decision_table;
mod evaluations;
mod events;
mod fuzz_regressions;
mod hostile_input;
mod key_refs;
mod oracle;
mod parameters;
mod properties;
mod remediation_table;
mod trust_boundary;
