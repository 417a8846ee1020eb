//! The crate's layers, checked from its source: every `crate::` path in
//! `src/` must point at the importing file's own layer or one below it.
//!
//! From the top: the host API (`host.rs`, `serve.rs`, `service.rs`,
//! `notify.rs`, `testing.rs`, `main.rs`, `lib.rs`) → the engine (`engine/`)
//! → the ABI objects (`objects/`) → the state (`state/`) → the base (`ffi`,
//! `url`, `config`, `transcript`, `error`, `loader`, `message`,
//! `block_on`, `handlers`). The transport (`http/`) sits beside them: only the engine
//! and the host API import it, and it imports only the base. The objects
//! reach the engine through `engine::api` alone.
//!
//! The scan is textual: lines starting with `//` are skipped, `use` groups
//! (`crate::{a, b::{c, d}}`) are expanded, and each path is mapped to a
//! layer by its first segment (a crate-root re-export by the module it
//! comes from, as `lib.rs` says). The one import upward is the objects'
//! through `crate::engine::api`.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Layer {
    /// ffi, url, config, transcript, error, loader, message, block_on, handlers.
    Base,
    /// `state/`: data and locks.
    State,
    /// `objects/`: the vtables bound to the state.
    Objects,
    /// `engine/`: stages, dispatch, completions, the pool.
    Engine,
    /// The public host API and the binary.
    Host,
    /// `http/`: connections, codec, limits.
    Transport,
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Layer::Base => "base",
            Layer::State => "state",
            Layer::Objects => "objects",
            Layer::Engine => "engine",
            Layer::Host => "host API",
            Layer::Transport => "transport",
        };
        f.write_str(name)
    }
}

/// Imports allowed although the rules refuse them: (importing file, path
/// prefix, reason). Keep it short.
const EXCEPTIONS: &[(&str, &str, &str)] = &[];

/// The layer of a top-level module of the crate.
fn module_layer(module: &str) -> Option<Layer> {
    Some(match module {
        "ffi" | "url" | "config" | "configuration" | "transcript" | "error" | "loader"
        | "message" | "block_on" | "handlers" => Layer::Base,
        "state" => Layer::State,
        "objects" => Layer::Objects,
        "engine" => Layer::Engine,
        "http" => Layer::Transport,
        "host" | "serve" | "service" | "notify" | "testing" | "main" | "lib" => Layer::Host,
        _ => return None,
    })
}

/// The layer of a source file, by its path under `src/`.
fn file_layer(relative: &Path) -> Layer {
    let first = relative
        .components()
        .next()
        .and_then(|c| c.as_os_str().to_str())
        .expect("a path under src/");
    let module = first.strip_suffix(".rs").unwrap_or(first);
    module_layer(module).unwrap_or_else(|| {
        panic!(
            "{}: not assigned to a layer; add it to tests/layers.rs",
            relative.display()
        )
    })
}

/// Whether `from` may import `to`.
fn allowed(from: Layer, to: Layer) -> bool {
    match (from, to) {
        _ if from == to => true,
        (Layer::Transport, to) => to == Layer::Base,
        (from, Layer::Transport) => matches!(from, Layer::Engine | Layer::Host),
        (from, to) => to < from,
    }
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("readable src/") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The paths of the use-tree (or expression path) starting at `text[*at..]`,
/// right after `crate::`, each as its segments.
fn parse_tree(text: &[char], at: &mut usize, prefix: &[String], out: &mut Vec<Vec<String>>) {
    let skip_space = |at: &mut usize| {
        while *at < text.len() && text[*at].is_whitespace() {
            *at += 1;
        }
    };
    let mut path = prefix.to_vec();
    loop {
        skip_space(at);
        if *at < text.len() && text[*at] == '{' {
            *at += 1;
            loop {
                skip_space(at);
                if *at >= text.len() {
                    return;
                }
                if text[*at] == '}' {
                    *at += 1;
                    return;
                }
                if text[*at] == ',' {
                    *at += 1;
                    continue;
                }
                let before = *at;
                parse_tree(text, at, &path, out);
                if *at == before {
                    *at += 1;
                }
            }
        }
        let start = *at;
        while *at < text.len() && is_ident(text[*at]) {
            *at += 1;
        }
        if *at == start {
            if *at < text.len() && text[*at] == '*' {
                *at += 1;
            }
            out.push(path);
            return;
        }
        path.push(text[start..*at].iter().collect());
        if text[*at..].starts_with(&[':', ':']) {
            *at += 2;
        } else {
            out.push(path);
            return;
        }
    }
}

/// The `crate::` paths of a file, with the line each starts on.
fn crate_paths(source: &str) -> Vec<(usize, Vec<String>)> {
    let mut chars = Vec::new();
    let mut line_of = Vec::new();
    for (number, line) in source.lines().enumerate() {
        if line.trim_start().starts_with("//") {
            continue;
        }
        for c in line.chars().chain(['\n']) {
            chars.push(c);
            line_of.push(number + 1);
        }
    }
    let needle: Vec<char> = "crate::".chars().collect();
    let mut paths = Vec::new();
    let mut i = 0;
    while i + needle.len() <= chars.len() {
        let preceded_by_ident = i > 0 && is_ident(chars[i - 1]);
        if chars[i..].starts_with(&needle) && !preceded_by_ident {
            let mut at = i + needle.len();
            let mut found = Vec::new();
            parse_tree(&chars, &mut at, &[], &mut found);
            paths.extend(found.into_iter().map(|p| (line_of[i], p)));
            i = at.max(i + 1);
        } else {
            i += 1;
        }
    }
    paths
}

/// Crate-root re-exports (`pub use module::{A, B}` in lib.rs): name → module.
fn root_exports(lib: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    let text: String = lib
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    for statement in text.split(';') {
        let statement = statement.trim();
        let Some(rest) = statement
            .lines()
            .map(str::trim)
            .skip_while(|l| l.starts_with("#["))
            .collect::<Vec<_>>()
            .join(" ")
            .strip_prefix("pub use ")
            .map(str::to_owned)
        else {
            continue;
        };
        let chars: Vec<char> = rest.chars().collect();
        let mut at = 0;
        let mut found = Vec::new();
        parse_tree(&chars, &mut at, &[], &mut found);
        for path in found {
            if let (Some(module), Some(name)) = (path.first(), path.last()) {
                map.insert(name.clone(), module.clone());
            }
        }
    }
    map
}

/// The rules broken by the crate's sources, as `file:line -> path: why`,
/// and how many `crate::` paths were checked.
fn violations(src: &Path) -> (Vec<String>, usize) {
    let lib = fs::read_to_string(src.join("lib.rs")).expect("src/lib.rs");
    let exports = root_exports(&lib);
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let mut found = Vec::new();
    let mut checked = 0;
    for file in files {
        let relative = file.strip_prefix(src).expect("under src/").to_path_buf();
        let shown = format!("src/{}", relative.display()).replace('\\', "/");
        let from = file_layer(&relative);
        let source = fs::read_to_string(&file).expect("readable source");
        for (line, path) in crate_paths(&source) {
            let Some(first) = path.first() else { continue };
            let module = match module_layer(first) {
                Some(_) => first.clone(),
                None => match exports.get(first) {
                    Some(module) => module.clone(),
                    None => continue,
                },
            };
            let to = module_layer(&module).expect("a known module");
            checked += 1;
            let joined = format!("crate::{}", path.join("::"));
            let excepted = EXCEPTIONS
                .iter()
                .any(|(f, p, _)| *f == shown && joined.starts_with(p));
            if excepted {
                continue;
            }
            let through_api = path.get(1).map(String::as_str) == Some("api");
            if from == Layer::Objects && to == Layer::Engine {
                if !through_api {
                    found.push(format!(
                        "{shown}:{line} -> {joined}: objects reach the engine only through crate::engine::api"
                    ));
                }
            } else if !allowed(from, to) {
                found.push(format!(
                    "{shown}:{line} -> {joined}: the {from} layer may not import the {to} layer"
                ));
            }
        }
    }
    (found, checked)
}

#[test]
fn imports_follow_the_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let (found, checked) = violations(&src);
    // A scan that sees nothing proves nothing.
    assert!(checked > 300, "only {checked} crate:: paths found");
    assert!(
        found.is_empty(),
        "{} import(s) against the layers (see tests/layers.rs):\n{}",
        found.len(),
        found.join("\n")
    );
}

#[test]
fn the_scan_sees_groups_and_root_exports() {
    let paths: Vec<Vec<String>> = crate_paths(
        "use crate::{\n    engine::{api, dispatch::raise},\n    ffi::lock,\n};\n// crate::host\nlet x = crate::objects::Obj::<T>::data(p);\n",
    )
    .into_iter()
    .map(|(_, p)| p)
    .collect();
    let text: Vec<String> = paths.iter().map(|p| p.join("::")).collect();
    assert_eq!(
        text,
        [
            "engine::api",
            "engine::dispatch::raise",
            "ffi::lock",
            "objects::Obj"
        ]
    );
    let exports = root_exports(
        "pub use transcript::{\n    ApiCall, Notification,\n};\n#[cfg(x)]\npub use service::HostService;\n",
    );
    assert_eq!(
        exports.get("Notification").map(String::as_str),
        Some("transcript")
    );
    assert_eq!(
        exports.get("HostService").map(String::as_str),
        Some("service")
    );
    assert!(!allowed(Layer::State, Layer::Objects));
    assert!(!allowed(Layer::Objects, Layer::Transport));
    assert!(!allowed(Layer::Transport, Layer::Engine));
    assert!(allowed(Layer::Engine, Layer::Transport));
    assert!(allowed(Layer::Objects, Layer::State));
}
