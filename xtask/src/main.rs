//! Workspace tasks: `cargo xtask codegen [--check]` regenerates (or checks)
//! the committed generated sources of iis-sys; `cargo xtask api-map
//! [--check]` regenerates (or checks) `docs/api-map.md`.

mod abi_table;
mod api_map;
mod interfaces;
mod methods;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// The Windows metadata types iis-sys needs (http.h and a few Win32 basics).
/// windows-bindgen pulls in the types these depend on.
const WIN32_TYPES: &[&str] = &[
    "HTTP_DATA_CHUNK",
    "HTTP_DATA_CHUNK_TYPE",
    "HTTP_VERB",
    "HTTP_REQUEST_V2",
    "HTTP_RESPONSE_V2",
    "HTTP_HEADER_ID",
    "HTTP_CACHE_POLICY",
    "HTTP_SSL_CLIENT_CERT_INFO",
    "HTTP_LOG_DATA",
    "HTTP_LOG_FIELDS_DATA",
    "HttpLogDataTypeFields",
    "HTTP_REQUEST_PROPERTY",
    "HANDLE",
    "PSID",
    "FILETIME",
    "SOCKADDR",
    "SOCKADDR_IN",
    "SOCKADDR_IN6",
    "AF_INET",
    "AF_INET6",
    "OVERLAPPED",
    "LPOVERLAPPED_COMPLETION_ROUTINE",
];

/// The Win32 functions iis-module itself calls on Windows (the event log of
/// `iis_module::event_log::EventLog`), generated as raw `windows_link::link!`
/// declarations into `iis-module/src/event_log/win32.rs`.
const EVENT_LOG_FUNCTIONS: &[&str] = &[
    "RegisterEventSourceW",
    "DeregisterEventSource",
    "ReportEventW",
    "EVENTLOG_SUCCESS",
    "EVENTLOG_ERROR_TYPE",
    "EVENTLOG_WARNING_TYPE",
    "EVENTLOG_INFORMATION_TYPE",
];

/// The OLE Automation types of the configuration interfaces (ahadmin.h):
/// `VARIANT` and its tags, generated windows-sys style (`--sys`: plain
/// data, interface pointers as `*mut c_void`) into a private module of
/// iis-sys, which re-exports what the interfaces use.
const OAUT_TYPES: &[&str] = &[
    "VARIANT",
    "VT_EMPTY",
    "VT_NULL",
    "VT_I2",
    "VT_I4",
    "VT_I8",
    "VT_UI1",
    "VT_UI2",
    "VT_UI4",
    "VT_UI8",
    "VT_INT",
    "VT_UINT",
    "VT_R8",
    "VT_BOOL",
    "VT_BSTR",
    "VT_UNKNOWN",
    "VT_DISPATCH",
    "VARIANT_TRUE",
    "VARIANT_FALSE",
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("codegen") => codegen(args.iter().any(|a| a == "--check")),
        Some("api-map") => api_map::run(&root(), args.iter().any(|a| a == "--check")),
        _ => {
            Err("usage: cargo xtask codegen [--check] | cargo xtask api-map [--check]".to_string())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// Generates every file into a scratch directory, then either copies them
/// into the tree or compares them with the committed ones.
fn codegen(check: bool) -> Result<(), String> {
    let root = root();
    let sys = root.join("iis-sys");
    let scratch = root.join("target").join("xtask-codegen");
    std::fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;

    let table = std::fs::read_to_string(sys.join("abi/httpserv-vtables.md"))
        .map_err(|e| format!("reading the slot table: {e}"))?;
    let classes = abi_table::parse(&table)?;
    let slots: usize = classes.iter().map(|c| c.slots.len()).sum();
    println!("slot table: {} classes, {slots} slots", classes.len());

    let outputs = [
        ("abi/httpserv.layout", interfaces::render_layout(&classes)?),
        ("src/interfaces.rs", interfaces::render_rust(&classes)?),
        ("src/methods.rs", methods::render(&classes)?),
        ("src/win32.rs", win32_bindings(&scratch)?),
        ("src/oaut.rs", oaut_bindings(&scratch)?),
    ];
    let mut stale = Vec::new();
    let module_outputs = [(
        "../iis-module/src/event_log/win32.rs",
        event_log_bindings(&scratch)?,
    )];
    for (rel, text) in outputs.into_iter().chain(module_outputs) {
        let text = if rel.ends_with(".rs") {
            rustfmt(&scratch, &text)?
        } else {
            text
        };
        let target = sys.join(rel);
        let current = std::fs::read_to_string(&target).unwrap_or_default();
        if current == text {
            continue;
        }
        if check {
            stale.push(rel);
        } else {
            std::fs::write(&target, text).map_err(|e| format!("{rel}: {e}"))?;
            println!("wrote iis-sys/{rel}");
        }
    }
    if stale.is_empty() {
        if check {
            println!("generated files are up to date");
        }
        Ok(())
    } else {
        Err(format!(
            "stale generated files in iis-sys: {}; run `cargo xtask codegen`",
            stale.join(", ")
        ))
    }
}

/// Runs windows-bindgen over Microsoft's bundled Windows metadata (offline).
fn win32_bindings(scratch: &Path) -> Result<String, String> {
    let out = scratch.join("win32.rs");
    let mut args = vec!["--out", out.to_str().ok_or("non-UTF-8 path")?, "--flat"];
    args.push("--filter");
    args.extend(WIN32_TYPES);
    windows_bindgen::bindgen(args);
    let body = std::fs::read_to_string(&out).map_err(|e| e.to_string())?;
    Ok(format!(
        "// @generated by `cargo xtask codegen` with windows-bindgen from Microsoft's\n\
         // Windows metadata. Do not edit; add types to WIN32_TYPES in xtask instead.\n\
         //! The http.h and Win32 types the IIS interfaces use.\n\n{body}"
    ))
}

/// `VARIANT` and friends for the ahadmin.h interfaces (see [`OAUT_TYPES`]).
fn oaut_bindings(scratch: &Path) -> Result<String, String> {
    sys_bindings(
        scratch,
        "oaut.rs",
        OAUT_TYPES,
        "add names to OAUT_TYPES in xtask instead.\n\
         //! The OLE Automation types (`VARIANT`, `BSTR`) of the ahadmin.h interfaces.",
    )
}

/// The event-log functions of iis-module: windows-sys style (`--sys`), so
/// they need only `windows-link`, which windows-core already depends on.
fn event_log_bindings(scratch: &Path) -> Result<String, String> {
    sys_bindings(
        scratch,
        "event_log.rs",
        EVENT_LOG_FUNCTIONS,
        "add names to EVENT_LOG_FUNCTIONS in xtask.\n\
         //! The Windows event-log functions `EventLog` calls on Windows.",
    )
}

/// windows-bindgen's windows-sys style bindings (`--flat --sys`) of
/// `filter`, under the generated-file header that ends with `note`.
fn sys_bindings(scratch: &Path, file: &str, filter: &[&str], note: &str) -> Result<String, String> {
    let out = scratch.join(file);
    let mut args = vec![
        "--out",
        out.to_str().ok_or("non-UTF-8 path")?,
        "--flat",
        "--sys",
        "--filter",
    ];
    args.extend(filter);
    windows_bindgen::bindgen(args);
    let body = std::fs::read_to_string(&out).map_err(|e| e.to_string())?;
    Ok(format!(
        "// @generated by `cargo xtask codegen` with windows-bindgen from Microsoft's\n\
         // Windows metadata. Do not edit; {note}\n\n{body}"
    ))
}

/// Formats generated source exactly as `cargo fmt` would.
fn rustfmt(scratch: &Path, text: &str) -> Result<String, String> {
    let file = scratch.join("fmt.rs");
    std::fs::write(&file, text).map_err(|e| e.to_string())?;
    let status = Command::new("rustfmt")
        .args(["--edition", "2024"])
        .arg(&file)
        .status()
        .map_err(|e| format!("running rustfmt: {e}"))?;
    if !status.success() {
        return Err("rustfmt failed on generated code".to_string());
    }
    std::fs::read_to_string(&file).map_err(|e| e.to_string())
}
