//! The oracle the fuzz targets check every input against: the same file the stable test
//! suite runs 100,000 proptest inputs through (`crates/rule-core/tests/all/oracle.rs`),
//! included by path so that there is one definition of "handled safely".

#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
#[path = "../../crates/rule-core/tests/all/oracle.rs"]
pub mod oracle;
