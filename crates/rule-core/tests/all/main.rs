//! Behaviour tests of rule-core through its public API only. The modules read as the
//! table of contents of what the rule promises.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

mod contract;
mod decision_table;
mod evaluations;
mod events;
mod fuzz_regressions;
mod hostile_input;
mod key_refs;
use rule_core_oracle as oracle; // the hostile-input oracle, a crate the fuzz targets share
mod parameters;
mod properties;
mod regions;
mod remediation_table;
mod row_of_annotation;
mod trust_boundary;
