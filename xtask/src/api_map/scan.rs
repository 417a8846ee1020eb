//! Finds every `#[doc(alias = "…")]` in a crate's source, with the Rust
//! item it sits on and the type or trait that owns that item.
//!
//! Plain items are read with `syn`. Items that a `macro_rules!` generates
//! (the hook traits, the provider views) are found in the macro's
//! transcriber, and the `$variables` they use are bound from the macro's
//! invocations with a small matcher that follows the macro's own rule. What
//! the matcher cannot follow is an error, never a silently missing alias.

mod macros;

use macros::{MacroCall, MacroDef, expand_macro_sites, forwarded_calls, parse_rules};
use proc_macro2::{Delimiter, TokenStream, TokenTree};
use syn::visit::{self, Visit};

/// One documented alias site: a public (or not) item with its aliases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// The type or trait whose `impl`/definition holds the item, or the
    /// item itself for an alias on a type; empty for a free function.
    pub owner: String,
    /// The function carrying the aliases; `None` for an alias on the owner.
    pub item: Option<String>,
    /// The aliases, in source order.
    pub aliases: Vec<String>,
    /// Whether the item is part of the public API (`pub`, or a method of a
    /// `pub trait`).
    pub public: bool,
    /// The vtable fields the function body calls directly: its C++-named
    /// method calls (the generated methods of `iis_sys::Ref`) and the
    /// identifiers called like `Name(…)` inside its `vcall!`s.
    pub called: Vec<String>,
    /// The file, for messages.
    pub file: String,
}

/// What a scan found.
#[derive(Debug, Default)]
pub struct Scan {
    /// Every alias site.
    pub sites: Vec<Site>,
    /// `(type, interface)` for every `fn as_raw(&self) -> *mut Interface`
    /// (innermost pointee), to cross-check the type → class table.
    pub raw_types: Vec<(String, String)>,
}

/// Scans the files `(path, source)` of one crate.
pub fn scan(files: &[(String, String)]) -> Result<Scan, String> {
    let mut collector = Collector::default();
    for (path, source) in files {
        let file = syn::parse_file(source).map_err(|e| format!("{path}: {e}"))?;
        collector.file = path.clone();
        collector.visit_file(&file);
    }
    if let Some(error) = collector.errors.first() {
        return Err(error.clone());
    }
    let mut read: Vec<(String, String)> = collector
        .sites
        .iter()
        .flat_map(|s| s.aliases.iter().map(|a| (s.file.clone(), a.clone())))
        .collect();
    let mut seen = collector.seen.clone();
    read.sort();
    seen.sort();
    if read != seen {
        let missed: Vec<String> = seen
            .iter()
            .filter(|s| !read.contains(s))
            .map(|(file, alias)| format!("{file}: \"{alias}\""))
            .collect();
        return Err(format!(
            "doc(alias) on items the api-map scanner does not read: {}; extend \
             xtask/src/api_map/scan.rs",
            missed.join(", ")
        ));
    }
    let mut scan = Scan {
        sites: collector.sites,
        raw_types: collector.raw_types,
    };
    let mut calls = forwarded_calls(&collector.macros, &collector.calls);
    calls.extend(collector.calls);
    for def in &collector.macros {
        scan.sites.extend(expand_macro_sites(def, &calls)?);
    }
    Ok(scan)
}

#[derive(Default)]
struct Collector {
    file: String,
    /// Every alias of every attribute syn sees (outside macro bodies), to
    /// prove that the item handlers below read them all.
    seen: Vec<(String, String)>,
    sites: Vec<Site>,
    raw_types: Vec<(String, String)>,
    macros: Vec<MacroDef>,
    calls: Vec<MacroCall>,
    errors: Vec<String>,
}

impl Collector {
    fn aliases(&mut self, attrs: &[syn::Attribute]) -> Vec<String> {
        match doc_aliases(attrs) {
            Ok(aliases) => aliases,
            Err(e) => {
                self.errors.push(format!("{}: {e}", self.file));
                Vec::new()
            }
        }
    }

    fn push(&mut self, owner: &str, item: Option<String>, aliases: Vec<String>, public: bool) {
        if !aliases.is_empty() {
            self.sites.push(Site {
                owner: owner.to_string(),
                item,
                aliases,
                public,
                called: Vec::new(),
                file: self.file.clone(),
            });
        }
    }
}

impl<'ast> Visit<'ast> for Collector {
    fn visit_attribute(&mut self, attr: &'ast syn::Attribute) {
        if let Ok(aliases) = doc_aliases(std::slice::from_ref(attr)) {
            let file = self.file.clone();
            self.seen
                .extend(aliases.into_iter().map(|a| (file.clone(), a)));
        }
    }

    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        let owner = type_name(&item.self_ty).unwrap_or_default();
        for member in &item.items {
            let syn::ImplItem::Fn(f) = member else {
                continue;
            };
            if f.sig.ident == "as_raw"
                && let syn::ReturnType::Type(_, ty) = &f.sig.output
                && let Some(pointee) = innermost_pointee(ty)
            {
                self.raw_types.push((owner.clone(), pointee));
            }
            let aliases = self.aliases(&f.attrs);
            let public = matches!(f.vis, syn::Visibility::Public(_));
            let before = self.sites.len();
            self.push(&owner, Some(f.sig.ident.to_string()), aliases, public);
            if self.sites.len() > before {
                self.sites.last_mut().expect("pushed").called = vcall_fields(&f.block);
            }
        }
        visit::visit_item_impl(self, item);
    }

    fn visit_item_trait(&mut self, item: &'ast syn::ItemTrait) {
        let owner = item.ident.to_string();
        let public = matches!(item.vis, syn::Visibility::Public(_));
        let aliases = self.aliases(&item.attrs);
        self.push(&owner, None, aliases, public);
        for member in &item.items {
            if let syn::TraitItem::Fn(f) = member {
                let aliases = self.aliases(&f.attrs);
                let before = self.sites.len();
                self.push(&owner, Some(f.sig.ident.to_string()), aliases, public);
                if self.sites.len() > before
                    && let Some(body) = &f.default
                {
                    self.sites.last_mut().expect("pushed").called = vcall_fields(body);
                }
            }
        }
        visit::visit_item_trait(self, item);
    }

    fn visit_item_struct(&mut self, item: &'ast syn::ItemStruct) {
        let aliases = self.aliases(&item.attrs);
        let public = matches!(item.vis, syn::Visibility::Public(_));
        self.push(&item.ident.to_string(), None, aliases, public);
        visit::visit_item_struct(self, item);
    }

    fn visit_item_enum(&mut self, item: &'ast syn::ItemEnum) {
        let aliases = self.aliases(&item.attrs);
        let public = matches!(item.vis, syn::Visibility::Public(_));
        self.push(&item.ident.to_string(), None, aliases, public);
        visit::visit_item_enum(self, item);
    }

    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        let aliases = self.aliases(&item.attrs);
        let public = matches!(item.vis, syn::Visibility::Public(_));
        let before = self.sites.len();
        self.push("", Some(item.sig.ident.to_string()), aliases, public);
        if self.sites.len() > before {
            self.sites.last_mut().expect("pushed").called = vcall_fields(&item.block);
        }
        visit::visit_item_fn(self, item);
    }

    fn visit_item_macro(&mut self, item: &'ast syn::ItemMacro) {
        let tokens: Vec<TokenTree> = item.mac.tokens.clone().into_iter().collect();
        if item.mac.path.is_ident("macro_rules") {
            if let Some(name) = &item.ident {
                match parse_rules(&tokens) {
                    Ok(rules) => self.macros.push(MacroDef {
                        name: name.to_string(),
                        file: self.file.clone(),
                        rules,
                    }),
                    Err(e) => self
                        .errors
                        .push(format!("{}: macro {name}: {e}", self.file)),
                }
            }
        } else if let Some(last) = item.mac.path.segments.last() {
            self.calls.push(MacroCall {
                name: last.ident.to_string(),
                file: self.file.clone(),
                tokens,
            });
        }
    }
}

/// The aliases of `#[doc(alias = "A")]` and `#[doc(alias("A", "B"))]`.
pub fn doc_aliases(attrs: &[syn::Attribute]) -> syn::Result<Vec<String>> {
    let mut aliases = Vec::new();
    for attr in attrs {
        if !attr.path().is_ident("doc") || !matches!(attr.meta, syn::Meta::List(_)) {
            continue;
        }
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("alias") {
                if meta.input.peek(syn::Token![=]) {
                    let lit: syn::LitStr = meta.value()?.parse()?;
                    aliases.push(lit.value());
                } else {
                    let content;
                    syn::parenthesized!(content in meta.input);
                    let list = content
                        .parse_terminated(|input| input.parse::<syn::LitStr>(), syn::Token![,])?;
                    aliases.extend(list.iter().map(syn::LitStr::value));
                }
            } else if meta.input.peek(syn::Token![=]) {
                meta.value()?.parse::<TokenStream>()?;
            } else if meta.input.peek(syn::token::Paren) {
                let content;
                syn::parenthesized!(content in meta.input);
                content.parse::<TokenStream>()?;
            }
            Ok(())
        })?;
    }
    Ok(aliases)
}

/// `HttpUser<'_>` → `HttpUser`; `crate::x::Foo` → `Foo`.
fn type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// `*mut *mut IFoo` → `IFoo`.
fn innermost_pointee(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Ptr(p) => innermost_pointee(&p.elem),
        other => type_name(other),
    }
}

/// The vtable fields a body calls: the C++-named methods of a typed handle
/// (`self.iface().GetServerVariableA(…)`, the generated methods of
/// `iis_sys::Ref`, named as the fields) and the identifiers called as
/// `Name(…)` inside its `vcall!`s.
fn vcall_fields(block: &syn::Block) -> Vec<String> {
    struct Calls(Vec<String>);
    impl<'ast> Visit<'ast> for Calls {
        fn visit_macro(&mut self, mac: &'ast syn::Macro) {
            if mac.path.segments.last().is_some_and(|s| s.ident == "vcall") {
                called_idents(mac.tokens.clone(), &mut self.0);
            }
        }

        fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
            let name = call.method.to_string();
            if name.starts_with(|c: char| c.is_ascii_uppercase()) {
                self.0.push(name);
            }
            syn::visit::visit_expr_method_call(self, call);
        }
    }
    let mut calls = Calls(Vec::new());
    calls.visit_block(block);
    calls.0
}

/// Pushes every identifier directly followed by a parenthesized group.
fn called_idents(tokens: TokenStream, out: &mut Vec<String>) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    for (i, token) in tokens.iter().enumerate() {
        match token {
            TokenTree::Ident(ident) => {
                if let Some(TokenTree::Group(g)) = tokens.get(i + 1)
                    && g.delimiter() == Delimiter::Parenthesis
                {
                    out.push(ident.to_string());
                }
            }
            TokenTree::Group(g) => called_idents(g.stream(), out),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan_one(source: &str) -> Result<Scan, String> {
        scan(&[("lib.rs".to_string(), source.to_string())])
    }

    #[test]
    fn aliases_on_impl_methods_name_their_type_and_vcalls() {
        let scan = scan_one(
            r#"
            pub struct HttpResponse;
            impl HttpResponse {
                pub fn as_raw(&self) -> *mut IHttpResponse { core::ptr::null_mut() }
                /// Sets a header.
                #[doc(alias = "SetHeader")]
                pub fn set_header(&mut self) { unsafe { vcall!(self.as_raw(), SetHeaderByName(a, b)) } }
                #[doc(alias("Clear", "ClearHeaders"))]
                pub(crate) fn clear(&mut self) {}
            }
            "#,
        )
        .unwrap();
        assert_eq!(
            scan.raw_types,
            [("HttpResponse".into(), "IHttpResponse".into())]
        );
        assert_eq!(scan.sites.len(), 2);
        let set = &scan.sites[0];
        assert_eq!(
            (set.owner.as_str(), set.item.as_deref()),
            ("HttpResponse", Some("set_header"))
        );
        assert!(set.public);
        assert!(set.called.contains(&"SetHeaderByName".to_string()));
        assert_eq!(scan.sites[1].aliases, ["Clear", "ClearHeaders"]);
        assert!(!scan.sites[1].public);
    }

    #[test]
    fn macro_generated_hooks_are_bound_from_the_invocation() {
        let scan = scan_one(
            r#"
            macro_rules! hooks {
                ($(
                    $(#[$doc:meta])*
                    $hook:ident / $slot:ident ($alias:literal) $(: $provider:ident)? => $mask:ident;
                )*) => {
                    pub trait Module {
                        $(
                            $(#[$doc])*
                            #[doc(alias = $alias)]
                            fn $hook(&self) {}
                        )*
                        #[doc(alias = "OnAsyncCompletion")]
                        fn on_async_completion(&self) {}
                    }
                };
            }
            hooks! {
                /// First.
                on_begin / OnBegin ("OnBeginRequest"): Event => RQ_BEGIN;
                on_health / OnHealth ("OnGlobalHealthCheck") => GL_HEALTH;
            }
            "#,
        )
        .unwrap();
        let found: Vec<(String, String, String)> = scan
            .sites
            .iter()
            .map(|s| {
                (
                    s.owner.clone(),
                    s.item.clone().unwrap(),
                    s.aliases.join(","),
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                (
                    "Module".into(),
                    "on_async_completion".into(),
                    "OnAsyncCompletion".into()
                ),
                ("Module".into(), "on_begin".into(), "OnBeginRequest".into()),
                (
                    "Module".into(),
                    "on_health".into(),
                    "OnGlobalHealthCheck".into()
                ),
            ]
        );
        assert!(scan.sites.iter().all(|s| s.public));
    }

    #[test]
    fn hooks_expanded_from_a_table_macro_are_bound_from_its_rows() {
        let scan = scan_one(
            r#"
            macro_rules! table {
                ($callback:ident) => {
                    $callback! {
                        Begin = RQ_BEGIN: on_begin / OnBegin ("OnBeginRequest"),
                            on_post_begin / OnPostBegin ("OnPostBeginRequest");
                        Send = RQ_SEND: on_send / OnSend ("OnSendResponse");
                    }
                };
            }
            macro_rules! hooks {
                ($(
                    $variant:ident = $mask:ident: $hook:ident / $slot:ident ($alias:literal)
                    $(, $post_hook:ident / $post_slot:ident ($post_alias:literal))?;
                )*) => {
                    pub trait Module {
                        $(
                            #[doc(alias = $alias)]
                            fn $hook(&self) {}
                            $(
                                #[doc(alias = $post_alias)]
                                fn $post_hook(&self) {}
                            )?
                        )*
                    }
                };
            }
            table!(hooks);
            "#,
        )
        .unwrap();
        let mut found: Vec<(String, String)> = scan
            .sites
            .iter()
            .map(|s| (s.item.clone().unwrap(), s.aliases.join(",")))
            .collect();
        found.sort();
        assert_eq!(
            found,
            [
                ("on_begin".into(), "OnBeginRequest".into()),
                ("on_post_begin".into(), "OnPostBeginRequest".into()),
                ("on_send".into(), "OnSendResponse".into()),
            ]
        );
    }

    #[test]
    fn macro_generated_impls_take_their_type_from_each_invocation() {
        let scan = scan_one(
            r#"
            macro_rules! provider {
                ($(#[$doc:meta])* $name:ident => $raw:ident) => {
                    $(#[$doc])*
                    pub struct $name { raw: *mut $raw }
                    impl $name {
                        #[doc(alias = "SetErrorStatus")]
                        pub fn set_error_status(&mut self) { unsafe { vcall!(p, SetErrorStatus(e)) } }
                    }
                };
            }
            provider! { /// Doc.
                Event => IHttpEventProvider }
            provider! { StopListening => IGlobalStopListeningProvider }
            "#,
        )
        .unwrap();
        let owners: Vec<&str> = scan.sites.iter().map(|s| s.owner.as_str()).collect();
        assert_eq!(owners, ["Event", "StopListening"]);
        assert_eq!(scan.sites[0].called, ["SetErrorStatus"]);
    }

    #[test]
    fn an_invocation_the_matcher_cannot_follow_is_an_error() {
        let error = scan_one(
            r#"
            macro_rules! odd {
                ($name:ident, $alias:literal) => {
                    impl $name { #[doc(alias = $alias)] pub fn f(&self) {} }
                };
            }
            odd! { Foo; "Bar" }
            "#,
        )
        .unwrap_err();
        assert!(error.contains("does not match"), "{error}");
    }
}
