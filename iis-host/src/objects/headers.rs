//! `HTTP_HEADER_ID` ↔ header names, the header list both the request and
//! the response keep, and the `GetHeader`/`SetHeader`/`DeleteHeader` slots
//! they share ([`get_header`], [`set_header`], [`delete_header`], told apart
//! by [`Side`]).
//!
//! http.h numbers request and response headers differently: ids 0–19 are
//! shared (general and entity headers), 20–40 are request headers
//! (`HttpHeaderAccept` … `HttpHeaderUserAgent`), and the response reuses
//! 20–29 for its own (`HttpHeaderAcceptRanges` … `HttpHeaderWwwAuthenticate`,
//! `HttpHeaderResponseMaximum` = 30). `HttpHeaderContentType` is 12 in both.

use iis_sys::{HRESULT, PCSTR};

use crate::ffi::{E_INVALIDARG, S_OK, cstr, put};
use crate::message::syntax::is_token;
use crate::state::RequestCore;
pub(crate) use crate::state::headers::{HeaderList, Side};
use crate::state::request::RequestState;
use crate::transcript::{ApiCall, HeaderKey};

impl Side {
    /// Resolves a header argument to its name.
    fn key_name(self, key: &HeaderKey) -> Option<&str> {
        match key {
            HeaderKey::Id(id) => self.name(*id),
            HeaderKey::Name(name) => Some(name),
        }
    }

    /// This side's header list.
    fn headers(self, s: &RequestState) -> &HeaderList {
        match self {
            Side::Request => &s.req.headers,
            Side::Response => &s.resp.headers,
        }
    }

    /// Changes this side's header list with `change` and marks the change.
    fn change_headers(self, s: &mut RequestState, change: impl FnOnce(&mut HeaderList)) {
        match self {
            Side::Request => {
                change(&mut s.req.headers);
                s.req.touch();
            }
            Side::Response => {
                change(&mut s.resp.headers);
                s.resp.touch();
            }
        }
    }
}

/// Whether `value` can go on the wire as a field value: no CR, LF or NUL
/// (response splitting).
pub(crate) fn valid_value(value: &[u8]) -> bool {
    !value.iter().any(|&b| b == b'\r' || b == b'\n' || b == 0)
}

/// Reads a header-name argument.
///
/// # Safety
///
/// `name` is null or NUL-terminated.
pub(crate) unsafe fn name_arg(name: PCSTR) -> Option<HeaderKey> {
    // SAFETY: forwarded contract.
    let name = unsafe { cstr(name) }?;
    is_token(name).then(|| HeaderKey::Name(String::from_utf8_lossy(name).into_owned()))
}

/// `GetHeader` of the request or the response: the value (in the request's
/// arena) and its length in `*length`; null and 0 when absent.
pub(crate) fn get_header(
    core: &RequestCore,
    side: Side,
    key: Option<HeaderKey>,
    length: *mut u16,
) -> PCSTR {
    let value = key
        .as_ref()
        .and_then(|key| side.key_name(key))
        .and_then(|name| core.with_state(|s| side.headers(s).get(name)));
    let (pointer, len) = match value {
        Some(value) => (core.arena.cstr(&value), value.len()),
        None => (PCSTR::null(), 0),
    };
    // SAFETY: `length` is null or writable (slot contract).
    unsafe { put(length, u16::try_from(len).unwrap_or(u16::MAX)) };
    pointer
}

/// `SetHeader` of the request or the response (recorded).
pub(crate) fn set_header(
    core: &RequestCore,
    side: Side,
    key: Option<HeaderKey>,
    value: Option<&[u8]>,
    replace: bool,
) -> HRESULT {
    let (Some(key), Some(value)) = (key, value) else {
        return E_INVALIDARG;
    };
    let Some(name) = side.key_name(&key) else {
        return E_INVALIDARG;
    };
    if !valid_value(value) {
        return E_INVALIDARG;
    }
    core.with_state(|s| {
        side.change_headers(s, |headers| headers.set(side, name, value, replace));
        if !s.log.on {
            return;
        }
        let header = key.clone();
        let value = value.to_vec();
        s.log.call(match side {
            Side::Request => ApiCall::RequestSetHeader {
                header,
                value,
                replace,
            },
            Side::Response => ApiCall::ResponseSetHeader {
                header,
                value,
                replace,
            },
        });
    });
    S_OK
}

/// `DeleteHeader` of the request or the response (recorded).
pub(crate) fn delete_header(core: &RequestCore, side: Side, key: Option<HeaderKey>) -> HRESULT {
    let Some(key) = key else { return E_INVALIDARG };
    let Some(name) = side.key_name(&key) else {
        return E_INVALIDARG;
    };
    core.with_state(|s| {
        side.change_headers(s, |headers| {
            headers.delete(name);
        });
        let header = key.clone();
        s.log.call(match side {
            Side::Request => ApiCall::RequestDeleteHeader { header },
            Side::Response => ApiCall::ResponseDeleteHeader { header },
        });
    });
    S_OK
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_differ_between_request_and_response() {
        assert_eq!(Side::Request.name(12), Some("Content-Type"));
        assert_eq!(Side::Response.name(12), Some("Content-Type"));
        assert_eq!(Side::Request.name(20), Some("Accept"));
        assert_eq!(Side::Response.name(20), Some("Accept-Ranges"));
        assert_eq!(Side::Response.name(23), Some("Location"));
        assert_eq!(Side::Request.name(40), Some("User-Agent"));
        assert_eq!(Side::Response.name(30), None);
        assert_eq!(Side::Request.name(41), None);
        assert_eq!(Side::Request.name(-1), None);
        assert_eq!(Side::Response.id("set-cookie"), Some(27));
        assert_eq!(Side::Request.id("host"), Some(28));
        assert_eq!(Side::Request.id("X-Custom"), None);
        assert_eq!(Side::Request.known_count(), 41);
        assert_eq!(Side::Response.known_count(), 30);
    }

    #[test]
    fn set_replaces_or_appends_like_iis() {
        let mut list = HeaderList::default();
        list.set(Side::Response, "Cache-Control", b"no-cache", false);
        list.set(Side::Response, "cache-control", b"no-store", false);
        assert_eq!(list.get("Cache-Control").unwrap(), b"no-cache, no-store");
        assert_eq!(list.entries.len(), 1);
        list.set(Side::Response, "X-A", b"1", false);
        list.set(Side::Response, "X-A", b"2", false);
        assert_eq!(list.entries.len(), 3);
        assert_eq!(list.get("x-a").unwrap(), b"1, 2");
        list.set(Side::Response, "X-A", b"3", true);
        assert_eq!(list.get("X-A").unwrap(), b"3");
        assert_eq!(list.entries.len(), 2);
        assert!(list.delete("x-a"));
        assert!(!list.delete("x-a"));
        assert!(list.get("X-A").is_none());
    }

    #[test]
    fn a_recycled_list_reuses_its_entries_and_starts_empty() {
        let mut list = HeaderList::default();
        list.set(Side::Response, "Content-Type", b"text/plain", false);
        list.set(Side::Response, "X-Big", &[b'x'; 1000], false);
        list.recycle();
        assert!(list.entries.is_empty());
        list.set(Side::Response, "Server", b"iis-host", false);
        assert_eq!(list.entries, [("Server".to_owned(), b"iis-host".to_vec())]);
        list.set(Side::Response, "Server", b"other", true);
        assert_eq!(list.get("server").unwrap(), b"other");
    }

    #[test]
    fn validates_values() {
        assert!(valid_value(b"text/plain; charset=utf-8"));
        assert!(!valid_value(b"a\r\nSet-Cookie: x"));
    }
}
