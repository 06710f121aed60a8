//! Any text as a KMS key reference: `KeyRef::parse`, then qualification into an ARN.

#![no_main]

use libfuzzer_sys::fuzz_target;
use secrets_cmk_fuzz::oracle;

fuzz_target!(|data: &[u8]| oracle::key_ref(&String::from_utf8_lossy(data)));
