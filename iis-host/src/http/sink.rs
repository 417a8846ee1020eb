//! [`ConnectionSink`]: the [`ResponseSink`] of a TCP connection. It frames the
//! response (Content-Length, chunked, close-delimited, no body) and applies the
//! connection's fate (keep-alive, FIN, RST).

use std::io::{self, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use http::Version;

use super::head::{list_tokens, parse_decimal};
use super::recording::misuse;
use super::{ConnectionFate, ResponseHead, ResponseSink};

/// Body writes up to this size are copied into one buffer with their framing and the
/// pending head, so they leave in one segment; larger ones are written in place.
const COALESCE_LIMIT: usize = 16 * 1024;

/// How the response body is delimited on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OutFraming {
    /// No body may be sent (HEAD request, 1xx, 204, 304): body bytes are dropped.
    NoBody,
    /// `Content-Length`: this many bytes are still due.
    Length(u64),
    /// `Transfer-Encoding: chunked`.
    Chunked,
    /// HTTP/1.0 streamed body, ended by closing the connection.
    UntilClose,
}

/// The response side of one request on a TCP connection.
#[derive(Debug)]
pub(crate) struct ConnectionSink<'a> {
    stream: Option<TcpStream>,
    version: Version,
    head_request: bool,
    keep_alive: bool,
    shutting_down: &'a AtomicBool,
    framing: Option<OutFraming>,
    close_after: bool,
    /// Head bytes not yet written (a buffered response's head waits for its body).
    pending: Vec<u8>,
    status: u16,
    body_bytes: u64,
    fate: Option<ConnectionFate>,
    broken: bool,
}

impl<'a> ConnectionSink<'a> {
    /// A sink writing to `stream` the response to a request of `version`.
    /// `keep_alive` tells whether the client (and the request count) allow the
    /// connection to be kept; `shutting_down` is the server's shutdown flag.
    pub(crate) fn new(
        stream: TcpStream,
        version: Version,
        head_request: bool,
        keep_alive: bool,
        shutting_down: &'a AtomicBool,
    ) -> Self {
        ConnectionSink {
            stream: Some(stream),
            version,
            head_request,
            keep_alive,
            shutting_down,
            framing: None,
            close_after: false,
            pending: Vec::new(),
            status: 0,
            body_bytes: 0,
            fate: None,
            broken: false,
        }
    }

    /// The status sent, `0` if no head was sent.
    pub(crate) fn status(&self) -> u16 {
        self.status
    }

    /// Entity-body bytes sent (without framing).
    pub(crate) fn body_bytes(&self) -> u64 {
        self.body_bytes
    }

    /// Ends the response after the handler returned (or panicked) if it did not
    /// call `finish`, and returns the fate applied.
    pub(crate) fn complete(&mut self, panicked: bool) -> ConnectionFate {
        if let Some(fate) = self.fate {
            return fate;
        }
        let fate = if panicked && self.framing.is_some() {
            ConnectionFate::Reset
        } else if panicked {
            self.close_after = true;
            ConnectionFate::Closed
        } else {
            ConnectionFate::KeptAlive
        };
        match self.finish(fate) {
            Ok(fate) => fate,
            Err(_) => self.fate.unwrap_or(ConnectionFate::Closed),
        }
    }

    /// The stream, unless the connection was reset or broke.
    pub(crate) fn into_stream(self) -> Option<TcpStream> {
        self.stream
    }

    fn ensure_open(&self) -> io::Result<()> {
        if self.fate.is_some() {
            return Err(misuse("the response is already finished"));
        }
        if self.broken || self.stream.is_none() {
            return Err(io::Error::new(
                io::ErrorKind::NotConnected,
                "the connection is broken",
            ));
        }
        Ok(())
    }

    /// Writes the pending head, then `prefix`, `bytes` and `suffix`.
    fn write_parts(&mut self, prefix: &[u8], bytes: &[u8], suffix: &[u8]) -> io::Result<()> {
        let Some(stream) = self.stream.as_mut() else {
            return Err(io::ErrorKind::NotConnected.into());
        };
        let mut out = std::mem::take(&mut self.pending);
        out.extend_from_slice(prefix);
        let result = if bytes.len() <= COALESCE_LIMIT {
            out.extend_from_slice(bytes);
            out.extend_from_slice(suffix);
            stream.write_all(&out)
        } else {
            stream
                .write_all(&out)
                .and_then(|()| stream.write_all(bytes))
                .and_then(|()| stream.write_all(suffix))
        };
        if result.is_err() {
            self.broken = true;
        }
        result
    }

    /// Aborts the connection with an RST, dropping anything not yet written.
    fn abort(&mut self) -> ConnectionFate {
        self.pending.clear();
        if let Some(stream) = self.stream.take() {
            // The thread's descriptor is the socket's only one while a request is handled
            // (the shutdown waker is dropped before), so closing it with a zero linger
            // sends the RST now.
            let _ = socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO));
            drop(stream);
        }
        self.fate = Some(ConnectionFate::Reset);
        ConnectionFate::Reset
    }

    /// Drops the connection after an I/O error.
    fn broke(&mut self) -> ConnectionFate {
        self.stream = None;
        self.fate = Some(ConnectionFate::Closed);
        ConnectionFate::Closed
    }
}

impl ResponseSink for ConnectionSink<'_> {
    fn send_head(&mut self, head: &ResponseHead, content_length: Option<u64>) -> io::Result<()> {
        self.ensure_open()?;
        if self.framing.is_some() {
            return Err(misuse("the response head was already sent"));
        }
        validate(head)?;
        let declared = match head.header("content-length") {
            Some(v) => Some(parse_decimal(v.trim_ascii()).ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "invalid Content-Length in the response head",
                )
            })?),
            None => None,
        };
        let head_connection = head
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("connection"))
            .map(|(_, v)| v.as_slice());
        let mut close = self.close_after
            || !self.keep_alive
            || self.shutting_down.load(Ordering::SeqCst)
            || list_tokens(head_connection).iter().any(|t| t == "close");
        let no_body_status = head.status < 200 || head.status == 204 || head.status == 304;
        let mut add_length = None;
        let framing = if no_body_status {
            OutFraming::NoBody
        } else if self.head_request {
            add_length = content_length.filter(|_| declared.is_none());
            OutFraming::NoBody
        } else if let Some(n) = declared {
            OutFraming::Length(n)
        } else if let Some(n) = content_length {
            add_length = Some(n);
            OutFraming::Length(n)
        } else if self.version == Version::HTTP_11 {
            OutFraming::Chunked
        } else {
            close = true;
            OutFraming::UntilClose
        };

        let out = &mut self.pending;
        write!(out, "HTTP/1.1 {} {}\r\n", head.status, head.reason)?;
        for (name, value) in &head.headers {
            if name.eq_ignore_ascii_case("transfer-encoding")
                || name.eq_ignore_ascii_case("connection")
            {
                continue;
            }
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value);
            out.extend_from_slice(b"\r\n");
        }
        if let Some(n) = add_length {
            write!(out, "Content-Length: {n}\r\n")?;
        }
        if framing == OutFraming::Chunked {
            out.extend_from_slice(b"Transfer-Encoding: chunked\r\n");
        }
        if close {
            out.extend_from_slice(b"Connection: close\r\n");
        } else if self.version == Version::HTTP_10 {
            out.extend_from_slice(b"Connection: keep-alive\r\n");
        }
        out.extend_from_slice(b"\r\n");

        self.framing = Some(framing);
        self.close_after = close;
        self.status = head.status;
        if content_length.is_none() {
            // A streamed response: the client sees the head now.
            self.write_parts(&[], &[], &[])?;
        }
        Ok(())
    }

    fn send_body(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.ensure_open()?;
        let Some(framing) = self.framing else {
            return Err(misuse("body sent before the response head"));
        };
        match framing {
            OutFraming::NoBody => Ok(()),
            OutFraming::Length(remaining) => {
                let n = usize::try_from(remaining).map_or(bytes.len(), |r| r.min(bytes.len()));
                self.write_parts(&[], &bytes[..n], &[])?;
                self.framing = Some(OutFraming::Length(remaining - n as u64));
                self.body_bytes += n as u64;
                if n < bytes.len() {
                    self.close_after = true;
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidInput,
                        "body longer than its Content-Length (excess dropped)",
                    ));
                }
                Ok(())
            }
            OutFraming::Chunked if bytes.is_empty() => Ok(()),
            OutFraming::Chunked => {
                let size = format!("{:x}\r\n", bytes.len());
                self.write_parts(size.as_bytes(), bytes, b"\r\n")?;
                self.body_bytes += bytes.len() as u64;
                Ok(())
            }
            OutFraming::UntilClose => {
                self.write_parts(&[], bytes, &[])?;
                self.body_bytes += bytes.len() as u64;
                Ok(())
            }
        }
    }

    fn finish(&mut self, fate: ConnectionFate) -> io::Result<ConnectionFate> {
        if self.fate.is_some() {
            return Err(misuse("the response is already finished"));
        }
        if fate == ConnectionFate::Reset {
            return Ok(self.abort());
        }
        if self.broken || self.stream.is_none() {
            return Ok(self.broke());
        }
        if self.framing.is_none() {
            log::warn!("response finished without a head: sending 500");
            self.send_head(&ResponseHead::new(500), Some(0))?;
        }
        let ending: &[u8] = match self.framing {
            Some(OutFraming::Length(remaining)) if remaining > 0 => {
                log::warn!("response body {remaining} bytes short of its Content-Length");
                self.close_after = true;
                b""
            }
            Some(OutFraming::Chunked) => b"0\r\n\r\n",
            _ => b"",
        };
        if let Err(e) = self.write_parts(ending, &[], &[]) {
            self.broke();
            return Err(e);
        }
        let applied = if fate == ConnectionFate::Closed
            || self.close_after
            || self.shutting_down.load(Ordering::SeqCst)
        {
            if let Some(stream) = &self.stream {
                let _ = stream.shutdown(Shutdown::Write);
            }
            ConnectionFate::Closed
        } else {
            ConnectionFate::KeptAlive
        };
        self.fate = Some(applied);
        Ok(applied)
    }
}

/// Refuses a head that would corrupt the message (response splitting).
fn validate(head: &ResponseHead) -> io::Result<()> {
    let invalid = |what: &str| io::Error::new(io::ErrorKind::InvalidInput, what.to_owned());
    if !(100..=999).contains(&head.status) {
        return Err(invalid("status code out of range"));
    }
    if head.reason.bytes().any(|b| b == b'\r' || b == b'\n') {
        return Err(invalid("line break in the reason phrase"));
    }
    for (name, value) in &head.headers {
        if name.is_empty() || !name.bytes().all(is_tchar) {
            return Err(invalid("invalid header name"));
        }
        if value.iter().any(|&b| b == b'\r' || b == b'\n' || b == 0) {
            return Err(invalid("line break in a header value"));
        }
    }
    Ok(())
}

/// A token character (RFC 9110 §5.6.2).
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}
