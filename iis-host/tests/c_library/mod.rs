//! Shared libraries built from C source by the system compiler (`cc`), for
//! the tests that need a library on disk no Rust crate gives: a data symbol
//! named `RegisterModule`, a module that checks the name IIS gives it.

use std::path::PathBuf;
use std::process::Command;

/// Builds `lib<name>.so` from C `source` in a directory of its own (per
/// process and name; remove it with [`remove`] when done).
///
/// # Panics
///
/// When `cc` is missing or fails: the test needs it.
pub fn build(name: &str, source: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("iis-host-c-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let c = dir.join(format!("{name}.c"));
    let so = dir.join(format!("lib{name}.so"));
    std::fs::write(&c, source).unwrap();
    let status = Command::new("cc")
        .args(["-shared", "-fPIC", "-o"])
        .arg(&so)
        .arg(&c)
        .status()
        .expect("a C compiler (cc) builds the test libraries");
    assert!(status.success(), "cc failed on {}", c.display());
    so
}

/// Removes the directory of the libraries [`build`] made.
pub fn remove(library: &std::path::Path) {
    let _ = std::fs::remove_dir_all(library.parent().unwrap());
}
