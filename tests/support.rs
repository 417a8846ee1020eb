//! Helpers of the workspace tests: hosts loading the test module library and
//! the example modules, as IIS would; request bodies (multipart forms,
//! binary data) for the examples' tests.

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

/// A multipart/form-data body under construction.
#[derive(Debug, Clone)]
pub struct Form {
    boundary: String,
    body: Vec<u8>,
}

impl Default for Form {
    fn default() -> Self {
        Self::new()
    }
}

impl Form {
    /// An empty form with a boundary no field's bytes may contain (checked
    /// as fields are added).
    pub fn new() -> Self {
        Self {
            boundary: "iis-module-tests-7MA4YWxkTrZu0gW".to_owned(),
            body: Vec::new(),
        }
    }

    /// Adds a field; a file field when `file_name` is given.
    ///
    /// # Panics
    /// When `data` holds the form's delimiter.
    pub fn field(mut self, name: &str, file_name: Option<&str>, data: &[u8]) -> Self {
        // A delimiter starts with CR: data without one (memchr-fast) holds
        // none; the rest is searched.
        let delimiter = format!("\r\n--{}", self.boundary);
        assert!(
            !data.contains(&b'\r')
                || !data
                    .windows(delimiter.len())
                    .any(|w| w == delimiter.as_bytes()),
            "the data holds the boundary"
        );
        let disposition = match file_name {
            Some(file) => format!("form-data; name=\"{name}\"; filename=\"{file}\""),
            None => format!("form-data; name=\"{name}\""),
        };
        self.body
            .extend_from_slice(format!("--{}\r\n", self.boundary).as_bytes());
        self.body
            .extend_from_slice(format!("Content-Disposition: {disposition}\r\n").as_bytes());
        if file_name.is_some() {
            self.body
                .extend_from_slice(b"Content-Type: application/octet-stream\r\n");
        }
        self.body.extend_from_slice(b"\r\n");
        self.body.extend_from_slice(data);
        self.body.extend_from_slice(b"\r\n");
        self
    }

    /// The `Content-Type` and the body.
    pub fn finish(mut self) -> (String, Vec<u8>) {
        self.body
            .extend_from_slice(format!("--{}--\r\n", self.boundary).as_bytes());
        (
            format!("multipart/form-data; boundary={}", self.boundary),
            self.body,
        )
    }
}

/// `len` bytes of a fixed pseudo-random sequence, each 0x80–0xFF: binary
/// (no byte of it is ASCII, so it is not UTF-8 text), and free of CR, so
/// no multipart delimiter can hide in it. Eight bytes a step, so the
/// megabytes are quick to make in a debug build.
pub fn pseudo_random_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed;
    let mut bytes = vec![0u8; len];
    for piece in bytes.chunks_mut(8) {
        // A 64-bit LCG (Knuth's MMIX constants).
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let word = (state | 0x8080_8080_8080_8080).to_le_bytes();
        piece.copy_from_slice(&word[..piece.len()]);
    }
    bytes
}

/// The checksum the axum example's `/upload` reports for a field's bytes,
/// computed here independently of the application.
pub fn upload_checksum(data: &[u8]) -> u64 {
    data.iter().fold(0u64, |sum, &b| {
        sum.wrapping_mul(31).wrapping_add(u64::from(b))
    })
}
