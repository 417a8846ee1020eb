//! `cargo iis serve [--watch]`: build the module, copy the library to a
//! shadow folder, serve it through the iis-host library in this process;
//! with `--watch`, rebuild and reload on every change, keeping the last
//! good build serving while a build fails.
//!
//! The shadow copy (`<target>/iis-shadow/<pid>-<n>/`) is what IIS's
//! shadow copying does for managed code: the loaded library is never the
//! build output, so the next build can always overwrite it (on Windows a
//! loaded DLL cannot be replaced), and each generation is a new path, so
//! the platform loader loads it afresh instead of handing back the library
//! already loaded.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::mpsc;

use clap::Args;
use iis_host::{Host, HostConfig, ServeHandle};

use crate::cargo::{self, ModulePackage};
use crate::watch::{POLL, Watcher};
use crate::{Error, Result};

/// `cargo iis serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Rebuild and reload on every change of the crate's files (and of the
    /// local crates it depends on); a failed build prints the compiler's
    /// errors and leaves the last good build serving.
    #[arg(long)]
    watch: bool,
    /// The module crate to serve, in a workspace with several.
    #[arg(long, value_name = "NAME")]
    module: Option<String>,
    /// Settings of the emulated site (`key = "value"` lines: listen,
    /// physical_path, site_name, app_pool_name, worker_threads).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The address to listen on [default: 127.0.0.1:8080, or the config's].
    #[arg(long, value_name = "ADDR")]
    listen: Option<String>,
    /// Build and serve the release profile.
    #[arg(long)]
    release: bool,
}

/// What `--config FILE` sets.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Settings {
    listen: Option<String>,
    physical_path: Option<String>,
    site_name: Option<String>,
    app_pool_name: Option<String>,
    worker_threads: Option<usize>,
}

impl Settings {
    /// Reads `key = "value"` lines (`#` comments; `\\` and `\"` escapes in
    /// values; `worker_threads = N` unquoted).
    fn parse(text: &str) -> std::result::Result<Settings, String> {
        let mut settings = Settings::default();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let at = |what: &str| format!("line {}: {what}", number + 1);
            let (key, value) = line
                .split_once('=')
                .ok_or_else(|| at("expected key = \"value\""))?;
            let (key, value) = (key.trim(), value.trim());
            if key == "worker_threads" {
                settings.worker_threads = Some(
                    value
                        .parse()
                        .map_err(|_| at("worker_threads is a number"))?,
                );
                continue;
            }
            let value = unquote(value).ok_or_else(|| at("expected a quoted string value"))?;
            let slot = match key {
                "listen" => &mut settings.listen,
                "physical_path" => &mut settings.physical_path,
                "site_name" => &mut settings.site_name,
                "app_pool_name" => &mut settings.app_pool_name,
                _ => return Err(at(&format!("unknown key {key}"))),
            };
            *slot = Some(value);
        }
        Ok(settings)
    }

    /// These settings over the host's defaults.
    fn host_config(&self) -> HostConfig {
        let mut config = HostConfig::default();
        if let Some(path) = &self.physical_path {
            config.physical_path = path.clone();
        }
        if let Some(name) = &self.site_name {
            config.site_name = name.clone();
        }
        if let Some(name) = &self.app_pool_name {
            config.app_pool_name = name.clone();
        }
        if let Some(threads) = self.worker_threads {
            config.worker_threads = threads;
        }
        config.server.on_request = Some(Arc::new(|line| {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
        }));
        config
    }
}

/// `"text"` with `\\` and `\"` escapes, unquoted.
fn unquote(value: &str) -> Option<String> {
    let inner = value.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push(chars.next()?),
            '"' => return None,
            c => out.push(c),
        }
    }
    Some(out)
}

/// The generation being served.
struct Running {
    host: Arc<Host>,
    server: ServeHandle,
    generation: usize,
    shadow: PathBuf,
}

impl Running {
    fn stop(self) {
        let _ = self.server.shutdown();
        self.host.shutdown();
        drop(self.host);
        // Best effort: on Windows a library still loaded cannot be deleted
        // (the next start clears it).
        let _ = std::fs::remove_dir_all(&self.shadow);
    }
}

/// Serves until Ctrl-C.
///
/// # Errors
///
/// When the crate cannot be found, the config file read, the first build
/// (without `--watch`) fails, or the address cannot be bound.
pub(crate) fn run(args: &ServeArgs) -> Result<ExitCode> {
    let package = cargo::module_package(args.module.as_deref())?;
    let config_file = args.config.as_deref().map(crate::absolute);
    let read_settings = || -> Result<Settings> {
        let Some(file) = &config_file else {
            return Ok(Settings::default());
        };
        let text = std::fs::read_to_string(file)
            .map_err(|e| Error::io(format!("cannot read {}", file.display()), e))?;
        Settings::parse(&text).map_err(|e| Error::msg(format!("{}: {e}", file.display())))
    };
    let mut settings = read_settings()?;
    let mut listen = args
        .listen
        .clone()
        .or_else(|| settings.listen.clone())
        .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let shadow_root = package.target_dir.join("iis-shadow");
    clear_stale_shadows(&shadow_root);

    let (stop, stopped) = mpsc::channel();
    ctrlc::set_handler(move || {
        let _ = stop.send(());
    })
    .map_err(|e| Error::msg(format!("cannot install the Ctrl-C handler: {e}")))?;

    let mut watcher = None;
    if args.watch {
        // The module crate, and the local crates it builds from (the SDK's,
        // with `cargo iis new --sdk-path`).
        let mut roots = vec![package.dir.clone()];
        roots.extend(cargo::local_dependency_dirs(&package)?);
        watcher = Some(Watcher::new(
            &roots,
            std::slice::from_ref(&package.target_dir),
            config_file.as_slice(),
        ));
    }
    let mut running: Option<Running> = None;
    let mut generation = 0;
    loop {
        generation += 1;
        match load(&package, args.release, &settings, &shadow_root, generation) {
            Ok((host, shadow)) => {
                // The old generation goes first: the address is then free.
                if let Some(old) = running.take() {
                    listen = old.server.local_addr().to_string();
                    old.stop();
                }
                let server = host
                    .serve(&listen)
                    .map_err(|e| Error::msg(format!("cannot listen on {listen}: {e}")))?;
                println!(
                    "cargo iis serve: serving {} (build {generation}) on http://{}{}",
                    package.name,
                    server.local_addr(),
                    if args.watch {
                        ", watching for changes (Ctrl-C to stop)"
                    } else {
                        " (Ctrl-C to stop)"
                    }
                );
                running = Some(Running {
                    host,
                    server,
                    generation,
                    shadow,
                });
            }
            Err(error) => {
                eprintln!("cargo iis serve: {error}");
                match &running {
                    Some(old) => eprintln!(
                        "cargo iis serve: still serving build {} on http://{}; waiting for the next change",
                        old.generation,
                        old.server.local_addr()
                    ),
                    None if !args.watch => return Err(error),
                    None => eprintln!(
                        "cargo iis serve: nothing to serve yet; waiting for the next change"
                    ),
                }
            }
        }
        let _ = std::io::stdout().flush();
        // Wait for Ctrl-C, or (with --watch) a change.
        let Some(watcher) = watcher.as_mut() else {
            let _ = stopped.recv();
            break;
        };
        let mut stop_now = false;
        loop {
            if stopped.recv_timeout(POLL).is_ok() {
                stop_now = true;
                break;
            }
            if let Some(file) = watcher.changed() {
                println!("cargo iis serve: {} changed; rebuilding", file.display());
                break;
            }
        }
        if stop_now {
            break;
        }
        if config_file.is_some() {
            match read_settings() {
                Ok(new) => settings = new,
                Err(error) => eprintln!("cargo iis serve: {error}; keeping the earlier settings"),
            }
        }
    }
    println!("cargo iis serve: stopping");
    if let Some(running) = running {
        running.stop();
    }
    println!("cargo iis serve: stopped");
    Ok(ExitCode::SUCCESS)
}

/// Builds the module, copies it to a new shadow folder and loads it in a
/// new host.
fn load(
    package: &ModulePackage,
    release: bool,
    settings: &Settings,
    shadow_root: &Path,
    generation: usize,
) -> Result<(Arc<Host>, PathBuf)> {
    let mut command = cargo::cargo();
    command.args(["build", "--package", &package.name]);
    if release {
        command.arg("--release");
    }
    let built = cargo::build_libraries(command, &package.lib_name)?;
    let library = &built[0];
    let shadow = shadow_root.join(format!("{}-{generation}", std::process::id()));
    std::fs::create_dir_all(&shadow)
        .map_err(|e| Error::io(format!("cannot create {}", shadow.display()), e))?;
    let file_name = library.file_name().unwrap_or_default();
    let copy = shadow.join(file_name);
    std::fs::copy(library, &copy).map_err(|e| {
        Error::io(
            format!("cannot copy {} to {}", library.display(), copy.display()),
            e,
        )
    })?;
    let host = Host::builder()
        .config(settings.host_config())
        .module_named(&package.lib_name, &copy)
        .build()
        .map_err(|e| {
            let _ = std::fs::remove_dir_all(&shadow);
            Error::msg(format!("the module does not load: {e}"))
        })?;
    Ok((Arc::new(host), shadow))
}

/// Removes shadow copies that earlier runs left (best effort: a copy that
/// another running `serve` holds open on Windows stays).
fn clear_stale_shadows(root: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let _ = std::fs::remove_dir_all(entry.path());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_file_sets_the_site() {
        let settings = Settings::parse(
            "# the emulated site\nlisten = \"127.0.0.1:0\"\nphysical_path = \"C:\\\\sites\\\\app\\\\\"\nsite_name = \"Site \\\"A\\\"\"\nworker_threads = 2\n",
        )
        .unwrap();
        assert_eq!(settings.listen.as_deref(), Some("127.0.0.1:0"));
        assert_eq!(settings.physical_path.as_deref(), Some("C:\\sites\\app\\"));
        assert_eq!(settings.site_name.as_deref(), Some("Site \"A\""));
        assert_eq!(settings.worker_threads, Some(2));
        let config = settings.host_config();
        assert_eq!(config.site_name, "Site \"A\"");
        assert_eq!(config.app_pool_name, HostConfig::default().app_pool_name);
    }

    #[test]
    fn a_bad_config_line_names_its_number() {
        for (text, expected) in [
            ("listen = 8080", "line 1: expected a quoted string value"),
            ("\nsite = \"x\"", "line 2: unknown key site"),
            ("listen", "line 1: expected key = \"value\""),
        ] {
            assert_eq!(Settings::parse(text).unwrap_err(), expected);
        }
    }
}
