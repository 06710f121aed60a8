//! Snapshot tests: each fixture under `fixtures/` is a `results.json` of fixed
//! measurements; the report rendered from it must match the `.md` beside it byte for
//! byte. `committed_run.json` reproduces the run behind the committed `bench/RESULTS.md`;
//! the others reach the branches that run does not (targets missed, the peer failing,
//! memory not measured, no estates); `paid_and_organization` is a run of the section on
//! what a user pays for, with made-up organization audit figures (concurrency 16 misses).
//!
//! After an intended change to the report, `BENCH_REPORT_BLESS=1 cargo test -p
//! secrets-cmk-bench report` rewrites the `.md` files; review their diff.

use std::path::PathBuf;

use super::render;
use crate::results::Results;

/// The fixtures, by file stem.
const CASES: [&str; 6] = [
    "committed_run",
    "paid_and_organization",
    "every_target_met",
    "every_target_missed",
    "linear_growth_memory_over",
    "no_estates",
];

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/report/fixtures")
}

/// Where two texts first differ: the line, the column and the text around it.
fn first_difference(expected: &str, rendered: &str) -> String {
    let mut expected_lines = expected.split_inclusive('\n');
    let mut rendered_lines = rendered.split_inclusive('\n');
    for number in 1.. {
        match (expected_lines.next(), rendered_lines.next()) {
            (None, None) => break,
            (e, r) if e == r => {}
            (e, r) => {
                let (e, r) = (e.unwrap_or_default(), r.unwrap_or_default());
                let column = e.chars().zip(r.chars()).take_while(|(a, b)| a == b).count();
                let around = |line: &str| -> String {
                    line.chars()
                        .skip(column.saturating_sub(30))
                        .take(80)
                        .collect()
                };
                return format!(
                    "line {number}, column {}:\n  expected: {:?}\n  rendered: {:?}",
                    column + 1,
                    around(e),
                    around(r)
                );
            }
        }
    }
    "the texts are equal".to_owned()
}

#[test]
#[allow(clippy::expect_used)]
fn renders_every_fixture_as_its_snapshot() {
    let bless = std::env::var("BENCH_REPORT_BLESS").is_ok_and(|value| value == "1");
    let mut failures = Vec::new();
    for case in CASES {
        let json = std::fs::read_to_string(fixtures().join(format!("{case}.json")))
            .expect("the fixture is readable");
        let results: Results = serde_json::from_str(&json).expect("the fixture parses");
        let rendered = render(&results);
        let snapshot = fixtures().join(format!("{case}.md"));
        if bless {
            std::fs::write(&snapshot, &rendered).expect("the snapshot is writable");
            continue;
        }
        let expected = std::fs::read_to_string(&snapshot).expect("the snapshot is readable");
        if rendered != expected {
            failures.push(format!(
                "{case}: {}",
                first_difference(&expected, &rendered)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
