//! The oracle the fuzz targets check every input against: the crate the stable test
//! suite runs 100,000 proptest inputs through (`crates/oracle`, package
//! rule-core-oracle), so that there is one definition of "handled safely".
//!
//! And the two readers of the CLI that take files anyone may have written: the template
//! reader of `check-template` and the backout plan reader. They are compiled here from
//! the CLI's own source files, not through the CLI's library: that library links the AWS
//! SDK, which would make this release build several times slower and tie this crate's
//! lock file to every dependency the CLI adds. The files named are the pure ones (no
//! I/O beyond what they are given, no `crate::` paths), so the code fuzzed is the code
//! shipped.

pub use rule_core_oracle as oracle;

/// `check-template`'s reader and offline judging (`crates/cli/src/template/`).
pub mod template;

/// The backout plan file (`crates/cli/src/plan.rs`).
#[path = "../../crates/cli/src/plan.rs"]
pub mod plan;
