//! The configuration system behind `IAppHostAdminManager::GetAdminSection`:
//! applicationHost.config and the site's `web.config` files, in IIS's own
//! format, merged along the configuration path as IIS merges them.
//!
//! What IIS does, and what is done here (from Microsoft's "Configuration
//! reference" and "The new configuration system in IIS 7" articles, and the
//! [MS-IISA] description of `GetAdminSection`):
//!
//! * A section's effective value at `MACHINE/WEBROOT/APPHOST/Site/a/b` is
//!   merged level by level: applicationHost.config's top-level section, then
//!   for each deeper level (`Site`, `Site/a`, `Site/a/b`) its
//!   `<location path="…">` in applicationHost.config, the `<location>`s of
//!   parent `web.config` files that point at that level, and the level's own
//!   `web.config` (`<physicalPath>/a/web.config`). Later wins per attribute;
//!   child elements merge recursively.
//! * Collections: `<add>` appends an entry (an entry whose unique key is
//!   already there is an error, `ERROR_ALREADY_EXISTS`), `<remove>` drops
//!   the entry with its key, `<clear>` drops everything inherited so far.
//! * Locking: a section whose declaration (`<configSections>`) says
//!   `overrideModeDefault="Deny"`, or that a `<location overrideMode="Deny">`
//!   locked, cannot be set in a `web.config` below (`ERROR_LOCK_VIOLATION`,
//!   IIS's 500.19 with 0x80070021); `lockAttributes="a,b"` locks those
//!   attributes for the levels below. (`lockElements` and
//!   `lockAllAttributesExcept` are not implemented.)
//! * Defaults: an attribute no level sets has its schema `defaultValue`.
//! * Errors: malformed XML, an element or attribute the schema does not
//!   know, a collection entry without a required attribute: the section
//!   cannot be read, `HRESULT_FROM_WIN32(ERROR_INVALID_DATA)` (0x8007000D,
//!   the code of IIS's 500.19 "configuration data is invalid"). A value the
//!   schema type rejects (`bool="yes"`) does not fail the section: the
//!   property's `get_Value` fails with `ERROR_INVALID_DATA` and its
//!   `get_Exception` says why, as `IAppHostProperty::Exception` is
//!   documented to. A section no schema declares: `ERROR_INVALID_PARAMETER`
//!   (0x80070057; [MS-IISA] lists it for a bad section name).
//!
//! Files are read on every `GetAdminSection`, so a changed `web.config` is
//! seen by the next request, as IIS's change notifications make it; the
//! files read are watched ([`Sources::changed`]), and the engine raises
//! `GL_CONFIGURATION_CHANGE` for each changed one before the next request.

pub(crate) mod apphost;
pub(crate) mod schema;
pub(crate) mod value;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use iis_sys::{
    E_INVALIDARG, HRESULT, HRESULT_ERROR_ALREADY_EXISTS, HRESULT_ERROR_INVALID_DATA,
    HRESULT_ERROR_LOCK_VIOLATION,
};

use schema::{AttributeSchema, ElementSchema, Schemas, line};

/// The root of every configuration path of the emulated server.
pub(crate) const APPHOST: &str = "MACHINE/WEBROOT/APPHOST";

/// Why a section cannot be read (what `IAppHostConfigException` reports).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConfigFault {
    pub(crate) hr: HRESULT,
    pub(crate) file: String,
    pub(crate) line: u32,
    pub(crate) config_path: String,
    pub(crate) message: String,
}

impl ConfigFault {
    pub(crate) fn invalid(file: &str, line: u32, message: impl Into<String>) -> Self {
        ConfigFault {
            hr: HRESULT_ERROR_INVALID_DATA,
            file: file.to_owned(),
            line,
            config_path: String::new(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for ConfigFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}, line {}): {}",
            self.config_path, self.file, self.line, self.message
        )
    }
}

/// Where a value was set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Origin {
    pub(crate) file: String,
    pub(crate) line: u32,
    pub(crate) config_path: String,
}

/// One attribute of a merged element.
#[derive(Debug, Clone)]
pub(crate) struct Prop {
    pub(crate) schema: AttributeSchema,
    /// The text set in a file, or `None` for the schema default.
    pub(crate) raw: Option<(String, Origin)>,
}

impl Prop {
    /// The effective text: what a file set, else the default (else empty).
    pub(crate) fn text(&self) -> &str {
        match &self.raw {
            Some((text, _)) => text,
            None => self.schema.default.as_deref().unwrap_or(""),
        }
    }
}

/// A merged element: a section, a child element or a collection entry.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub(crate) name: String,
    pub(crate) props: Vec<Prop>,
    pub(crate) children: Vec<Arc<Node>>,
    /// The entries, when the schema gives the element a collection.
    pub(crate) entries: Option<Vec<Arc<Node>>>,
    /// The config path the section was read for.
    pub(crate) config_path: Arc<str>,
}

/// What a watched file looked like when last read: `None` when absent.
type Stamp = Option<(std::time::SystemTime, u64)>;

fn stamp(path: &Path) -> Stamp {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

/// Merged sections by (section, configuration path), lower case.
type Merged = std::collections::HashMap<(String, String), Arc<Node>>;

/// Where configuration comes from.
#[derive(Debug, Default)]
pub(crate) struct Sources {
    /// Every configuration file `GetAdminSection` looked at (present or
    /// not): its state then, and its configuration path.
    watched: std::sync::Mutex<std::collections::HashMap<PathBuf, (Stamp, String)>>,
    /// applicationHost.config, if any.
    pub(crate) application_host: Option<PathBuf>,
    /// The schema files.
    pub(crate) schemas: Schemas,
    /// The site whose `web.config` files are read.
    pub(crate) site_name: String,
    /// The site root's physical path.
    pub(crate) physical_path: PathBuf,
    /// Merged sections by (section, configuration path), lower case, until
    /// a watched file changes (IIS too keeps what it read until its change
    /// notifications say otherwise); with the count of such changes, so a
    /// merge that raced with one is not kept.
    merged: std::sync::Mutex<(u64, Merged)>,
}

/// A mutable element while levels merge.
#[derive(Debug, Clone)]
struct Draft {
    schema: Arc<ElementSchema>,
    props: Vec<Option<(String, Origin)>>,
    locked: Vec<String>,
    children: Vec<Draft>,
    entries: Option<Vec<Draft>>,
}

impl Draft {
    fn new(schema: &Arc<ElementSchema>) -> Self {
        Draft {
            schema: Arc::clone(schema),
            props: vec![None; schema.attributes.len()],
            locked: Vec::new(),
            children: schema.children.iter().map(Draft::new).collect(),
            entries: schema.collection.as_ref().map(|_| Vec::new()),
        }
    }

    fn freeze(self, config_path: &Arc<str>) -> Arc<Node> {
        Arc::new(Node {
            name: self.schema.name.clone(),
            props: self
                .schema
                .attributes
                .iter()
                .cloned()
                .zip(self.props)
                .map(|(schema, raw)| Prop { schema, raw })
                .collect(),
            children: self
                .children
                .into_iter()
                .map(|c| c.freeze(config_path))
                .collect(),
            entries: self
                .entries
                .map(|e| e.into_iter().map(|c| c.freeze(config_path)).collect()),
            config_path: Arc::clone(config_path),
        })
    }

    fn key(&self, keys: &[&str]) -> Vec<Option<String>> {
        keys.iter()
            .map(|k| {
                let i = self.schema.attributes.iter().position(|a| a.name == *k)?;
                self.props[i].as_ref().map(|(v, _)| v.to_ascii_lowercase())
            })
            .collect()
    }
}

/// The context of one contribution while it merges.
struct Level<'a> {
    file: &'a str,
    config_path: &'a str,
    /// From a web.config (locks apply), not applicationHost.config.
    delegated: bool,
}

impl Level<'_> {
    fn fault(&self, hr: HRESULT, line: u32, message: impl Into<String>) -> ConfigFault {
        ConfigFault {
            hr,
            file: self.file.to_owned(),
            line,
            config_path: self.config_path.to_owned(),
            message: message.into(),
        }
    }
}

/// Attributes every element may carry (locking and XDT transforms).
fn is_meta_attribute(name: &str, namespaced: bool) -> bool {
    namespaced || name.starts_with("lock") || name == "configSource"
}

fn merge(
    draft: &mut Draft,
    xml: roxmltree::Node<'_, '_>,
    level: &Level<'_>,
) -> Result<(), ConfigFault> {
    let at = line(&xml);
    for attr in xml.attributes() {
        let name = attr.name();
        if name == "lockAttributes" {
            draft.locked.extend(
                attr.value()
                    .split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty()),
            );
            continue;
        }
        if is_meta_attribute(name, attr.namespace().is_some()) {
            continue;
        }
        let Some(i) = draft.schema.attributes.iter().position(|a| a.name == name) else {
            return Err(level.fault(
                HRESULT_ERROR_INVALID_DATA,
                at,
                format!("Unrecognized attribute '{name}'"),
            ));
        };
        if level.delegated && draft.locked.iter().any(|l| l == name) {
            return Err(level.fault(
                HRESULT_ERROR_LOCK_VIOLATION,
                at,
                format!("The attribute '{name}' is locked at a parent level (lockAttributes)"),
            ));
        }
        draft.props[i] = Some((
            attr.value().to_owned(),
            Origin {
                file: level.file.to_owned(),
                line: at,
                config_path: level.config_path.to_owned(),
            },
        ));
    }
    for child in xml.children().filter(roxmltree::Node::is_element) {
        let name = child.tag_name().name();
        let at = line(&child);
        if let Some(i) = draft.schema.children.iter().position(|c| c.name == name) {
            merge(&mut draft.children[i], child, level)?;
            continue;
        }
        let Some(collection) = draft.schema.collection.clone() else {
            return Err(level.fault(
                HRESULT_ERROR_INVALID_DATA,
                at,
                format!("Unrecognized element '{name}'"),
            ));
        };
        let entries = draft.entries.get_or_insert_with(Vec::new);
        let keys = collection.keys();
        if name == collection.add {
            let mut entry = Draft::new(&collection.entry);
            merge(&mut entry, child, level)?;
            for (i, attr) in collection.entry.attributes.iter().enumerate() {
                if attr.required && entry.props[i].is_none() {
                    return Err(level.fault(
                        HRESULT_ERROR_INVALID_DATA,
                        at,
                        format!("Missing required attribute '{}'", attr.name),
                    ));
                }
            }
            let key = entry.key(&keys);
            if entries.iter().any(|e| e.key(&keys) == key) {
                let shown: Vec<String> = keys
                    .iter()
                    .zip(&key)
                    .map(|(k, v)| format!("{k}='{}'", v.as_deref().unwrap_or("")))
                    .collect();
                return Err(level.fault(
                    HRESULT_ERROR_ALREADY_EXISTS,
                    at,
                    format!(
                        "Cannot add duplicate collection entry of type '{name}' with {}",
                        shown.join(", ")
                    ),
                ));
            }
            entries.push(entry);
        } else if collection.remove.as_deref() == Some(name) {
            let mut probe = Draft::new(&collection.entry);
            merge(&mut probe, child, level)?;
            let key = probe.key(&keys);
            entries.retain(|e| e.key(&keys) != key);
        } else if collection.clear.as_deref() == Some(name) {
            entries.clear();
        } else {
            return Err(level.fault(
                HRESULT_ERROR_INVALID_DATA,
                at,
                format!("Unrecognized element '{name}'"),
            ));
        }
    }
    Ok(())
}

/// The section element under `parent` (`system.webServer/x` is
/// `<system.webServer><x>`).
fn find_section<'a, 'i>(
    parent: roxmltree::Node<'a, 'i>,
    section: &str,
) -> Option<roxmltree::Node<'a, 'i>> {
    let mut node = parent;
    for part in section.split('/') {
        node = node.children().find(|n| n.has_tag_name(part))?;
    }
    Some(node)
}

fn location_path(node: roxmltree::Node<'_, '_>) -> String {
    node.attribute("path")
        .unwrap_or("")
        .trim_matches('/')
        .trim_matches('.')
        .to_owned()
}

fn join(base: &str, rel: &str) -> String {
    match (base.is_empty(), rel.is_empty()) {
        (_, true) => base.to_owned(),
        (true, false) => rel.to_owned(),
        (false, false) => format!("{base}/{rel}"),
    }
}

/// A lock of this module's tables (a panic while one was held leaves
/// nothing half-changed that matters: they are caches and stamps).
fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn same_path(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// A parsed configuration file.
struct File {
    name: String,
    text: String,
    /// Its level, relative to APPHOST (`""` for applicationHost.config).
    level: String,
    delegated: bool,
}

fn read(path: &Path, level: String, delegated: bool) -> Result<Option<File>, ConfigFault> {
    // A file that changes between the stamp and the read is reported once
    // more by `changed`: harmless.
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(File {
            name: path.display().to_string(),
            text,
            level,
            delegated,
        })),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ConfigFault::invalid(
            &path.display().to_string(),
            0,
            format!("cannot read the file: {e}"),
        )),
    }
}

impl Sources {
    /// The sources of a host configuration (schemas parsed once, here).
    pub(crate) fn from_config(config: &crate::HostConfig) -> Result<Self, String> {
        let mut schemas = Schemas::default();
        for (i, text) in config.config_schemas.iter().enumerate() {
            schemas
                .add_file(&format!("schema #{}", i + 1), text)
                .map_err(|f| format!("{} line {}: {}", f.file, f.line, f.message))?;
        }
        Ok(Sources {
            watched: Default::default(),
            merged: Default::default(),
            application_host: config.application_host_config.clone(),
            schemas,
            site_name: config.site_name.clone(),
            physical_path: PathBuf::from(&config.physical_path),
        })
    }

    /// Remembers a file's state as read, for [`changed`](Self::changed).
    fn watch(&self, path: &Path, level: &str) {
        let config_path = if level.is_empty() {
            APPHOST.to_owned()
        } else {
            format!("{APPHOST}/{level}")
        };
        lock(&self.watched)
            .entry(path.to_path_buf())
            .or_insert_with(|| (stamp(path), config_path));
    }

    /// The configuration paths of the watched files that changed (were
    /// written, created or deleted) since they were read, each once: what
    /// IIS's change notifications on its configuration files report as
    /// `GL_CONFIGURATION_CHANGE`.
    pub(crate) fn changed(&self) -> Vec<String> {
        let mut watched = lock(&self.watched);
        let mut paths = Vec::new();
        for (path, (seen, config_path)) in watched.iter_mut() {
            let now = stamp(path);
            if now != *seen {
                *seen = now;
                if !paths.contains(config_path) {
                    paths.push(config_path.clone());
                }
            }
        }
        paths.sort();
        if !paths.is_empty() {
            let mut merged = lock(&self.merged);
            merged.0 += 1;
            merged.1.clear();
        }
        paths
    }

    /// The files that may contribute to `levels` (relative to APPHOST):
    /// applicationHost.config and the site's web.config files.
    fn files(&self, segments: &[&str]) -> Result<Vec<File>, ConfigFault> {
        let mut files = Vec::new();
        if let Some(path) = &self.application_host {
            self.watch(path, "");
            match read(path, String::new(), false)? {
                Some(f) => files.push(f),
                None => {
                    return Err(ConfigFault::invalid(
                        &path.display().to_string(),
                        0,
                        "applicationHost.config not found",
                    ));
                }
            }
        }
        if segments
            .first()
            .is_some_and(|s| same_path(s, &self.site_name))
        {
            let mut dir = self.physical_path.clone();
            for depth in 1..=segments.len() {
                if depth > 1 {
                    dir.push(segments[depth - 1]);
                }
                if !dir.is_dir() {
                    break;
                }
                let level = segments[..depth].join("/");
                self.watch(&dir.join("web.config"), &level);
                if let Some(f) = read(&dir.join("web.config"), level, true)? {
                    files.push(f);
                }
            }
        }
        Ok(files)
    }

    /// The section's merged value at `config_path`: merged once, then kept
    /// until [`changed`](Self::changed) finds a file it was read from
    /// changed (a fault is not kept: the next read tries again).
    pub(crate) fn section(
        &self,
        section: &str,
        config_path: &str,
    ) -> Result<Arc<Node>, ConfigFault> {
        let key = (
            section.to_ascii_lowercase(),
            config_path.to_ascii_lowercase(),
        );
        let changes = {
            let merged = lock(&self.merged);
            if let Some(node) = merged.1.get(&key) {
                return Ok(Arc::clone(node));
            }
            merged.0
        };
        let node = self.merge_section(section, config_path)?;
        let mut merged = lock(&self.merged);
        if merged.0 == changes {
            merged.1.insert(key, Arc::clone(&node));
        }
        Ok(node)
    }

    /// Reads and merges the section's levels at `config_path`.
    fn merge_section(&self, section: &str, config_path: &str) -> Result<Arc<Node>, ConfigFault> {
        let Some(schema) = self.schemas.section(section) else {
            return Err(ConfigFault {
                hr: E_INVALIDARG,
                file: String::new(),
                line: 0,
                config_path: config_path.to_owned(),
                message: format!("The configuration section '{section}' has no schema"),
            });
        };
        let rel = match config_path.get(..APPHOST.len()) {
            Some(head) if head.eq_ignore_ascii_case(APPHOST) => {
                config_path[APPHOST.len()..].trim_matches('/')
            }
            _ => {
                return Err(ConfigFault {
                    hr: E_INVALIDARG,
                    file: String::new(),
                    line: 0,
                    config_path: config_path.to_owned(),
                    message: format!("'{config_path}' is not under {APPHOST}"),
                });
            }
        };
        let segments: Vec<&str> = rel.split('/').filter(|s| !s.is_empty()).collect();
        let files = self.files(&segments)?;
        let docs = files
            .iter()
            .map(|f| {
                roxmltree::Document::parse(&f.text).map_err(|e| {
                    ConfigFault::invalid(
                        &f.name,
                        e.pos().row,
                        format!("the file is not well-formed XML: {e}"),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        for (file, doc) in files.iter().zip(&docs) {
            if !doc.root_element().has_tag_name("configuration") {
                return Err(ConfigFault::invalid(
                    &file.name,
                    1,
                    "the root element must be <configuration>",
                ));
            }
        }
        let mut override_allowed = self.override_default(&files, &docs, section);
        let mut draft = Draft::new(schema);
        // Level 0 (APPHOST itself), then each deeper level.
        for depth in 0..=segments.len() {
            let target = segments[..depth].join("/");
            for (file, doc) in files.iter().zip(&docs) {
                if file.level.len() > target.len() || !is_prefix(&file.level, &target) {
                    continue;
                }
                let root = doc.root_element();
                let full = format!(
                    "{APPHOST}{}{}",
                    if target.is_empty() { "" } else { "/" },
                    target
                );
                let level = Level {
                    file: &file.name,
                    config_path: &full,
                    delegated: file.delegated,
                };
                // The file's own level: its top-level section.
                if same_path(&file.level, &target)
                    && let Some(node) = find_section(root, section)
                {
                    check_override(&level, override_allowed, &node, section)?;
                    merge(&mut draft, node, &level)?;
                }
                for location in root.children().filter(|n| n.has_tag_name("location")) {
                    let path = join(&file.level, &location_path(location));
                    if !same_path(&path, &target) {
                        continue;
                    }
                    let Some(node) = find_section(location, section) else {
                        continue;
                    };
                    check_override(&level, override_allowed, &node, section)?;
                    merge(&mut draft, node, &level)?;
                    match location.attribute("overrideMode") {
                        Some(m) if m.eq_ignore_ascii_case("Deny") => override_allowed = false,
                        Some(m) if m.eq_ignore_ascii_case("Allow") => override_allowed = true,
                        _ => {}
                    }
                    if location
                        .attribute("allowOverride")
                        .is_some_and(|v| v.eq_ignore_ascii_case("false"))
                    {
                        override_allowed = false;
                    }
                }
            }
        }
        let config_path: Arc<str> = Arc::from(config_path);
        Ok(draft.freeze(&config_path))
    }

    /// `overrideModeDefault` of the section's declaration in
    /// applicationHost.config (`Allow` when it does not say).
    fn override_default(
        &self,
        files: &[File],
        docs: &[roxmltree::Document<'_>],
        section: &str,
    ) -> bool {
        let Some((_, doc)) = files.iter().zip(docs).find(|(f, _)| !f.delegated) else {
            return true;
        };
        let Some(sections) = doc
            .root_element()
            .children()
            .find(|n| n.has_tag_name("configSections"))
        else {
            return true;
        };
        let (groups, name) = section.rsplit_once('/').unwrap_or(("", section));
        let mut node = sections;
        for group in groups.split('/').filter(|g| !g.is_empty()) {
            match node
                .children()
                .find(|n| n.has_tag_name("sectionGroup") && n.attribute("name") == Some(group))
            {
                Some(g) => node = g,
                None => return true,
            }
        }
        node.children()
            .find(|n| n.has_tag_name("section") && n.attribute("name") == Some(name))
            .and_then(|s| s.attribute("overrideModeDefault"))
            .is_none_or(|m| !m.eq_ignore_ascii_case("Deny"))
    }
}

fn is_prefix(prefix: &str, path: &str) -> bool {
    prefix.is_empty()
        || (path.len() >= prefix.len()
            && path[..prefix.len()].eq_ignore_ascii_case(prefix)
            && (path.len() == prefix.len() || path.as_bytes()[prefix.len()] == b'/'))
}

fn check_override(
    level: &Level<'_>,
    allowed: bool,
    node: &roxmltree::Node<'_, '_>,
    section: &str,
) -> Result<(), ConfigFault> {
    if level.delegated && !allowed {
        return Err(level.fault(
            HRESULT_ERROR_LOCK_VIOLATION,
            line(node),
            format!(
                "This configuration section ('{section}') cannot be used at this path. This happens when the section is locked at a parent level (overrideMode=\"Deny\" or overrideModeDefault=\"Deny\")"
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
