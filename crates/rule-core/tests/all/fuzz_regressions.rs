//! Every input the fuzzer ever crashed on, replayed through the oracle on every
//! `make test`, and the committed seed corpora with them (so a change that breaks a
//! corpus input fails here, not only under `make fuzz`).
//!
//! When `make fuzz` (or CI's short run) finds a crash, cargo-fuzz leaves the input in
//! `fuzz/artifacts/<target>/crash-<sha1>` (reproduce with `cargo fuzz run --sanitizer
//! none <target> <file>`). Fix the bug, then copy the file into
//! `tests/fuzz_regressions/<target>/` under a name that says what it was (e.g.
//! `long-tag-key-in-error-path.json`) and add a named test below that explains it: the
//! directory replay keeps it fixed even if the named test is edited away. A failure of
//! `hostile_input.rs` prints proptest's minimal failing input: save that input the same
//! way.

use std::fs;
use std::path::{Path, PathBuf};

use crate::oracle;

/// An oracle check over a fuzz target's raw input.
type Check = fn(&[u8]);

/// The fuzz targets and the oracle check each one runs.
const TARGETS: [(&str, Check); 4] = [
    ("event", oracle::event_bytes),
    ("rule_parameters", rule_parameters_bytes),
    ("key_ref", key_ref_bytes),
    ("history_item", oracle::history_item),
];

/// The fuzz targets take bytes; the text parsers see them as (lossy) UTF-8, as there.
fn rule_parameters_bytes(data: &[u8]) {
    oracle::rule_parameters(&String::from_utf8_lossy(data));
}

fn key_ref_bytes(data: &[u8]) {
    oracle::key_ref(&String::from_utf8_lossy(data));
}

fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The files of a directory, sorted; none when it does not exist.
fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = match fs::read_dir(dir) {
        Ok(entries) => entries
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.is_file())
            .filter(|path| path.file_name().is_some_and(|n| n != "README.md"))
            .collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    files
}

/// Replays every file of `<root>/<target>/` through the target's check; returns how
/// many were replayed. A panic names the file.
fn replay(root: &Path) -> usize {
    let mut replayed = 0;
    for (target, check) in TARGETS {
        for file in files_in(&root.join(target)) {
            let data = fs::read(&file).unwrap();
            let outcome = std::panic::catch_unwind(|| check(&data));
            assert!(outcome.is_ok(), "{} breaks the oracle", file.display());
            replayed += 1;
        }
    }
    replayed
}

#[test]
fn every_crash_the_fuzzer_found_stays_fixed() {
    replay(&crate_dir().join("tests/fuzz_regressions"));
}

#[test]
fn the_committed_seed_corpora_pass_the_oracle() {
    // GIVEN the seed corpora cargo-fuzz starts from (fuzz/corpus/<target>/)
    let corpus = crate_dir().join("../../fuzz/corpus");
    // WHEN every input is replayed / THEN none breaks the oracle, and there are some
    let replayed = replay(&corpus);
    assert!(
        replayed >= 20,
        "only {replayed} corpus inputs in {}",
        corpus.display()
    );
}

#[test]
fn long_tag_key_is_echoed_bounded_in_the_error_path() {
    // Found by hostile_input (proptest) before the fuzzer ran: a tag whose value is not
    // a string was reported at the path `...tags.<key>` with the key in full, so a 5,000
    // character key made a 5,000 character error (logs, Lambda error, Config console).
    // GIVEN the change event with such a tag
    let data = include_bytes!("../fuzz_regressions/event/long-tag-key-in-error-path.json");
    let event: serde_json::Value = serde_json::from_slice(data).unwrap();
    // WHEN parsed
    let error = rule_core::ConfigRuleEvent::parse(&event).unwrap_err();
    // THEN the path names the field with the key cut to 80 characters and marked
    let path = error.path().unwrap();
    assert!(
        path.starts_with("invokingEvent.configurationItem.tags.kkkk"),
        "{path}"
    );
    assert!(path.ends_with('…'), "{path}");
    assert!(error.to_string().chars().count() < 300, "{error}");
    // AND the same holds for a history item's configuration tags
    oracle::history_item(include_bytes!(
        "../fuzz_regressions/history_item/long-tag-key-in-error-path.json"
    ));
}
