//! The public path of every iis-module type, as a user writes it: what the
//! crate root re-exports is named from the root (`HttpContext`), the rest
//! from its public domain module (`request::SendResponse`, `server::FileInfo`).
//!
//! Read from the source: the `pub use` items and `pub mod` declarations of
//! `iis-module/src/lib.rs`, and the `pub use` items and public definitions
//! of each public module's file.

use std::collections::BTreeMap;
use std::path::Path;

/// Type (or trait, function, constant) name → its public path from the
/// crate root.
#[derive(Debug, Default, Clone)]
pub struct PublicPaths(BTreeMap<String, String>);

impl PublicPaths {
    /// Reads the public layout of the crate whose `lib.rs` is `src/lib.rs`
    /// under `crate_dir`.
    pub fn read(crate_dir: &Path) -> Result<Self, String> {
        let src = crate_dir.join("src");
        let lib = parse(&src.join("lib.rs"))?;
        let mut paths = BTreeMap::new();
        let mut modules = Vec::new();
        for item in &lib.items {
            match item {
                syn::Item::Use(u) if is_pub(&u.vis) => {
                    for name in leaves(&u.tree) {
                        paths.insert(name.clone(), name);
                    }
                }
                // The prelude re-exports names whose home is elsewhere.
                syn::Item::Mod(m)
                    if is_pub(&m.vis) && m.content.is_none() && m.ident != "prelude" =>
                {
                    modules.push(m.ident.to_string());
                }
                _ => {}
            }
        }
        for module in modules {
            let dir = src.join(&module).join("mod.rs");
            let file = if dir.exists() {
                dir
            } else {
                src.join(format!("{module}.rs"))
            };
            for name in public_names(&parse(&file)?) {
                paths
                    .entry(name.clone())
                    .or_insert_with(|| format!("{module}::{name}"));
            }
        }
        Ok(Self(paths))
    }

    /// Builds the table from `(name, path)` pairs (for tests).
    #[cfg(test)]
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Self {
        Self(
            pairs
                .iter()
                .map(|(n, p)| (n.to_string(), p.to_string()))
                .collect(),
        )
    }

    /// `Type::item` with `Type` replaced by its public path (unknown names
    /// are left as they are).
    pub fn qualify(&self, item: &str) -> String {
        let (head, rest) = match item.split_once("::") {
            Some((head, rest)) => (head, Some(rest)),
            None => (item, None),
        };
        let head = self.0.get(head).map_or(head, String::as_str);
        match rest {
            Some(rest) => format!("{head}::{rest}"),
            None => head.to_string(),
        }
    }

    /// `text` with every `` `Type::item` `` span qualified.
    pub fn qualify_text(&self, text: &str) -> String {
        text.split('`')
            .enumerate()
            .map(|(i, part)| {
                if i % 2 == 1 {
                    self.qualify(part)
                } else {
                    part.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("`")
    }
}

fn parse(path: &Path) -> Result<syn::File, String> {
    let source = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    syn::parse_file(&source).map_err(|e| format!("{}: {e}", path.display()))
}

fn is_pub(vis: &syn::Visibility) -> bool {
    matches!(vis, syn::Visibility::Public(_))
}

/// The names a public module file makes public: its `pub use` leaves and
/// its own `pub` items.
fn public_names(file: &syn::File) -> Vec<String> {
    let mut names = Vec::new();
    for item in &file.items {
        let (vis, ident) = match item {
            syn::Item::Use(u) => {
                if is_pub(&u.vis) {
                    names.extend(leaves(&u.tree));
                }
                continue;
            }
            syn::Item::Struct(i) => (&i.vis, &i.ident),
            syn::Item::Enum(i) => (&i.vis, &i.ident),
            syn::Item::Trait(i) => (&i.vis, &i.ident),
            syn::Item::Fn(i) => (&i.vis, &i.sig.ident),
            syn::Item::Const(i) => (&i.vis, &i.ident),
            syn::Item::Type(i) => (&i.vis, &i.ident),
            _ => continue,
        };
        if is_pub(vis) {
            names.push(ident.to_string());
        }
    }
    names
}

/// The names a `use` tree brings in (renames by their new name; globs and
/// `self` contribute nothing).
fn leaves(tree: &syn::UseTree) -> Vec<String> {
    match tree {
        syn::UseTree::Path(p) => leaves(&p.tree),
        syn::UseTree::Name(n) if n.ident != "self" => vec![n.ident.to_string()],
        syn::UseTree::Rename(r) => vec![r.rename.to_string()],
        syn::UseTree::Group(g) => g.items.iter().flat_map(leaves).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_names_stay_short_and_domain_names_get_their_module() {
        let paths = PublicPaths::from_pairs(&[
            ("HttpContext", "HttpContext"),
            ("SendResponse", "request::SendResponse"),
        ]);
        assert_eq!(paths.qualify("HttpContext::flags"), "HttpContext::flags");
        assert_eq!(
            paths.qualify("SendResponse::flags"),
            "request::SendResponse::flags"
        );
        assert_eq!(paths.qualify("Unknown::x"), "Unknown::x");
        assert_eq!(
            paths.qualify_text("see `SendResponse::flags` and `HttpContext`"),
            "see `request::SendResponse::flags` and `HttpContext`"
        );
    }

    #[test]
    fn the_sdk_layout_is_read_from_its_source() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../iis-module");
        let paths = PublicPaths::read(&root).expect("iis-module's layout");
        assert_eq!(paths.qualify("HttpResponse"), "HttpResponse");
        assert_eq!(paths.qualify("SendResponse"), "request::SendResponse");
        assert_eq!(paths.qualify("FileInfo"), "server::FileInfo");
        assert_eq!(paths.qualify("PreBeginRequest"), "global::PreBeginRequest");
    }
}
