//! The native handlers of IIS that iis-host has built in, as the modules a
//! handler mapping names (`modules` of `system.webServer/handlers`):
//!
//! * `StaticFileModule` ([`static_file`]): a file under the site's physical
//!   path, with its MIME type from the `staticContent` defaults;
//! * `DefaultDocumentModule` ([`default_document`]): a directory, through
//!   its default document, IIS's courtesy redirect, or `403.14`
//!   (`DirectoryListingModule` with directory browsing off);
//! * `ProtocolSupportModule` ([`options`]): the `OPTIONS` answer of
//!   `OPTIONSVerbHandler`.
//!
//! Each takes what it needs of the request as a [`Resource`] and gives an
//! [`Answer`]; the engine picks the handler (the mapping IIS chose, which a
//! MapRequestHandler module may have changed) and writes the answer into
//! the response. The answers follow what Microsoft documents:
//!
//! * default documents and their order (`Default.htm`, `Default.asp`,
//!   `index.htm`, `index.html`, `iisstart.htm`, `default.aspx`):
//!   <https://learn.microsoft.com/en-us/iis/configuration/system.webServer/defaultDocument/>
//!   and the `FileSettings` WMI class
//!   (<https://learn.microsoft.com/en-us/iis/wmi-provider/filesettings-class>);
//!   with default documents and directory browsing both off IIS answers 404
//!   (same page); iis-host keeps directory browsing off, IIS's default, and
//!   answers `403.14` for a directory without a default document;
//! * substatus codes (`403.14` directory listing denied, `404.0` not found,
//!   `404.3` MIME map policy, `404.4` no handler, `405.0`):
//!   <https://learn.microsoft.com/en-us/troubleshoot/iis/http-status-code>;
//! * IIS serves only the extensions its MIME map lists and answers `404.3`
//!   for the others:
//!   <https://learn.microsoft.com/en-us/iis/configuration/system.webServer/staticContent/mimeMap>.

pub(crate) mod default_document;
pub(crate) mod options;
pub(crate) mod static_file;

use std::path::PathBuf;

/// What a built-in handler needs of the request.
#[derive(Debug, Clone)]
pub(crate) struct Resource<'a> {
    /// The method (as a module may have set it).
    pub(crate) method: &'a str,
    /// The decoded URL path.
    pub(crate) url: &'a str,
    /// The query string, without `?`.
    pub(crate) query: Option<&'a str>,
    /// The `Host` header.
    pub(crate) host: Option<&'a str>,
    /// The physical path the URL maps to.
    pub(crate) physical: PathBuf,
    /// `If-Modified-Since`.
    pub(crate) if_modified_since: Option<&'a str>,
    /// `If-None-Match`.
    pub(crate) if_none_match: Option<&'a str>,
    /// The default documents, in order.
    pub(crate) default_documents: &'a [String],
}

/// The entity of an [`Answer`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Entity {
    /// No entity.
    Empty,
    /// These bytes.
    Bytes(Vec<u8>),
    /// IIS's detailed error page with this description.
    ErrorPage(&'static str),
}

/// A handler's response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Answer {
    /// The status code.
    pub(crate) status: u16,
    /// IIS's substatus (`404.3` is 404 with substatus 3).
    pub(crate) substatus: u16,
    /// The reason phrase.
    pub(crate) reason: &'static str,
    /// Headers to set, in order.
    pub(crate) headers: Vec<(&'static str, String)>,
    /// The entity.
    pub(crate) entity: Entity,
}

impl Answer {
    /// An IIS error page.
    pub(crate) fn error(
        status: u16,
        substatus: u16,
        reason: &'static str,
        description: &'static str,
    ) -> Answer {
        Answer {
            status,
            substatus,
            reason,
            headers: Vec::new(),
            entity: Entity::ErrorPage(description),
        }
    }

    /// IIS's `404.0`.
    pub(crate) fn not_found() -> Answer {
        Answer::error(404, 0, "Not Found", NOT_FOUND)
    }
}

/// The description of IIS's `404.0` page.
pub(crate) const NOT_FOUND: &str = "The resource you are looking for has been removed, had its name changed, or is temporarily unavailable.";

/// A built-in handler module, by the name a handler mapping gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BuiltIn {
    /// `StaticFileModule` (with `DefaultDocumentModule` and
    /// `DirectoryListingModule`, as IIS's `StaticFile` mapping lists them).
    StaticFile,
    /// `ProtocolSupportModule`.
    ProtocolSupport,
}

impl BuiltIn {
    /// The built-in handler among a mapping's `modules` (comma-separated).
    pub(crate) fn among(modules: &str) -> Option<BuiltIn> {
        modules.split(',').map(str::trim).find_map(|m| {
            if m.eq_ignore_ascii_case("StaticFileModule")
                || m.eq_ignore_ascii_case("DefaultDocumentModule")
            {
                Some(BuiltIn::StaticFile)
            } else if m.eq_ignore_ascii_case("ProtocolSupportModule") {
                Some(BuiltIn::ProtocolSupport)
            } else {
                None
            }
        })
    }

    /// The answer of this handler for `resource`; `None` when it has none
    /// (a verb `ProtocolSupportModule` does not emulate).
    pub(crate) fn answer(self, resource: &Resource<'_>) -> Option<Answer> {
        match self {
            BuiltIn::StaticFile => Some(static_file_handler(resource)),
            BuiltIn::ProtocolSupport => options::answer(resource.method),
        }
    }
}

/// IIS's `StaticFile` mapping: a directory goes to the default document
/// module, a file to the static file module.
fn static_file_handler(resource: &Resource<'_>) -> Answer {
    if resource.physical.is_dir() {
        default_document::answer(resource)
    } else {
        static_file::answer(resource)
    }
}
