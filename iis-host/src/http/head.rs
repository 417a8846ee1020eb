//! Reading and checking a request head: request line, headers, and what they say
//! about the body (framing), `Expect` and keep-alive.

use std::io::Read;
use std::time::{Duration, Instant};

use http::{Method, Version};

use super::input::{InBuf, ReadError, is_timeout};

/// How the request body is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyFraming {
    /// `Content-Length: n` (or no body: `Length(0)`).
    Length(u64),
    /// `Transfer-Encoding: chunked`.
    Chunked,
}

/// A parsed and checked request head.
#[derive(Debug)]
pub(crate) struct Head {
    pub method: Method,
    pub target: Vec<u8>,
    pub version: Version,
    pub headers: Vec<(String, Vec<u8>)>,
    pub framing: BodyFraming,
    /// `Expect: 100-continue` on an HTTP/1.1 request.
    pub expect_continue: bool,
    /// Whether the client allows the connection to stay open after the response.
    pub keep_alive: bool,
    /// When the first byte of the request was seen.
    pub started: Instant,
}

/// The header slots httparse starts with; doubled as needed.
const INITIAL_HEADER_SLOTS: usize = 32;

/// Reads a request head of at most `max_header_bytes`, which must arrive within
/// `timeout` of its first byte (and each read within the socket's read timeout).
/// `started` is set when the first byte of the request is seen (it is also known
/// when reading fails).
pub(crate) fn read_head<R: Read + ?Sized>(
    reader: &mut R,
    inbuf: &mut InBuf,
    max_header_bytes: usize,
    timeout: Option<Duration>,
    started: &mut Option<Instant>,
) -> Result<Head, ReadError> {
    if !inbuf.is_empty() {
        started.get_or_insert_with(Instant::now);
    }
    let mut slots = INITIAL_HEADER_SLOTS;
    loop {
        if !inbuf.is_empty() {
            let parsed = parse_head(inbuf.data(), max_header_bytes, &mut slots)?;
            if let Some((head, len)) = parsed {
                inbuf.consume(len);
                let started = started.unwrap_or_else(Instant::now);
                return check_head(head, started);
            }
            if inbuf.data().len() > max_header_bytes {
                return Err(too_large_head());
            }
        }
        match inbuf.fill(reader, max_header_bytes + 1) {
            Ok(0) if started.is_none() => return Err(ReadError::Closed),
            Ok(0) => return Err(ReadError::Vanished),
            Ok(_) => {
                let first = *started.get_or_insert_with(Instant::now);
                if timeout.is_some_and(|t| first.elapsed() > t) {
                    return Err(ReadError::reject(408, "timed out reading the request head"));
                }
            }
            Err(e) if started.is_none() && is_timeout(&e) => return Err(ReadError::IdleTimeout),
            Err(_) if started.is_none() => return Err(ReadError::Closed),
            Err(e) => return Err(ReadError::mid_request(&e)),
        }
    }
}

fn too_large_head() -> ReadError {
    ReadError::reject(431, "request header fields too large")
}

/// The head as parsed, before its framing is checked.
struct RawHead {
    method: Method,
    target: Vec<u8>,
    version: Version,
    headers: Vec<(String, Vec<u8>)>,
}

/// Parses `data`: `Ok(None)` when the head is not complete yet, else the head and its
/// length in bytes. `slots` (header slots to offer httparse) grows as needed.
fn parse_head(
    data: &[u8],
    max_header_bytes: usize,
    slots: &mut usize,
) -> Result<Option<(RawHead, usize)>, ReadError> {
    // A header line takes at least 3 bytes ("a:\n"), which bounds the slots needed.
    let max_slots = max_header_bytes / 3 + 1;
    loop {
        let mut headers = vec![httparse::EMPTY_HEADER; *slots];
        let mut request = httparse::Request::new(&mut headers);
        match request.parse(data) {
            Ok(httparse::Status::Partial) => return Ok(None),
            Ok(httparse::Status::Complete(len)) => {
                if len > max_header_bytes {
                    return Err(too_large_head());
                }
                let method = request.method.unwrap_or_default();
                let method = Method::from_bytes(method.as_bytes())
                    .map_err(|_| ReadError::reject(400, "invalid method"))?;
                let version = match request.version {
                    Some(0) => Version::HTTP_10,
                    _ => Version::HTTP_11,
                };
                let target = request.path.unwrap_or_default().as_bytes().to_vec();
                let headers = request
                    .headers
                    .iter()
                    .map(|h| (h.name.to_owned(), h.value.to_vec()))
                    .collect();
                let head = RawHead {
                    method,
                    target,
                    version,
                    headers,
                };
                return Ok(Some((head, len)));
            }
            Err(httparse::Error::TooManyHeaders) if *slots < max_slots => {
                *slots = (*slots * 2).min(max_slots);
            }
            Err(httparse::Error::TooManyHeaders) => return Err(too_large_head()),
            Err(e) => return Err(ReadError::reject(400, format!("malformed request: {e}"))),
        }
    }
}

/// Works out framing, `Expect` and keep-alive, refusing what is ambiguous.
fn check_head(raw: RawHead, started: Instant) -> Result<Head, ReadError> {
    let RawHead {
        method,
        target,
        version,
        headers,
    } = raw;
    let checked = (|| {
        let values = |name: &'static str| {
            headers
                .iter()
                .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_slice())
        };
        let framing = body_framing(
            version,
            values("transfer-encoding"),
            values("content-length"),
        )?;
        let mut expect_continue = false;
        for value in values("expect") {
            if value.trim_ascii().eq_ignore_ascii_case(b"100-continue") {
                // RFC 9110 §10.1.1: ignored in HTTP/1.0 requests.
                expect_continue = version == Version::HTTP_11;
            } else {
                return Err(ReadError::reject(417, "unsupported expectation"));
            }
        }
        let tokens = list_tokens(values("connection"));
        let close = tokens.iter().any(|t| t == "close");
        let keep_alive = match version {
            Version::HTTP_10 => !close && tokens.iter().any(|t| t == "keep-alive"),
            _ => !close,
        };
        Ok((framing, expect_continue, keep_alive))
    })();
    match checked {
        Ok((framing, expect_continue, keep_alive)) => Ok(Head {
            method,
            target,
            version,
            headers,
            framing,
            expect_continue,
            keep_alive,
            started,
        }),
        Err(e) => Err(e.for_request(&method, &target)),
    }
}

/// The body framing of a request (RFC 9112 §6.3), refusing the ambiguous cases that
/// enable request smuggling.
fn body_framing<'a>(
    version: Version,
    transfer_encoding: impl Iterator<Item = &'a [u8]>,
    content_length: impl Iterator<Item = &'a [u8]>,
) -> Result<BodyFraming, ReadError> {
    let mut saw_te = false;
    let mut codings = Vec::new();
    for value in transfer_encoding {
        saw_te = true;
        codings.extend(list_tokens(std::iter::once(value)));
    }
    let length = content_length_of(content_length)?;
    if saw_te {
        if length.is_some() {
            return Err(ReadError::reject(
                400,
                "both Content-Length and Transfer-Encoding",
            ));
        }
        if version == Version::HTTP_10 {
            return Err(ReadError::reject(
                400,
                "Transfer-Encoding in an HTTP/1.0 request",
            ));
        }
        return match codings.split_last() {
            Some((last, rest)) if last == "chunked" && rest.is_empty() => Ok(BodyFraming::Chunked),
            Some((last, rest)) if last == "chunked" && !rest.iter().any(|c| c == "chunked") => {
                Err(ReadError::reject(501, "unsupported transfer coding"))
            }
            _ => Err(ReadError::reject(
                400,
                "chunked is not the final transfer coding",
            )),
        };
    }
    Ok(BodyFraming::Length(length.unwrap_or(0)))
}

/// The value of the `Content-Length` headers: all elements must be the same decimal
/// number (RFC 9110 §8.6).
fn content_length_of<'a>(values: impl Iterator<Item = &'a [u8]>) -> Result<Option<u64>, ReadError> {
    let mut length = None;
    for value in values {
        for element in value.split(|&b| b == b',') {
            let n = parse_decimal(element.trim_ascii())
                .ok_or_else(|| ReadError::reject(400, "invalid Content-Length"))?;
            if length.is_some_and(|l| l != n) {
                return Err(ReadError::reject(400, "conflicting Content-Length values"));
            }
            length = Some(n);
        }
    }
    Ok(length)
}

/// A non-empty string of ASCII digits as a `u64` (no sign, no overflow).
pub(crate) fn parse_decimal(bytes: &[u8]) -> Option<u64> {
    if bytes.is_empty() || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    bytes.iter().try_fold(0u64, |n, &d| {
        n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    })
}

/// The lower-cased, non-empty elements of comma-separated header values.
pub(crate) fn list_tokens<'a>(values: impl Iterator<Item = &'a [u8]>) -> Vec<String> {
    values
        .flat_map(|v| v.split(|&b| b == b','))
        .map(|t| String::from_utf8_lossy(t.trim_ascii()).to_ascii_lowercase())
        .filter(|t| !t.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(bytes: &[u8]) -> Result<Head, ReadError> {
        let mut inbuf = InBuf::new();
        read_head(&mut &bytes[..], &mut inbuf, 1024, None, &mut None)
    }

    fn status(result: Result<Head, ReadError>) -> u16 {
        match result {
            Err(ReadError::Reject(r)) => r.status,
            other => panic!("expected a rejection, got {other:?}"),
        }
    }

    #[test]
    fn parses_request_line_and_headers_in_order() {
        let h =
            head(b"POST /a%20b?x=1 HTTP/1.1\r\nHost: h\r\nX-Case: V\r\nContent-Length: 3\r\n\r\n")
                .unwrap();
        assert_eq!(h.method, Method::POST);
        assert_eq!(h.target, b"/a%20b?x=1");
        assert_eq!(h.version, Version::HTTP_11);
        assert_eq!(h.headers[1], ("X-Case".to_owned(), b"V".to_vec()));
        assert_eq!(h.framing, BodyFraming::Length(3));
        assert!(h.keep_alive && !h.expect_continue);
    }

    #[test]
    fn keep_alive_follows_version_and_connection_header() {
        assert!(!head(b"GET / HTTP/1.0\r\n\r\n").unwrap().keep_alive);
        assert!(
            head(b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")
                .unwrap()
                .keep_alive
        );
        assert!(
            !head(b"GET / HTTP/1.1\r\nConnection: foo, close\r\n\r\n")
                .unwrap()
                .keep_alive
        );
    }

    #[test]
    fn ambiguous_framing_is_refused() {
        let both = b"POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n";
        assert_eq!(status(head(both)), 400);
        assert_eq!(
            status(head(b"POST / HTTP/1.1\r\nContent-Length: +1\r\n\r\n")),
            400
        );
        assert_eq!(
            status(head(
                b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"
            )),
            400
        );
        assert_eq!(
            status(head(
                b"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n"
            )),
            400
        );
        assert_eq!(
            status(head(
                b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"
            )),
            400
        );
        assert_eq!(
            status(head(
                b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
            )),
            501
        );
        assert_eq!(
            status(head(
                b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"
            )),
            400
        );
        let same = head(b"POST / HTTP/1.1\r\nContent-Length: 2, 2\r\n\r\n").unwrap();
        assert_eq!(same.framing, BodyFraming::Length(2));
    }

    #[test]
    fn malformed_and_oversized_heads_are_refused() {
        assert_eq!(status(head(b"GARBAGE\r\n\r\n")), 400);
        assert_eq!(status(head(b"GET / HTTP/1.1\r\nBad Name: x\r\n\r\n")), 400);
        let mut long = b"GET / HTTP/1.1\r\nX: ".to_vec();
        long.extend(std::iter::repeat_n(b'a', 2000));
        assert_eq!(status(head(&long)), 431);
        let mut many = b"GET / HTTP/1.1\r\n".to_vec();
        for _ in 0..300 {
            many.extend_from_slice(b"a:\r\n");
        }
        assert_eq!(status(head(&many)), 431);
    }

    #[test]
    fn expectations_other_than_continue_get_417() {
        let h =
            head(b"PUT / HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\n").unwrap();
        assert!(h.expect_continue);
        assert_eq!(
            status(head(b"PUT / HTTP/1.1\r\nExpect: coffee\r\n\r\n")),
            417
        );
    }

    #[test]
    fn end_of_stream_before_and_during_a_head() {
        assert!(matches!(head(b""), Err(ReadError::Closed)));
        assert!(matches!(head(b"GET / HT"), Err(ReadError::Vanished)));
    }
}
