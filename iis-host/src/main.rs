//! The `iis-host` command: serve module libraries over HTTP, or run one
//! request through them in-process and print what happened.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use clap::{Parser, Subcommand};
use iis_host::http::{ConnectionFate, ServerConfig};
use iis_host::{Host, HostConfig, ModuleLogHook, Transcript};

/// Load IIS native modules (.dll / .so) and run requests through the
/// emulated IIS integrated pipeline.
#[derive(Debug, Parser)]
#[command(name = "iis-host", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve HTTP/1.1 until Ctrl-C or SIGTERM, logging one line per request.
    Serve {
        #[command(flatten)]
        setup: Setup,
        /// The address to listen on (default: the site's first http
        /// binding in --config, else 127.0.0.1:8080).
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
        /// The application's physical path (default: the site's in
        /// --config); IIS's static file handler serves its files.
        #[arg(long, value_name = "DIR")]
        physical_path: Option<String>,
        #[command(flatten)]
        limits: Limits,
    },
    /// Run one request in-process and print the response, the connection's
    /// fate and the notification trace.
    Request {
        #[command(flatten)]
        setup: Setup,
        /// A request header, `Name: value` (repeatable).
        #[arg(long = "header", short = 'H', value_name = "HEADER")]
        headers: Vec<String>,
        /// The request body.
        #[arg(long, value_name = "TEXT")]
        data: Option<String>,
        /// Also print the module→host calls.
        #[arg(long)]
        calls: bool,
        /// The method, e.g. GET.
        method: String,
        /// The URL path (and query), e.g. /index.html?x=1.
        url: String,
    },
}

/// The modules and configuration of a host.
#[derive(Debug, clap::Args)]
struct Setup {
    /// A module library to load, `PATH` or `NAME=PATH` (the name
    /// `RegisterModule` receives; default: the file stem). Repeat for
    /// several, in pipeline order, after the --config file's
    /// `<globalModules>`.
    #[arg(
        long = "module",
        value_name = "[NAME=]PATH",
        required_unless_present = "config"
    )]
    modules: Vec<ModuleArg>,
    /// An applicationHost.config in IIS's format: the site (its name, id,
    /// bindings, physical path, application pool), `<globalModules>` to
    /// load, handler mappings, and the configuration sections modules read.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The site of --config to run (default: the first).
    #[arg(long, value_name = "NAME", requires = "config")]
    site: Option<String>,
    /// A configuration schema file (`<configSchema>`) for the sections
    /// modules read (repeatable).
    #[arg(long = "schema", value_name = "FILE")]
    schemas: Vec<PathBuf>,
}

impl Setup {
    /// The host builder and the site's listen addresses.
    fn builder(&self) -> Result<(iis_host::HostBuilder, Vec<String>), String> {
        let (mut builder, listen) = match &self.config {
            Some(path) => {
                let app = iis_host::ApplicationHost::load(path, self.site.as_deref())?;
                let listen = app.listen.clone();
                (
                    iis_host::HostBuilder::from_application_host(path, self.site.as_deref())
                        .map_err(|e| e.to_string())?,
                    listen,
                )
            }
            None => (Host::builder(), Vec::new()),
        };
        for schema in &self.schemas {
            let text = std::fs::read_to_string(schema)
                .map_err(|e| format!("{}: {e}", schema.display()))?;
            builder = builder.config_schema(text);
        }
        for module in &self.modules {
            builder = match &module.name {
                Some(name) => builder.module_named(name, &module.path),
                None => builder.module(&module.path),
            };
        }
        Ok((builder, listen))
    }
}

/// The limits of `serve` (HTTP.sys's defaults unless given).
#[derive(Debug, clap::Args)]
struct Limits {
    /// The most connections open at once (beyond it: 503).
    #[arg(long, value_name = "N", default_value_t = ServerConfig::default().max_connections)]
    max_connections: usize,
    /// The largest request head in bytes (beyond it: 431).
    #[arg(long, value_name = "BYTES", default_value_t = ServerConfig::default().max_header_bytes)]
    max_header_bytes: usize,
    /// The largest request body in bytes (beyond it: 413).
    #[arg(long, value_name = "BYTES", default_value_t = ServerConfig::default().max_body_bytes)]
    max_body_bytes: u64,
    /// Seconds a connection may stay idle, a head take, a body or a
    /// response stall (0: no limit).
    #[arg(long, value_name = "SECONDS", default_value_t = ServerConfig::default().read_timeout.as_secs())]
    timeout: u64,
    /// Threads of the worker pool notifications run on (default: 4 per CPU).
    #[arg(long, value_name = "N")]
    worker_threads: Option<usize>,
}

impl Limits {
    /// These limits applied to `config`.
    fn apply(&self, config: &mut HostConfig) {
        let server = &mut config.server;
        server.max_connections = self.max_connections;
        server.max_header_bytes = self.max_header_bytes;
        server.max_body_bytes = self.max_body_bytes;
        server.read_timeout = Duration::from_secs(self.timeout);
        if let Some(threads) = self.worker_threads {
            config.worker_threads = threads;
        }
    }
}

/// `--module [NAME=]PATH`. A DLL that registers several modules picks one
/// by the name `RegisterModule` receives, as IIS's `<globalModules>` entry
/// names it.
#[derive(Debug, Clone)]
struct ModuleArg {
    name: Option<String>,
    path: PathBuf,
}

impl std::str::FromStr for ModuleArg {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, String> {
        // `NAME=PATH`, where NAME holds no path separator (so that a path
        // that merely contains `=` stays a path).
        match value.split_once('=') {
            Some((name, path)) if !name.contains(['/', '\\']) => {
                if name.is_empty() || path.is_empty() {
                    return Err(format!("expected PATH or NAME=PATH, got {value:?}"));
                }
                Ok(ModuleArg {
                    name: Some(name.to_owned()),
                    path: PathBuf::from(path),
                })
            }
            _ => Ok(ModuleArg {
                name: None,
                path: PathBuf::from(value),
            }),
        }
    }
}

fn serve(
    setup: &Setup,
    listen: Option<String>,
    physical_path: Option<String>,
    limits: &Limits,
) -> Result<(), String> {
    let (builder, bindings) = setup.builder()?;
    let listen = listen
        .or_else(|| bindings.first().cloned())
        .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let listen = listen.as_str();
    let mut config = builder.current_config().clone();
    if let Some(path) = physical_path {
        config.physical_path = path;
    }
    limits.apply(&mut config);
    config.server.on_request = Some(Arc::new(|line| {
        let mut out = io::stdout().lock();
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }));
    // What a module's SDK reported (why a request got its 500) and what the
    // module logged, as it happens: above the line of its request.
    config.on_module_log = Some(ModuleLogHook::new(|record| {
        let mut out = io::stdout().lock();
        let _ = writeln!(out, "  {record}");
        let _ = out.flush();
    }));
    let host = Arc::new(builder.config(config).build().map_err(|e| e.to_string())?);
    let (stop, stopped) = mpsc::channel();
    ctrlc::set_handler(move || {
        let _ = stop.send(());
    })
    .map_err(|e| format!("cannot install the Ctrl-C/SIGTERM handler: {e}"))?;
    let server = host
        .serve(listen)
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    println!(
        "iis-host: serving {} on http://{} (Ctrl-C to stop)",
        host.module_names().join(", "),
        server.local_addr()
    );
    let _ = stopped.recv();
    println!("iis-host: stopping");
    server.shutdown().map_err(|e| e.to_string())?;
    host.shutdown();
    println!("iis-host: stopped");
    Ok(())
}

fn request(
    setup: &Setup,
    method: &str,
    url: &str,
    headers: &[String],
    data: Option<String>,
    with_calls: bool,
) -> Result<(), String> {
    let host = setup.builder()?.0.build().map_err(|e| e.to_string())?;
    let mut builder = http::Request::builder().method(method).uri(url);
    for header in headers {
        let (name, value) = header
            .split_once(':')
            .ok_or_else(|| format!("a header is `Name: value`, not {header:?}"))?;
        builder = builder.header(name.trim(), value.trim());
    }
    let request = builder
        .body(data.map(String::into_bytes).unwrap_or_default())
        .map_err(|e| format!("invalid request: {e}"))?;
    let transcript = host.run(request);
    host.shutdown();
    let mut out = io::stdout().lock();
    print_transcript(&mut out, &transcript, with_calls).map_err(|e| e.to_string())
}

/// What the client received, the fate, then the trace (`writeln!` ends lines
/// with `\n` on every OS, so the output compares byte-for-byte).
fn print_transcript(out: &mut impl Write, t: &Transcript, with_calls: bool) -> io::Result<()> {
    if t.status != 0 {
        writeln!(out, "HTTP/1.1 {} {}", t.status, t.reason)?;
        for (name, value) in &t.headers {
            writeln!(out, "{name}: {}", String::from_utf8_lossy(value))?;
        }
        out.write_all(b"\n")?;
        out.write_all(&t.body)?;
        if !t.body.is_empty() && !t.body.ends_with(b"\n") {
            out.write_all(b"\n")?;
        }
    }
    let fate = match t.fate {
        ConnectionFate::Reset => "reset",
        ConnectionFate::Closed => "closed",
        _ => "kept-alive",
    };
    writeln!(out, "connection: {fate}")?;
    for line in t.notification_lines() {
        writeln!(out, "{line}")?;
    }
    for record in t.module_log() {
        writeln!(out, "{record}")?;
    }
    if with_calls {
        for call in &t.calls {
            writeln!(out, "{call}")?;
        }
    }
    out.flush()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve {
            setup,
            listen,
            physical_path,
            limits,
        } => serve(&setup, listen, physical_path, &limits),
        Command::Request {
            setup,
            headers,
            data,
            calls,
            method,
            url,
        } => request(&setup, &method, &url, &headers, data, calls),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("iis-host: {message}");
            ExitCode::FAILURE
        }
    }
}
