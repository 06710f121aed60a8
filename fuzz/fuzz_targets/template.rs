//! Any bytes as a CloudFormation template: `check-template`'s reader (encoding, JSON or
//! YAML with short-form tags, the limits), then judging every secret offline. It must
//! never panic; a refusal is a clear, bounded message; every finding is consistent
//! (a line, a reason, a row that gives the compliance it reports).

#![no_main]

use libfuzzer_sys::fuzz_target;
use rule_core::RuleParameters;
use secrets_cmk_fuzz::template::offline::{judge_offline, parse_bytes};

/// No refusal may be longer than this (it ends up on a terminal and in CI logs).
const MAX_ERROR_CHARS: usize = 2048;

fuzz_target!(|data: &[u8]| {
    match parse_bytes(data) {
        Err(error) => {
            let message = error.to_string();
            assert!(
                !message.is_empty() && message.len() <= MAX_ERROR_CHARS,
                "{message}"
            );
            if let Some(line) = error.line {
                assert!(
                    line >= 1 && line <= data.len() + 1,
                    "line {line} of {} bytes",
                    data.len()
                );
            }
        }
        Ok(root) => {
            let findings = judge_offline(&root, &RuleParameters::default(), "fuzz.yaml")
                .expect("a template parse_bytes accepted is read again");
            for finding in findings {
                assert!(finding.line >= 1 && finding.line <= data.len() + 1);
                assert!(!finding.reason.is_empty());
                assert_eq!(finding.compliance, finding.row.map(|row| row.compliance()));
            }
        }
    }
});
