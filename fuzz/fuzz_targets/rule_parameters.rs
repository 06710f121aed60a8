//! Any text as `ruleParameters`: `RuleParameters::parse`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use secrets_cmk_fuzz::oracle;

fuzz_target!(|data: &[u8]| oracle::rule_parameters(&String::from_utf8_lossy(data)));
