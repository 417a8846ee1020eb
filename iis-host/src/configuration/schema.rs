//! Configuration schemas in IIS's own format (the files of
//! `%windir%\system32\inetsrv\config\schema`): `<configSchema>` with one
//! `<sectionSchema name="group/section">` per section, whose
//! `<attribute>`s, `<element>`s and `<collection>` say what the section may
//! hold, with types, defaults, enum values and collection keys.

use std::collections::HashMap;
use std::sync::Arc;

use super::ConfigFault;

/// An attribute's schema type (`type="…"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AttrType {
    String,
    Bool,
    Int,
    Uint,
    Int64,
    Enum,
    Flags,
    TimeSpan,
}

impl AttrType {
    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "string" => AttrType::String,
            "bool" => AttrType::Bool,
            "int" => AttrType::Int,
            "uint" => AttrType::Uint,
            "int64" => AttrType::Int64,
            "enum" => AttrType::Enum,
            "flags" => AttrType::Flags,
            "timeSpan" => AttrType::TimeSpan,
            _ => return None,
        })
    }
}

/// `<attribute>`.
#[derive(Debug, Clone)]
pub(crate) struct AttributeSchema {
    pub(crate) name: String,
    pub(crate) kind: AttrType,
    pub(crate) default: Option<String>,
    pub(crate) required: bool,
    pub(crate) unique_key: bool,
    /// `<enum name value>` children of `enum` and `flags` attributes.
    pub(crate) values: Vec<(String, u32)>,
}

/// `<sectionSchema>`, `<element>` or a collection entry.
#[derive(Debug, Clone, Default)]
pub(crate) struct ElementSchema {
    pub(crate) name: String,
    pub(crate) attributes: Vec<AttributeSchema>,
    pub(crate) children: Vec<Arc<ElementSchema>>,
    pub(crate) collection: Option<Arc<CollectionSchema>>,
}

/// `<collection addElement removeElement clearElement>`: the entry's
/// attributes are the collection's own.
#[derive(Debug, Clone)]
pub(crate) struct CollectionSchema {
    pub(crate) add: String,
    pub(crate) remove: Option<String>,
    pub(crate) clear: Option<String>,
    pub(crate) entry: Arc<ElementSchema>,
}

impl CollectionSchema {
    /// The key attributes of an entry (`isUniqueKey`); every attribute when
    /// none is marked (IIS then compares whole entries).
    pub(crate) fn keys(&self) -> Vec<&str> {
        let keys: Vec<&str> = self
            .entry
            .attributes
            .iter()
            .filter(|a| a.unique_key)
            .map(|a| a.name.as_str())
            .collect();
        if keys.is_empty() {
            self.entry
                .attributes
                .iter()
                .map(|a| a.name.as_str())
                .collect()
        } else {
            keys
        }
    }
}

/// Every section schema the host knows, by section name.
#[derive(Debug, Clone, Default)]
pub(crate) struct Schemas {
    sections: HashMap<String, Arc<ElementSchema>>,
}

impl Schemas {
    /// Adds the sections of one schema file.
    pub(crate) fn add_file(&mut self, name: &str, text: &str) -> Result<(), ConfigFault> {
        let doc = roxmltree::Document::parse(text).map_err(|e| {
            ConfigFault::invalid(
                name,
                e.pos().row,
                format!("schema is not well-formed XML: {e}"),
            )
        })?;
        let root = doc.root_element();
        if root.tag_name().name() != "configSchema" {
            return Err(ConfigFault::invalid(
                name,
                1,
                "the root element of a schema file must be <configSchema>",
            ));
        }
        for section in root.children().filter(|n| n.has_tag_name("sectionSchema")) {
            let Some(section_name) = section.attribute("name") else {
                return Err(ConfigFault::invalid(
                    name,
                    line(&section),
                    "<sectionSchema> without a name",
                ));
            };
            let schema = element(name, section, section_name)?;
            self.sections
                .insert(section_name.to_owned(), Arc::new(schema));
        }
        Ok(())
    }

    pub(crate) fn section(&self, name: &str) -> Option<&Arc<ElementSchema>> {
        self.sections.get(name)
    }
}

pub(crate) fn line(node: &roxmltree::Node<'_, '_>) -> u32 {
    node.document().text_pos_at(node.range().start).row
}

fn element(
    file: &str,
    node: roxmltree::Node<'_, '_>,
    name: &str,
) -> Result<ElementSchema, ConfigFault> {
    let mut schema = ElementSchema {
        name: name.to_owned(),
        ..ElementSchema::default()
    };
    for child in node.children().filter(roxmltree::Node::is_element) {
        match child.tag_name().name() {
            "attribute" => schema.attributes.push(attribute(file, child)?),
            "element" => {
                let Some(child_name) = child.attribute("name") else {
                    return Err(ConfigFault::invalid(
                        file,
                        line(&child),
                        "<element> without a name",
                    ));
                };
                schema
                    .children
                    .push(Arc::new(element(file, child, child_name)?));
            }
            "collection" => {
                let Some(add) = child.attribute("addElement") else {
                    return Err(ConfigFault::invalid(
                        file,
                        line(&child),
                        "<collection> without addElement",
                    ));
                };
                let entry = element(file, child, add)?;
                schema.collection = Some(Arc::new(CollectionSchema {
                    add: add.to_owned(),
                    remove: child.attribute("removeElement").map(str::to_owned),
                    clear: child.attribute("clearElement").map(str::to_owned),
                    entry: Arc::new(entry),
                }));
            }
            _ => {}
        }
    }
    Ok(schema)
}

fn attribute(file: &str, node: roxmltree::Node<'_, '_>) -> Result<AttributeSchema, ConfigFault> {
    let at = line(&node);
    let name = node
        .attribute("name")
        .ok_or_else(|| ConfigFault::invalid(file, at, "<attribute> without a name"))?;
    let type_name = node.attribute("type").unwrap_or("string");
    let kind = AttrType::parse(type_name).ok_or_else(|| {
        ConfigFault::invalid(
            file,
            at,
            format!("attribute '{name}': unknown type '{type_name}'"),
        )
    })?;
    let mut values = Vec::new();
    for value in node.children().filter(|n| n.has_tag_name("enum")) {
        let (Some(v_name), Some(v)) = (value.attribute("name"), value.attribute("value")) else {
            return Err(ConfigFault::invalid(
                file,
                line(&value),
                "<enum> needs name and value",
            ));
        };
        let v = parse_uint(v).ok_or_else(|| {
            ConfigFault::invalid(
                file,
                line(&value),
                format!("<enum name=\"{v_name}\">: bad value '{v}'"),
            )
        })?;
        values.push((v_name.to_owned(), v));
    }
    let flag = |n: &str| {
        node.attribute(n)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    };
    Ok(AttributeSchema {
        name: name.to_owned(),
        kind,
        default: node.attribute("defaultValue").map(str::to_owned),
        required: flag("required"),
        unique_key: flag("isUniqueKey"),
        values,
    })
}

fn parse_uint(text: &str) -> Option<u32> {
    match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u32::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}
