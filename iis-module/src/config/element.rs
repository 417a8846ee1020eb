//! [`ConfigElement`]: a section, child element or collection entry of the
//! merged configuration, with typed reads; [`ConfigSection`]: a section as
//! a Rust type; the entry points on [`HttpServer`] and [`HttpContext`].

use super::com::{Bstr, ComPtr, Value, Variant};
use super::error::{ConfigError, ConfigErrorKind};
use super::schema::{ElementSchema, schema_xml};
use crate::ffi::vcall;
use crate::{HttpContext, HttpServer};
use core::time::Duration;
use iis_sys::{
    IAppHostElement, IAppHostElementCollection, IAppHostProperty, IAppHostPropertyException,
};
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

/// An `Option`-returning out call as `Result`.
fn call(operation: &'static str, hr: HRESULT) -> Result<(), (ConfigErrorKind, HRESULT)> {
    if hr.is_ok() {
        Ok(())
    } else {
        Err((
            ConfigErrorKind::Call {
                operation,
                hresult: hr,
            },
            hr,
        ))
    }
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
        let bstr = Bstr::new(name).ok_or_else(missing)?;
        // SAFETY: live element; a BSTR argument living across the call; the
        // out pointer receives one reference on success.
        let (_, property) = unsafe {
            ComPtr::out(|raw| vcall!(self.raw.as_raw(), GetPropertyByName(bstr.as_raw(), raw)))
        };
        property.ok_or_else(missing)
    }

    /// The attribute's effective value (the schema default when no level
    /// sets it), or the server's reason it is invalid.
    fn value(&self, name: &str) -> Result<Variant, ConfigError> {
        let property = self.property(name)?;
        let mut value = Variant::empty();
        let hr = property.iface().get_Value(&mut value.0);
        if hr.is_ok() {
            return Ok(value);
        }
        Err(self.invalid(&property, name, hr))
    }

    /// The error for a property whose value the server rejected: what its
    /// `IAppHostPropertyException` says.
    fn invalid(&self, property: &ComPtr<IAppHostProperty>, name: &str, hr: HRESULT) -> ConfigError {
        let mut raw: *mut IAppHostPropertyException = core::ptr::null_mut();
        let got = property.iface().get_Exception(&mut raw);
        // SAFETY: on success, null or one reference we now own.
        let Some(exception) = got
            .is_ok()
            .then(|| unsafe { ComPtr::from_owned(raw) })
            .flatten()
        else {
            return self.error(ConfigErrorKind::Call {
                operation: "IAppHostProperty::get_Value",
                hresult: hr,
            });
        };
        let text = |f: &dyn Fn(&mut iis_sys::BSTR) -> HRESULT| {
            let mut b = core::ptr::null();
            let hr = f(&mut b);
            // SAFETY: an out BSTR we own (null on failure).
            let s = unsafe { Bstr::take(b) };
            if hr.is_ok() { s } else { String::new() }
        };
        let value = text(&|b| exception.iface().get_InvalidValue(b));
        let reason = text(&|b| exception.iface().get_ValidationFailureReason(b));
        self.error(ConfigErrorKind::InvalidValue {
            attribute: self.qualify(name),
            value,
            reason,
        })
    }

    fn mismatch(&self, name: &str, value: &Variant, expected: &str) -> ConfigError {
        self.error(ConfigErrorKind::InvalidValue {
            attribute: self.qualify(name),
            value: format!("VARIANT type {}", value.tag()),
            reason: format!("expected {expected}"),
        })
    }

    fn integer(&self, name: &str) -> Result<(i128, Variant), ConfigError> {
        let v = self.value(name)?;
        let Value::Integer(n) = v.value() else {
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
            Value::Text(text) => Ok(text),
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
            Value::Bool(b) => Ok(b),
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
        let bstr = Bstr::new(name).ok_or_else(missing)?;
        // SAFETY: live element; a BSTR living across the call; the out
        // pointer receives one reference on success.
        let (_, child) = unsafe {
            ComPtr::out(|raw| vcall!(self.raw.as_raw(), GetElementByName(bstr.as_raw(), raw)))
        };
        match child {
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
        let fail = |(kind, _)| self.error(kind);
        let mut raw: *mut IAppHostElementCollection = core::ptr::null_mut();
        let hr = self.raw.iface().get_Collection(&mut raw);
        call("IAppHostElement::get_Collection", hr).map_err(fail)?;
        // SAFETY: on success, one reference we now own.
        let Some(collection) = (unsafe { ComPtr::from_owned(raw) }) else {
            return Err(self.error(ConfigErrorKind::Call {
                operation: "IAppHostElement::get_Collection",
                hresult: iis_sys::E_POINTER,
            }));
        };
        let mut count = 0u32;
        let hr = collection.iface().get_Count(&mut count);
        call("IAppHostElementCollection::get_Count", hr).map_err(fail)?;
        let mut entries = Vec::with_capacity(count as usize);
        for i in 0..count {
            let index = i32::try_from(i).unwrap_or(i32::MAX);
            // SAFETY: live collection; a VT_I4 VARIANT (nothing to free);
            // the out pointer receives one reference on success.
            let (hr, entry) = unsafe {
                ComPtr::out(|raw| vcall!(collection.as_raw(), get_Item(Variant::index(index), raw)))
            };
            call("IAppHostElementCollection::get_Item", hr).map_err(fail)?;
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
        let (Some(name), Some(at)) = (Bstr::new(section), Bstr::new(path)) else {
            return Err(error(ConfigErrorKind::Unavailable));
        };
        // SAFETY: the server's live admin manager; BSTRs living across the
        // call; the out pointer receives one reference on success.
        let (hr, section) = unsafe {
            ComPtr::out(|raw| {
                vcall!(
                    manager.as_ptr(),
                    GetAdminSection(name.as_raw(), at.as_raw(), raw)
                )
            })
        };
        match section {
            Some(raw) => Ok(ConfigElement {
                raw,
                place,
                at: String::new(),
            }),
            _ => Err(error(ConfigErrorKind::Section { hresult: hr })),
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
