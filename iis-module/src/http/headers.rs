//! Header names and values: validation (no response splitting, no
//! truncation) and the mapping of well-known names to IIS's
//! `HTTP_HEADER_ID`s.

use super::memory::RequestPool;
use crate::{Error, Result};
use iis_sys::{HTTP_HEADER_ID, HTTP_REQUEST_HEADER_NAMES, HTTP_RESPONSE_HEADER_NAMES};
use windows_core::PCSTR;

/// Something that names a header: `&str`, `String` or `http::HeaderName`
/// (e.g. `http::header::CONTENT_TYPE`).
pub trait HeaderKey: sealed::Sealed {
    /// The header name as sent on the wire.
    fn header_name(&self) -> &str;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for &str {}
    impl Sealed for String {}
    impl Sealed for &String {}
    impl Sealed for http::HeaderName {}
    impl Sealed for &http::HeaderName {}
}

impl HeaderKey for &str {
    fn header_name(&self) -> &str {
        self
    }
}
impl HeaderKey for String {
    fn header_name(&self) -> &str {
        self
    }
}
impl HeaderKey for &String {
    fn header_name(&self) -> &str {
        self
    }
}
impl HeaderKey for http::HeaderName {
    fn header_name(&self) -> &str {
        self.as_str()
    }
}
impl HeaderKey for &http::HeaderName {
    fn header_name(&self) -> &str {
        self.as_str()
    }
}

/// Which side's id table a header name is looked up in: the same id means
/// different headers in requests and responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Request,
    Response,
}

/// The `HTTP_HEADER_ID` of a well-known header, if it has one.
pub(crate) fn known_id(name: &str, side: Side) -> Option<HTTP_HEADER_ID> {
    let table: &[&str] = match side {
        Side::Request => &HTTP_REQUEST_HEADER_NAMES,
        Side::Response => &HTTP_RESPONSE_HEADER_NAMES,
    };
    table
        .iter()
        .position(|known| known.eq_ignore_ascii_case(name))
        .map(|id| id as HTTP_HEADER_ID)
}

/// How IIS addresses a header: by `HTTP_HEADER_ID` when it is well known,
/// else by a NUL-terminated name.
#[derive(Debug, Clone, Copy)]
pub(crate) enum HeaderRef {
    Id(HTTP_HEADER_ID),
    Name(PCSTR),
}

/// Validates `name` and resolves it for `side`, copying unknown names into
/// request memory (NUL-terminated, valid for the request).
pub(crate) fn resolve(name: &str, side: Side, pool: &RequestPool) -> Result<HeaderRef> {
    validate_name(name)?;
    Ok(match known_id(name, side) {
        Some(id) => HeaderRef::Id(id),
        None => HeaderRef::Name(pool.c_str(name.as_bytes(), "header name")?),
    })
}

/// Checks a header name is an RFC 9110 token (which excludes CR, LF, NUL,
/// spaces and separators).
pub(crate) fn validate_name(name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(Error::InvalidInput {
            what: "header name",
            reason: "empty",
        });
    }
    let is_tchar = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    if !name.bytes().all(is_tchar) {
        return Err(Error::InvalidInput {
            what: "header name",
            reason: "not an HTTP token (control characters, spaces or separators)",
        });
    }
    Ok(())
}

/// Checks a header value has no CR, LF, NUL or other control characters
/// (horizontal tab allowed) and fits IIS's `USHORT` length.
pub(crate) fn validate_value(value: &[u8]) -> Result<u16> {
    validate_text(value, "header value")
}

/// The header-value rules for any single-line text IIS puts on the wire or
/// in its logs (status reasons, URLs), with errors naming `what`.
pub(crate) fn validate_text(value: &[u8], what: &'static str) -> Result<u16> {
    if let Some(&b) = value
        .iter()
        .find(|&&b| (b < 0x20 && b != b'\t') || b == 0x7f)
    {
        return Err(Error::InvalidInput {
            what,
            reason: match b {
                b'\r' | b'\n' => "contains CR or LF (response splitting)",
                0 => "contains NUL",
                _ => "contains a control character",
            },
        });
    }
    u16::try_from(value.len()).map_err(|_| Error::TooLong {
        what,
        len: value.len(),
        max: u16::MAX as usize,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_splitting_is_rejected() {
        for bad in [
            &b"a\r\nSet-Cookie: x"[..],
            b"a\nb",
            b"a\rb",
            b"a\0b",
            b"\x1b",
        ] {
            assert!(
                matches!(
                    validate_value(bad),
                    Err(Error::InvalidInput {
                        what: "header value",
                        ..
                    })
                ),
                "{bad:?}"
            );
        }
        assert_eq!(validate_value(b"text/plain; charset=utf-8\tx").unwrap(), 27);
    }

    #[test]
    fn values_longer_than_ushort_are_rejected_not_truncated() {
        let long = vec![b'a'; 65_536];
        assert_eq!(
            validate_value(&long),
            Err(Error::TooLong {
                what: "header value",
                len: 65_536,
                max: 65_535
            })
        );
        assert!(validate_value(&long[..65_535]).is_ok());
    }

    #[test]
    fn text_errors_name_what_was_rejected() {
        assert_eq!(
            validate_text(b"/a\r\nLocation: x", "redirect URL"),
            Err(Error::InvalidInput {
                what: "redirect URL",
                reason: "contains CR or LF (response splitting)"
            })
        );
        let long = vec![b'a'; 65_536];
        assert_eq!(
            validate_text(&long, "URL"),
            Err(Error::TooLong {
                what: "URL",
                len: 65_536,
                max: 65_535
            })
        );
    }

    #[test]
    fn header_names_must_be_tokens() {
        assert!(validate_name("X-Custom_1").is_ok());
        for bad in ["", "a b", "a:b", "a\r\nb", "a\0", "é"] {
            assert!(validate_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn known_ids_depend_on_the_side() {
        assert_eq!(known_id("content-type", Side::Response), Some(12));
        assert_eq!(known_id("Location", Side::Response), Some(23));
        assert_eq!(known_id("Location", Side::Request), None);
        assert_eq!(known_id("user-agent", Side::Request), Some(40));
        assert_eq!(known_id("X-Anything", Side::Request), None);
    }
}
