//! Helpers for tests of modules: finding the module library cargo built,
//! or having cargo build it.

use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// The file name of a `cdylib` named `name` on this platform:
/// `lib<name>.so`, `<name>.dll` or `lib<name>.dylib` (`-` becomes `_`, as
/// cargo names artifacts).
pub fn cdylib_file_name(name: &str) -> String {
    let name = name.replace('-', "_");
    format!(
        "{}{name}{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    )
}

/// Finds the library of a module crate that cargo built as a `cdylib`
/// dependency of the running test or example: next to the executable, in
/// its parent (`target/<profile>/` for `deps/` test binaries and
/// `examples/`), or in `../deps`.
///
/// # Errors
///
/// `NotFound`, listing the places searched, when the library is not there
/// (build it first, e.g. as a `[dev-dependencies]` entry or with
/// `cargo build -p <crate>`).
pub fn try_cdylib_path(name: &str) -> io::Result<PathBuf> {
    let file = cdylib_file_name(name);
    let exe = std::env::current_exe()?;
    let dir = exe.parent().unwrap_or(Path::new("."));
    let mut candidates = vec![dir.join(&file)];
    if let Some(parent) = dir.parent() {
        candidates.push(parent.join(&file));
        candidates.push(parent.join("deps").join(&file));
    }
    candidates
        .iter()
        .find(|path| path.is_file())
        .cloned()
        .ok_or_else(|| {
            let searched: Vec<String> = candidates.iter().map(|p| p.display().to_string()).collect();
            io::Error::new(
                io::ErrorKind::NotFound,
                format!(
                    "module library {file} not found (searched {}); build the module crate as a cdylib first",
                    searched.join(", ")
                ),
            )
        })
}

/// [`try_cdylib_path`], panicking with its message when the library is missing.
///
/// # Panics
///
/// When the library is not found.
pub fn cdylib_path(name: &str) -> PathBuf {
    try_cdylib_path(name).unwrap_or_else(|e| panic!("{e}"))
}

/// Builds the `cdylib` of the package `package` with the cargo that runs
/// this test (or `cargo`), into the running executable's target directory
/// and profile, then finds it as [`try_cdylib_path`] does.
///
/// For a module crate whose only crate type is `cdylib` (what makes
/// `cargo build --release` give a small, fully LTO'd DLL): cargo builds no
/// `cdylib` for the crate's own integration tests, nor for crates that
/// depend on it. One `cargo build -p <package>` per package and process;
/// a no-op when it is up to date.
///
/// ```no_run
/// let module = iis_host::testing::build_cdylib("my_module").unwrap();
/// let host = iis_host::Host::builder().module(module).build().unwrap();
/// ```
///
/// # Errors
///
/// When cargo cannot be run or fails (its output is in the error), or the
/// library is not found afterwards.
pub fn build_cdylib(package: &str) -> io::Result<PathBuf> {
    static BUILT: Mutex<Option<HashSet<String>>> = Mutex::new(None);
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if !built.get_or_insert_with(HashSet::new).contains(package) {
        cargo_build(package)?;
        built
            .get_or_insert_with(HashSet::new)
            .insert(package.to_string());
    }
    try_cdylib_path(package)
}

/// `cargo build -p package` with the profile, target directory and target
/// of the running executable (`<target-dir>/[<triple>/]<profile>/{deps,examples}/exe`).
fn cargo_build(package: &str) -> io::Result<()> {
    let exe = std::env::current_exe()?;
    let mut dir = exe.parent().unwrap_or(Path::new("."));
    if dir.ends_with("deps") || dir.ends_with("examples") {
        dir = dir.parent().unwrap_or(dir);
    }
    let profile = match dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") | None => "dev",
        Some(name) => name,
    };
    let mut target_dir = dir.parent().unwrap_or(dir);
    let mut triple = None;
    // Cross builds add a directory per target triple; cargo tags the root.
    if !target_dir.join("CACHEDIR.TAG").exists()
        && let Some(root) = target_dir.parent()
        && root.join("CACHEDIR.TAG").exists()
    {
        triple = target_dir.file_name();
        target_dir = root;
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .args([
            "build",
            "--quiet",
            "--package",
            package,
            "--profile",
            profile,
        ])
        .arg("--target-dir")
        .arg(target_dir);
    if let Some(triple) = triple {
        command.arg("--target").arg(triple);
    }
    // Inside the package's workspace, wherever the test runs from.
    if let Some(manifest_dir) = std::env::var_os("CARGO_MANIFEST_DIR") {
        command.current_dir(manifest_dir);
    }
    let output = command.output()?;
    if output.status.success() {
        return Ok(());
    }
    Err(io::Error::other(format!(
        "`cargo build -p {package} --profile {profile}` failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_platform() {
        let file = cdylib_file_name("my-module");
        assert!(file.contains("my_module"));
        if cfg!(target_os = "linux") {
            assert_eq!(file, "libmy_module.so");
        }
        assert!(try_cdylib_path("surely_not_built_here").is_err());
    }
}
