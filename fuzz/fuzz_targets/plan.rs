//! Any text as a backout plan (`Plan::from_json`, what `backout` reads from a file anyone
//! may have edited): never a panic; a refusal is a non-empty message; an accepted plan
//! writes back as JSON that reads as the same plan.

#![no_main]

use libfuzzer_sys::fuzz_target;
use secrets_cmk_fuzz::plan::Plan;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match Plan::from_json(&text) {
        Err(error) => assert!(!error.to_string().is_empty()),
        Ok(plan) => {
            let written = plan.to_json().expect("a plan serializes");
            let again = Plan::from_json(&written).expect("a written plan reads back");
            assert_eq!(again, plan);
        }
    }
});
