//! Running cargo: the package to build (`cargo metadata`), and the module
//! libraries a build produced (`--message-format=json`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::{Error, Result};

/// The cargo that runs us (`$CARGO`, set by `cargo iis`), or `cargo`.
pub(crate) fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// A `cdylib` package of the workspace: a module crate.
#[derive(Debug, Clone)]
pub(crate) struct ModulePackage {
    /// The package name (`-p`).
    pub(crate) name: String,
    /// Its version.
    pub(crate) version: String,
    /// The library target's name: the DLL is `<lib_name>.dll`.
    pub(crate) lib_name: String,
    /// The directory of its Cargo.toml.
    pub(crate) dir: PathBuf,
    /// The workspace's target directory.
    pub(crate) target_dir: PathBuf,
}

/// The module crate to work on: `--module NAME` among the workspace's
/// `cdylib` packages, or the only one (or the one in the current directory).
///
/// # Errors
///
/// When `cargo metadata` fails, or no (single) module crate matches.
pub(crate) fn module_package(wanted: Option<&str>) -> Result<ModulePackage> {
    let output = cargo()
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| Error::io("cannot run cargo metadata", e))?;
    if !output.status.success() {
        return Err(Error::msg(
            "cargo metadata failed: run cargo iis inside a module crate (cargo iis new NAME creates one)",
        ));
    }
    let metadata: Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| Error::msg(format!("cannot read cargo metadata's output: {e}")))?;
    let target_dir = PathBuf::from(metadata["target_directory"].as_str().unwrap_or("target"));
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut modules = Vec::new();
    for package in metadata["packages"].as_array().into_iter().flatten() {
        let lib = package["targets"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|t| {
                t["kind"]
                    .as_array()
                    .is_some_and(|kinds| kinds.iter().any(|k| k == "cdylib"))
            });
        let (Some(name), Some(lib)) = (package["name"].as_str(), lib) else {
            continue;
        };
        let manifest = PathBuf::from(package["manifest_path"].as_str().unwrap_or_default());
        modules.push(ModulePackage {
            name: name.to_owned(),
            version: package["version"].as_str().unwrap_or("0.0.0").to_owned(),
            lib_name: lib["name"].as_str().unwrap_or(name).replace('-', "_"),
            dir: manifest.parent().map(Path::to_path_buf).unwrap_or_default(),
            target_dir: target_dir.clone(),
        });
    }
    let names = || {
        modules
            .iter()
            .map(|m| m.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(wanted) = wanted {
        return modules
            .iter()
            .find(|m| m.name == wanted || m.lib_name == wanted)
            .cloned()
            .ok_or_else(|| {
                Error::msg(format!(
                    "no module crate (crate-type cdylib) named {wanted} here; found: {}",
                    names()
                ))
            });
    }
    if let Some(here) = modules.iter().find(|m| m.dir == cwd) {
        return Ok(here.clone());
    }
    match modules.len() {
        1 => Ok(modules.remove(0)),
        0 => Err(Error::msg(
            "no module crate here: a module crate has crate-type = [\"cdylib\"] (cargo iis new NAME creates one)",
        )),
        _ => Err(Error::msg(format!(
            "several module crates here ({}): choose one with --module NAME",
            names()
        ))),
    }
}

/// The directories of the local (path) packages `package` depends on,
/// directly or not, e.g. the SDK's crates with `cargo iis new --sdk-path`:
/// what `serve --watch` watches besides the module crate.
///
/// # Errors
///
/// When `cargo metadata` fails.
pub(crate) fn local_dependency_dirs(package: &ModulePackage) -> Result<Vec<PathBuf>> {
    let output = cargo()
        .args(["metadata", "--format-version", "1"])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| Error::io("cannot run cargo metadata", e))?;
    if !output.status.success() {
        return Err(Error::msg("cargo metadata failed"));
    }
    let metadata: Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| Error::msg(format!("cannot read cargo metadata's output: {e}")))?;
    Ok(local_dependencies(&metadata, &package.dir))
}

/// [`local_dependency_dirs`] from cargo metadata's JSON: a walk of the
/// resolved graph from the package in `dir`.
fn local_dependencies(metadata: &Value, dir: &Path) -> Vec<PathBuf> {
    let packages = metadata["packages"].as_array().cloned().unwrap_or_default();
    let dir_of = |id: &str| -> Option<PathBuf> {
        let package = packages.iter().find(|p| p["id"] == id)?;
        // Registry and git packages have a source; path packages do not.
        if !package["source"].is_null() {
            return None;
        }
        Path::new(package["manifest_path"].as_str()?)
            .parent()
            .map(Path::to_path_buf)
    };
    let nodes = metadata["resolve"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let Some(start) = packages
        .iter()
        .find(|p| p["manifest_path"].as_str().map(Path::new) == Some(&dir.join("Cargo.toml")))
        .and_then(|p| p["id"].as_str())
    else {
        return Vec::new();
    };
    let mut seen = vec![start.to_owned()];
    let mut todo = vec![start.to_owned()];
    let mut dirs = Vec::new();
    while let Some(id) = todo.pop() {
        let Some(node) = nodes.iter().find(|n| n["id"] == id.as_str()) else {
            continue;
        };
        for dependency in node["deps"].as_array().into_iter().flatten() {
            // Dev-dependencies (iis-host) are not part of the library.
            let only_dev = dependency["dep_kinds"]
                .as_array()
                .is_some_and(|kinds| kinds.iter().all(|k| k["kind"] == "dev"));
            let Some(dependency) = dependency["pkg"].as_str().filter(|_| !only_dev) else {
                continue;
            };
            if seen.iter().any(|s| s == dependency) {
                continue;
            }
            seen.push(dependency.to_owned());
            // Only path packages lead on to more path packages worth watching.
            if let Some(dependency_dir) = dir_of(dependency) {
                dirs.push(dependency_dir);
                todo.push(dependency.to_owned());
            }
        }
    }
    dirs
}

/// Runs `command` (a `cargo build` with `--message-format=json-render-diagnostics`
/// added here), the compiler's messages going to our stderr as cargo prints
/// them, and returns the paths of the dynamic libraries built for `lib_name`.
///
/// # Errors
///
/// When cargo cannot run, the build fails, or it produced no such library.
pub(crate) fn build_libraries(mut command: Command, lib_name: &str) -> Result<Vec<PathBuf>> {
    command
        .arg("--message-format=json-render-diagnostics")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let output = command
        .output()
        .map_err(|e| Error::io("cannot run cargo build", e))?;
    if !output.status.success() {
        return Err(Error::msg(format!(
            "cargo build failed ({})",
            output.status
        )));
    }
    let libraries = libraries_in(&String::from_utf8_lossy(&output.stdout), lib_name);
    if libraries.is_empty() {
        return Err(Error::msg(format!(
            "cargo build produced no dynamic library for {lib_name}: is it crate-type = [\"cdylib\"]?"
        )));
    }
    Ok(libraries)
}

/// The `.dll`/`.so`/`.dylib` files of the `cdylib` target `lib_name` in
/// cargo's JSON messages.
fn libraries_in(messages: &str, lib_name: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for line in messages.lines() {
        let Ok(message) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        if message["reason"] != "compiler-artifact"
            || message["target"]["name"]
                .as_str()
                .map(|n| n.replace('-', "_"))
                .as_deref()
                != Some(lib_name)
        {
            continue;
        }
        for file in message["filenames"].as_array().into_iter().flatten() {
            let Some(file) = file.as_str() else { continue };
            let path = PathBuf::from(file);
            let is_library = path
                .extension()
                .is_some_and(|e| e == "dll" || e == "so" || e == "dylib");
            if is_library && !found.contains(&path) {
                found.push(path);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_dependencies_are_the_path_packages_the_library_is_built_from() {
        let metadata: Value = serde_json::from_str(
            r#"{
              "packages": [
                {"id": "m", "source": null, "manifest_path": "/w/m/Cargo.toml"},
                {"id": "sdk", "source": null, "manifest_path": "/sdk/iis-module/Cargo.toml"},
                {"id": "sys", "source": null, "manifest_path": "/sdk/iis-sys/Cargo.toml"},
                {"id": "http", "source": "registry+https://github.com/rust-lang/crates.io-index", "manifest_path": "/r/http/Cargo.toml"},
                {"id": "other", "source": null, "manifest_path": "/w/other/Cargo.toml"}
              ],
              "resolve": {"nodes": [
                {"id": "m", "deps": [
                  {"pkg": "sdk", "dep_kinds": [{"kind": null}]},
                  {"pkg": "http", "dep_kinds": [{"kind": null}]},
                  {"pkg": "other", "dep_kinds": [{"kind": "dev"}]}
                ]},
                {"id": "sdk", "deps": [
                  {"pkg": "sys", "dep_kinds": [{"kind": null}, {"kind": "dev"}]},
                  {"pkg": "http", "dep_kinds": [{"kind": null}]}
                ]},
                {"id": "sys", "deps": []},
                {"id": "http", "deps": []},
                {"id": "other", "deps": []}
              ]}
            }"#,
        )
        .unwrap();
        assert_eq!(
            local_dependencies(&metadata, Path::new("/w/m")),
            [
                PathBuf::from("/sdk/iis-module"),
                PathBuf::from("/sdk/iis-sys")
            ]
        );
    }

    #[test]
    fn libraries_are_read_from_cargo_json() {
        let messages = concat!(
            r#"{"reason":"compiler-artifact","target":{"name":"my-module","kind":["cdylib"]},"filenames":["/t/debug/libmy_module.so"]}"#,
            "\n",
            r#"{"reason":"compiler-artifact","target":{"name":"other","kind":["lib"]},"filenames":["/t/debug/libother.rlib"]}"#,
            "\n",
            r#"{"reason":"build-finished","success":true}"#,
            "\n"
        );
        assert_eq!(
            libraries_in(messages, "my_module"),
            [PathBuf::from("/t/debug/libmy_module.so")]
        );
        assert!(libraries_in(messages, "other").is_empty());
    }
}
