//! [`ConfigElement`]: a section, child element or collection entry of the
//! merged configuration, with typed reads; [`ConfigSection`]: a section as
//! a Rust type; the entry points on [`HttpServer`] and [`HttpContext`].

use super::error::{ConfigError, ConfigErrorKind};
use super::schema::{ElementSchema, schema_xml};
use crate::{HttpContext, HttpServer};
use core::time::Duration;
use iis_sys::{Bstr, ComPtr, IAppHostElement, IAppHostProperty, Variant, VariantValue};
use std::rc::Rc;
use windows_core::HRESULT;

/// A configuration section as a Rust type: its name, its schema (from which
/// [`schema_xml`](ConfigSection::schema_xml) renders the IIS schema file)
/// and how to read it from the merged section.
pub trait ConfigSection: Sized {
    /// The section name, e.g. `system.webServer/configuredHeaders`.
    const NAME: &'static str;

    /// The section's attributes, child elements and collection.
    fn schema() -> ElementSchema;

    /// Reads the section's effective value.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the attribute that is missing or invalid.
    fn from_element(section: &ConfigElement) -> Result<Self, ConfigError>;

    /// The IIS schema file of the section (`<configSchema>`).
    fn schema_xml() -> String {
        schema_xml(Self::NAME, &Self::schema())
    }
}

/// A Rust `enum` read from an IIS `enum` attribute.
pub trait ConfigEnum: Sized {
    /// The names and values, as the schema declares them.
    const VALUES: &'static [(&'static str, u32)];

    /// The variant for a value.
    fn from_value(value: u32) -> Option<Self>;
}

/// Where an element sits: for errors.
#[derive(Debug)]
struct Place {
    path: String,
    section: String,
}

/// One element of a merged configuration section: the section itself, a
/// child element, or a collection entry. Reads are typed; every error names
/// the configuration path, the section and the attribute.
#[derive(Debug, Clone)]
pub struct ConfigElement {
    raw: ComPtr<IAppHostElement>,
    place: Rc<Place>,
    /// The element's path inside the section (`hsts`, `headers[2]`).
    at: String,
}

/// A failed call's error kind.
fn call(operation: &'static str) -> impl Fn(HRESULT) -> ConfigErrorKind {
    move |hresult| ConfigErrorKind::Call { operation, hresult }
}

impl ConfigElement {
    fn error(&self, kind: ConfigErrorKind) -> ConfigError {
        ConfigError {
            path: self.place.path.clone(),
            section: self.place.section.clone(),
            kind,
        }
    }

    fn qualify(&self, name: &str) -> String {
        if self.at.is_empty() {
            name.to_owned()
        } else {
            format!("{}/{name}", self.at)
        }
    }

    fn property(&self, name: &str) -> Result<ComPtr<IAppHostProperty>, ConfigError> {
        let missing = || {
            self.error(ConfigErrorKind::Missing {
                attribute: self.qualify(name),
            })
        };
        let bstr = Bstr::from_text(name).ok_or_else(missing)?;
        let property = self.raw.iface().GetPropertyByName(&bstr);
        property.ok().flatten().ok_or_else(missing)
    }

    /// The attribute's effective value (the schema default when no level
    /// sets it), or the server's reason it is invalid.
    fn value(&self, name: &str) -> Result<Variant, ConfigError> {
        let property = self.property(name)?;
        let value = property.iface().get_Value();
        value.map_err(|hr| self.invalid(&property, name, hr))
    }

    /// The error for a property whose value the server rejected: what its
    /// `IAppHostPropertyException` says.
    fn invalid(&self, property: &ComPtr<IAppHostProperty>, name: &str, hr: HRESULT) -> ConfigError {
        let Some(exception) = property.iface().get_Exception().ok().flatten() else {
            return self.error(ConfigErrorKind::Call {
                operation: "IAppHostProperty::get_Value",
                hresult: hr,
            });
        };
        let text = |b: Result<Bstr, HRESULT>| b.map(|b| b.to_string()).unwrap_or_default();
        let value = text(exception.iface().get_InvalidValue());
        let reason = text(exception.iface().get_ValidationFailureReason());
        self.error(ConfigErrorKind::InvalidValue {
            attribute: self.qualify(name),
            value,
            reason,
        })
    }

    fn mismatch(&self, name: &str, value: &Variant, expected: &str) -> ConfigError {
        self.error(ConfigErrorKind::InvalidValue {
            attribute: self.qualify(name),
            value: format!("VARIANT type {}", value.vt()),
            reason: format!("expected {expected}"),
        })
    }

    fn integer(&self, name: &str) -> Result<(i128, Variant), ConfigError> {
        let v = self.value(name)?;
        let Some(n) = v.value().integer() else {
            return Err(self.mismatch(name, &v, "an integer"));
        };
        Ok((n, v))
    }

    fn ranged<T: TryFrom<i128>>(&self, name: &str, what: &str) -> Result<T, ConfigError> {
        let (n, _) = self.integer(name)?;
        T::try_from(n).map_err(|_| {
            self.error(ConfigErrorKind::InvalidValue {
                attribute: self.qualify(name),
                value: n.to_string(),
                reason: format!("out of range for {what}"),
            })
        })
    }

    /// A `string` attribute.
    ///
    /// # Errors
    /// [`ConfigErrorKind::Missing`] or [`ConfigErrorKind::InvalidValue`].
    #[doc(alias = "GetPropertyByName")]
    #[doc(alias = "get_Value")]
    pub fn string(&self, name: &str) -> Result<String, ConfigError> {
        let v = self.value(name)?;
        match v.value() {
            VariantValue::Bstr(text) => Ok(text.to_string()),
            _ => Err(self.mismatch(name, &v, "a string")),
        }
    }

    /// A `bool` attribute.
    ///
    /// # Errors
    /// As [`string`](Self::string).
    pub fn bool(&self, name: &str) -> Result<bool, ConfigError> {
        let v = self.value(name)?;
        match v.value() {
            VariantValue::Bool(b) => Ok(b),
            _ => Err(self.mismatch(name, &v, "a bool")),
        }
    }

    /// An `int` attribute.
    ///
    /// # Errors
    /// As [`string`](Self::string).
    pub fn int(&self, name: &str) -> Result<i32, ConfigError> {
        self.ranged(name, "int")
    }

    /// A `uint` attribute.
    ///
    /// # Errors
    /// As [`string`](Self::string).
    pub fn uint(&self, name: &str) -> Result<u32, ConfigError> {
        self.ranged(name, "uint")
    }

    /// An `int64` attribute.
    ///
    /// # Errors
    /// As [`string`](Self::string).
    pub fn int64(&self, name: &str) -> Result<i64, ConfigError> {
        self.ranged(name, "int64")
    }

    /// A `timeSpan` attribute (100-ns ticks on the wire); negative spans are
    /// invalid here.
    ///
    /// # Errors
    /// As [`string`](Self::string).
    pub fn time_span(&self, name: &str) -> Result<Duration, ConfigError> {
        let ticks: u64 = self.ranged(name, "a non-negative timeSpan")?;
        Ok(Duration::from_nanos(ticks.saturating_mul(100)))
    }

    /// An `enum` attribute as a Rust enum.
    ///
    /// # Errors
    /// As [`string`](Self::string).
    pub fn enumeration<E: ConfigEnum>(&self, name: &str) -> Result<E, ConfigError> {
        let n: u32 = self.ranged(name, "an enum")?;
        E::from_value(n).ok_or_else(|| {
            self.error(ConfigErrorKind::InvalidValue {
                attribute: self.qualify(name),
                value: n.to_string(),
                reason: "not a value of the enum".to_owned(),
            })
        })
    }

    /// A `flags` attribute: the OR of its named bits (wrap it in a
    /// `bitflags` type with `from_bits_truncate`).
    ///
    /// # Errors
    /// As [`string`](Self::string).
    pub fn flags(&self, name: &str) -> Result<u32, ConfigError> {
        let (n, _) = self.integer(name)?;
        Ok(n as u32)
    }

    /// A child element.
    ///
    /// # Errors
    /// [`ConfigErrorKind::Missing`] when the schema has no such element.
    #[doc(alias = "GetElementByName")]
    pub fn child(&self, name: &str) -> Result<ConfigElement, ConfigError> {
        let missing = || {
            self.error(ConfigErrorKind::Missing {
                attribute: self.qualify(name),
            })
        };
        let bstr = Bstr::from_text(name).ok_or_else(missing)?;
        match self.raw.iface().GetElementByName(&bstr).ok().flatten() {
            Some(raw) => Ok(ConfigElement {
                raw,
                place: Rc::clone(&self.place),
                at: self.qualify(name),
            }),
            _ => Err(missing()),
        }
    }

    /// The entries of the element's collection, in effective order (after
    /// every level's `<add>`, `<remove>` and `<clear>`).
    ///
    /// # Errors
    /// [`ConfigErrorKind::Call`] when the element has no collection.
    #[doc(alias = "get_Collection")]
    pub fn entries(&self) -> Result<Vec<ConfigElement>, ConfigError> {
        let fail = |kind| self.error(kind);
        let collection = self.raw.iface().get_Collection();
        let collection = collection
            .map_err(call("IAppHostElement::get_Collection"))
            .map_err(fail)?;
        let Some(collection) = collection else {
            return Err(self.error(ConfigErrorKind::Call {
                operation: "IAppHostElement::get_Collection",
                hresult: iis_sys::E_POINTER,
            }));
        };
        let count = collection.iface().get_Count();
        let count = count
            .map_err(call("IAppHostElementCollection::get_Count"))
            .map_err(fail)?;
        let mut entries = Vec::with_capacity(count as usize);
        for i in 0..count {
            let index = i32::try_from(i).unwrap_or(i32::MAX);
            let entry = collection.iface().get_Item(&Variant::from(index));
            let entry = entry
                .map_err(call("IAppHostElementCollection::get_Item"))
                .map_err(fail)?;
            if let Some(raw) = entry {
                let at = if self.at.is_empty() {
                    format!("[{i}]")
                } else {
                    format!("{}[{i}]", self.at)
                };
                entries.push(ConfigElement {
                    raw,
                    place: Rc::clone(&self.place),
                    at,
                });
            }
        }
        Ok(entries)
    }
}

impl HttpServer {
    /// The merged configuration section `section` at configuration path
    /// `path` (`MACHINE/WEBROOT/APPHOST/<site>/<url path>`), as an element
    /// to read.
    ///
    /// # Errors
    /// [`ConfigErrorKind::Unavailable`] without a configuration system;
    /// [`ConfigErrorKind::Section`] when IIS cannot read the section.
    #[doc(alias = "GetAdminManager")]
    #[doc(alias = "GetAdminSection")]
    pub fn admin_section(&self, section: &str, path: &str) -> Result<ConfigElement, ConfigError> {
        let place = Rc::new(Place {
            path: path.to_owned(),
            section: section.to_owned(),
        });
        let error = |kind| ConfigError {
            path: path.to_owned(),
            section: section.to_owned(),
            kind,
        };
        // The manager belongs to the server (no reference is handed over).
        let Some(manager) = self.iface().GetAdminManager() else {
            return Err(error(ConfigErrorKind::Unavailable));
        };
        let (Some(name), Some(at)) = (Bstr::from_text(section), Bstr::from_text(path)) else {
            return Err(error(ConfigErrorKind::Unavailable));
        };
        match manager.GetAdminSection(&name, &at) {
            Ok(Some(raw)) => Ok(ConfigElement {
                raw,
                place,
                at: String::new(),
            }),
            // Succeeded without a section: reported with the success code.
            Ok(None) => Err(error(ConfigErrorKind::Section {
                hresult: iis_sys::S_OK,
            })),
            Err(hr) => Err(error(ConfigErrorKind::Section { hresult: hr })),
        }
    }

    /// Reads section `S` at configuration path `path` (a site:
    /// `MACHINE/WEBROOT/APPHOST/Default Web Site`, or any URL below it).
    ///
    /// # Errors
    /// As [`admin_section`](Self::admin_section) and
    /// [`ConfigSection::from_element`].
    pub fn config<S: ConfigSection>(&self, path: &str) -> Result<S, ConfigError> {
        S::from_element(&self.admin_section(S::NAME, path)?)
    }
}

impl HttpContext {
    /// Reads section `S` for this request's URL (its configuration path,
    /// `IMetadataInfo::GetMetaPath`), with every level's `web.config` and
    /// `<location>` applied.
    ///
    /// # Errors
    /// [`ConfigErrorKind::Unavailable`] without a server or metadata; as
    /// [`HttpServer::config`].
    pub fn config<S: ConfigSection>(&self) -> Result<S, ConfigError> {
        let path = self.metadata().and_then(|m| m.meta_path().ok().flatten());
        let (Some(server), Some(path)) = (self.server(), path) else {
            return Err(ConfigError {
                path: String::new(),
                section: S::NAME.to_owned(),
                kind: ConfigErrorKind::Unavailable,
            });
        };
        server.config::<S>(&path)
    }
}
