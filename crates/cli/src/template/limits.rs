//! The bounds on what `check-template` reads. A template comes from a pull request: it
//! is untrusted input, so every way it could make the reader work without end (a huge
//! file, an alias bomb, deep nesting, branch explosion, a deep nest of cloud
//! assemblies) stops at a stated limit with an error naming the file, never a hang or a
//! crash. `--help` states the same numbers (they are formatted from these constants).

use std::fmt;
use std::time::Duration;

/// Largest template file read, in bytes: 4 MiB, four times the 1 MB CloudFormation
/// accepts from S3 (51,200 bytes inline), so every deployable template fits. The file
/// is never read past this.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Deepest nesting of mappings and sequences. Real templates (CDK output included)
/// nest about 20 deep; serde_json refuses JSON past 128.
pub const MAX_DEPTH: usize = 100;

/// Most values in one template, after YAML aliases are expanded: an alias bomb (each
/// alias doubling the tree) stops here, after at most this much work and memory.
pub const MAX_NODES: usize = 1_000_000;

/// Longest time spent reading one template.
pub const MAX_READ_TIME: Duration = Duration::from_secs(10);

/// Most alternatives one key expression may have: each `Fn::If` doubles them, and each
/// is judged.
pub const MAX_BRANCHES: usize = 64;

/// Deepest chain of references followed for one key (`!Ref` of an alias, of a parameter,
/// `Fn::Sub` variables): a longer chain is a cycle or not worth following.
pub const MAX_REFERENCE_DEPTH: usize = 16;

/// Most template files one run reads (directories and cloud assemblies included).
pub const MAX_FILES: usize = 10_000;

/// Deepest nest of cloud assemblies (`cdk:cloud-assembly` artifacts) followed.
pub const MAX_ASSEMBLY_DEPTH: usize = 8;

/// Why a file could not be read as a template: the problem and, where known, the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    /// The 1-based line the problem is on, when one is.
    pub line: Option<usize>,
    /// What is wrong, for people.
    pub problem: String,
}

impl ReadError {
    /// A problem at a line.
    pub fn at(line: usize, problem: impl Into<String>) -> ReadError {
        ReadError {
            line: Some(line),
            problem: problem.into(),
        }
    }

    /// A problem of the whole file.
    pub fn whole(problem: impl Into<String>) -> ReadError {
        ReadError {
            line: None,
            problem: problem.into(),
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.problem),
            None => f.write_str(&self.problem),
        }
    }
}

/// Longest name from a template echoed in a message (a logical id, a key, a tag): a
/// hostile template must not make its own error message huge.
pub const MAX_ECHO_CHARS: usize = 80;

/// A name from the input, as a message shows it: at most [`MAX_ECHO_CHARS`] characters,
/// control characters escaped.
pub fn echo(name: &str) -> String {
    let mut shown: String = name
        .chars()
        .take(MAX_ECHO_CHARS)
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<char>>()
            } else {
                vec![c]
            }
        })
        .collect();
    if name.chars().count() > MAX_ECHO_CHARS {
        shown.push_str("...");
    }
    shown
}

/// The limits, as `--help` states them.
pub fn help_text() -> String {
    format!(
        "Limits (a template is untrusted input; past a limit the file is refused, exit 2):\n  \
         {} MiB per file (never read further), nesting {MAX_DEPTH} deep, {MAX_NODES} values \
         after YAML\n  aliases are expanded, {} s of reading per file, {MAX_BRANCHES} Fn::If \
         alternatives per key,\n  references followed {MAX_REFERENCE_DEPTH} deep, {MAX_FILES} \
         files per run, cloud assemblies nested {MAX_ASSEMBLY_DEPTH} deep.",
        MAX_FILE_BYTES / (1024 * 1024),
        MAX_READ_TIME.as_secs()
    )
}
