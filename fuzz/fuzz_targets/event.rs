//! Any bytes as the Lambda's event: JSON parsed, then `ConfigRuleEvent::parse`, then
//! (for change notifications) a decision on the parsed facts.

#![no_main]

use libfuzzer_sys::fuzz_target;
use secrets_cmk_fuzz::oracle;

fuzz_target!(|data: &[u8]| oracle::event_bytes(data));
