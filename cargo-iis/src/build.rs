//! `cargo iis build [--release] [--arch x64|x86|all]`: the module DLLs for
//! IIS's 64-bit and 32-bit worker processes, each checked by `doctor`.
//!
//! Three routes, the first that applies:
//!
//! 1. on Windows, the MSVC targets (`x86_64-pc-windows-msvc`,
//!    `i686-pc-windows-msvc`): what ships;
//! 2. elsewhere with `cargo-xwin` installed, the same MSVC targets through
//!    `cargo xwin build` (it downloads the MSVC CRT and Windows SDK
//!    libraries, after you accept Microsoft's license);
//! 3. elsewhere, the cross route this repository's CI uses
//!    (`scripts/windows/`): the `*-pc-windows-gnu` targets linked by
//!    MinGW-w64, with the standard library built from source
//!    (`-Zbuild-std`) by a rustc that has it, such as Debian's `rustc-web`
//!    with `rust-web-src`. The x64 calling convention is the same as
//!    MSVC's, so these DLLs test what IIS calls; ship the MSVC build.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use clap::{Args, ValueEnum};

use crate::cargo::{self, ModulePackage};
use crate::doctor::{self, Arch};
use crate::{Error, Result};

/// `cargo iis build`.
#[derive(Debug, Args)]
pub(crate) struct BuildArgs {
    /// Build the release profile (what ships).
    #[arg(long)]
    release: bool,
    /// The worker-process bitness to build for.
    #[arg(long, value_enum, default_value = "all")]
    arch: Arches,
    /// The module crate to build, in a workspace with several.
    #[arg(long, value_name = "NAME")]
    module: Option<String>,
}

/// `--arch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Arches {
    /// 64-bit pools.
    X64,
    /// 32-bit pools (enable32BitAppOnWin64).
    X86,
    /// Both.
    All,
}

impl Arches {
    fn list(self) -> &'static [Arch] {
        match self {
            Arches::X64 => &[Arch::X64],
            Arches::X86 => &[Arch::X86],
            Arches::All => &[Arch::X64, Arch::X86],
        }
    }
}

/// The Linux cross route's rustc: one whose sysroot has the standard
/// library's source (Debian's `rustc-web` + `rust-web-src`).
const CROSS_RUSTC: &str = "/usr/bin/rustc";

/// Builds, prints where each DLL is, and checks each with `doctor`.
///
/// # Errors
///
/// When no route can build for a requested bitness, or a build fails.
pub(crate) fn run(args: &BuildArgs) -> Result<ExitCode> {
    let package = cargo::module_package(args.module.as_deref())?;
    let mut built = Vec::new();
    for &arch in args.arch.list() {
        let dll = build(&package, arch, args.release)?;
        println!("cargo iis build: {arch} DLL: {}", dll.display());
        built.push((arch, dll));
    }
    Ok(doctor::print_verdicts(
        built.iter().map(|(arch, dll)| (dll.as_path(), Some(*arch))),
    ))
}

/// Builds the DLL for `arch` by the first route that applies.
fn build(package: &ModulePackage, arch: Arch, release: bool) -> Result<PathBuf> {
    if cfg!(windows) {
        return build_msvc(package, arch, release, false);
    }
    if has_cargo_xwin() {
        return build_msvc(package, arch, release, true);
    }
    build_cross(package, arch, release)
}

fn has_cargo_xwin() -> bool {
    cargo::cargo()
        .args(["xwin", "--version"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// `cargo build` (or `cargo xwin build`) for the MSVC target of `arch`.
fn build_msvc(package: &ModulePackage, arch: Arch, release: bool, xwin: bool) -> Result<PathBuf> {
    let target = arch.msvc_target();
    println!(
        "cargo iis build: {}{} ({target})",
        package.name,
        if xwin { " with cargo xwin" } else { "" }
    );
    let mut command = cargo::cargo();
    if xwin {
        command.arg("xwin");
    }
    command.args(["build", "--package", &package.name, "--target", target]);
    if release {
        command.arg("--release");
    }
    let built = cargo::build_libraries(command, &package.lib_name).map_err(|e| {
        Error::msg(format!(
            "{e}\n(the target needs its standard library: rustup target add {target}; and the MSVC linker: Visual Studio's C++ build tools, or cargo-xwin elsewhere)"
        ))
    })?;
    Ok(built[0].clone())
}

/// The cross route of `scripts/windows/`: `-Zbuild-std` for the `-gnu`
/// target, linked with MinGW-w64, into `<target>/iis-windows` (artifacts of
/// another rustc than the host build's).
fn build_cross(package: &ModulePackage, arch: Arch, release: bool) -> Result<PathBuf> {
    let target = arch.gnu_target();
    let (gcc, package_hint) = match arch {
        Arch::X64 => ("x86_64-w64-mingw32-gcc", "gcc-mingw-w64-x86-64"),
        Arch::X86 => ("i686-w64-mingw32-gcc", "gcc-mingw-w64-i686"),
    };
    let sysroot = rustc_sysroot(CROSS_RUSTC);
    let std_source = sysroot
        .as_deref()
        .map(|root| root.join("lib/rustlib/src/rust/library"));
    let have_std_source = std_source.as_deref().is_some_and(Path::is_dir);
    let have_linker = Command::new(gcc)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !have_std_source || !have_linker {
        return Err(Error::msg(format!(
            "no way to build the {arch} DLL here: on Windows, cargo iis build uses the MSVC toolchain; \
             elsewhere, install cargo-xwin (cargo install cargo-xwin) for the MSVC targets, or the cross route's \
             packages (Debian: apt-get install rustc-web rust-web-src {package_hint}); missing: {}",
            [
                (!have_std_source)
                    .then_some("a rustc with the standard library's source at /usr/bin/rustc"),
                (!have_linker).then_some(gcc),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ")
        )));
    }
    println!(
        "cargo iis build: {} ({target}, cross build with MinGW-w64)",
        package.name
    );
    let target_dir = package.target_dir.join("iis-windows");
    let mut command = cargo::cargo();
    command
        .args([
            "build",
            "-Zbuild-std",
            "--package",
            &package.name,
            "--target",
            target,
        ])
        .arg("--target-dir")
        .arg(&target_dir)
        .env("RUSTC", CROSS_RUSTC)
        .env("RUSTC_BOOTSTRAP", "1")
        .env_remove("RUSTC_WRAPPER")
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .env(linker_variable(target), gcc);
    if release {
        command.arg("--release");
    }
    if arch == Arch::X86 {
        // i686-pc-windows-gnu links rsbegin.o/rsend.o, which a rustc
        // without a prebuilt Windows sysroot does not have: build them.
        let dir = target_dir.join("rtstartup").join(target);
        build_rtstartup(
            std_source.as_deref().unwrap_or(Path::new(".")),
            target,
            &dir,
        )?;
        let variable = format!(
            "CARGO_TARGET_{}_RUSTFLAGS",
            target.to_ascii_uppercase().replace('-', "_")
        );
        command.env(variable, format!("-L native={}", dir.display()));
    }
    let built = cargo::build_libraries(command, &package.lib_name)?;
    Ok(built[0].clone())
}

/// `CARGO_TARGET_<TRIPLE>_LINKER`.
fn linker_variable(target: &str) -> String {
    format!(
        "CARGO_TARGET_{}_LINKER",
        target.to_ascii_uppercase().replace('-', "_")
    )
}

fn rustc_sysroot(rustc: &str) -> Option<PathBuf> {
    let output = Command::new(rustc)
        .args(["--print", "sysroot"])
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| PathBuf::from(String::from_utf8_lossy(&output.stdout).trim()))
}

/// Compiles `rtstartup/{rsbegin,rsend}.rs` of the standard library's source
/// for `target` into `out` (once).
fn build_rtstartup(library: &Path, target: &str, out: &Path) -> Result<()> {
    std::fs::create_dir_all(out)
        .map_err(|e| Error::io(format!("cannot create {}", out.display()), e))?;
    for name in ["rsbegin", "rsend"] {
        let object = out.join(format!("{name}.o"));
        if object.is_file() {
            continue;
        }
        let status = Command::new(CROSS_RUSTC)
            .env("RUSTC_BOOTSTRAP", "1")
            .args(["--target", target, "--emit=obj", "-o"])
            .arg(&object)
            .arg(library.join("rtstartup").join(format!("{name}.rs")))
            .status()
            .map_err(|e| Error::io("cannot run rustc", e))?;
        if !status.success() {
            return Err(Error::msg(format!("building {name}.o for {target} failed")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_variables_are_named_after_the_target() {
        assert_eq!(
            linker_variable("i686-pc-windows-gnu"),
            "CARGO_TARGET_I686_PC_WINDOWS_GNU_LINKER"
        );
        assert_eq!(Arches::All.list(), [Arch::X64, Arch::X86]);
    }
}
