//! Helpers of the workspace tests: hosts loading the test module library and
//! the example modules, as IIS would.

use iis_host::{Host, HostError};
use std::path::PathBuf;

/// The library of test modules (tests/modules/fixtures), several modules
/// chosen by name.
pub fn fixtures() -> PathBuf {
    iis_host::testing::cdylib_path("iis_test_modules")
}

/// A host with the named fixture modules, in this order.
///
/// # Errors
/// When a module fails to load (what the registration tests assert).
pub fn fixture_host(names: &[&str]) -> Result<Host, HostError> {
    names
        .iter()
        .fold(Host::builder(), |builder, name| {
            builder.module_named(*name, fixtures())
        })
        .build()
}

/// A host with one example module library (`reset_connection`, …), which
/// cargo builds first: the example crates are `cdylib`-only, so depending
/// on them would not build them.
pub fn example_host(name: &str) -> Host {
    Host::builder()
        .module(example_library(name))
        .build()
        .expect("the example module loads")
}

/// The library of an example module crate, built by cargo if needed.
pub fn example_library(name: &str) -> PathBuf {
    iis_host::testing::build_cdylib(name).unwrap_or_else(|e| panic!("{e}"))
}
