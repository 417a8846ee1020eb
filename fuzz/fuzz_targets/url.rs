//! Fuzz target: `iis_host::http::fuzzing::url` (see scripts/fuzz.sh).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| iis_host::http::fuzzing::url(data));
