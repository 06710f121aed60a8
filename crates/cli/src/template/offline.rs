//! The offline check, from bytes to findings with no I/O: what `check-template` does for
//! each file without `--resolve`, and what the fuzz target drives. The fuzz crate
//! compiles this file and the other pure ones (`node`, `limits`, `read`, `model`,
//! `expr`, `facts`, `judge`) from their paths, without the CLI's AWS dependencies, so
//! they must not name `crate::` (only `super::`, `rule_core` and their own crates).

use super::judge::{Finding, Judge};
use super::limits::ReadError;
use super::model::Template;
use super::node::Node;
use super::read::{decode, parse};
use rule_core::{KeyLookup, QualifiedKeyRef, RuleParameters, Scope};
use std::collections::HashMap;

/// The placeholder account of an offline check.
pub const OFFLINE_ACCOUNT: &str = "000000000000";
/// The placeholder Region of an offline check (shaped like a Region, and none).
pub const OFFLINE_REGION: &str = "zz-stack-1";

/// Bytes to a checked template tree: what the fuzz target drives. Never panics.
pub fn parse_bytes(bytes: &[u8]) -> Result<Node, ReadError> {
    let text = decode(bytes)?;
    let root = parse(text)?;
    Template::read(&root)?;
    Ok(root)
}

/// Judge every template offline (the placeholder scope, no AWS call): what the fuzz
/// target and the tests of the pure part drive.
pub fn judge_offline(
    root: &Node,
    params: &RuleParameters,
    shown: &str,
) -> Result<Vec<Finding>, ReadError> {
    let template = Template::read(root)?;
    let judge = Judge::new(
        &template,
        offline_scope(),
        false,
        Some(OFFLINE_REGION.to_owned()),
    );
    let subjects = judge.subjects(params);
    let none: HashMap<QualifiedKeyRef, KeyLookup> = HashMap::new();
    Ok(subjects
        .iter()
        .map(|subject| judge.finding(subject, params, &none, shown))
        .collect())
}

/// The placeholder scope of an offline check.
pub fn offline_scope() -> Scope {
    Scope {
        partition: "aws".to_owned(),
        account: OFFLINE_ACCOUNT.to_owned(),
        region: OFFLINE_REGION.to_owned(),
    }
}
