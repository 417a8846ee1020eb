//! Helpers for tests of modules: finding the module library cargo built.

use std::io;
use std::path::{Path, PathBuf};

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
