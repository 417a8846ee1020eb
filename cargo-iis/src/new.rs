//! `cargo iis new NAME`: a module crate that builds and tests out of the
//! box, from the templates under `cargo-iis/templates/`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use crate::{Error, Result};

/// `cargo iis new`.
#[derive(Debug, Args)]
pub(crate) struct NewArgs {
    /// The crate's directory; its last component is the crate name.
    #[arg(value_name = "NAME")]
    path: PathBuf,
    /// A global module (server-wide notifications) instead of a request module.
    #[arg(long, conflicts_with_all = ["async_", "tower"])]
    global: bool,
    /// A request module with an `async fn` hook (asynchronous reads and writes).
    #[arg(long = "async", id = "async_", conflicts_with = "tower")]
    async_: bool,
    /// An axum Router served through iis-tower.
    #[arg(long)]
    tower: bool,
    /// Take the SDK from a checkout of the iis-module repository at DIR
    /// (path dependencies) instead of crates.io.
    #[arg(long, value_name = "DIR")]
    sdk_path: Option<PathBuf>,
}

/// The kinds of module `new` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Request,
    Global,
    Async,
    Tower,
}

impl Kind {
    /// `src/lib.rs` and `tests/module.rs`.
    fn sources(self) -> (&'static str, &'static str) {
        match self {
            Kind::Request => (
                include_str!("../templates/request/lib.rs"),
                include_str!("../templates/request/test.rs"),
            ),
            Kind::Global => (
                include_str!("../templates/global/lib.rs"),
                include_str!("../templates/global/test.rs"),
            ),
            Kind::Async => (
                include_str!("../templates/async/lib.rs"),
                include_str!("../templates/async/test.rs"),
            ),
            Kind::Tower => (
                include_str!("../templates/tower/lib.rs"),
                include_str!("../templates/tower/test.rs"),
            ),
        }
    }

    /// What the module does, for its README.
    fn what(self) -> &'static str {
        match self {
            Kind::Request => "a request module that answers `GET /hello`",
            Kind::Global => "a global module that counts requests in an `X-Request-Count` header",
            Kind::Async => "a request module whose `async fn` hook echoes `POST /echo`",
            Kind::Tower => "an axum Router served inside IIS through iis-tower",
        }
    }

    /// The `curl` arguments that try it.
    fn try_url(self) -> &'static str {
        match self {
            Kind::Request | Kind::Tower => "http://127.0.0.1:8080/hello",
            Kind::Global => "http://127.0.0.1:8080/",
            Kind::Async => "--data ping http://127.0.0.1:8080/echo",
        }
    }
}

/// Where the SDK's crates come from.
#[derive(Debug, Clone)]
enum Sdk {
    /// crates.io, at this tool's version.
    CratesIo,
    /// A checkout of the repository.
    Path(PathBuf),
}

impl Sdk {
    /// The dependency line of SDK crate `krate`, with `extra` (e.g.
    /// `features = [...]`) inside the braces.
    fn dependency(&self, krate: &str) -> String {
        match self {
            Sdk::CratesIo => {
                // "0.1.0" -> "0.1": the semver-compatible range.
                let version = env!("CARGO_PKG_VERSION");
                let range = match version.split('.').collect::<Vec<_>>().as_slice() {
                    ["0", minor, ..] => format!("0.{minor}"),
                    [major, ..] => (*major).to_owned(),
                    [] => version.to_owned(),
                };
                format!("{krate} = \"{range}\"\n")
            }
            Sdk::Path(dir) => {
                let path = dir.join(krate);
                // TOML basic strings: forward slashes work on Windows too
                // and need no escaping.
                let path = path.to_string_lossy().replace('\\', "/");
                format!("{krate} = {{ path = \"{path}\" }}\n")
            }
        }
    }
}

/// Creates the crate.
///
/// # Errors
///
/// When the name is not a valid crate name, the directory exists, the SDK
/// path is not a checkout of the repository, or a file cannot be written.
pub(crate) fn run(args: &NewArgs) -> Result<ExitCode> {
    let kind = if args.global {
        Kind::Global
    } else if args.async_ {
        Kind::Async
    } else if args.tower {
        Kind::Tower
    } else {
        Kind::Request
    };
    let sdk = match &args.sdk_path {
        None => Sdk::CratesIo,
        Some(dir) => {
            let dir = crate::absolute(dir);
            if !dir.join("iis-module").join("Cargo.toml").is_file() {
                return Err(Error::msg(format!(
                    "--sdk-path {}: not a checkout of the iis-module repository (no iis-module/Cargo.toml)",
                    dir.display()
                )));
            }
            Sdk::Path(dir)
        }
    };
    let dir = crate::absolute(&args.path);
    let name = dir
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| {
            Error::msg(format!(
                "{}: no crate name in this path",
                args.path.display()
            ))
        })?
        .to_owned();
    check_name(&name)?;
    if dir.exists() {
        return Err(Error::msg(format!("{} already exists", dir.display())));
    }
    let mut files = files(&name, kind, &sdk);
    if let Some(workspace) = enclosing_workspace(&dir) {
        // Inside another workspace that does not list it, cargo refuses to
        // build the crate; a [workspace] table of its own makes it a root.
        files[0].1.push_str(STANDALONE);
        println!(
            "note: {} is inside the workspace of {}: the new crate gets a [workspace] table of its own \
             (remove it and add the crate to that workspace's members to make it a member)",
            dir.display(),
            workspace.display()
        );
    }
    for (file, text) in files {
        write(&dir.join(file), &text)?;
    }
    println!("Created the module crate {name} in {}", dir.display());
    println!("Next:");
    println!("  cd {}", args.path.display());
    println!("  cargo test");
    println!("  cargo iis serve --watch");
    println!("  curl -i {}", kind.try_url());
    Ok(ExitCode::SUCCESS)
}

/// The files of the new crate: (path in the crate, text).
fn files(name: &str, kind: Kind, sdk: &Sdk) -> Vec<(&'static str, String)> {
    let lib = name.replace('-', "_");
    let mut dependencies = sdk.dependency("iis-module");
    let mut dev_dependencies = sdk.dependency("iis-host");
    if kind == Kind::Tower {
        dependencies += &sdk.dependency("iis-tower");
        dependencies += "axum = { version = \"0.8\", default-features = false }\n";
    }
    if kind == Kind::Async {
        dev_dependencies += "http = \"1\"\n";
    }
    let fill = |template: &str| {
        template
            .replace("{{name}}", name)
            .replace("{{lib}}", &lib)
            .replace("{{what}}", kind.what())
            .replace("{{try_url}}", kind.try_url())
            .replace("{{dependencies}}", &dependencies)
            .replace("{{dev_dependencies}}", &dev_dependencies)
    };
    let (lib_rs, test_rs) = kind.sources();
    vec![
        (
            "Cargo.toml",
            fill(include_str!("../templates/Cargo.toml.in")),
        ),
        (
            ".cargo/config.toml",
            include_str!("../templates/cargo-config.toml").to_owned(),
        ),
        (
            ".gitignore",
            include_str!("../templates/gitignore").to_owned(),
        ),
        ("README.md", fill(include_str!("../templates/README.md.in"))),
        ("src/lib.rs", fill(lib_rs)),
        ("tests/module.rs", fill(test_rs)),
    ]
}

/// Appended to the manifest of a crate created inside another workspace.
const STANDALONE: &str =
    "\n# Its own workspace (it was created inside another one).\n[workspace]\n";

/// The manifest of a workspace above `dir`, if any.
fn enclosing_workspace(dir: &Path) -> Option<PathBuf> {
    dir.ancestors().skip(1).find_map(|ancestor| {
        let manifest = ancestor.join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest).ok()?;
        text.lines()
            .any(|line| line.trim() == "[workspace]")
            .then_some(manifest)
    })
}

/// A crate name cargo accepts: ASCII letters, digits, `-` and `_`, not
/// starting with a digit.
fn check_name(name: &str) -> Result<()> {
    let valid = !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if valid {
        Ok(())
    } else {
        Err(Error::msg(format!(
            "{name:?} is not a valid crate name (ASCII letters, digits, - and _; not starting with a digit)"
        )))
    }
}

fn write(path: &Path, text: &str) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| Error::io(format!("cannot create {}", parent.display()), e))?;
    }
    std::fs::write(path, text).map_err(|e| Error::io(format!("cannot write {}", path.display()), e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_placeholder_is_filled() {
        let sdks = [Sdk::CratesIo, Sdk::Path("/src/iis-module".into())];
        for kind in [Kind::Request, Kind::Global, Kind::Async, Kind::Tower] {
            for sdk in &sdks {
                for (file, text) in files("my-module", kind, sdk) {
                    assert!(!text.contains("{{"), "{kind:?} {file}: {text}");
                }
            }
        }
    }

    #[test]
    fn the_manifest_makes_a_small_cdylib_from_the_chosen_sdk() {
        let manifest = |sdk: &Sdk| files("my-module", Kind::Tower, sdk).remove(0).1;
        let crates_io = manifest(&Sdk::CratesIo);
        assert!(crates_io.contains("crate-type = [\"cdylib\"]"));
        assert!(crates_io.contains("lto = true"));
        assert!(crates_io.contains("opt-level = \"z\""));
        assert!(crates_io.contains("iis-module = \"0.1\""));
        assert!(crates_io.contains("iis-tower = \"0.1\""));
        let local = manifest(&Sdk::Path("/src/iis".into()));
        assert!(local.contains("iis-module = { path = \"/src/iis/iis-module\" }"));
        assert!(local.contains("iis-host = { path = \"/src/iis/iis-host\" }"));
        let config = &files("m", Kind::Request, &Sdk::CratesIo)[1].1;
        assert!(config.contains("target-feature=+crt-static"));
    }

    #[test]
    fn crate_names_are_checked() {
        assert!(check_name("my-module_2").is_ok());
        for bad in ["", "2fast", "my module", "mödule"] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }
}
