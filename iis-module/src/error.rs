//! The one error type of the SDK, carrying the HRESULT IIS sees.

use windows_core::HRESULT;

// The HRESULTs the errors map to, declared once in iis-sys for module and
// host alike. (`E_NO_UNICODE_TRANSLATION` is the SDK's short name for
// `HRESULT_FROM_WIN32(ERROR_NO_UNICODE_TRANSLATION)`.)
pub(crate) use iis_sys::{
    E_FAIL, E_INVALIDARG, E_NOTIMPL, E_POINTER,
    HRESULT_ERROR_NO_UNICODE_TRANSLATION as E_NO_UNICODE_TRANSLATION,
};

/// Everything that can go wrong between a module and IIS.
///
/// Every variant maps to the HRESULT IIS receives ([`Error::hresult`]) when
/// the error leaves a module hook or `RegisterModule`.
///
/// # What the client gets
///
/// A request hook that returns an error (or panics) fails the request: the
/// SDK clears the response, sets the status and `SetErrorDescription`
/// (`Module::hook: error`, HTML-encoded), so that IIS's error page shows it
/// to a local client. The status is:
///
/// - `400 Bad Request` (substatus 0) for an error in the client's own input,
///   which [`Error::is_bad_request`] tells: request data that cannot be
///   decoded ([`Error::Encoding`] with `from_client`), e.g. a request
///   header that is not UTF-8 read with `header_str(..)?`;
/// - `500 Internal Server Error` (substatus 0) for everything else: the
///   server, the module, its configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An IIS method returned a failing HRESULT.
    #[error("{operation} failed: {hresult}")]
    Server {
        /// The C++ method that failed, e.g. `IHttpResponse::SetHeader`.
        operation: &'static str,
        /// What it returned.
        hresult: HRESULT,
    },
    /// IIS returned a null pointer where an object was required.
    #[error("{operation} returned a null pointer")]
    NullPointer {
        /// The C++ method that returned null.
        operation: &'static str,
    },
    /// A header name or value, status reason or URL contains CR, LF or NUL
    /// (which would allow response splitting) or other forbidden bytes.
    #[error("invalid {what}: {reason}")]
    InvalidInput {
        /// What was rejected: "header name", "header value", ….
        what: &'static str,
        /// Why.
        reason: &'static str,
    },
    /// A length does not fit the C type of the IIS parameter (`USHORT`
    /// header values, `DWORD` chunks).
    #[error("{what} is {len} bytes, more than the {max} IIS accepts")]
    TooLong {
        /// What was too long.
        what: &'static str,
        /// Its length.
        len: usize,
        /// The largest length the C type can carry.
        max: usize,
    },
    /// A status code that is not HTTP (outside 100..=599), or that cannot
    /// end a response (an interim 1xx other than 101: see
    /// [`HttpResponse::set_status_detail`](crate::HttpResponse::set_status_detail)).
    #[error("invalid HTTP status code {0}")]
    InvalidStatus(u16),
    /// Data IIS returned is not valid UTF-8 (or UTF-16); use the `_bytes`
    /// accessor instead.
    ///
    /// When the data is the client's (`from_client`: a request header read
    /// with [`HttpRequest::header_str`](crate::HttpRequest::header_str), the
    /// URL or query string), the fault is the client's, and a hook that
    /// returns this error with `?` answers `400 Bad Request` rather than
    /// `500` (see [`Error::is_bad_request`]).
    #[error("{what} is not valid {encoding}")]
    Encoding {
        /// What could not be decoded, e.g. "request header value".
        what: &'static str,
        /// "UTF-8" or "UTF-16".
        encoding: &'static str,
        /// Whether the data came from the client's request (as sent, or as
        /// HTTP.sys decoded it), rather than from the server, its
        /// configuration or a module.
        from_client: bool,
    },
    /// A stored module context holds a different type than requested.
    #[error("the stored module context is not a {expected}")]
    ContextType {
        /// The requested type.
        expected: &'static str,
    },
    /// The server lacks a newer interface (old IIS version).
    #[error("the server does not provide {interface}")]
    Unsupported {
        /// The interface that is missing, e.g. `IHttpResponse4`.
        interface: &'static str,
    },
    /// A module hook or registration function panicked.
    #[error("module panicked: {0}")]
    Panic(String),
    /// A configuration section could not be read (see [`ConfigError`](crate::config::ConfigError)).
    #[error(transparent)]
    Config(Box<crate::config::ConfigError>),
    /// A module-defined failure with the HRESULT to report.
    #[error("{message} ({hresult})")]
    Module {
        /// What went wrong.
        message: String,
        /// The HRESULT to report to IIS.
        hresult: HRESULT,
    },
}

impl Error {
    /// A module-defined error reported to IIS as `E_FAIL`.
    pub fn msg(message: impl Into<String>) -> Self {
        Error::Module {
            message: message.into(),
            hresult: E_FAIL,
        }
    }

    /// Whether the error is the client's fault rather than the server's:
    /// request data it sent that cannot be decoded ([`Error::Encoding`] with
    /// `from_client`). A hook failing with such an error answers
    /// `400 Bad Request` instead of `500`.
    pub fn is_bad_request(&self) -> bool {
        matches!(
            self,
            Error::Encoding {
                from_client: true,
                ..
            }
        )
    }

    /// The HRESULT this error is reported to IIS as.
    pub fn hresult(&self) -> HRESULT {
        match self {
            Error::Server { hresult, .. } | Error::Module { hresult, .. } => *hresult,
            Error::NullPointer { .. } => E_POINTER,
            Error::InvalidInput { .. }
            | Error::TooLong { .. }
            | Error::InvalidStatus(_)
            | Error::ContextType { .. } => E_INVALIDARG,
            Error::Encoding { .. } => E_NO_UNICODE_TRANSLATION,
            Error::Unsupported { .. } => E_NOTIMPL,
            Error::Config(e) => e.hresult(),
            Error::Panic(_) => E_FAIL,
        }
    }

    /// Turns an HRESULT from `operation` into `Ok` or [`Error::Server`].
    pub(crate) fn check(operation: &'static str, hresult: HRESULT) -> Result<()> {
        if hresult.is_ok() {
            Ok(())
        } else {
            Err(Error::Server { operation, hresult })
        }
    }
}

/// The result type of the SDK.
pub type Result<T, E = Error> = core::result::Result<T, E>;

impl From<crate::config::ConfigError> for Error {
    fn from(error: crate::config::ConfigError) -> Self {
        Error::Config(Box::new(error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_map_to_the_hresults_iis_expects() {
        assert_eq!(Error::InvalidStatus(42).hresult(), E_INVALIDARG);
        assert_eq!(Error::NullPointer { operation: "x" }.hresult(), E_POINTER);
        assert_eq!(Error::msg("boom").hresult(), E_FAIL);
        assert!(Error::check("IHttpResponse::Flush", HRESULT(0)).is_ok());
        let err = Error::check("IHttpResponse::Flush", E_NOTIMPL).unwrap_err();
        assert_eq!(err.hresult(), E_NOTIMPL);
        assert!(!err.is_bad_request());
        assert_eq!(
            err.to_string(),
            format!("IHttpResponse::Flush failed: {E_NOTIMPL}")
        );
    }

    #[test]
    fn only_undecodable_client_data_is_a_bad_request() {
        let client = Error::Encoding {
            what: "request header value",
            encoding: "UTF-8",
            from_client: true,
        };
        assert!(client.is_bad_request());
        assert_eq!(
            client.to_string(),
            "request header value is not valid UTF-8"
        );
        let server = Error::Encoding {
            what: "physical path",
            encoding: "UTF-16",
            from_client: false,
        };
        assert!(!server.is_bad_request());
        assert!(!Error::msg("boom").is_bad_request());
    }
}
