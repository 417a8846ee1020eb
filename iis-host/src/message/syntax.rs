//! Byte classes of the HTTP syntax, as tables: what the transport checks on
//! the wire and the ABI objects check in what modules set.

/// A byte class as a table: the ASCII letters and digits, and `extra`.
pub(crate) const fn alphanumeric_and(extra: &[u8]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = (i as u8).is_ascii_alphanumeric();
        i += 1;
    }
    let mut j = 0;
    while j < extra.len() {
        table[extra[j] as usize] = true;
        j += 1;
    }
    table
}

/// Whether `bytes` is an RFC 9110 token (§5.6.2): a header field name, a
/// method.
pub(crate) fn is_token(bytes: &[u8]) -> bool {
    /// The token characters, by byte.
    const TCHAR: [bool; 256] = alphanumeric_and(b"!#$%&'*+-.^_`|~");
    !bytes.is_empty() && bytes.iter().all(|&b| TCHAR[usize::from(b)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_letters_digits_and_the_rfc_marks() {
        assert!(is_token(b"X-Good_1"));
        assert!(is_token(b"!#$%&'*+-.^_`|~"));
        assert!(!is_token(b"Bad Name"));
        assert!(!is_token(b""));
        for b in [
            b'(', b')', b',', b'/', b':', b';', b'"', b'\r', b'\n', 0, 0x7f, 0x80,
        ] {
            assert!(!is_token(&[b'a', b]), "{b:#x}");
        }
    }
}
