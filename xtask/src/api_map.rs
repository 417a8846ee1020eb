//! `cargo xtask api-map [--check]`: writes (or checks) `docs/api-map.md`,
//! the map from every method httpserv.h declares to the safe Rust API.
//!
//! The methods come from the slot table (`iis-sys/abi/httpserv-vtables.md`):
//! each slot a class *introduces* is one declared method (overloads are
//! separate methods, inherited ones belong to the class that declares them).
//! The Rust side comes from the `#[doc(alias = "…")]` of the public items of
//! `iis-module/src` ([`scan`], which also reads the rows of iis-sys's
//! notification tables that the hook traits expand): an alias names the C++
//! method the item wraps,
//! and the item's type says which class that method is looked up in
//! ([`TYPE_CLASSES`]); `Class::Method` names the overloads one of those
//! classes declares itself. An alias that names no method of those classes, or no
//! method of httpserv.h at all, is an error, as is a type missing from the
//! table. The few methods the SDK implements itself (module objects,
//! factories, stored contexts) are listed in [`SDK_GLUE`]; every other
//! method is "raw only", with the reason of [`METHOD_REASONS`] or
//! [`CLASS_REASONS`] (a class with a raw-only method and no reason is an
//! error, so a reader is always told why).

mod paths;
mod scan;
mod tables;

use crate::abi_table::{self, Class, Slot};
use crate::interfaces::field_names;
use paths::PublicPaths;
use scan::{Scan, Site};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::Path;
use tables::{CLASS_REASONS, METHOD_REASONS, OTHER_APIS, SDK_GLUE, TYPE_CLASSES};

/// Where the map is written, from the workspace root.
pub const OUTPUT: &str = "docs/api-map.md";

/// How one declared method is reached from Rust.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Cover {
    /// Public items of iis-module whose alias names it.
    Safe(Vec<String>),
    /// Implemented or called by the SDK itself.
    Sdk(&'static str),
    /// Only through the raw `iis_sys` vtable, for this reason (`None`: no
    /// reason given, which [`generate`] refuses).
    Raw(Option<&'static str>),
}

/// One method httpserv.h declares: a slot a class introduces.
#[derive(Debug)]
struct Method<'a> {
    slot: &'a Slot,
    /// Its `iis_sys` vtable field.
    field: String,
    cover: Cover,
}

/// The classes, each with the methods it declares, in header order.
#[derive(Debug)]
struct ApiMap<'a> {
    classes: Vec<(&'a Class, Vec<Method<'a>>)>,
    /// `(Rust item, interface)` for aliases that name an interface.
    interface_aliases: BTreeSet<(String, String)>,
    /// Function of [`OTHER_APIS`] → the public items that name it.
    other_apis: BTreeMap<&'static str, Vec<String>>,
    /// Rust type → the classes it wraps.
    wraps: Wraps,
}

/// Runs `cargo xtask api-map [--check]`.
pub fn run(root: &Path, check: bool) -> Result<(), String> {
    let text = generate(root)?;
    let target = root.join(OUTPUT);
    let current = std::fs::read_to_string(&target).unwrap_or_default();
    if current == text {
        println!("{OUTPUT} is up to date");
        return Ok(());
    }
    if check {
        return Err(format!("{OUTPUT} is stale; run `cargo xtask api-map`"));
    }
    std::fs::write(&target, text).map_err(|e| format!("{OUTPUT}: {e}"))?;
    println!("wrote {OUTPUT}");
    Ok(())
}

/// The text of `docs/api-map.md` for the tree at `root`.
pub fn generate(root: &Path) -> Result<String, String> {
    let table = std::fs::read_to_string(root.join("iis-sys/abi/httpserv-vtables.md"))
        .map_err(|e| format!("reading the slot table: {e}"))?;
    let classes = abi_table::parse(&table)?;
    let mut files = rust_files(root, "iis-module/src")?;
    // The notification tables iis-module's hook traits expand.
    let tables = "iis-sys/src/notifications.rs";
    let source =
        std::fs::read_to_string(root.join(tables)).map_err(|e| format!("{tables}: {e}"))?;
    files.push((tables.to_string(), source));
    let scan = scan::scan(&files)?;
    check_glue_items(&scan)?;
    let map = build(&classes, &scan)?;
    check_reasons(&map)?;
    let paths = PublicPaths::read(&root.join("iis-module"))?;
    Ok(render(&map, &paths))
}

/// The Rust items [`SDK_GLUE`] names must exist (as aliased public items).
fn check_glue_items(scan: &Scan) -> Result<(), String> {
    let public_items: BTreeSet<String> = scan
        .sites
        .iter()
        .filter(|s| s.public)
        .flat_map(|s| [s.owner.clone(), rust_path(s)])
        .collect();
    for (class, method, _, items) in SDK_GLUE {
        for item in *items {
            if !public_items.contains(*item) {
                return Err(format!(
                    "SDK_GLUE {class}::{method} names {item}, which is not an aliased public \
                     item of iis-module"
                ));
            }
        }
    }
    Ok(())
}

/// `(path from root, source)` of every `.rs` file under `dir`, sorted.
fn rust_files(root: &Path, dir: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut stack = vec![root.join(dir)];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let source = std::fs::read_to_string(&path)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                let rel = path.strip_prefix(root).unwrap_or(&path);
                let rel = rel.to_string_lossy().replace('\\', "/");
                out.push((rel, source));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Rust type → the classes it wraps: [`TYPE_CLASSES`], then the types
/// whose `as_raw` names their class.
type Wraps = Vec<(String, Vec<String>)>;

fn wraps(scan: &Scan, by_name: &HashMap<&str, &Class>) -> Result<Wraps, String> {
    let mut wraps: Wraps = Vec::new();
    for (ty, list) in TYPE_CLASSES {
        for class in *list {
            if !by_name.contains_key(class) {
                return Err(format!(
                    "TYPE_CLASSES: {ty} → {class}, which httpserv.h lacks"
                ));
            }
        }
        wraps.push((ty.to_string(), list.iter().map(|c| c.to_string()).collect()));
    }
    for (ty, interface) in &scan.raw_types {
        match wraps.iter().find(|(t, _)| t == ty) {
            Some((_, list)) if list.first() != Some(interface) => {
                return Err(format!(
                    "TYPE_CLASSES lists {list:?} for {ty}, but {ty}::as_raw returns *mut \
                     {interface}: put {interface} first"
                ));
            }
            Some(_) => {}
            None if by_name.contains_key(interface.as_str()) => {
                wraps.push((ty.clone(), vec![interface.clone()]));
            }
            None => {}
        }
    }
    Ok(wraps)
}

fn classes_of<'w>(wraps: &'w Wraps, owner: &str) -> Option<&'w [String]> {
    wraps
        .iter()
        .find(|(ty, _)| ty == owner)
        .map(|(_, classes)| classes.as_slice())
}

/// Attributes every alias and classifies every declared method.
fn build<'a>(classes: &'a [Class], scan: &Scan) -> Result<ApiMap<'a>, String> {
    let by_name: HashMap<&str, &Class> = classes.iter().map(|c| (c.name.as_str(), c)).collect();
    let wraps = wraps(scan, &by_name)?;

    let mut errors = Vec::new();
    let mut safe: BTreeMap<(String, usize), Vec<String>> = BTreeMap::new();
    let mut interface_aliases = BTreeSet::new();
    let mut other_apis: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    for site in &scan.sites {
        for alias in &site.aliases {
            match attribute(site, alias, &by_name, &wraps) {
                Ok(Attribution::Interface) => {
                    if site.public {
                        interface_aliases.insert((rust_path(site), alias.clone()));
                    }
                }
                Ok(Attribution::Other(api)) => {
                    let items = other_apis.entry(api).or_default();
                    if site.public && !items.contains(&rust_path(site)) {
                        items.push(rust_path(site));
                    }
                }
                Ok(Attribution::Slots(slots)) => {
                    if site.public {
                        for key in slots {
                            let items = safe.entry(key).or_default();
                            let path = rust_path(site);
                            if !items.contains(&path) {
                                items.push(path);
                            }
                        }
                    }
                }
                Err(e) => errors.push(e),
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors.join("\n"));
    }

    for (class, method, _, _) in SDK_GLUE {
        let declared = by_name.get(class).is_some_and(|c| {
            c.slots
                .iter()
                .any(|s| s.introduced_by == *class && s.method == *method)
        });
        if !declared {
            return Err(format!(
                "SDK_GLUE: {class}::{method} is not declared by httpserv.h"
            ));
        }
    }

    let mut out = Vec::new();
    for class in classes {
        let fields = field_names(class)?;
        let mut methods = Vec::new();
        for (slot, field) in class.slots.iter().zip(fields) {
            if slot.introduced_by != class.name {
                continue;
            }
            let key = (class.name.clone(), slot.index);
            let glue = SDK_GLUE
                .iter()
                .find(|(c, m, _, _)| *c == class.name && *m == slot.method);
            let cover = match (safe.remove(&key), glue) {
                (Some(_), Some(_)) => {
                    return Err(format!(
                        "{}::{} is both aliased and in SDK_GLUE: drop the SDK_GLUE entry",
                        class.name, slot.method
                    ));
                }
                (Some(items), None) => Cover::Safe(items),
                (None, Some((_, _, text, _))) => Cover::Sdk(text),
                (None, None) => Cover::Raw(raw_reason(&class.name, &slot.method)),
            };
            methods.push(Method { slot, field, cover });
        }
        out.push((class, methods));
    }
    Ok(ApiMap {
        classes: out,
        interface_aliases,
        other_apis,
        wraps,
    })
}

fn raw_reason(class: &str, method: &str) -> Option<&'static str> {
    METHOD_REASONS
        .iter()
        .find(|(c, m, _)| *c == class && *m == method)
        .map(|(_, _, r)| *r)
        .or_else(|| class_reason(class))
}

fn class_reason(class: &str) -> Option<&'static str> {
    CLASS_REASONS
        .iter()
        .find(|(c, _)| *c == class)
        .map(|(_, r)| *r)
}

/// Every raw-only method must say why.
fn check_reasons(map: &ApiMap<'_>) -> Result<(), String> {
    let missing: Vec<String> = map
        .classes
        .iter()
        .flat_map(|(class, methods)| {
            methods
                .iter()
                .filter(|m| m.cover == Cover::Raw(None))
                .map(|m| format!("{}::{}", class.name, m.slot.method))
        })
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "raw-only methods without a reason in CLASS_REASONS or METHOD_REASONS \
             (xtask/src/api_map.rs): {}; say why, or wrap them",
            missing.join(", ")
        ))
    }
}

enum Attribution {
    /// The alias names an interface (allowed, maps no method).
    Interface,
    /// The alias names a function of [`OTHER_APIS`].
    Other(&'static str),
    /// The declared methods `(class, slot)` the alias maps.
    Slots(Vec<(String, usize)>),
}

/// The overloads of `method` that `class_name` itself declares, for an
/// alias `Class::Method` (the form for an overload of a newer interface
/// whose name a base interface of the same type also declares).
fn qualified(
    site: &Site,
    at: &str,
    class_name: &str,
    method: &str,
    by_name: &HashMap<&str, &Class>,
    wraps: &Wraps,
) -> Result<Attribution, String> {
    let wrapped =
        classes_of(wraps, &site.owner).is_some_and(|list| list.iter().any(|c| c == class_name));
    let Some(class) = by_name.get(class_name).filter(|_| wrapped) else {
        return Err(format!(
            "{at}, but `{}` does not wrap {class_name} (TYPE_CLASSES in \
             xtask/src/api_map/tables.rs)",
            site.owner
        ));
    };
    let chosen: Vec<(String, usize)> = class
        .slots
        .iter()
        .filter(|s| s.method == method && s.introduced_by == class_name)
        .map(|s| (s.introduced_by.clone(), s.index))
        .collect();
    if chosen.is_empty() {
        return Err(format!(
            "{at}, but {class_name} declares no method {method}"
        ));
    }
    Ok(Attribution::Slots(chosen))
}

/// Which declared methods `alias` on `site` names.
fn attribute(
    site: &Site,
    alias: &str,
    by_name: &HashMap<&str, &Class>,
    wraps: &Wraps,
) -> Result<Attribution, String> {
    let at = format!(
        "{}: {} has #[doc(alias = \"{alias}\")]",
        site.file,
        rust_path(site)
    );
    if by_name.contains_key(alias) {
        return Ok(Attribution::Interface);
    }
    if let Some((class_name, method)) = alias.split_once("::") {
        return qualified(site, &at, class_name, method, by_name, wraps);
    }
    if let Some((api, _)) = OTHER_APIS.iter().find(|(api, _)| *api == alias) {
        return Ok(Attribution::Other(api));
    }
    let mut declaring: Vec<&str> = by_name
        .values()
        .flat_map(|c| c.slots.iter())
        .filter(|s| s.method == alias)
        .map(|s| s.introduced_by.as_str())
        .collect();
    declaring.sort_unstable();
    declaring.dedup();
    if declaring.is_empty() {
        return Err(format!(
            "{at}, but httpserv.h declares no method or class of that name (a function from \
             elsewhere goes in OTHER_APIS of xtask/src/api_map.rs)"
        ));
    }
    let Some(list) = classes_of(wraps, &site.owner) else {
        return Err(format!(
            "{at}, but `{}` has no `as_raw` and no entry in TYPE_CLASSES \
             (xtask/src/api_map.rs): add the C++ class(es) it wraps",
            if site.owner.is_empty() {
                "a free function"
            } else {
                &site.owner
            }
        ));
    };
    for class_name in list {
        let class = by_name[class_name.as_str()];
        let fields = field_names(class)?;
        let candidates: Vec<(&Slot, &String)> = class
            .slots
            .iter()
            .zip(&fields)
            .filter(|(s, _)| s.method == alias)
            .collect();
        if candidates.is_empty() {
            continue;
        }
        // Several overloads: keep those whose vtable field the body calls,
        // if it calls any of them directly.
        let called: Vec<&(&Slot, &String)> = candidates
            .iter()
            .filter(|(_, field)| site.called.contains(field))
            .collect();
        let chosen: Vec<(String, usize)> = if called.is_empty() {
            candidates
                .iter()
                .map(|(s, _)| (s.introduced_by.clone(), s.index))
                .collect()
        } else {
            called
                .iter()
                .map(|(s, _)| (s.introduced_by.clone(), s.index))
                .collect()
        };
        return Ok(Attribution::Slots(chosen));
    }
    Err(format!(
        "{at}, but {alias} is a method of {} and `{}` wraps {}: fix the alias or TYPE_CLASSES",
        declaring.join(", "),
        site.owner,
        list.join(", ")
    ))
}

fn rust_path(site: &Site) -> String {
    match (&site.item, site.owner.is_empty()) {
        (Some(item), false) => format!("{}::{item}", site.owner),
        (Some(item), true) => item.clone(),
        (None, _) => site.owner.clone(),
    }
}

/// The C++ declaration of a slot, from the table's spellings.
fn declaration(slot: &Slot) -> String {
    if slot.method.starts_with('~') {
        return format!("virtual {}() (scalar deleting destructor)", slot.method);
    }
    let constness = if slot.is_const { " const" } else { "" };
    format!(
        "{} {}({}){constness}",
        slot.returns,
        slot.method,
        slot.params.join(", ")
    )
}

/// GitHub's anchor of a heading that is a class name.
fn anchor(class: &str) -> String {
    class.to_ascii_lowercase()
}

fn render(map: &ApiMap<'_>, paths: &PublicPaths) -> String {
    let count = |pred: &dyn Fn(&Cover) -> bool| -> usize {
        map.classes
            .iter()
            .flat_map(|(_, m)| m)
            .filter(|m| pred(&m.cover))
            .count()
    };
    let total = count(&|_| true);
    let safe = count(&|c| matches!(c, Cover::Safe(_)));
    let sdk = count(&|c| matches!(c, Cover::Sdk(_)));
    let raw = count(&|c| matches!(c, Cover::Raw(_)));

    let mut s = String::new();
    s.push_str("# httpserv.h → iis-module: the API map\n\n");
    s.push_str(
        "<!-- @generated by `cargo xtask api-map` from iis-sys/abi/httpserv-vtables.md and the \
         #[doc(alias)] attributes of iis-module/src. Do not edit: change the code or \
         xtask/src/api_map.rs and run `cargo xtask api-map`. -->\n\n",
    );
    let _ = writeln!(
        s,
        "Every method that `httpserv.h` declares, and what to call in Rust instead. \
         **{total} methods** in {} classes: **{} wrapped** ({safe} by safe methods and hooks, \
         {sdk} implemented by the SDK itself) and **{raw} raw only**.\n",
        map.classes.len(),
        safe + sdk,
    );
    s.push_str(
        "How to read it:\n\n\
         - A method is listed under the class that declares it; a derived interface lists only \
         the methods it adds (`IHttpResponse2` lists its own `WriteEntityChunks` overload, the \
         original is under `IHttpResponse`). Overloads are separate rows. *slot* is the vtable \
         slot in MSVC order.\n\
         - **Rust** names the safe item that wraps the method, by its path from the crate \
         root (`iis_module::`): the names every module uses are at the root \
         (`HttpResponse::set_header`), the rest in their domain module \
         (`request::SendResponse::set_log_data`, `server::FileInfo::etag`). Each carries \
         `#[doc(alias = \"<C++ name>\")]`, so searching rustdoc for the C++ name finds it \
         (`<class>::<name>` for an overload a newer interface adds).\n\
         - **SDK** rows are methods the SDK implements for you (the interfaces a module \
         implements) or calls for you (releasing what it owns).\n\
         - **raw only** rows give the `iis_sys` vtable field to call through the wrapper's \
         `as_raw()` (see [Calling a raw-only method](#calling-a-raw-only-method)), and why the \
         method has no safe wrapper.\n\n\
         See the [migration guide](migrating-from-cpp.md) for the idioms, and the \
         [guide](README.md) for everything else.\n\n",
    );

    s.push_str("## Totals by class\n\n");
    s.push_str("| class | base | methods | wrapped | raw only | Rust |\n");
    s.push_str("|---|---|---:|---:|---:|---|\n");
    for (class, methods) in &map.classes {
        let wrapped = methods
            .iter()
            .filter(|m| !matches!(m.cover, Cover::Raw(_)))
            .count();
        let _ = writeln!(
            s,
            "| [{name}](#{anchor}) | {base} | {n} | {wrapped} | {raw} | {rust} |",
            name = class.name,
            anchor = anchor(&class.name),
            base = class.base.as_deref().unwrap_or("—"),
            n = methods.len(),
            raw = methods.len() - wrapped,
            rust = rust_types(&map.wraps, &class.name, paths),
        );
    }
    let _ = writeln!(
        s,
        "| **all {} classes** | | **{total}** | **{}** | **{raw}** | |\n",
        map.classes.len(),
        safe + sdk
    );

    s.push_str("## Calling a raw-only method\n\n");
    s.push_str(
        "Every safe view has `as_raw()`, which returns the `iis_sys` object; its `lpVtbl` \
         field points at the vtable struct named in the rows below (inherited slots sit in \
         the `base` field of a derived interface's vtable). The call is `unsafe`: you vouch \
         that the object is alive (it is, during the notification that lent you the view) \
         and that the arguments are what the C++ method expects.\n\n\
         ```rust,ignore\n\
         let raw = cx.response().as_raw(); // *mut iis_sys::IHttpResponse\n\
         // SAFETY: the response is alive for this notification; no arguments.\n\
         let policy = unsafe { ((*(*raw).lpVtbl).GetCachePolicy)(raw) };\n\
         ```\n\n",
    );

    if !map.other_apis.is_empty() {
        s.push_str("## Beyond httpserv.h\n\n");
        s.push_str(
            "Functions from outside the header that the safe API wraps, found by the same \
             rustdoc aliases.\n\n| function | from | Rust |\n|---|---|---|\n",
        );
        for (api, items) in &map.other_apis {
            let from = OTHER_APIS
                .iter()
                .find(|(a, _)| a == api)
                .map_or("", |(_, from)| *from);
            let items: Vec<String> = items
                .iter()
                .map(|i| format!("`{}`", paths.qualify(i)))
                .collect();
            let _ = writeln!(s, "| `{api}` | {from} | {} |", items.join(", "));
        }
        s.push('\n');
    }

    s.push_str("## Classes\n");
    for (class, methods) in &map.classes {
        let _ = writeln!(s, "\n### {}\n", class.name);
        let mut facts = vec![match &class.base {
            Some(base) => format!("Derives from [{base}](#{}).", anchor(base)),
            None => "No base interface.".to_string(),
        }];
        let rust = rust_types(&map.wraps, &class.name, paths);
        if rust != "—" {
            facts.push(format!("Rust: {rust}."));
        }
        let interface_items: Vec<String> = map
            .interface_aliases
            .iter()
            .filter(|(_, interface)| *interface == class.name)
            .map(|(item, _)| format!("`{}`", paths.qualify(item)))
            .collect();
        if !interface_items.is_empty() {
            facts.push(format!(
                "Also found by searching for `{}`: {}.",
                class.name,
                interface_items.join(", ")
            ));
        }
        if methods.is_empty() {
            facts.push("It declares no method of its own.".to_string());
        }
        let reason = class_reason(&class.name);
        let has_plain_raw = methods
            .iter()
            .any(|m| reason.is_some() && m.cover == Cover::Raw(reason));
        if let (true, Some(reason)) = (has_plain_raw, reason) {
            facts.push(format!("**Raw only:** {}.", paths.qualify_text(reason)));
        }
        let _ = writeln!(s, "{}", facts.join(" "));
        if methods.is_empty() {
            continue;
        }
        s.push_str("\n| slot | C++ method | Rust |\n|---:|---|---|\n");
        for method in methods {
            let rust = match &method.cover {
                Cover::Safe(items) => items
                    .iter()
                    .map(|i| format!("`{}`", paths.qualify(i)))
                    .collect::<Vec<_>>()
                    .join(", "),
                Cover::Sdk(text) => format!("SDK: {}", paths.qualify_text(text)),
                Cover::Raw(reason) => {
                    let mut cell =
                        format!("raw only: `iis_sys::{}Vtbl::{}`", class.name, method.field);
                    if let Some(reason) = reason
                        && class_reason(&class.name) != Some(*reason)
                    {
                        let _ = write!(cell, " — {}", paths.qualify_text(reason));
                    }
                    cell
                }
            };
            let _ = writeln!(
                s,
                "| {} | `{}` | {rust} |",
                method.slot.index,
                declaration(method.slot)
            );
        }
    }
    s
}

/// The Rust types that wrap `class`, for the tables.
fn rust_types(wraps: &Wraps, class: &str, paths: &PublicPaths) -> String {
    let types: Vec<String> = wraps
        .iter()
        .filter(|(_, list)| list.iter().any(|c| c == class))
        .map(|(ty, _)| format!("`{}`", paths.qualify(ty)))
        .collect();
    if types.is_empty() {
        "—".to_string()
    } else {
        types.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes() -> Vec<Class> {
        let table = std::fs::read_to_string(crate::root().join("iis-sys/abi/httpserv-vtables.md"))
            .expect("slot table");
        abi_table::parse(&table).expect("parses")
    }

    fn map_of(source: &str) -> Result<Vec<(String, usize, Cover)>, String> {
        let classes = classes();
        let scan = scan::scan(&[("src/lib.rs".to_string(), source.to_string())])?;
        let map = build(&classes, &scan)?;
        Ok(map
            .classes
            .iter()
            .flat_map(|(c, methods)| {
                methods
                    .iter()
                    .map(|m| (c.name.clone(), m.slot.index, m.cover.clone()))
            })
            .collect())
    }

    fn cover<'a>(map: &'a [(String, usize, Cover)], class: &str, slot: usize) -> &'a Cover {
        &map.iter()
            .find(|(c, s, _)| c == class && *s == slot)
            .expect("declared")
            .2
    }

    #[test]
    fn the_header_declares_352_methods_in_67_classes() {
        let classes = classes();
        let declared: usize = classes
            .iter()
            .map(|c| c.slots.iter().filter(|s| s.introduced_by == c.name).count())
            .sum();
        assert_eq!((classes.len(), declared), (67, 352));
    }

    #[test]
    fn docs_api_map_is_up_to_date() {
        let root = crate::root();
        let expected = generate(&root).unwrap_or_else(|e| panic!("{e}"));
        let committed = std::fs::read_to_string(root.join(OUTPUT)).unwrap_or_default();
        assert!(
            committed == expected,
            "{OUTPUT} is stale: run `cargo xtask api-map` and commit the result"
        );
    }

    #[test]
    fn an_alias_maps_every_overload_of_its_class() {
        let map = map_of(
            r#"impl HttpResponse {
                #[doc(alias = "SetHeader")]
                pub fn set_header(&mut self) {}
            }"#,
        )
        .unwrap();
        let expected = Cover::Safe(vec!["HttpResponse::set_header".to_string()]);
        assert_eq!(cover(&map, "IHttpResponse", 4), &expected);
        assert_eq!(cover(&map, "IHttpResponse", 5), &expected);
        assert!(matches!(cover(&map, "IHttpRequest", 4), Cover::Raw(_)));
    }

    #[test]
    fn a_qualified_alias_maps_the_overload_its_class_declares() {
        let map = map_of(
            r#"impl HttpRequest {
                #[doc(alias = "ReadEntityBody", alias = "IHttpRequest3::ReadEntityBody")]
                pub fn read_body_async(&mut self) {}
            }"#,
        )
        .unwrap();
        let expected = Cover::Safe(vec!["HttpRequest::read_body_async".to_string()]);
        assert_eq!(cover(&map, "IHttpRequest3", 25), &expected);
        assert!(matches!(cover(&map, "IHttpRequest4", 26), Cover::Raw(_)));
        let error = map_of(
            r#"impl HttpRequest {
                #[doc(alias = "IHttpResponse2::Flush")]
                pub fn flush(&mut self) {}
            }"#,
        )
        .unwrap_err();
        assert!(error.contains("does not wrap IHttpResponse2"), "{error}");
    }

    #[test]
    fn overloads_narrow_to_the_vtable_field_the_body_calls() {
        let map = map_of(
            r#"impl HttpContext {
                #[doc(alias = "GetServerVariable")]
                pub fn server_variable_bytes(&self) {
                    unsafe { vcall!(self.as_raw(), GetServerVariableA(name, &mut v, &mut n)) }
                }
            }"#,
        )
        .unwrap();
        assert!(matches!(cover(&map, "IHttpContext", 15), Cover::Safe(_)));
        assert!(matches!(cover(&map, "IHttpContext", 16), Cover::Raw(_)));
    }

    #[test]
    fn hooks_and_inherited_methods_map_to_the_declaring_class() {
        let map = map_of(
            r#"
            pub trait HttpModule {
                #[doc(alias = "OnSendResponse")]
                fn on_send_response(&mut self) {}
            }
            impl StopListening {
                #[doc(alias = "SetErrorStatus")]
                pub fn set_error_status(&mut self) {}
            }"#,
        )
        .unwrap();
        assert_eq!(
            cover(&map, "CHttpModule", 24),
            &Cover::Safe(vec!["HttpModule::on_send_response".to_string()])
        );
        assert_eq!(
            cover(&map, "IHttpEventProvider", 0),
            &Cover::Safe(vec!["StopListening::set_error_status".to_string()])
        );
    }

    #[test]
    fn private_items_are_checked_but_not_mapped() {
        let map = map_of(
            r#"impl HttpResponse {
                #[doc(alias = "Clear")]
                pub(crate) fn clear(&mut self) {}
            }"#,
        )
        .unwrap();
        assert!(matches!(cover(&map, "IHttpResponse", 10), Cover::Raw(_)));
        let error = map_of(
            r#"impl HttpResponse {
                #[doc(alias = "Clearr")]
                fn clear(&mut self) {}
            }"#,
        )
        .unwrap_err();
        assert!(error.contains("no method or class"), "{error}");
    }

    #[test]
    fn an_alias_naming_no_method_of_httpserv_h_is_an_error() {
        let error = map_of(
            r#"impl HttpResponse {
                #[doc(alias = "SetHeaders")]
                pub fn set_headers(&mut self) {}
            }"#,
        )
        .unwrap_err();
        assert!(error.contains("declares no method or class"), "{error}");
    }

    #[test]
    fn an_alias_of_another_class_is_an_error() {
        let error = map_of(
            r#"impl HttpResponse {
                #[doc(alias = "GetUserName")]
                pub fn user_name(&self) {}
            }"#,
        )
        .unwrap_err();
        assert!(error.contains("a method of IHttpUser"), "{error}");
    }

    #[test]
    fn interface_names_are_allowed_aliases() {
        let map = map_of(
            r#"impl HttpResponse {
                #[doc(alias = "IHttpResponse4")]
                pub fn http2(&mut self) {}
            }"#,
        )
        .unwrap();
        assert!(map.iter().all(|(_, _, c)| !matches!(c, Cover::Safe(_))));
    }

    #[test]
    fn a_type_missing_from_the_table_is_an_error() {
        let error = map_of(
            r#"impl NewView {
                #[doc(alias = "GetUserName")]
                pub fn user_name(&self) {}
            }"#,
        )
        .unwrap_err();
        assert!(error.contains("no entry in TYPE_CLASSES"), "{error}");
    }

    #[test]
    fn a_type_with_as_raw_wraps_its_class_without_a_table_entry() {
        let map = map_of(
            r#"impl TraceView {
                pub fn as_raw(&self) -> *mut IHttpTraceContext { core::ptr::null_mut() }
                #[doc(alias = "GetTraceActivityId")]
                pub fn activity_id(&self) {}
            }"#,
        )
        .unwrap();
        assert_eq!(
            cover(&map, "IHttpTraceContext", 3),
            &Cover::Safe(vec!["TraceView::activity_id".to_string()])
        );
    }

    #[test]
    fn a_raw_only_method_without_a_reason_is_an_error() {
        let classes = classes();
        let scan = scan::scan(&[]).unwrap();
        let map = build(&classes, &scan).unwrap();
        let error = check_reasons(&map).unwrap_err();
        assert!(
            error.contains("IHttpModuleContextContainer::GetModuleContext"),
            "{error}"
        );
    }
}
