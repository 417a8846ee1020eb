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
    /// An applicationHost.config in IIS's format, as `iis-host serve
    /// --config` reads it: the site (name, id, pool, physical path, its
    /// http binding as the address), the global modules to load before the
    /// crate's, handler mappings, and the configuration sections modules
    /// read (with the site's web.config files).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The site of --config to serve [default: its first].
    #[arg(long, value_name = "NAME", requires = "config")]
    site: Option<String>,
    /// The schema of the module's configuration section [default:
    /// schema.xml in the crate, when there is one].
    #[arg(long, value_name = "FILE")]
    schema: Option<PathBuf>,
    /// The address to listen on [default: 127.0.0.1:8080, or the config's].
    #[arg(long, value_name = "ADDR")]
    listen: Option<String>,
    /// Build and serve the release profile.
    #[arg(long)]
    release: bool,
}

/// The site to emulate: iis-host's defaults, or what `--config` says.
struct Site {
    config: HostConfig,
    /// The global modules of `--config`, loaded before the crate's.
    global_modules: Vec<(String, PathBuf)>,
    /// The site's first http binding.
    listen: Option<String>,
}

impl Site {
    /// Reads `--config` (if given) and the section schema (if any).
    fn read(config: Option<&Path>, site: Option<&str>, schema: Option<&Path>) -> Result<Site> {
        let mut read = match config {
            None => Site {
                config: HostConfig::default(),
                global_modules: Vec::new(),
                listen: None,
            },
            Some(file) => {
                let app = iis_host::ApplicationHost::load(file, site).map_err(Error::msg)?;
                Site {
                    config: app.config,
                    global_modules: app.global_modules,
                    listen: app.listen.into_iter().next(),
                }
            }
        };
        if let Some(schema) = schema {
            let text = std::fs::read_to_string(schema)
                .map_err(|e| Error::io(format!("cannot read {}", schema.display()), e))?;
            read.config.config_schemas.push(text);
        }
        read.config.server.on_request = Some(Arc::new(|line| {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
        }));
        Ok(read)
    }
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
    let schema_file = args.schema.as_deref().map(crate::absolute).or_else(|| {
        let default = package.dir.join("schema.xml");
        default.is_file().then_some(default)
    });
    let read_site = || {
        Site::read(
            config_file.as_deref(),
            args.site.as_deref(),
            schema_file.as_deref(),
        )
    };
    let mut site = read_site()?;
    let mut listen = args
        .listen
        .clone()
        .or_else(|| site.listen.clone())
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
        let files: Vec<PathBuf> = config_file.iter().chain(&schema_file).cloned().collect();
        watcher = Some(Watcher::new(
            &roots,
            std::slice::from_ref(&package.target_dir),
            &files,
        ));
    }
    let mut running: Option<Running> = None;
    let mut generation = 0;
    loop {
        generation += 1;
        match load(&package, args.release, &site, &shadow_root, generation) {
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
        match read_site() {
            Ok(new) => site = new,
            Err(error) => eprintln!("cargo iis serve: {error}; keeping the earlier site"),
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
    site: &Site,
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
    let mut builder = Host::builder().config(site.config.clone());
    for (name, image) in &site.global_modules {
        builder = builder.module_named(name, image);
    }
    let host = builder
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

    /// The configured_headers example's site, as `--config` and `--schema`
    /// would give it.
    #[test]
    fn config_reads_an_application_host_config_and_the_schema() {
        let example =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/modules/configured_headers");
        let config = example.join("applicationHost.config");
        let schema = example.join("configuredHeaders_schema.xml");
        let site = Site::read(Some(&config), None, Some(&schema)).unwrap();
        assert_eq!(
            site.config.application_host_config.as_deref(),
            Some(config.as_path())
        );
        assert_eq!(site.config.config_schemas.len(), 1);
        assert!(site.config.config_schemas[0].contains("configuredHeaders"));
        assert!(site.global_modules.is_empty());

        let defaults = Site::read(None, None, None).unwrap();
        assert_eq!(defaults.config.application_host_config, None);
        assert!(defaults.listen.is_none());
    }

    #[test]
    fn a_config_that_cannot_be_read_is_an_error_naming_it() {
        let missing = Path::new("/nonexistent/applicationHost.config");
        let error = Site::read(Some(missing), None, None).err().unwrap();
        assert!(
            error.to_string().contains("applicationHost.config"),
            "{error}"
        );
    }
}
