//! A small XML element writer producing what the samples' MSXML 6
//! documents serialise to (`IXMLDOMDocument::xml`): attributes in the
//! order they were set, `<name/>` for empty elements, `&`, `<` and `"`
//! escaped in attribute values. The samples use MSXML only to build this
//! text; the ports build the same text without COM.

use std::fmt::{self, Write as _};

/// An element with attributes and child elements.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    name: String,
    attributes: Vec<(String, String)>,
    children: Vec<Element>,
}

impl Element {
    /// An empty element.
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            ..Self::default()
        }
    }

    /// Sets an attribute (`createAttribute` + `setAttributeNode`):
    /// replaces a previous value of the same name in place.
    pub fn attribute(&mut self, name: &str, value: impl Into<String>) -> &mut Self {
        let value = value.into();
        match self.attributes.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value,
            None => self.attributes.push((name.to_owned(), value)),
        }
        self
    }

    /// Appends a child element (`appendChild`).
    pub fn child(&mut self, child: Element) -> &mut Self {
        self.children.push(child);
        self
    }

    /// Whether the element or a descendant is named `name`.
    pub fn contains(&self, name: &str) -> bool {
        self.name == name || self.children.iter().any(|c| c.contains(name))
    }

    /// The document as the samples write it: `<?xml version="1.0"?>` then
    /// the element.
    pub fn document(&self) -> String {
        format!("<?xml version=\"1.0\"?>{self}")
    }
}

fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

impl fmt::Display for Element {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{}", self.name)?;
        for (name, value) in &self.attributes {
            write!(f, " {name}=\"{}\"", escape(value))?;
        }
        if self.children.is_empty() {
            return f.write_str("/>");
        }
        f.write_char('>')?;
        for child in &self.children {
            write!(f, "{child}")?;
        }
        write!(f, "</{}>", self.name)
    }
}

/// `true` / `false`, as the samples' `CConvert::ToString(BOOL)`.
pub fn boolean(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}

/// A string or `NULL`, as `CConvert::ToString(PCSTR/PCWSTR)`.
pub fn or_null(value: Option<String>) -> String {
    value.unwrap_or_else(|| "NULL".to_owned())
}
