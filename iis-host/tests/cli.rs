//! The `iis-host` command line.

use std::process::Command;

fn iis_host() -> Command {
    Command::new(env!("CARGO_BIN_EXE_iis-host"))
}

#[test]
fn request_with_a_library_without_register_module_fails_clearly() {
    let library = if cfg!(windows) {
        "kernel32.dll"
    } else {
        "libm.so.6"
    };
    let output = iis_host()
        .args(["request", "--module", library, "GET", "/"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("does not export RegisterModule"),
        "{stderr}"
    );
}

#[test]
fn request_needs_a_module() {
    let output = iis_host().args(["request", "GET", "/"]).output().unwrap();
    assert!(!output.status.success());
}
