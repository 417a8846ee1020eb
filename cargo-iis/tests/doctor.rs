//! `cargo iis doctor` on DLLs built here with MinGW-w64: the verdict
//! (exit status) and the finding, with its fix, for each kind of DLL IIS
//! refuses.

mod support;

use support::{GCC_X64, GCC_X86, build_dll, cargo_iis, have, temp_dir, text};

#[test]
fn a_good_x64_module_passes() {
    if !have(GCC_X64) {
        return;
    }
    let dir = temp_dir("doctor-good");
    let dll = build_dll(GCC_X64, &dir, "good.dll", &[]);
    let output = cargo_iis(&dir, &["doctor", "--pool", "x64", dll.to_str().unwrap()]);
    let report = text(&output);
    assert_eq!(output.status.code(), Some(0), "{report}");
    assert!(report.contains("ok    machine x64"), "{report}");
    assert!(
        report.contains("ok    exports RegisterModule, undecorated"),
        "{report}"
    );
    assert!(
        report.contains("ok    imports only DLLs of a stock Windows Server"),
        "{report}"
    );
    assert!(report.contains("ok    a release build"), "{report}");
    assert!(
        report.contains("verdict: IIS can load this module (0 warnings)"),
        "{report}"
    );
}

#[test]
fn a_module_without_register_module_is_refused() {
    if !have(GCC_X64) {
        return;
    }
    let dir = temp_dir("doctor-no-export");
    let dll = build_dll(GCC_X64, &dir, "no_export.dll", &["-DNO_EXPORT"]);
    let output = cargo_iis(&dir, &["doctor", dll.to_str().unwrap()]);
    let report = text(&output);
    assert_eq!(output.status.code(), Some(1), "{report}");
    assert!(
        report.contains("FAIL  does not export RegisterModule"),
        "{report}"
    );
    assert!(report.contains("fix: put #[register_module]"), "{report}");
    assert!(
        report.contains("verdict: IIS would refuse this module (1 problem)"),
        "{report}"
    );
}

#[test]
fn a_32_bit_module_is_refused_for_a_64_bit_pool_and_passes_for_a_32_bit_one() {
    if !have(GCC_X86) {
        return;
    }
    let dir = temp_dir("doctor-x86");
    let dll = build_dll(GCC_X86, &dir, "x86.dll", &["-Wl,--kill-at"]);
    let dll = dll.to_str().unwrap();

    let output = cargo_iis(&dir, &["doctor", "--pool", "x64", dll]);
    let report = text(&output);
    assert_eq!(output.status.code(), Some(1), "{report}");
    assert!(
        report.contains("FAIL  machine x86 (I386, PE32): an x64 pool cannot load it"),
        "{report}"
    );
    assert!(
        report.contains("fix: build for the pool: cargo iis build --arch x64"),
        "{report}"
    );

    let output = cargo_iis(&dir, &["doctor", "--pool", "x86", dll]);
    let report = text(&output);
    assert_eq!(output.status.code(), Some(0), "{report}");
    assert!(report.contains("preCondition=\"bitness32\""), "{report}");
}

#[test]
fn a_decorated_stdcall_export_is_refused_with_the_fix() {
    if !have(GCC_X86) {
        return;
    }
    let dir = temp_dir("doctor-decorated");
    // Without --kill-at, MinGW exports the stdcall name decorated.
    let dll = build_dll(GCC_X86, &dir, "decorated.dll", &[]);
    let output = cargo_iis(&dir, &["doctor", dll.to_str().unwrap()]);
    let report = text(&output);
    assert_eq!(output.status.code(), Some(1), "{report}");
    assert!(
        report.contains("FAIL  exports RegisterModule@12, not RegisterModule"),
        "{report}"
    );
    assert!(report.contains(".def file"), "{report}");
}

#[test]
fn a_module_importing_a_mingw_runtime_dll_is_refused() {
    if !have(GCC_X64) {
        return;
    }
    let dir = temp_dir("doctor-mingw-runtime");
    let dll = build_dll(
        GCC_X64,
        &dir,
        "pthread.dll",
        &["-DWITH_PTHREAD", "-lpthread"],
    );
    let output = cargo_iis(&dir, &["doctor", dll.to_str().unwrap()]);
    let report = text(&output);
    assert_eq!(output.status.code(), Some(1), "{report}");
    assert!(
        report.contains(
            "FAIL  imports libwinpthread-1.dll: a MinGW runtime DLL, present on no Windows"
        ),
        "{report}"
    );
    assert!(
        report.contains("fix: build with the MSVC targets"),
        "{report}"
    );
}

#[test]
fn what_is_not_a_dll_is_refused() {
    let dir = temp_dir("doctor-not-a-dll");
    std::fs::write(dir.join("notes.dll"), "not a DLL").unwrap();
    let output = cargo_iis(&dir, &["doctor", "notes.dll", "missing.dll"]);
    let report = text(&output);
    assert_eq!(output.status.code(), Some(1), "{report}");
    assert!(report.contains("FAIL  not a PE file"), "{report}");
    assert!(report.contains("FAIL  cannot read the file"), "{report}");
}
