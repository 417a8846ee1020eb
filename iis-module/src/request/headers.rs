//! Header names and values: validation (no response splitting, no
//! truncation) and the mapping of well-known names to IIS's
//! `HTTP_HEADER_ID`s.

use super::memory::RequestPool;
use crate::{Error, Result};
use iis_sys::{HTTP_HEADER_ID, HTTP_REQUEST_HEADER_NAMES, HTTP_RESPONSE_HEADER_NAMES};

/// Something that names a header: `&str`, `String` or `http::HeaderName`
/// (e.g. `http::header::CONTENT_TYPE`).
pub trait HeaderKey: sealed::Sealed {
    /// The header name as sent on the wire.
    fn header_name(&self) -> &str;
}

mod sealed {
    /// What only the SDK asks of a header key.
    pub trait Sealed {
        /// Whether the name is known to be a valid lowercase HTTP token
        /// already (an `http::HeaderName`), so validating it again is moot.
        fn is_checked_token(&self) -> bool {
            false
        }
    }
    impl Sealed for &str {}
    impl Sealed for String {}
    impl Sealed for &String {}
    // `HeaderName` only holds lowercase RFC 9110 tokens (its constructors
    // reject or lowercase everything else).
    impl Sealed for http::HeaderName {
        fn is_checked_token(&self) -> bool {
            true
        }
    }
    impl Sealed for &http::HeaderName {
        fn is_checked_token(&self) -> bool {
            true
        }
    }
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

/// Buckets of the header-id index: a power of two.
const BUCKETS: usize = 64;
/// Ids per bucket; `index` fails to compile if a table needs more.
const SLOTS: usize = 2;
/// An empty slot.
const NONE: u8 = u8::MAX;
/// Room for the longest well-known name (`Proxy-Authorization`, 19 bytes).
const LONGEST: usize = 24;

/// The bucket of a header name: from its length and its first, middle and
/// last bytes, ASCII case folded (`| 0x20`), so that every spelling of a
/// name lands in the bucket of its table entry. (The multipliers were
/// searched for: no bucket of either table holds more than [`SLOTS`] names.)
const fn bucket(name: &[u8]) -> usize {
    let len = name.len();
    if len == 0 {
        return 0;
    }
    let first = (name[0] | 0x20) as usize;
    let middle = (name[len / 2] | 0x20) as usize;
    let last = (name[len - 1] | 0x20) as usize;
    (len + first + 2 * last + 5 * middle) % BUCKETS
}

/// The index of an id table (iis-sys's `HTTP_*_HEADER_NAMES`, index = id):
/// for each bucket, the ids of the names that fall in it, and each name in
/// lowercase (how `http::HeaderName` spells it). Built at compile time, so
/// the names stay defined once, in iis-sys.
struct Index<const N: usize> {
    buckets: [[u8; SLOTS]; BUCKETS],
    lowercase: [([u8; LONGEST], usize); N],
}

const fn index<const N: usize>(names: &[&str; N]) -> Index<N> {
    let mut index = Index {
        buckets: [[NONE; SLOTS]; BUCKETS],
        lowercase: [([0; LONGEST], 0); N],
    };
    let mut id = 0;
    while id < N {
        let name = names[id].as_bytes();
        assert!(name.len() <= LONGEST && id < NONE as usize);
        let mut i = 0;
        while i < name.len() {
            index.lowercase[id].0[i] = name[i].to_ascii_lowercase();
            i += 1;
        }
        index.lowercase[id].1 = name.len();
        let b = bucket(name);
        let mut slot = 0;
        while index.buckets[b][slot] != NONE {
            slot += 1;
            assert!(
                slot < SLOTS,
                "header-id index: a bucket overflowed; raise SLOTS"
            );
        }
        index.buckets[b][slot] = id as u8;
        id += 1;
    }
    index
}

static REQUEST_INDEX: Index<{ HTTP_REQUEST_HEADER_NAMES.len() }> =
    index(&HTTP_REQUEST_HEADER_NAMES);
static RESPONSE_INDEX: Index<{ HTTP_RESPONSE_HEADER_NAMES.len() }> =
    index(&HTTP_RESPONSE_HEADER_NAMES);

impl<const N: usize> Index<N> {
    /// The id of `name`: one hashed bucket of at most [`SLOTS`] candidates,
    /// compared exactly when `name` is known to be lowercase, else ASCII
    /// case-insensitively.
    #[inline]
    fn find(&self, name: &[u8], lowercase: bool) -> Option<HTTP_HEADER_ID> {
        self.buckets[bucket(name)]
            .iter()
            .take_while(|&&id| id != NONE)
            .find(|&&id| {
                let (known, len) = &self.lowercase[usize::from(id)];
                let known = &known[..*len];
                if lowercase {
                    known == name
                } else {
                    known.eq_ignore_ascii_case(name)
                }
            })
            .map(|&id| HTTP_HEADER_ID::from(id))
    }
}

/// The `HTTP_HEADER_ID` of a well-known header, if it has one: ASCII case
/// insensitive, or byte for byte when `lowercase` says that `name` is
/// lowercase already (an `http::HeaderName`).
fn known_id(name: &str, lowercase: bool, side: Side) -> Option<HTTP_HEADER_ID> {
    match side {
        Side::Request => REQUEST_INDEX.find(name.as_bytes(), lowercase),
        Side::Response => RESPONSE_INDEX.find(name.as_bytes(), lowercase),
    }
}

/// How IIS addresses a header: by `HTTP_HEADER_ID` when it is well known,
/// else by a NUL-terminated name.
#[derive(Debug, Clone, Copy)]
pub(crate) enum HeaderRef<'p> {
    Id(HTTP_HEADER_ID),
    Name(&'p core::ffi::CStr),
}

/// The name of `key` and whether it still needs validating (an
/// `http::HeaderName` is a valid token of at most 65,535 bytes already; a
/// `&str` or `String` is not).
pub(crate) fn key_name(key: &impl HeaderKey) -> (&str, bool) {
    (key.header_name(), !key.is_checked_token())
}

/// Validates `name` (unless `validate` is false: a name from [`key_name`]
/// that is known to be valid) and resolves it for `side`, copying unknown
/// names into request memory (NUL-terminated, valid for the request).
pub(crate) fn resolve_name<'p>(
    name: &str,
    validate: bool,
    side: Side,
    pool: &'p RequestPool,
) -> Result<HeaderRef<'p>> {
    if validate {
        validate_name(name)?;
    }
    // A name that needs no validation is an `http::HeaderName`: lowercase.
    Ok(match known_id(name, !validate, side) {
        Some(id) => HeaderRef::Id(id),
        // IIS sends a name as given: an `http::HeaderName` goes out in the
        // case IIS and C++ modules use (`Access-Control-Allow-Origin`), a
        // `&str` as the module spelled it.
        None if !validate => {
            HeaderRef::Name(pool.c_str(canonical_case(name).as_bytes(), "header name")?)
        }
        None => HeaderRef::Name(pool.c_str(name.as_bytes(), "header name")?),
    })
}

/// Registered spellings that capitalising each word does not give (the
/// well-known headers IIS addresses by id are spelled by IIS itself).
const IRREGULAR_CASE: &[&str] = &[
    "DNT",
    "ETag",
    "TE",
    "WWW-Authenticate",
    "Content-MD5",
    "X-XSS-Protection",
    "X-DNS-Prefetch-Control",
    "Sec-WebSocket-Accept",
    "Sec-WebSocket-Extensions",
    "Sec-WebSocket-Key",
    "Sec-WebSocket-Protocol",
    "Sec-WebSocket-Version",
];

/// The conventional spelling of a header name: each `-`-separated word
/// capitalised (`access-control-allow-origin` →
/// `Access-Control-Allow-Origin`), or the registered spelling of the few
/// that differ (`x-xss-protection` → `X-XSS-Protection`).
pub(crate) fn canonical_case(name: &str) -> String {
    if let Some(known) = IRREGULAR_CASE
        .iter()
        .find(|known| known.eq_ignore_ascii_case(name))
    {
        return (*known).to_owned();
    }
    let mut out = String::with_capacity(name.len());
    let mut word_start = true;
    for c in name.chars() {
        out.push(if word_start {
            c.to_ascii_uppercase()
        } else {
            c.to_ascii_lowercase()
        });
        word_start = c == '-';
    }
    out
}

/// Checks a header name is an RFC 9110 token (which excludes CR, LF, NUL,
/// spaces and separators) that fits the `USHORT` name length of HTTP.sys's
/// `HTTP_UNKNOWN_HEADER`, as values do.
pub(crate) fn validate_name(name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(Error::InvalidInput {
            what: "header name",
            reason: "empty",
        });
    }
    if name.len() > usize::from(u16::MAX) {
        return Err(Error::TooLong {
            what: "header name",
            len: name.len(),
            max: usize::from(u16::MAX),
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
    if !is_single_line_text(value) {
        return Err(text_error(value, what));
    }
    u16::try_from(value.len()).map_err(|_| Error::TooLong {
        what,
        len: value.len(),
        max: u16::MAX as usize,
    })
}

/// Whether `b` may stand in single-line text: not a control character,
/// except horizontal tab.
fn is_text_byte(b: u8) -> bool {
    (b >= 0x20 || b == b'\t') && b != 0x7f
}

/// Whether every byte of `value` is a text byte, eight at a time: every
/// header a module sets goes through here, and the release profile's
/// opt-level "z" leaves a byte loop at a dozen instructions a byte.
fn is_single_line_text(value: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH_BITS: u64 = ONES * 0x80;
    let (words, rest) = value.as_chunks::<8>();
    for word in words {
        let w = u64::from_ne_bytes(*word);
        // Some byte is below 0x20: its subtraction borrows into a clear
        // high bit. Some byte is 0x7f: it is zero after the XOR. Either
        // test may flag a word with no such byte, never the reverse; a
        // flagged word (tabs do it) is checked byte by byte.
        let below_space = w.wrapping_sub(ONES * 0x20) & !w & HIGH_BITS;
        let del = w ^ (ONES * 0x7f);
        let is_del = del.wrapping_sub(ONES) & !del & HIGH_BITS;
        if below_space | is_del != 0 && !word.iter().all(|&b| is_text_byte(b)) {
            return false;
        }
    }
    rest.iter().all(|&b| is_text_byte(b))
}

/// The error for text that [`is_single_line_text`] refused.
#[cold]
fn text_error(value: &[u8], what: &'static str) -> Error {
    let bad = value.iter().find(|&&b| !is_text_byte(b));
    Error::InvalidInput {
        what,
        reason: match bad {
            Some(b'\r' | b'\n') => "contains CR or LF (response splitting)",
            Some(0) => "contains NUL",
            _ => "contains a control character",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::sealed::Sealed;
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
    fn the_word_check_agrees_with_the_byte_rule_for_every_byte_and_place() {
        // Backgrounds that stress the word test: plain text, obs-text (high
        // bits set), tabs (flag a word without being refused), 0x7e/0x20.
        for background in [b'a', 0x80, 0xff, b'\t', 0x7e, 0x20] {
            for len in [1, 7, 8, 9, 16, 17] {
                for at in 0..len {
                    for b in 0..=u8::MAX {
                        let mut value = vec![background; len];
                        value[at] = b;
                        let expected = value.iter().all(|&b| is_text_byte(b));
                        assert_eq!(is_single_line_text(&value), expected, "{value:02x?}");
                    }
                }
            }
        }
        assert!(is_single_line_text(b""));
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
        let long = "a".repeat(70_000);
        assert_eq!(
            validate_name(&long),
            Err(Error::TooLong {
                what: "header name",
                len: 70_000,
                max: 65_535
            })
        );
        assert!(validate_name(&long[..65_535]).is_ok());
        for bad in ["", "a b", "a:b", "a\r\nb", "a\0", "é"] {
            assert!(validate_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn every_table_name_maps_to_its_id_in_any_case() {
        for (side, names) in [
            (Side::Request, &HTTP_REQUEST_HEADER_NAMES[..]),
            (Side::Response, &HTTP_RESPONSE_HEADER_NAMES[..]),
        ] {
            for (id, name) in names.iter().enumerate() {
                let id = Some(id as HTTP_HEADER_ID);
                assert_eq!(known_id(name, false, side), id, "{name}");
                assert_eq!(
                    known_id(&name.to_ascii_lowercase(), false, side),
                    id,
                    "{name}"
                );
                assert_eq!(
                    known_id(&name.to_ascii_lowercase(), true, side),
                    id,
                    "{name}"
                );
                assert_eq!(
                    known_id(&name.to_ascii_uppercase(), false, side),
                    id,
                    "{name}"
                );
                // One byte more, less or different: not that header.
                assert_ne!(known_id(&format!("{name}x"), false, side), id, "{name}x");
                assert_ne!(known_id(&name[1..], false, side), id, "{name}");
                let other = format!("{}_", &name[..name.len() - 1]);
                assert_eq!(known_id(&other, false, side), None, "{other}");
            }
        }
    }

    #[test]
    fn header_names_from_the_http_crate_resolve_like_strings() {
        use http::header;
        for (key, id) in [
            (header::CONTENT_TYPE, Some(12)),
            (header::LOCATION, Some(23)),
            (header::WWW_AUTHENTICATE, Some(29)),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, None),
        ] {
            assert!(key.is_checked_token());
            assert_eq!(
                known_id(key.header_name(), false, Side::Response),
                id,
                "{key}"
            );
            assert_eq!(
                known_id(key.header_name(), true, Side::Response),
                id,
                "{key}"
            );
        }
        assert!(!"content-type".is_checked_token());
    }

    #[test]
    fn header_names_go_out_in_their_conventional_case() {
        for (name, wire) in [
            (
                http::header::ACCESS_CONTROL_ALLOW_ORIGIN,
                "Access-Control-Allow-Origin",
            ),
            (http::header::X_XSS_PROTECTION, "X-XSS-Protection"),
            (
                http::header::CONTENT_SECURITY_POLICY,
                "Content-Security-Policy",
            ),
            (http::header::DNT, "DNT"),
            (
                http::HeaderName::from_static("x-powered-by"),
                "X-Powered-By",
            ),
        ] {
            assert_eq!(canonical_case(name.as_str()), wire);
        }
    }

    #[test]
    fn known_ids_depend_on_the_side() {
        assert_eq!(known_id("content-type", false, Side::Response), Some(12));
        assert_eq!(known_id("Location", false, Side::Response), Some(23));
        assert_eq!(known_id("Location", false, Side::Request), None);
        assert_eq!(known_id("user-agent", false, Side::Request), Some(40));
        assert_eq!(known_id("X-Anything", false, Side::Request), None);
    }
}
