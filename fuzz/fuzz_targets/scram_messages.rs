#![no_main]
//! libFuzzer entry for `pm_fuzzing::scram_messages` (see crates/fuzzing).
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    pm_fuzzing::init();
    pm_fuzzing::scram_messages(data)
});
