//! Reading and checking a request head: request line, headers, and what they say
//! about the body (framing), `Expect` and keep-alive.

use std::time::{Duration, Instant};

use tokio::io::AsyncRead;

use http::{Method, Version};

use super::input::{InBuf, ReadError, SpareHead, is_timeout};
use crate::url::{canonical_path, target_parts};

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

/// Reads a request head of at most `max_header_bytes`. Its first byte must
/// arrive within `timeout` (else [`ReadError::IdleTimeout`]), and the whole
/// head within `timeout` of its first byte (else `408`), however slowly it
/// trickles in. `started` is set when the first byte of the request is seen
/// (it is also known when reading fails).
pub(crate) async fn read_head<R: AsyncRead + Unpin + ?Sized>(
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
    // How far the buffer has been searched for the end of the head: the head
    // is parsed when its request line or its end arrives, never again for
    // every piece of a head that trickles in (that would be quadratic).
    let mut scanned = 0;
    let mut line_parsed = false;
    loop {
        if !inbuf.is_empty() {
            let (data, spare) = inbuf.data_and_spare();
            let first_line = !line_parsed && data.contains(&b'\n');
            if first_line || head_ends_after(data, scanned) {
                line_parsed = true;
                let parsed = parse_head(data, max_header_bytes, &mut slots, spare)?;
                if let Some((head, len)) = parsed {
                    inbuf.consume(len);
                    let started = started.unwrap_or_else(Instant::now);
                    return check_head(head, started);
                }
            }
            scanned = data.len();
            if data.len() > max_header_bytes {
                return Err(too_large_head());
            }
        }
        // Idle: the whole timeout; within a head: what is left of it.
        let stall = timeout.map(|t| match *started {
            Some(first) => t.saturating_sub(first.elapsed()),
            None => t,
        });
        match inbuf.fill(reader, max_header_bytes + 1, stall).await {
            Ok(0) if started.is_none() => return Err(ReadError::Closed),
            Ok(0) => return Err(ReadError::Vanished),
            Ok(_) => {
                started.get_or_insert_with(Instant::now);
            }
            Err(e) if started.is_none() && is_timeout(&e) => return Err(ReadError::IdleTimeout),
            Err(_) if started.is_none() => return Err(ReadError::Closed),
            Err(e) if is_timeout(&e) => {
                return Err(ReadError::reject(408, "timed out reading the request head"));
            }
            Err(e) => return Err(ReadError::mid_request(&e)),
        }
    }
}

/// Whether `data` holds the blank line that ends a head (`\n\n` or
/// `\n\r\n`, the line ends httparse accepts) ending at or after `from`.
fn head_ends_after(data: &[u8], from: usize) -> bool {
    let start = from.saturating_sub(2);
    data[start..]
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b == b'\n')
        .map(|(i, _)| start + i)
        .any(|i| {
            (i >= 1 && data[i - 1] == b'\n')
                || (i >= 2 && data[i - 1] == b'\r' && data[i - 2] == b'\n')
        })
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
/// length in bytes, in the `spare` buffers (taken). `slots` (header slots to
/// offer httparse) grows as needed.
fn parse_head(
    data: &[u8],
    max_header_bytes: usize,
    slots: &mut usize,
    spare: &mut SpareHead,
) -> Result<Option<(RawHead, usize)>, ReadError> {
    // A header line takes at least 3 bytes ("a:\n"), which bounds the slots needed.
    let max_slots = max_header_bytes / 3 + 1;
    #[cfg(test)]
    tests::PARSES.with(|n| n.set(n.get() + 1));
    loop {
        // The first slots on the stack; more only for a head that needs them.
        let mut few = [httparse::EMPTY_HEADER; INITIAL_HEADER_SLOTS];
        let mut many = Vec::new();
        let headers = if *slots <= INITIAL_HEADER_SLOTS {
            &mut few[..]
        } else {
            many.resize(*slots, httparse::EMPTY_HEADER);
            &mut many[..]
        };
        let mut request = httparse::Request::new(headers);
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
                let mut target = std::mem::take(&mut spare.target);
                target.clear();
                target.extend_from_slice(request.path.unwrap_or_default().as_bytes());
                // Each field in a spare entry's buffers while there are some.
                let mut headers = std::mem::take(&mut spare.headers);
                headers.truncate(request.headers.len());
                for (i, field) in request.headers.iter().enumerate() {
                    match headers.get_mut(i) {
                        Some((name, value)) => {
                            name.clear();
                            name.push_str(field.name);
                            value.clear();
                            value.extend_from_slice(field.value);
                        }
                        None => headers.push((field.name.to_owned(), field.value.to_vec())),
                    }
                }
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
        mut headers,
    } = raw;
    if let Err(e) = check_target_and_host(&method, &target, version, &mut headers) {
        return Err(e.for_request(&method, &target));
    }
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

/// The request-target and `Host` rules HTTP.sys enforces before IIS sees a
/// request (RFC 9112 §3.2–3.3), answering `400` as HTTP.sys does
/// ("Bad Request - Invalid URL" / "Invalid Hostname"):
///
/// * the target is an absolute path (`/a`), an absolute `http`/`https` URL,
///   or `*` for `OPTIONS`; the authority form (`host:443`, CONNECT's) and
///   anything else is refused: IIS is not a forward proxy;
/// * an HTTP/1.1 request has exactly one `Host`, any request at most one,
///   and its value is a valid `host[:port]`;
/// * for an absolute URL the URL's authority is the request's host (RFC
///   9112 §3.2.2: it overrides `Host`), so `Host` is set to it and
///   `SERVER_NAME` and the modules agree with where the request was sent.
fn check_target_and_host(
    method: &Method,
    target: &[u8],
    version: Version,
    headers: &mut Vec<(String, Vec<u8>)>,
) -> Result<(), ReadError> {
    let invalid_url = || ReadError::reject(400, "Invalid URL");
    let invalid_host = |why: &str| ReadError::reject(400, format!("Invalid Hostname: {why}"));
    let authority = if target.starts_with(b"/") {
        None
    } else if target == b"*" {
        if method != Method::OPTIONS {
            return Err(invalid_url());
        }
        None
    } else {
        let authority = absolute_url_authority(target).ok_or_else(invalid_url)?;
        if authority.is_empty() || !valid_host(authority) {
            return Err(invalid_url());
        }
        Some(authority)
    };
    let (path, _) = target_parts(target);
    if canonical_path(path).is_err() {
        return Err(invalid_url());
    }
    let mut hosts = headers
        .iter()
        .enumerate()
        .filter(|(_, (n, _))| n.eq_ignore_ascii_case("host"));
    let first = hosts.next().map(|(i, _)| i);
    if hosts.next().is_some() {
        return Err(invalid_host("more than one Host header"));
    }
    match first {
        None if version == Version::HTTP_11 => {
            return Err(invalid_host("no Host header in an HTTP/1.1 request"));
        }
        Some(i) if !valid_host(&headers[i].1) => {
            return Err(invalid_host("not a host[:port]"));
        }
        _ => {}
    }
    if let Some(authority) = authority {
        match first {
            Some(i) => headers[i].1 = authority.to_vec(),
            None => headers.insert(0, ("Host".to_owned(), authority.to_vec())),
        }
    }
    Ok(())
}

/// The authority of an absolute `http://` or `https://` request-target
/// (scheme case-insensitive), `None` for any other form.
fn absolute_url_authority(target: &[u8]) -> Option<&[u8]> {
    let rest = ["http://", "https://"].iter().find_map(|scheme| {
        let n = scheme.len();
        (target.len() >= n && target[..n].eq_ignore_ascii_case(scheme.as_bytes()))
            .then(|| &target[n..])
    })?;
    let end = rest
        .iter()
        .position(|&b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(rest.len());
    Some(&rest[..end])
}

/// Whether `value` is a `Host` value: empty (allowed when the target has no
/// authority), or `uri-host [ ":" port ]` (RFC 9110 §7.2) with a registered
/// name or a bracketed IP literal, no userinfo.
pub(crate) fn valid_host(value: &[u8]) -> bool {
    let port = if value.starts_with(b"[") {
        let Some(close) = value.iter().position(|&b| b == b']') else {
            return false;
        };
        let literal = &value[1..close];
        if literal.is_empty()
            || !literal
                .iter()
                .all(|&b| b.is_ascii_hexdigit() || matches!(b, b':' | b'.'))
        {
            return false;
        }
        &value[close + 1..]
    } else {
        let end = value.iter().position(|&b| b == b':').unwrap_or(value.len());
        let host = &value[..end];
        /// The bytes of a reg-name (RFC 3986 §3.2.2: unreserved,
        /// pct-encoded's `%`, sub-delims).
        const REG_NAME: [bool; 256] = crate::message::syntax::alphanumeric_and(b"-._~%!$&'()*+,;=");
        let reg_name = host.iter().all(|&b| REG_NAME[usize::from(b)]);
        if !reg_name {
            return false;
        }
        &value[end..]
    };
    match port.split_first() {
        None => true,
        Some((b':', digits)) => digits.iter().all(u8::is_ascii_digit),
        Some(_) => false,
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
pub(crate) mod tests {
    use super::*;
    use crate::block_on::block_on;
    use std::cell::Cell;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    thread_local! {
        /// How many times this thread parsed a head.
        pub(crate) static PARSES: Cell<usize> = const { Cell::new(0) };
    }

    /// `bytes` as sent.
    fn head_as_sent(bytes: &[u8]) -> Result<Head, ReadError> {
        let mut inbuf = InBuf::new();
        block_on(read_head(
            &mut &bytes[..],
            &mut inbuf,
            1024,
            None,
            &mut None,
        ))
    }

    /// `bytes` with the `Host` HTTP/1.1 requires added after the request
    /// line (for the tests of everything else).
    pub(crate) fn with_host(bytes: &[u8]) -> Vec<u8> {
        match bytes.iter().position(|&b| b == b'\n') {
            Some(i)
                if !bytes
                    .to_ascii_lowercase()
                    .windows(6)
                    .any(|w| w == b"\nhost:") =>
            {
                [&bytes[..=i], b"Host: h\r\n", &bytes[i + 1..]].concat()
            }
            _ => bytes.to_vec(),
        }
    }

    fn head(bytes: &[u8]) -> Result<Head, ReadError> {
        head_as_sent(&with_host(bytes))
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

    fn rejection(result: Result<Head, ReadError>) -> (u16, String) {
        match result {
            Err(ReadError::Reject(r)) => (r.status, r.detail),
            other => panic!("expected a rejection, got {other:?}"),
        }
    }

    #[test]
    fn http11_needs_exactly_one_valid_host() {
        let (status, detail) = rejection(head_as_sent(b"GET / HTTP/1.1\r\n\r\n"));
        assert_eq!(status, 400);
        assert!(detail.starts_with("Invalid Hostname"), "{detail}");
        // HTTP/1.0 predates Host.
        assert!(head_as_sent(b"GET / HTTP/1.0\r\n\r\n").is_ok());
        let two = b"GET / HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n";
        assert_eq!(rejection(head_as_sent(two)).0, 400);
        let two_10 = b"GET / HTTP/1.0\r\nHost: a.example\r\nhost: b.example\r\n\r\n";
        assert_eq!(rejection(head_as_sent(two_10)).0, 400);
        for bad in [
            "[",
            "[::1",
            "a/b",
            "a b",
            "user@a.example",
            "a:b",
            "[::1]x",
            "[zz]",
        ] {
            let bytes = format!("GET / HTTP/1.1\r\nHost: {bad}\r\n\r\n");
            assert_eq!(
                rejection(head_as_sent(bytes.as_bytes())).0,
                400,
                "Host: {bad}"
            );
        }
        for good in [
            "a.example",
            "a.example:8080",
            "[::1]",
            "[::1]:80",
            "127.0.0.1:1",
            "x_y",
        ] {
            let bytes = format!("GET / HTTP/1.1\r\nHost: {good}\r\n\r\n");
            assert!(head_as_sent(bytes.as_bytes()).is_ok(), "Host: {good}");
        }
    }

    #[test]
    fn only_origin_absolute_and_options_asterisk_targets_are_served() {
        for bad in [
            "GET * HTTP/1.1",
            "CONNECT a.example:443 HTTP/1.1",
            "GET a.example:443 HTTP/1.1",
            "GET abc HTTP/1.1",
            "GET ftp://a.example/ HTTP/1.1",
            "GET http:///x HTTP/1.1",
        ] {
            let bytes = format!("{bad}\r\nHost: a.example\r\n\r\n");
            let (status, detail) = rejection(head_as_sent(bytes.as_bytes()));
            assert_eq!((status, detail.as_str()), (400, "Invalid URL"), "{bad}");
        }
        assert!(head_as_sent(b"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n").is_ok());
    }

    #[test]
    fn an_absolute_target_names_the_host() {
        let h = head_as_sent(b"GET HTTP://a.example:81/x?q HTTP/1.1\r\nHost: b.example\r\n\r\n")
            .unwrap();
        assert_eq!(h.target, b"HTTP://a.example:81/x?q");
        assert_eq!(h.headers, [("Host".to_owned(), b"a.example:81".to_vec())]);
        // An HTTP/1.0 request may carry no Host: the URL's authority becomes it.
        let h = head_as_sent(b"GET https://a.example/ HTTP/1.0\r\n\r\n").unwrap();
        assert_eq!(h.headers, [("Host".to_owned(), b"a.example".to_vec())]);
    }

    /// Hands out its bytes a few at a time, as a slow client sends them.
    struct Trickle<'a>(&'a [u8], usize);

    impl AsyncRead for Trickle<'_> {
        fn poll_read(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &mut tokio::io::ReadBuf<'_>,
        ) -> Poll<std::io::Result<()>> {
            let n = self.1.min(self.0.len()).min(buf.remaining());
            buf.put_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Poll::Ready(Ok(()))
        }
    }

    #[test]
    fn a_head_sent_in_small_pieces_is_parsed_once_it_is_complete() {
        let mut bytes = b"GET / HTTP/1.1\r\nHost: h\r\n".to_vec();
        let fillers = 300;
        for _ in 0..fillers {
            bytes.extend_from_slice(b"X-Filler: abcdefghijklmnopqrstuvwxyz\r\n");
        }
        bytes.extend_from_slice(b"\r\n");
        PARSES.with(|n| n.set(0));
        let mut inbuf = InBuf::new();
        let h = block_on(read_head(
            &mut Trickle(&bytes, 6),
            &mut inbuf,
            64 * 1024,
            None,
            &mut None,
        ))
        .unwrap();
        assert_eq!(h.headers.len(), 1 + fillers);
        // Once when the request line is in, once when the blank line is:
        // not once per piece (~1,900 pieces, each re-parsing the head so far).
        assert_eq!(PARSES.with(Cell::get), 2);
        assert!(head_ends_after(b"a\n\n", 0) && head_ends_after(b"a\r\n\r\n", 3));
        assert!(!head_ends_after(b"a\r\nb: c\r\n", 0));
    }
}
