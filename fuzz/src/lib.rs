//! The oracle the fuzz targets check every input against: the crate the stable test
//! suite runs 100,000 proptest inputs through (`crates/oracle`, package
//! rule-core-oracle), so that there is one definition of "handled safely".

pub use rule_core_oracle as oracle;
