//! Request URLs, shared by the HTTP layer and the objects: splitting a
//! request-target, and the path as HTTP.sys hands it to IIS (its "cooked"
//! URL): percent escapes decoded, `\` read as `/`, and the dot segments `.`
//! and `..` removed (RFC 3986 §5.2.4). A path whose `..` would climb above
//! the root is refused (HTTP.sys answers `400 Bad Request - Invalid URL`),
//! so `/../../etc/passwd` and `/%2e%2e%2f%2e%2e%2fetc%2fpasswd` never reach
//! a module, a file mapping or `PATH_TRANSLATED`.

use std::borrow::Cow;

/// A path whose `..` segments climb above the root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AboveRoot;

/// The cooked form of the path part of a request-target (no query):
/// decoded, `\` as `/`, dot segments removed; lossy UTF-8. A path that is
/// cooked already (most are) is borrowed, not copied.
pub(crate) fn canonical_path(raw_path: &[u8]) -> Result<Cow<'_, str>, AboveRoot> {
    if is_cooked(raw_path)
        && let Ok(path) = std::str::from_utf8(raw_path)
    {
        return Ok(Cow::Borrowed(path));
    }
    // Most paths have nothing to decode: those are read where they are.
    let decoded: Cow<'_, [u8]> = if raw_path.iter().any(|&b| b == b'%' || b == b'\\') {
        let mut decoded = percent_decode(raw_path);
        for byte in &mut decoded {
            if *byte == b'\\' {
                *byte = b'/';
            }
        }
        decoded.into()
    } else {
        raw_path.into()
    };
    let mut pieces = decoded.split(|&b| b == b'/').peekable();
    // The piece before the first `/` (empty for an absolute path; `SetUrl`
    // may give a relative one), where a dot segment counts too.
    let first = match pieces.next().unwrap_or_default() {
        b".." => return Err(AboveRoot),
        b"." => &[],
        first => first,
    };
    // Built in place: each kept segment is `/segment`, and `..` cuts the
    // last one off (a segment holds no `/`, so it starts at the last one).
    let mut path = Vec::with_capacity(decoded.len() + 1);
    path.extend_from_slice(first);
    let mut kept = 0usize;
    let mut ends_with_slash = false;
    while let Some(segment) = pieces.next() {
        let last = pieces.peek().is_none();
        match segment {
            b"." => ends_with_slash = last,
            b".." => {
                kept = kept.checked_sub(1).ok_or(AboveRoot)?;
                let start = path.iter().rposition(|&b| b == b'/').unwrap_or(0);
                path.truncate(start);
                ends_with_slash = last;
            }
            _ => {
                path.push(b'/');
                path.extend_from_slice(segment);
                kept += 1;
                ends_with_slash = false;
            }
        }
    }
    if ends_with_slash || kept == 0 {
        path.push(b'/');
    }
    Ok(Cow::Owned(String::from_utf8(path).unwrap_or_else(
        |invalid| String::from_utf8_lossy(invalid.as_bytes()).into_owned(),
    )))
}

/// Whether cooking leaves `raw_path` as it is: an absolute path with
/// nothing to decode and no dot segment.
fn is_cooked(raw_path: &[u8]) -> bool {
    if raw_path.first() != Some(&b'/') {
        return false;
    }
    // One pass: no escape, no `\`, and no segment `.` or `..` (what follows
    // a `/` is `.` or `..`, then a `/` or the end).
    for (i, &b) in raw_path.iter().enumerate() {
        match b {
            b'%' | b'\\' => return false,
            b'/' => {
                let rest = &raw_path[i + 1..];
                let dots = rest.iter().take(2).take_while(|&&b| b == b'.').count();
                if dots > 0 && matches!(rest.get(dots), None | Some(b'/')) {
                    return false;
                }
            }
            _ => {}
        }
    }
    true
}

/// Splits a request-target into path and query (without `?`). An absolute
/// form (`http://host/path`) keeps only its path.
pub(crate) fn split_target(target: &[u8]) -> (Vec<u8>, Option<Vec<u8>>) {
    let (path, query) = target_parts(target);
    (path.to_vec(), query.map(<[u8]>::to_vec))
}

/// [`split_target`], borrowed.
pub(crate) fn target_parts(target: &[u8]) -> (&[u8], Option<&[u8]>) {
    let mut rest = target;
    if let Some(scheme_end) = find(rest, b"://") {
        let after = &rest[scheme_end + 3..];
        rest = match after.iter().position(|&b| b == b'/' || b == b'?') {
            Some(i) => &after[i..],
            None => b"/",
        };
    }
    match rest.iter().position(|&b| b == b'?') {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// `%XX` decoding; an invalid escape is kept as it is.
pub(crate) fn percent_decode(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_decoded_and_dot_segments_removed() {
        for (raw, cooked) in [
            ("/", "/"),
            ("/a/b", "/a/b"),
            ("/a/b/", "/a/b/"),
            ("/a%20b", "/a b"),
            ("/a/./b", "/a/b"),
            ("/a/../b", "/b"),
            ("/a/b/..", "/a/"),
            ("/a/.", "/a/"),
            ("/a/b/%2e%2E/c", "/a/c"),
            ("/a\\..\\b", "/b"),
            ("/..a/b..", "/..a/b.."),
            ("/a//b", "/a//b"),
            ("/%zz", "/%zz"),
        ] {
            assert_eq!(
                canonical_path(raw.as_bytes()).as_deref(),
                Ok(cooked),
                "{raw}"
            );
        }
    }

    #[test]
    fn a_cooked_path_is_borrowed() {
        for raw in ["/", "/a/b", "/a//b/", "/..a/b.."] {
            let cooked = canonical_path(raw.as_bytes());
            assert!(
                matches!(cooked, Ok(Cow::Borrowed(path)) if path == raw),
                "{raw}"
            );
        }
        for raw in ["/a/./b", "/a%20b", "/a\\b", "a/b", "/a/.."] {
            assert!(
                matches!(canonical_path(raw.as_bytes()), Ok(Cow::Owned(_))),
                "{raw}"
            );
        }
    }

    #[test]
    fn climbing_above_the_root_is_refused() {
        for raw in [
            "/..",
            "/../../etc/passwd",
            "/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
            "/a/../../b",
            "/..\\x",
            "/%2E%2E/",
            // A relative URL (`SetUrl`) that starts by climbing (found by
            // the `url` fuzz target).
            "..\\\\a\\b/c/",
            "%2e%2e/x",
        ] {
            assert_eq!(canonical_path(raw.as_bytes()), Err(AboveRoot), "{raw}");
        }
    }

    #[test]
    fn splits_targets() {
        assert_eq!(
            split_target(b"/a/b?x=1"),
            (b"/a/b".to_vec(), Some(b"x=1".to_vec()))
        );
        assert_eq!(split_target(b"/a"), (b"/a".to_vec(), None));
        assert_eq!(split_target(b"/a?"), (b"/a".to_vec(), Some(Vec::new())));
        assert_eq!(
            split_target(b"http://h:80/p?q"),
            (b"/p".to_vec(), Some(b"q".to_vec()))
        );
        assert_eq!(split_target(b"http://h"), (b"/".to_vec(), None));
    }

    #[test]
    fn invalid_escapes_are_kept() {
        assert_eq!(percent_decode(b"/a%20b%zz%4"), b"/a b%zz%4");
        assert_eq!(percent_decode(b"%41"), b"A");
    }
}
