//! [`ConnectionSink`]: the [`ResponseSink`] of a TCP connection. It frames the
//! response (Content-Length, chunked, close-delimited, no body) and applies the
//! connection's fate (keep-alive, FIN, RST).

use std::future::Future;
use std::io::{self, Write};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use http::Version;
use tokio::io::AsyncWrite;
use tokio::net::tcp::OwnedWriteHalf;
use tokio::time::Sleep;

use super::head::{list_tokens, parse_decimal};
use super::recording::misuse;
use super::{BodyStream, ConnectionFate, ResponseHead, ResponseSink};

/// Unwritten bytes past which a write is tried at once, without waiting.
const EAGER_WRITE: usize = 64 * 1024;

/// The largest output buffer a connection keeps for its next response; one
/// that grew beyond (a large body written at once) is dropped.
const KEPT_BUFFER: usize = EAGER_WRITE;

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

/// The response side of one request on a TCP connection: the calls frame the
/// response into a buffer, which [`ResponseSink::poll_flush`] writes to the
/// socket (the pipeline polls it after each write, so the buffer holds at
/// most one write's worth).
#[derive(Debug)]
pub(crate) struct ConnectionSink<'a> {
    writer: Option<OwnedWriteHalf>,
    version: Version,
    head_request: bool,
    keep_alive: bool,
    shutting_down: &'a AtomicBool,
    /// The request body still arriving, if any.
    body: Option<BodyStream>,
    framing: Option<OutFraming>,
    close_after: bool,
    /// Framed bytes not yet written, from `written` on.
    out: Vec<u8>,
    written: usize,
    /// The longest a write may make no progress (`None`: no limit).
    stall: Option<Duration>,
    /// Armed while a write waits for the client.
    stalled: Option<Pin<Box<Sleep>>>,
    status: u16,
    body_bytes: u64,
    fate: Option<ConnectionFate>,
    broken: bool,
}

impl<'a> ConnectionSink<'a> {
    /// A sink writing to `writer` the response to a request of `version`.
    /// `keep_alive` tells whether the client (and the request count) allow the
    /// connection to be kept; `shutting_down` is the server's shutdown flag;
    /// `body` is the request body still arriving (a response that starts
    /// before it has all arrived closes the connection, whose framing is then
    /// unknown); a write that makes no progress for `stall` breaks the
    /// connection. `out` is the connection's output buffer, empty (kept
    /// from its previous response, see [`into_parts`](Self::into_parts)).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        writer: OwnedWriteHalf,
        out: Vec<u8>,
        version: Version,
        head_request: bool,
        keep_alive: bool,
        shutting_down: &'a AtomicBool,
        body: Option<BodyStream>,
        stall: Option<Duration>,
    ) -> Self {
        ConnectionSink {
            writer: Some(writer),
            version,
            head_request,
            keep_alive,
            shutting_down,
            body,
            framing: None,
            close_after: false,
            out,
            written: 0,
            stall,
            stalled: None,
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
    /// call `finish`, and returns the fate to apply.
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

    /// The writer, unless the connection was reset or broke, and the output
    /// buffer (emptied) for the connection's next response, unless it grew
    /// past [`KEPT_BUFFER`].
    pub(crate) fn into_parts(self) -> (Option<OwnedWriteHalf>, Vec<u8>) {
        let mut out = self.out;
        out.clear();
        if out.capacity() > KEPT_BUFFER {
            out = Vec::new();
        }
        (self.writer, out)
    }

    fn ensure_open(&self) -> io::Result<()> {
        if self.fate.is_some() {
            return Err(misuse("the response is already finished"));
        }
        if self.broken || self.writer.is_none() {
            return Err(io::Error::new(
                io::ErrorKind::NotConnected,
                "the connection is broken",
            ));
        }
        Ok(())
    }

    /// Queues `prefix`, `bytes` and `suffix` after what is not yet written;
    /// past [`EAGER_WRITE`] bytes, writes what the socket takes at once (a
    /// handler that writes without awaiting then learns early that the
    /// client is gone).
    fn queue(&mut self, prefix: &[u8], bytes: &[u8], suffix: &[u8]) -> io::Result<()> {
        self.out.reserve(prefix.len() + bytes.len() + suffix.len());
        self.out.extend_from_slice(prefix);
        self.out.extend_from_slice(bytes);
        self.out.extend_from_slice(suffix);
        if self.out.len() - self.written < EAGER_WRITE {
            return Ok(());
        }
        let Some(writer) = self.writer.as_ref() else {
            return Ok(());
        };
        while self.written < self.out.len() {
            match writer.try_write(&self.out[self.written..]) {
                Ok(n) => self.written += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) => {
                    self.broken = true;
                    return Err(e);
                }
            }
        }
        if self.written == self.out.len() {
            self.out.clear();
            self.written = 0;
        }
        Ok(())
    }

    /// Aborts the connection with an RST, dropping anything not yet written.
    fn abort(&mut self) -> ConnectionFate {
        self.out.clear();
        self.written = 0;
        if let Some(writer) = self.writer.take() {
            // The RST leaves when the connection drops the socket (both halves):
            // a zero linger makes the close an abort.
            let _ = socket2::SockRef::from(writer.as_ref()).set_linger(Some(Duration::ZERO));
            // Not a FIN: the socket closes (with its RST) with the read half.
            writer.forget();
        }
        self.fate = Some(ConnectionFate::Reset);
        ConnectionFate::Reset
    }

    /// Drops the connection after an I/O error.
    fn broke(&mut self) -> ConnectionFate {
        self.writer = None;
        self.out.clear();
        self.written = 0;
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
        // The status line and the headers go out as they are checked
        // (response splitting), in one pass that also finds the headers
        // framing reads; a head refused leaves nothing behind.
        let start = self.out.len();
        let seen = match write_head(&mut self.out, head) {
            Ok(seen) => seen,
            Err(e) => {
                self.out.truncate(start);
                return Err(e);
            }
        };
        let declared = match seen.content_length {
            Some(v) => match parse_decimal(v.trim_ascii()) {
                Some(n) => Some(n),
                None => {
                    self.out.truncate(start);
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidInput,
                        "invalid Content-Length in the response head",
                    ));
                }
            },
            None => None,
        };
        let mut close = self.close_after
            || !self.keep_alive
            || self.shutting_down.load(Ordering::SeqCst)
            || self.body.as_ref().is_some_and(|body| !body.is_complete())
            || (seen.connection
                && list_tokens(
                    head.headers
                        .iter()
                        .filter(|(n, _)| n.eq_ignore_ascii_case("connection"))
                        .map(|(_, v)| v.as_slice()),
                )
                .iter()
                .any(|t| t == "close"));
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

        let out = &mut self.out;
        // HTTP.sys dates every response it sends (a module's own `Date`
        // stays, as the only one).
        if !seen.date {
            out.extend_from_slice(b"Date: ");
            push_date(out);
            out.extend_from_slice(b"\r\n");
        }
        if let Some(n) = add_length {
            out.extend_from_slice(b"Content-Length: ");
            push_decimal(out, n);
            out.extend_from_slice(b"\r\n");
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
                self.queue(&[], &bytes[..n], &[])?;
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
                self.queue(size.as_bytes(), bytes, b"\r\n")?;
                self.body_bytes += bytes.len() as u64;
                Ok(())
            }
            OutFraming::UntilClose => {
                self.queue(&[], bytes, &[])?;
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
        if self.broken || self.writer.is_none() {
            return Ok(self.broke());
        }
        if self.framing.is_none() {
            log::warn!("response finished without a head: sending 500");
            self.send_head(&ResponseHead::new(500), Some(0))?;
        }
        match self.framing {
            Some(OutFraming::Length(remaining)) if remaining > 0 => {
                log::warn!("response body {remaining} bytes short of its Content-Length");
                self.close_after = true;
            }
            Some(OutFraming::Chunked) => {
                if let Err(e) = self.queue(b"0\r\n\r\n", &[], &[]) {
                    self.broke();
                    return Err(e);
                }
            }
            _ => {}
        }
        let applied = if fate == ConnectionFate::Closed
            || self.close_after
            || self.shutting_down.load(Ordering::SeqCst)
        {
            ConnectionFate::Closed
        } else {
            ConnectionFate::KeptAlive
        };
        self.fate = Some(applied);
        Ok(applied)
    }

    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.out.len() {
            let Some(writer) = self.writer.as_mut() else {
                return Poll::Ready(Err(io::ErrorKind::NotConnected.into()));
            };
            match Pin::new(writer).poll_write(cx, &self.out[self.written..]) {
                Poll::Ready(Ok(0)) => {
                    self.broken = true;
                    return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
                }
                Poll::Ready(Ok(n)) => {
                    self.written += n;
                    self.stalled = None;
                }
                Poll::Ready(Err(e)) => {
                    self.broken = true;
                    return Poll::Ready(Err(e));
                }
                Poll::Pending => {
                    let Some(stall) = self.stall else {
                        return Poll::Pending;
                    };
                    let timer = self
                        .stalled
                        .get_or_insert_with(|| Box::pin(tokio::time::sleep(stall)));
                    if timer.as_mut().poll(cx).is_ready() {
                        self.broken = true;
                        return Poll::Ready(Err(io::Error::new(
                            io::ErrorKind::TimedOut,
                            "the client stopped reading the response",
                        )));
                    }
                    return Poll::Pending;
                }
            }
        }
        self.out.clear();
        self.written = 0;
        Poll::Ready(Ok(()))
    }
}

/// What [`write_head`] saw of the headers that framing reads.
struct Seen<'a> {
    /// The first `Content-Length` value.
    content_length: Option<&'a [u8]>,
    /// A `Date` header.
    date: bool,
    /// A `Connection` header.
    connection: bool,
}

/// Appends the status line and the headers of `head` (but
/// `Transfer-Encoding` and `Connection`, which the framing decides) to
/// `out`, checking each first; a head that would corrupt the message
/// (response splitting) is refused, with part of it appended. What it saw
/// of the headers framing reads.
fn write_head<'h>(out: &mut Vec<u8>, head: &'h ResponseHead) -> io::Result<Seen<'h>> {
    let invalid = |what: &str| io::Error::new(io::ErrorKind::InvalidInput, what.to_owned());
    if !(100..=999).contains(&head.status) {
        return Err(invalid("status code out of range"));
    }
    if head.reason.bytes().any(|b| b == b'\r' || b == b'\n') {
        return Err(invalid("line break in the reason phrase"));
    }
    // The status has three digits (checked above).
    let status = head.status;
    out.extend_from_slice(&[
        b'H',
        b'T',
        b'T',
        b'P',
        b'/',
        b'1',
        b'.',
        b'1',
        b' ',
        b'0' + (status / 100) as u8,
        b'0' + (status / 10 % 10) as u8,
        b'0' + (status % 10) as u8,
        b' ',
    ]);
    out.extend_from_slice(head.reason.as_bytes());
    out.extend_from_slice(b"\r\n");
    let mut seen = Seen {
        content_length: None,
        date: false,
        connection: false,
    };
    for (name, value) in &head.headers {
        if !crate::message::syntax::is_token(name.as_bytes()) {
            return Err(invalid("invalid header name"));
        }
        if value.iter().any(|&b| b == b'\r' || b == b'\n' || b == 0) {
            return Err(invalid("line break in a header value"));
        }
        let is = |known: &str| name.eq_ignore_ascii_case(known);
        match name.len() {
            14 if is("content-length") => {
                seen.content_length = seen.content_length.or(Some(value));
            }
            4 if is("date") => seen.date = true,
            10 if is("connection") => {
                seen.connection = true;
                continue;
            }
            17 if is("transfer-encoding") => continue,
            _ => {}
        }
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    }
    Ok(seen)
}

/// Appends `n` in decimal.
fn push_decimal(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// Appends the current time as an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37
/// GMT`), formatted once a second per thread.
fn push_date(out: &mut Vec<u8>) {
    /// The second last formatted on this thread, and its text.
    struct Cached {
        second: u64,
        text: [u8; 29],
    }
    thread_local! {
        static DATE: std::cell::RefCell<Cached> = const {
            std::cell::RefCell::new(Cached { second: u64::MAX, text: [0; 29] })
        };
    }
    let now = std::time::SystemTime::now();
    let second = now
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    DATE.with_borrow_mut(|cached| {
        if cached.second != second {
            let mut text = Vec::with_capacity(29);
            // Infallible into a Vec.
            let _ = write!(text, "{}", httpdate::HttpDate::from(now));
            if let Ok(text) = <[u8; 29]>::try_from(text.as_slice()) {
                *cached = Cached { second, text };
            } else {
                // Not a four-digit year: not cached.
                out.extend_from_slice(&text);
                return;
            }
        }
        out.extend_from_slice(&cached.text);
    });
}
