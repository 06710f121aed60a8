//! The report's prose: the document template (`text/results.md`), its fragments and the
//! sentences that depend on the measurements (`text/sentences.md`), and the one rule
//! that fills them.
//!
//! Templates are the text of `bench/RESULTS.md` itself with `{name}` placeholders. A
//! placeholder alone on its line whose value is a block (empty, or ending in a newline)
//! stands for whole lines: the block brings its own line ends, and an empty block leaves
//! no line behind. A fragment that ends with a blank line (`calls_table.md`,
//! `emulator_breakdown.md`) brings the blank line that separates it from what follows.

use super::format::{int, list};
use crate::results::{Peer, Results};

/// The whole document.
pub(crate) const DOCUMENT: &str = include_str!("text/results.md");
/// One estate's table of API calls, under its N.
pub(crate) const CALLS_TABLE: &str = include_str!("text/calls_table.md");
/// The calls floor by operation, when the run measured it.
pub(crate) const EMULATOR_BREAKDOWN: &str = include_str!("text/emulator_breakdown.md");
/// The named sentences and phrases.
const SENTENCES: &str = include_str!("text/sentences.md");

/// The entry `name` of `text/sentences.md`: the line after its `<!-- name -->` marker.
pub(crate) fn sentence(name: &str) -> &'static str {
    let mut lines = SENTENCES.lines();
    let text = lines
        .by_ref()
        .find(|line| marker(line) == Some(name))
        .and_then(|_| lines.next());
    debug_assert!(text.is_some(), "text/sentences.md has no entry {name}");
    text.unwrap_or("(missing text)")
}

/// The name in a marker line `<!-- name -->`.
fn marker(line: &str) -> Option<&str> {
    let name = line.strip_prefix("<!-- ")?.strip_suffix(" -->")?;
    name.bytes()
        .all(|b| b.is_ascii_lowercase() || b == b'_')
        .then_some(name)
}

/// `template` with each `{name}` replaced by its value, in one pass: braces inside a
/// value are not read as placeholders. Every placeholder needs a value and every value
/// must be used (checked in debug builds, so by the tests); in a release build a
/// placeholder without a value is left as it is.
pub(crate) fn fill(template: &str, values: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(template.len() * 2);
    let mut used = vec![false; values.len()];
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|at| open + at) else {
            break;
        };
        out.push_str(&rest[..open]);
        let name = &rest[open + 1..close];
        let mut tail = &rest[close + 1..];
        let index = values.iter().position(|(key, _)| *key == name);
        debug_assert!(index.is_some(), "no value for the placeholder {{{name}}}");
        match index {
            Some(index) => {
                used[index] = true;
                let value = &values[index].1;
                let alone = (out.is_empty() || out.ends_with('\n')) && tail.starts_with('\n');
                if alone && (value.is_empty() || value.ends_with('\n')) {
                    tail = &tail[1..];
                }
                out.push_str(value);
            }
            None => out.push_str(&rest[open..=close]),
        }
        rest = tail;
    }
    out.push_str(rest);
    debug_assert!(
        used.iter().all(|u| *u),
        "values given but not used: {:?}",
        values
            .iter()
            .zip(&used)
            .filter(|(_, used)| !**used)
            .map(|((key, _), _)| *key)
            .collect::<Vec<_>>()
    );
    out
}

/// The sentence `name`, filled.
pub(crate) fn say(name: &str, values: &[(&str, String)]) -> String {
    fill(sentence(name), values)
}

/// A Markdown list: one `- item` line each.
pub(crate) fn bullets(items: impl IntoIterator<Item = String>) -> String {
    items
        .into_iter()
        .map(|item| format!("- {item}\n"))
        .collect()
}

/// "Every target is met", or the heading and the list of what was missed.
pub(crate) fn targets_summary(missed: Vec<String>) -> String {
    if missed.is_empty() {
        format!("{}\n", sentence("every_target_met"))
    } else {
        format!("{}\n\n{}", sentence("missed_heading"), bullets(missed))
    }
}

/// Every run of each estate: sweep, floor, calls floor, Lambda CPU.
pub(crate) fn sweep_runs(r: &Results) -> String {
    bullets(r.estates.iter().map(|e| {
        say(
            "sweep_run",
            &[
                ("n", int(e.n)),
                ("sweep", list(&e.sweep_ms)),
                ("floor", list(&e.floor_ms)),
                ("calls_floor", list(&e.calls_floor_ms)),
                ("cpu", list(&e.sweep_cpu_ms)),
            ],
        )
    }))
}

/// Every run of the peer, on the estates where it ran.
pub(crate) fn peer_runs(r: &Results) -> String {
    bullets(r.estates.iter().filter_map(|e| match &e.peer {
        Peer::Ran {
            policy_ms, wall_ms, ..
        } => Some(say(
            "peer_run",
            &[
                ("n", int(e.n)),
                ("policy", list(policy_ms)),
                ("wall", list(wall_ms)),
            ],
        )),
        Peer::Failed { .. } => None,
    }))
}

/// Whether the peer's findings and the rule's verdicts agree, estate by estate.
pub(crate) fn agreements(r: &Results) -> String {
    bullets(r.estates.iter().map(|e| {
        let ours = e.verdicts.get("NON_COMPLIANT").copied().unwrap_or(0) as usize;
        let replicas = e.composition.replica_on_default_key;
        let verdicts = e
            .verdicts
            .iter()
            .map(|(k, v)| format!("{k} {}", int(*v as usize)))
            .collect::<Vec<_>>()
            .join(", ");
        let counts = |flagged: usize| {
            [
                ("flagged", int(flagged)),
                ("ours", int(ours)),
                ("replicas", int(replicas)),
            ]
        };
        let agreement = match &e.peer {
            Peer::Ran { flagged, .. } if *flagged + replicas == ours => {
                say("peer_agrees", &counts(*flagged))
            }
            Peer::Ran { flagged, .. } => say("peer_disagrees", &counts(*flagged)),
            Peer::Failed { .. } => sentence("peer_did_not_run").to_owned(),
        };
        say(
            "agreement",
            &[
                ("n", int(e.n)),
                ("agreement", agreement),
                ("verdicts", verdicts),
            ],
        )
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
        pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect()
    }

    #[test]
    fn fills_placeholders_once() {
        let filled = fill("{a} and {b}, {a}.", &values(&[("a", "{b}"), ("b", "two")]));
        assert_eq!(filled, "{b} and two, {b}.");
    }

    #[test]
    fn a_block_alone_on_its_line_stands_for_whole_lines() {
        let template = "top\n{rows}\nbottom\n";
        assert_eq!(
            fill(template, &values(&[("rows", "r1\nr2\n")])),
            "top\nr1\nr2\nbottom\n"
        );
        assert_eq!(fill(template, &values(&[("rows", "")])), "top\nbottom\n");
        // Not a block: the line keeps its end.
        assert_eq!(
            fill(template, &values(&[("rows", "r1")])),
            "top\nr1\nbottom\n"
        );
        // Not alone on its line: a value, whatever it ends with.
        assert_eq!(fill("a {rows}\nb", &values(&[("rows", "r\n")])), "a r\n\nb");
    }

    #[test]
    fn every_sentence_is_one_line_after_its_marker() {
        let lines: Vec<&str> = SENTENCES.lines().collect();
        let mut names = Vec::new();
        for (at, line) in lines.iter().enumerate() {
            if let Some(name) = marker(line) {
                let text = lines.get(at + 1).copied().unwrap_or_default();
                assert!(!text.trim().is_empty(), "{name} has no text");
                assert!(marker(text).is_none(), "{name} has no text");
                let after = lines.get(at + 2).copied().unwrap_or_default();
                assert!(after.is_empty(), "{name} is more than one line");
                assert!(!names.contains(&name), "{name} twice");
                names.push(name);
            }
        }
        assert!(names.len() > 20, "{names:?}");
    }
}
