//! [`ConfigError`]: what went wrong reading a configuration section, with
//! the configuration path, the section and the attribute.

use windows_core::HRESULT;

/// A configuration section could not be read, or one of its values is
/// missing or invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("configuration section '{section}' at '{path}': {kind}")]
#[non_exhaustive]
pub struct ConfigError {
    /// The configuration path (`MACHINE/WEBROOT/APPHOST/Default Web Site/…`).
    pub path: String,
    /// The section (`system.webServer/…`).
    pub section: String,
    /// What is wrong.
    pub kind: ConfigErrorKind,
}

/// What is wrong with a configuration section.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigErrorKind {
    /// The server has no configuration system (`GetAdminManager` returned
    /// null), or the module has no server.
    #[error("the server has no configuration system")]
    Unavailable,
    /// `IAppHostAdminManager::GetAdminSection` failed: the section has no
    /// schema (`0x80070057`), a file is malformed or holds an unknown
    /// attribute (`0x8007000D`), the section is locked at a parent level
    /// (`0x80070021`), a collection entry is added twice (`0x800700B7`).
    #[error("the section cannot be read ({hresult})")]
    Section {
        /// What `GetAdminSection` returned.
        hresult: HRESULT,
    },
    /// The attribute or element is not in the section (its schema does not
    /// declare it).
    #[error("'{attribute}' is not in the section")]
    Missing {
        /// The attribute, with its element path (`hsts/maxAge`).
        attribute: String,
    },
    /// The attribute's value is invalid for its type.
    #[error("'{attribute}' has the invalid value '{value}': {reason}")]
    InvalidValue {
        /// The attribute, with its element path (`headers[2]/value`).
        attribute: String,
        /// The text in the file.
        value: String,
        /// Why it is invalid.
        reason: String,
    },
    /// A configuration object's method failed.
    #[error("{operation} failed ({hresult})")]
    Call {
        /// The C++ method, e.g. `IAppHostElement::get_Collection`.
        operation: &'static str,
        /// What it returned.
        hresult: HRESULT,
    },
}

impl ConfigError {
    /// The HRESULT reported to IIS when this error leaves a hook.
    pub fn hresult(&self) -> HRESULT {
        match &self.kind {
            ConfigErrorKind::Section { hresult } | ConfigErrorKind::Call { hresult, .. } => {
                *hresult
            }
            ConfigErrorKind::Unavailable => iis_sys::E_NOTIMPL,
            ConfigErrorKind::Missing { .. } => iis_sys::HRESULT_ERROR_NOT_FOUND,
            // HRESULT_FROM_WIN32(ERROR_INVALID_DATA), as IIS reports invalid configuration.
            ConfigErrorKind::InvalidValue { .. } => HRESULT(0x8007_000D_u32 as i32),
        }
    }
}
