//! `check-template`'s reader and offline judging, compiled from the CLI's source files
//! (see the crate's documentation for why).

#[path = "../../../crates/cli/src/template/expr.rs"]
pub mod expr;
#[path = "../../../crates/cli/src/template/facts.rs"]
mod facts;
#[path = "../../../crates/cli/src/template/judge.rs"]
pub mod judge;
#[path = "../../../crates/cli/src/template/limits.rs"]
pub mod limits;
#[path = "../../../crates/cli/src/template/model.rs"]
pub mod model;
#[path = "../../../crates/cli/src/template/node.rs"]
pub mod node;
#[path = "../../../crates/cli/src/template/offline.rs"]
pub mod offline;
#[path = "../../../crates/cli/src/template/read.rs"]
pub mod read;
