//! The `macro_rules!` half of the scan: alias sites inside a macro's
//! transcriber, with their `$variables` bound from the macro's invocations
//! by a matcher that follows the macro's own rule.

use super::{Site, called_idents};
use proc_macro2::{Delimiter, TokenStream, TokenTree};
use std::collections::HashMap;

/// One rule of a `macro_rules!`: (matcher, transcriber).
pub(super) type Rule = (Vec<TokenTree>, Vec<TokenTree>);

/// A `macro_rules!` definition.
#[derive(Debug)]
pub(super) struct MacroDef {
    pub(super) name: String,
    pub(super) file: String,
    pub(super) rules: Vec<Rule>,
}

/// An item-level invocation `name! { … }`.
#[derive(Debug)]
pub(super) struct MacroCall {
    pub(super) name: String,
    pub(super) file: String,
    pub(super) tokens: Vec<TokenTree>,
}

pub(super) fn parse_rules(tokens: &[TokenTree]) -> Result<Vec<Rule>, String> {
    let mut rules = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let (
            Some(TokenTree::Group(matcher)),
            Some(TokenTree::Punct(eq)),
            Some(TokenTree::Punct(gt)),
        ) = (tokens.get(i), tokens.get(i + 1), tokens.get(i + 2))
        else {
            return Err("expected `(matcher) => {transcriber}`".to_string());
        };
        let Some(TokenTree::Group(body)) = tokens.get(i + 3) else {
            return Err("expected a transcriber after `=>`".to_string());
        };
        if eq.as_char() != '=' || gt.as_char() != '>' {
            return Err("expected `=>`".to_string());
        }
        rules.push((
            matcher.stream().into_iter().collect(),
            body.stream().into_iter().collect(),
        ));
        i += 4;
        if matches!(tokens.get(i), Some(TokenTree::Punct(p)) if p.as_char() == ';') {
            i += 1;
        }
    }
    Ok(rules)
}

/// A piece of a templated site: literal text or a `$variable`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Var(String),
}

/// An alias site in a transcriber, before its variables are bound.
#[derive(Debug, Clone)]
struct Template {
    owner: Option<Piece>,
    item: Option<Piece>,
    aliases: Vec<Piece>,
    public: bool,
    /// Inside a `$( … )*` repetition of the transcriber.
    repeated: bool,
    called: Vec<String>,
}

impl Template {
    fn vars(&self) -> Vec<&str> {
        let pieces = self.owner.iter().chain(&self.item).chain(&self.aliases);
        pieces
            .filter_map(|p| match p {
                Piece::Var(v) => Some(v.as_str()),
                Piece::Text(_) => None,
            })
            .collect()
    }
}

/// The item context the transcriber walker is in.
#[derive(Debug, Clone)]
struct Context {
    owner: Piece,
    /// `Some(pub)` inside a trait: its methods share its visibility.
    trait_public: Option<bool>,
}

/// Reads `name` or `$var` at `tokens[i]`; returns it and the next index.
fn piece_at(tokens: &[TokenTree], i: usize) -> Option<(Piece, usize)> {
    match (tokens.get(i), tokens.get(i + 1)) {
        (Some(TokenTree::Ident(id)), _) => Some((Piece::Text(id.to_string()), i + 1)),
        (Some(TokenTree::Punct(p)), Some(TokenTree::Ident(id))) if p.as_char() == '$' => {
            Some((Piece::Var(id.to_string()), i + 2))
        }
        _ => None,
    }
}

/// Index of the first brace group at or after `i`.
fn next_brace(tokens: &[TokenTree], i: usize) -> Option<usize> {
    (i..tokens.len())
        .find(|&j| matches!(&tokens[j], TokenTree::Group(g) if g.delimiter() == Delimiter::Brace))
}

/// The self type of `impl<…> [Trait for] Type<…> {`, from the tokens
/// between `impl` and the body.
fn impl_owner(header: &[TokenTree]) -> Option<Piece> {
    let mut i = 0;
    // Skip the impl generics.
    if matches!(header.first(), Some(TokenTree::Punct(p)) if p.as_char() == '<') {
        let mut depth = 0;
        while i < header.len() {
            if let TokenTree::Punct(p) = &header[i] {
                match p.as_char() {
                    '<' => depth += 1,
                    '>' => depth -= 1,
                    _ => {}
                }
            }
            i += 1;
            if depth == 0 {
                break;
            }
        }
    }
    let rest = &header[i..];
    let start = rest
        .iter()
        .position(|t| matches!(t, TokenTree::Ident(id) if id == "for"))
        .map_or(0, |f| f + 1);
    // The last name before generics or a where clause.
    let mut owner = None;
    let mut j = start;
    while j < rest.len() {
        match &rest[j] {
            TokenTree::Punct(p) if p.as_char() == '<' => break,
            TokenTree::Ident(id) if id == "where" => break,
            _ => {}
        }
        if let Some((piece, next)) = piece_at(rest, j) {
            owner = Some(piece);
            j = next;
        } else {
            j += 1;
        }
    }
    owner
}

/// Parses the content of `#[…]` as `doc(alias = X)` / `doc(alias(X, …))`.
fn template_aliases(attr: &[TokenTree]) -> Result<Vec<Piece>, String> {
    let (Some(TokenTree::Ident(doc)), Some(TokenTree::Group(list))) = (attr.first(), attr.get(1))
    else {
        return Ok(Vec::new());
    };
    if doc != "doc" || list.delimiter() != Delimiter::Parenthesis {
        return Ok(Vec::new());
    }
    let inner: Vec<TokenTree> = list.stream().into_iter().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < inner.len() {
        if matches!(&inner[i], TokenTree::Ident(id) if id == "alias") {
            match inner.get(i + 1) {
                Some(TokenTree::Punct(p)) if p.as_char() == '=' => {
                    let (piece, next) = alias_piece(&inner, i + 2)?;
                    out.push(piece);
                    i = next;
                    continue;
                }
                Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis => {
                    let list: Vec<TokenTree> = g.stream().into_iter().collect();
                    let mut j = 0;
                    while j < list.len() {
                        if matches!(&list[j], TokenTree::Punct(p) if p.as_char() == ',') {
                            j += 1;
                            continue;
                        }
                        let (piece, next) = alias_piece(&list, j)?;
                        out.push(piece);
                        j = next;
                    }
                    i += 2;
                    continue;
                }
                _ => return Err("unreadable doc(alias …)".to_string()),
            }
        }
        i += 1;
    }
    Ok(out)
}

/// A string literal or `$var` at `tokens[i]`.
fn alias_piece(tokens: &[TokenTree], i: usize) -> Result<(Piece, usize), String> {
    match tokens.get(i) {
        Some(TokenTree::Literal(lit)) => Ok((Piece::Text(literal_text(&lit.to_string())?), i + 1)),
        _ => match piece_at(tokens, i) {
            Some((Piece::Var(v), next)) => Ok((Piece::Var(v), next)),
            _ => Err("doc(alias) takes a string literal or a $variable".to_string()),
        },
    }
}

/// The value of a string literal token.
fn literal_text(token: &str) -> Result<String, String> {
    syn::parse_str::<syn::LitStr>(token)
        .map(|lit| lit.value())
        .map_err(|_| format!("{token} is not a string literal"))
}

/// Walks a transcriber and collects its alias sites.
fn walk_transcriber(
    tokens: &[TokenTree],
    context: Option<&Context>,
    repeated: bool,
    out: &mut Vec<Template>,
) -> Result<(), String> {
    let mut pending: Vec<Piece> = Vec::new();
    let mut public: Option<bool> = None;
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            TokenTree::Punct(p) if p.as_char() == '#' => {
                if let Some(TokenTree::Group(g)) = tokens.get(i + 1)
                    && g.delimiter() == Delimiter::Bracket
                {
                    let attr: Vec<TokenTree> = g.stream().into_iter().collect();
                    pending.extend(template_aliases(&attr)?);
                    i += 2;
                    continue;
                }
            }
            TokenTree::Punct(p) if p.as_char() == '$' => {
                if let Some(TokenTree::Group(g)) = tokens.get(i + 1)
                    && g.delimiter() == Delimiter::Parenthesis
                {
                    let inner: Vec<TokenTree> = g.stream().into_iter().collect();
                    walk_transcriber(&inner, context, true, out)?;
                    i += 2;
                    continue;
                }
            }
            TokenTree::Ident(id) if id == "pub" => {
                let restricted = matches!(tokens.get(i + 1), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis);
                public = Some(!restricted);
            }
            TokenTree::Ident(id) if id == "trait" => {
                let (owner, next) =
                    piece_at(tokens, i + 1).ok_or("a trait without a name".to_string())?;
                let body = next_brace(tokens, next).ok_or("a trait without a body")?;
                let trait_public = public.unwrap_or(false);
                flush(
                    &mut pending,
                    Some(owner.clone()),
                    None,
                    trait_public,
                    repeated,
                    out,
                );
                let TokenTree::Group(g) = &tokens[body] else {
                    unreachable!("next_brace finds groups")
                };
                let inner: Vec<TokenTree> = g.stream().into_iter().collect();
                let context = Context {
                    owner,
                    trait_public: Some(trait_public),
                };
                walk_transcriber(&inner, Some(&context), repeated, out)?;
                public = None;
                i = body + 1;
                continue;
            }
            TokenTree::Ident(id) if id == "impl" => {
                let body = next_brace(tokens, i + 1).ok_or("an impl without a body")?;
                let owner = impl_owner(&tokens[i + 1..body]).ok_or("an impl without a type")?;
                let TokenTree::Group(g) = &tokens[body] else {
                    unreachable!("next_brace finds groups")
                };
                let inner: Vec<TokenTree> = g.stream().into_iter().collect();
                let context = Context {
                    owner,
                    trait_public: None,
                };
                walk_transcriber(&inner, Some(&context), repeated, out)?;
                pending.clear();
                public = None;
                i = body + 1;
                continue;
            }
            TokenTree::Ident(id) if id == "struct" || id == "enum" => {
                if let Some((owner, _)) = piece_at(tokens, i + 1) {
                    flush(
                        &mut pending,
                        Some(owner),
                        None,
                        public.unwrap_or(false),
                        repeated,
                        out,
                    );
                }
                public = None;
            }
            TokenTree::Punct(p) if p.as_char() == ';' => {
                if !pending.is_empty() {
                    return Err("a doc(alias) on an item other than a fn, trait, struct or \
                                enum; extend xtask/src/api_map/scan.rs"
                        .to_string());
                }
                public = None;
            }
            TokenTree::Ident(id) if id == "fn" => {
                // `fn(…)` pointer types have no name.
                let Some((item, next)) = piece_at(tokens, i + 1) else {
                    i += 1;
                    continue;
                };
                let fn_public = match context.and_then(|c| c.trait_public) {
                    Some(trait_public) => trait_public,
                    None => public.unwrap_or(false),
                };
                let body = next_brace(tokens, next);
                let mut called = Vec::new();
                if let Some(body) = body
                    && let TokenTree::Group(g) = &tokens[body]
                {
                    vcall_idents(g.stream(), &mut called);
                }
                if !pending.is_empty() {
                    let before = out.len();
                    flush(
                        &mut pending,
                        context.map(|c| c.owner.clone()),
                        Some(item),
                        fn_public,
                        repeated,
                        out,
                    );
                    if out.len() > before {
                        out.last_mut().expect("pushed").called = called;
                    }
                }
                public = None;
                i = body.map_or(next, |b| b + 1);
                continue;
            }
            TokenTree::Group(g) => {
                let inner: Vec<TokenTree> = g.stream().into_iter().collect();
                walk_transcriber(&inner, context, repeated, out)?;
            }
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

/// Emits the pending aliases as one template.
fn flush(
    pending: &mut Vec<Piece>,
    owner: Option<Piece>,
    item: Option<Piece>,
    public: bool,
    repeated: bool,
    out: &mut Vec<Template>,
) {
    if pending.is_empty() {
        return;
    }
    out.push(Template {
        owner,
        item,
        aliases: std::mem::take(pending),
        public,
        repeated,
        called: Vec::new(),
    });
}

/// Identifiers called inside `vcall!(…)` invocations of a token stream.
fn vcall_idents(tokens: TokenStream, out: &mut Vec<String>) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    for (i, token) in tokens.iter().enumerate() {
        match token {
            TokenTree::Ident(id) if id == "vcall" => {
                if let (Some(TokenTree::Punct(bang)), Some(TokenTree::Group(args))) =
                    (tokens.get(i + 1), tokens.get(i + 2))
                    && bang.as_char() == '!'
                {
                    called_idents(args.stream(), out);
                }
            }
            TokenTree::Group(g) => vcall_idents(g.stream(), out),
            _ => {}
        }
    }
}

/// The calls a table macro makes for its invocations. A macro whose one
/// rule is `($callback:ident) => { $callback! { rows } }` (iis-sys's
/// notification tables) turns each invocation `table!(name)` into the call
/// `name! { rows }`, which the sites of `name` are bound from.
pub(super) fn forwarded_calls(defs: &[MacroDef], calls: &[MacroCall]) -> Vec<MacroCall> {
    let mut out = Vec::new();
    for def in defs {
        let [(matcher, transcriber)] = def.rules.as_slice() else {
            continue;
        };
        let (
            [
                TokenTree::Punct(dollar),
                TokenTree::Ident(var),
                TokenTree::Punct(colon),
                TokenTree::Ident(kind),
            ],
            [
                TokenTree::Punct(dollar2),
                TokenTree::Ident(var2),
                TokenTree::Punct(bang),
                TokenTree::Group(rows),
            ],
        ) = (matcher.as_slice(), transcriber.as_slice())
        else {
            continue;
        };
        if dollar.as_char() != '$'
            || colon.as_char() != ':'
            || kind != "ident"
            || dollar2.as_char() != '$'
            || var2 != var
            || bang.as_char() != '!'
        {
            continue;
        }
        for call in calls.iter().filter(|c| c.name == def.name) {
            if let [TokenTree::Ident(callback)] = call.tokens.as_slice() {
                out.push(MacroCall {
                    name: callback.to_string(),
                    file: call.file.clone(),
                    tokens: rows.stream().into_iter().collect(),
                });
            }
        }
    }
    out
}

/// Binds the sites of one macro definition from its invocations.
pub(super) fn expand_macro_sites(def: &MacroDef, calls: &[MacroCall]) -> Result<Vec<Site>, String> {
    let mut templates = Vec::new();
    for (_, transcriber) in &def.rules {
        walk_transcriber(transcriber, None, false, &mut templates)
            .map_err(|e| format!("{}: macro {}: {e}", def.file, def.name))?;
    }
    let mut sites = Vec::new();
    let plain: Vec<&Template> = templates.iter().filter(|t| t.vars().is_empty()).collect();
    for template in plain {
        sites.push(bind_site(template, &HashMap::new(), &def.file)?);
    }
    let templated: Vec<&Template> = templates.iter().filter(|t| !t.vars().is_empty()).collect();
    if templated.is_empty() {
        return Ok(sites);
    }
    for call in calls.iter().filter(|c| c.name == def.name) {
        let (entries, repeated) = bind_call(def, call)?;
        for template in &templated {
            if template.repeated != repeated {
                return Err(format!(
                    "{}: macro {}: its doc(alias) site uses ${} {} a repetition, which the \
                     api-map scanner does not follow; extend xtask/src/api_map/scan.rs",
                    def.file,
                    def.name,
                    template.vars()[0],
                    if repeated { "outside" } else { "inside" },
                ));
            }
            for bindings in &entries {
                // A site inside a `$( … )?` the entry does not have (a
                // notification without a post-notification) binds nothing.
                if template.vars().iter().all(|v| !bindings.contains_key(*v)) {
                    continue;
                }
                sites.push(bind_site(template, bindings, &call.file)?);
            }
        }
    }
    Ok(sites)
}

fn bind_site(
    template: &Template,
    bindings: &HashMap<String, TokenTree>,
    file: &str,
) -> Result<Site, String> {
    let value = |piece: &Piece| -> Result<String, String> {
        match piece {
            Piece::Text(text) => Ok(text.clone()),
            Piece::Var(var) => match bindings.get(var) {
                Some(TokenTree::Literal(lit)) => literal_text(&lit.to_string()),
                Some(other) => Ok(other.to_string()),
                None => Err(format!(
                    "{file}: ${var} is not bound by the macro invocation"
                )),
            },
        }
    };
    Ok(Site {
        owner: template
            .owner
            .as_ref()
            .map(value)
            .transpose()?
            .unwrap_or_default(),
        item: template.item.as_ref().map(value).transpose()?,
        aliases: template
            .aliases
            .iter()
            .map(value)
            .collect::<Result<_, _>>()?,
        public: template.public,
        called: template.called.clone(),
        file: file.to_string(),
    })
}

/// Matches an invocation against the first rule that fits. Returns the
/// bindings of each entry, and whether the rule is one `$( … )*` repetition
/// (one entry per repetition) or not (one entry for the whole call).
fn bind_call(
    def: &MacroDef,
    call: &MacroCall,
) -> Result<(Vec<HashMap<String, TokenTree>>, bool), String> {
    for (matcher, _) in &def.rules {
        if let Some(entry) = top_repetition(matcher) {
            let Some(TokenTree::Punct(end)) = entry.last() else {
                continue;
            };
            let mut entries = Vec::new();
            let mut ok = true;
            for chunk in split_after(&call.tokens, end.as_char()) {
                let mut bindings = HashMap::new();
                if matches(&entry, chunk, &mut bindings).is_none() {
                    ok = false;
                    break;
                }
                entries.push(bindings);
            }
            if ok {
                return Ok((entries, true));
            }
        } else {
            let mut bindings = HashMap::new();
            if matches(matcher, &call.tokens, &mut bindings).is_some() {
                return Ok((vec![bindings], false));
            }
        }
    }
    Err(format!(
        "{}: the invocation of {}! does not match any of its rules as the api-map scanner \
         reads them; extend xtask/src/api_map/scan.rs",
        call.file, def.name
    ))
}

/// The entry pattern of a matcher that is exactly `$( entry )*`.
fn top_repetition(matcher: &[TokenTree]) -> Option<Vec<TokenTree>> {
    match matcher {
        [
            TokenTree::Punct(dollar),
            TokenTree::Group(g),
            TokenTree::Punct(op),
        ] if dollar.as_char() == '$'
            && g.delimiter() == Delimiter::Parenthesis
            && matches!(op.as_char(), '*' | '+') =>
        {
            Some(g.stream().into_iter().collect())
        }
        _ => None,
    }
}

/// What the `literal` fragment accepts: a literal token, `true` or `false`.
fn is_literal(token: &TokenTree) -> bool {
    match token {
        TokenTree::Literal(_) => true,
        TokenTree::Ident(id) => id == "true" || id == "false",
        _ => false,
    }
}

/// Splits `tokens` after each top-level `end` punctuation.
fn split_after(tokens: &[TokenTree], end: char) -> Vec<&[TokenTree]> {
    let mut chunks = Vec::new();
    let mut start = 0;
    for (i, token) in tokens.iter().enumerate() {
        if matches!(token, TokenTree::Punct(p) if p.as_char() == end) {
            chunks.push(&tokens[start..=i]);
            start = i + 1;
        }
    }
    if start < tokens.len() {
        chunks.push(&tokens[start..]);
    }
    chunks
}

/// Matches a macro pattern against input, binding `$name:fragment`s.
/// Returns how many input tokens were consumed, or `None` on mismatch.
///
/// Enough of `macro_rules!` for the SDK's macros: single-token fragments
/// (`ident`, `literal`, `lifetime`, `tt`), a multi-token fragment as the
/// last thing in its group (`#[$doc:meta]`), literal tokens and groups, and
/// `$( … )*` / `$( … )?` repetitions matched greedily.
fn matches(
    pattern: &[TokenTree],
    input: &[TokenTree],
    bindings: &mut HashMap<String, TokenTree>,
) -> Option<usize> {
    let (mut p, mut i) = (0, 0);
    while p < pattern.len() {
        match &pattern[p] {
            TokenTree::Punct(dollar) if dollar.as_char() == '$' => match pattern.get(p + 1) {
                Some(TokenTree::Ident(name)) => {
                    let fragment = match (pattern.get(p + 2), pattern.get(p + 3)) {
                        (Some(TokenTree::Punct(colon)), Some(TokenTree::Ident(kind)))
                            if colon.as_char() == ':' =>
                        {
                            kind.to_string()
                        }
                        _ => return None,
                    };
                    p += 4;
                    let token = input.get(i)?;
                    match fragment.as_str() {
                        "ident" if matches!(token, TokenTree::Ident(_)) => {}
                        "literal" if is_literal(token) => {}
                        "tt" => {}
                        "ident" | "literal" => return None,
                        // A multi-token fragment: only as the last pattern
                        // token, where it takes the rest of the input.
                        _ if p == pattern.len() => {
                            bindings.insert(name.to_string(), token.clone());
                            return Some(input.len());
                        }
                        _ => return None,
                    }
                    bindings.insert(name.to_string(), token.clone());
                    i += 1;
                }
                Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::Parenthesis => {
                    let inner: Vec<TokenTree> = group.stream().into_iter().collect();
                    // Repetitions with a separator (`$( … ),*`) are not
                    // needed by the SDK's macros: they do not match.
                    let (op, next) = match pattern.get(p + 2) {
                        Some(TokenTree::Punct(op)) if matches!(op.as_char(), '*' | '+' | '?') => {
                            (op.as_char(), p + 3)
                        }
                        _ => return None,
                    };
                    let mut count = 0;
                    loop {
                        let mut scratch = bindings.clone();
                        match matches(&inner, &input[i..], &mut scratch) {
                            Some(n) if n > 0 => {
                                *bindings = scratch;
                                i += n;
                                count += 1;
                            }
                            _ => break,
                        }
                        if op == '?' {
                            break;
                        }
                    }
                    if op == '+' && count == 0 {
                        return None;
                    }
                    p = next;
                }
                _ => return None,
            },
            TokenTree::Group(group) => {
                let TokenTree::Group(other) = input.get(i)? else {
                    return None;
                };
                if group.delimiter() != other.delimiter() {
                    return None;
                }
                let inner: Vec<TokenTree> = group.stream().into_iter().collect();
                let given: Vec<TokenTree> = other.stream().into_iter().collect();
                if matches(&inner, &given, bindings)? != given.len() {
                    return None;
                }
                p += 1;
                i += 1;
            }
            token => {
                if input.get(i)?.to_string() != token.to_string() {
                    return None;
                }
                p += 1;
                i += 1;
            }
        }
    }
    Some(i)
}
