//! Module DLLs built for the tests with MinGW-w64 (a C file: seconds, no
//! Rust cross build), and running `cargo-iis`.

#![allow(dead_code)] // each test binary uses part of it

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The C source of the test DLLs.
const SOURCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/module.c");

/// The two MinGW-w64 compilers: x64 and x86.
pub const GCC_X64: &str = "x86_64-w64-mingw32-gcc";
/// The 32-bit one.
pub const GCC_X86: &str = "i686-w64-mingw32-gcc";

/// Whether `gcc` runs. When it does not, a test returns early, saying so,
/// unless `CARGO_IIS_REQUIRE_MINGW=1` (CI sets it, after installing
/// gcc-mingw-w64-x86-64 and gcc-mingw-w64-i686), where it fails.
pub fn have(gcc: &str) -> bool {
    let found = Command::new(gcc)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CARGO_IIS_REQUIRE_MINGW").is_none(),
            "{gcc} is missing (Debian: apt-get install gcc-mingw-w64-x86-64 gcc-mingw-w64-i686)"
        );
        eprintln!(
            "SKIPPED: {gcc} is missing (apt-get install gcc-mingw-w64-x86-64 gcc-mingw-w64-i686)"
        );
    }
    found
}

/// A fresh directory for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Compiles the test module into `dir/file` with `gcc` and extra flags
/// (`-DNO_EXPORT`, `-DWITH_PTHREAD`, `-lpthread`, `-Wl,--kill-at`).
/// Stripped (`-s`), as a release DLL is.
pub fn build_dll(gcc: &str, dir: &Path, file: &str, flags: &[&str]) -> PathBuf {
    let out = dir.join(file);
    let output = Command::new(gcc)
        .args(["-shared", "-O2", "-s", "-o"])
        .arg(&out)
        .arg(SOURCE)
        .args(flags)
        .output()
        .expect("the compiler runs");
    assert!(
        output.status.success(),
        "{gcc} {flags:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    out
}

/// Runs `cargo-iis iis ARGS` in `dir`.
pub fn cargo_iis(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cargo-iis"))
        .arg("iis")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("cargo-iis runs")
}

/// stdout and stderr, for assertions and their messages.
pub fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}
