//! The schema of a configuration section, described in Rust and rendered
//! as the IIS schema file (`<configSchema>`) that installs it.

use core::fmt::Write;

/// An attribute's IIS type (the schema's `type="…"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AttributeType {
    /// `string`.
    String,
    /// `bool`.
    Bool,
    /// `int` (32-bit signed).
    Int,
    /// `uint` (32-bit unsigned).
    Uint,
    /// `int64`.
    Int64,
    /// `enum`: one of named values.
    Enum,
    /// `flags`: a comma-separated set of named bits.
    Flags,
    /// `timeSpan`: `[-][d.]hh:mm:ss[.fffffff]`.
    TimeSpan,
}

impl AttributeType {
    fn xml_name(self) -> &'static str {
        match self {
            AttributeType::String => "string",
            AttributeType::Bool => "bool",
            AttributeType::Int => "int",
            AttributeType::Uint => "uint",
            AttributeType::Int64 => "int64",
            AttributeType::Enum => "enum",
            AttributeType::Flags => "flags",
            AttributeType::TimeSpan => "timeSpan",
        }
    }
}

/// One `<attribute>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeSchema {
    name: String,
    kind: AttributeType,
    default: Option<String>,
    required: bool,
    unique_key: bool,
    values: Vec<(String, u32)>,
}

impl AttributeSchema {
    /// An attribute of type `kind`.
    pub fn new(name: &str, kind: AttributeType) -> Self {
        AttributeSchema {
            name: name.to_owned(),
            kind,
            default: None,
            required: false,
            unique_key: false,
            values: Vec::new(),
        }
    }

    /// `defaultValue`: the value when no configuration level sets it.
    pub fn default_value(mut self, value: &str) -> Self {
        self.default = Some(value.to_owned());
        self
    }

    /// `required="true"`.
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// `isUniqueKey="true"`: the key of a collection entry (what `<remove>`
    /// matches).
    pub fn unique_key(mut self) -> Self {
        self.unique_key = true;
        self
    }

    /// The `<enum name value>` children of an `enum` or `flags` attribute.
    pub fn values(mut self, values: &[(&str, u32)]) -> Self {
        self.values = values.iter().map(|(n, v)| ((*n).to_owned(), *v)).collect();
        self
    }
}

/// An element's content: attributes, child elements and a collection.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ElementSchema {
    attributes: Vec<AttributeSchema>,
    children: Vec<(String, ElementSchema)>,
    collection: Option<Box<CollectionSchema>>,
}

impl ElementSchema {
    /// An empty element.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an `<attribute>`.
    pub fn attribute(mut self, attribute: AttributeSchema) -> Self {
        self.attributes.push(attribute);
        self
    }

    /// Adds a child `<element name="…">`.
    pub fn element(mut self, name: &str, element: ElementSchema) -> Self {
        self.children.push((name.to_owned(), element));
        self
    }

    /// Makes the element a collection.
    pub fn collection(mut self, collection: CollectionSchema) -> Self {
        self.collection = Some(Box::new(collection));
        self
    }

    fn render(&self, out: &mut String, indent: usize) {
        let pad = " ".repeat(indent);
        for a in &self.attributes {
            let _ = write!(
                out,
                "{pad}<attribute name=\"{}\" type=\"{}\"",
                escape(&a.name),
                a.kind.xml_name()
            );
            if a.required {
                out.push_str(" required=\"true\"");
            }
            if a.unique_key {
                out.push_str(" isUniqueKey=\"true\"");
            }
            if let Some(d) = &a.default {
                let _ = write!(out, " defaultValue=\"{}\"", escape(d));
            }
            if a.values.is_empty() {
                out.push_str(" />\n");
            } else {
                out.push_str(">\n");
                for (n, v) in &a.values {
                    let _ = writeln!(out, "{pad}  <enum name=\"{}\" value=\"{v}\" />", escape(n));
                }
                let _ = writeln!(out, "{pad}</attribute>");
            }
        }
        for (name, child) in &self.children {
            let _ = writeln!(out, "{pad}<element name=\"{}\">", escape(name));
            child.render(out, indent + 2);
            let _ = writeln!(out, "{pad}</element>");
        }
        if let Some(c) = &self.collection {
            let _ = write!(out, "{pad}<collection addElement=\"{}\"", escape(&c.add));
            if let Some(r) = &c.remove {
                let _ = write!(out, " removeElement=\"{}\"", escape(r));
            }
            if let Some(r) = &c.clear {
                let _ = write!(out, " clearElement=\"{}\"", escape(r));
            }
            out.push_str(">\n");
            c.entry.render(out, indent + 2);
            let _ = writeln!(out, "{pad}</collection>");
        }
    }
}

/// A `<collection>`: the names of its add/remove/clear elements and its
/// entries' attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionSchema {
    add: String,
    remove: Option<String>,
    clear: Option<String>,
    entry: ElementSchema,
}

impl CollectionSchema {
    /// A collection whose entries are `<add …>` (IIS's usual names:
    /// `add`, `remove`, `clear`).
    pub fn new(add: &str) -> Self {
        CollectionSchema {
            add: add.to_owned(),
            remove: None,
            clear: None,
            entry: ElementSchema::new(),
        }
    }

    /// `removeElement`.
    pub fn remove(mut self, name: &str) -> Self {
        self.remove = Some(name.to_owned());
        self
    }

    /// `clearElement`.
    pub fn clear(mut self, name: &str) -> Self {
        self.clear = Some(name.to_owned());
        self
    }

    /// An attribute of every entry.
    pub fn attribute(mut self, attribute: AttributeSchema) -> Self {
        self.entry = self.entry.attribute(attribute);
        self
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The IIS schema file of a section: `<configSchema><sectionSchema
/// name="…">…</sectionSchema></configSchema>`, to copy into
/// `%windir%\system32\inetsrv\config\schema\` (see docs/deploying.md).
pub fn schema_xml(section: &str, schema: &ElementSchema) -> String {
    let mut out = String::from("<configSchema>\n");
    let _ = writeln!(out, "  <sectionSchema name=\"{}\">", escape(section));
    schema.render(&mut out, 4);
    out.push_str("  </sectionSchema>\n</configSchema>\n");
    out
}
