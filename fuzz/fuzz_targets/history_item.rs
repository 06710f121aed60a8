//! Any bytes as a GetResourceConfigHistory item (JSON, the API's field names):
//! `HistoryItem` deserialized, then `ConfigurationItem::try_from`, then a decision.

#![no_main]

use libfuzzer_sys::fuzz_target;
use secrets_cmk_fuzz::oracle;

fuzz_target!(|data: &[u8]| oracle::history_item(data));
