//! Reading a request body: `Content-Length` or chunked (de-chunked, trailers
//! ignored), within the body limit, answering `Expect: 100-continue`.

use std::future::poll_fn;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};

use super::BodyStream;

use super::head::{BodyFraming, Head};
use super::input::{InBuf, ReadError, read_exact_body, read_line};

/// The longest chunk-size line accepted (size and chunk extensions).
const CHUNK_LINE_LIMIT: usize = 4096;

/// Refuses a `Content-Length` body over `max_body_bytes` before anything is read.
pub(crate) fn check_declared_length(head: &Head, max_body_bytes: u64) -> Result<(), ReadError> {
    match head.framing {
        BodyFraming::Length(n) if n > max_body_bytes => Err(too_large(head)),
        _ => Ok(()),
    }
}

/// The limits a body is read within.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodyLimits {
    /// The most body bytes held.
    pub(crate) max_body_bytes: u64,
    /// The bound on the trailer section.
    pub(crate) max_trailer_bytes: usize,
    /// The longest wait for the next bytes of the body (HTTP.sys's
    /// `EntityBody` timer, reset whenever data arrives); `None`: no limit.
    pub(crate) stall: Option<Duration>,
}

/// Sends `100 Continue` when the client of `head` expects it before sending
/// a body (after [`check_declared_length`]: a body too large gets `413`
/// instead).
pub(crate) async fn send_continue<W: AsyncWrite + Unpin + ?Sized>(
    writer: &mut W,
    head: &Head,
) -> Result<(), ReadError> {
    if head.expect_continue && head.framing != BodyFraming::Length(0) {
        writer
            .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
            .await
            .map_err(|e| ReadError::mid_request(&e))?;
    }
    Ok(())
}

/// Reads the whole body of the request `head` (after [`check_declared_length`]
/// and [`send_continue`]). Never holds more than `max_body_bytes` of body.
pub(crate) async fn read_body<R: AsyncRead + Unpin + ?Sized>(
    reader: &mut R,
    inbuf: &mut InBuf,
    head: &Head,
    limits: BodyLimits,
) -> Result<Vec<u8>, ReadError> {
    let mut body = Vec::new();
    read_framed(reader, inbuf, head.framing, limits, &mut body)
        .await
        .map(|()| body)
        .map_err(|e| e.for_request(&head.method, &head.target))
}

/// Reads a body framed as `framing` (after [`check_declared_length`]) into
/// `stream` as it arrives, never more than the stream's window ahead of its
/// reader; `Ok` once the whole body is in the stream.
pub(crate) async fn feed_body<R: AsyncRead + Unpin + ?Sized>(
    reader: &mut R,
    inbuf: &mut InBuf,
    framing: BodyFraming,
    limits: BodyLimits,
    stream: &BodyStream,
) -> Result<(), ReadError> {
    read_framed(reader, inbuf, framing, limits, &mut &*stream).await
}

/// Where a body goes as it is read: a `Vec` holds it whole, a [`BodyStream`]
/// passes it on through its window.
trait BodyOut {
    /// Moves the body's next `len` bytes here, from `inbuf` first, then from
    /// `reader`.
    async fn take<R: AsyncRead + Unpin + ?Sized>(
        &mut self,
        reader: &mut R,
        inbuf: &mut InBuf,
        len: u64,
        limits: &BodyLimits,
    ) -> Result<(), ReadError>;
}

impl BodyOut for Vec<u8> {
    async fn take<R: AsyncRead + Unpin + ?Sized>(
        &mut self,
        reader: &mut R,
        inbuf: &mut InBuf,
        len: u64,
        limits: &BodyLimits,
    ) -> Result<(), ReadError> {
        // Grow geometrically (chunk after chunk), but never past the limit.
        let needed = usize::try_from(len)
            .ok()
            .and_then(|len| self.len().checked_add(len))
            .ok_or_else(|| ReadError::reject(413, "body too large"))?;
        if self.capacity() < needed {
            let cap_limit = usize::try_from(limits.max_body_bytes).unwrap_or(usize::MAX);
            let new_cap = needed.max(self.capacity() * 2).min(cap_limit).max(needed);
            self.reserve_exact(new_cap - self.len());
        }
        read_exact_body(reader, inbuf, self, len, limits.stall).await
    }
}

impl BodyOut for &BodyStream {
    async fn take<R: AsyncRead + Unpin + ?Sized>(
        &mut self,
        reader: &mut R,
        inbuf: &mut InBuf,
        mut len: u64,
        limits: &BodyLimits,
    ) -> Result<(), ReadError> {
        while len > 0 {
            let room = poll_fn(|cx| self.poll_room(cx)).await;
            let want = usize::try_from(len).map_or(room, |len| len.min(room));
            if inbuf.is_empty() {
                match inbuf.fill(reader, want, limits.stall).await {
                    Ok(0) => return Err(ReadError::Vanished),
                    Ok(_) => {}
                    Err(e) => return Err(ReadError::mid_request(&e)),
                }
            }
            let n = inbuf.data().len().min(want);
            self.push(&inbuf.data()[..n]);
            inbuf.consume(n);
            len -= n as u64;
        }
        Ok(())
    }
}

/// Reads a body framed as `framing` into `out`.
async fn read_framed<R: AsyncRead + Unpin + ?Sized, O: BodyOut>(
    reader: &mut R,
    inbuf: &mut InBuf,
    framing: BodyFraming,
    limits: BodyLimits,
    out: &mut O,
) -> Result<(), ReadError> {
    match framing {
        BodyFraming::Length(n) => out.take(reader, inbuf, n, &limits).await,
        BodyFraming::Chunked => dechunk(reader, inbuf, limits, out).await,
    }
}

/// De-chunks a body into `out` (RFC 9112 §7.1), trailers dropped.
async fn dechunk<R: AsyncRead + Unpin + ?Sized, O: BodyOut>(
    reader: &mut R,
    inbuf: &mut InBuf,
    limits: BodyLimits,
    out: &mut O,
) -> Result<(), ReadError> {
    let stall = limits.stall;
    let mut total = 0u64;
    loop {
        let len = read_line(reader, inbuf, CHUNK_LINE_LIMIT, stall).await?;
        let size = parse_chunk_size(&inbuf.data()[..len])?;
        inbuf.consume(len + 2);
        if size == 0 {
            return skip_trailers(reader, inbuf, limits.max_trailer_bytes, stall).await;
        }
        total = total.saturating_add(size);
        if total > limits.max_body_bytes {
            return Err(ReadError::reject(413, "request body too large"));
        }
        out.take(reader, inbuf, size, &limits).await?;
        let end = read_line(reader, inbuf, 0, stall).await?;
        debug_assert_eq!(end, 0);
        inbuf.consume(2);
    }
}

fn too_large(head: &Head) -> ReadError {
    ReadError::reject(413, "request body too large").for_request(&head.method, &head.target)
}

/// The size of a chunk-size line: hex digits, optionally followed by chunk
/// extensions (ignored) after optional spaces or tabs (RFC 9112 §7.1.1). A
/// CR or LF inside the line, or any other control character, is refused: a
/// bare CR or LF is where parsers disagree about where the chunk starts.
fn parse_chunk_size(line: &[u8]) -> Result<u64, ReadError> {
    let invalid = || ReadError::reject(400, "invalid chunk size");
    if line.iter().any(|&b| b.is_ascii_control() && b != b'\t') {
        return Err(invalid());
    }
    let digits = line.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    if digits == 0 {
        return Err(invalid());
    }
    let rest = &line[digits..];
    let rest_trimmed = rest.trim_ascii_start();
    if !rest.is_empty() && !rest_trimmed.starts_with(b";") {
        return Err(invalid());
    }
    line[..digits]
        .iter()
        .try_fold(0u64, |n, &d| {
            let digit = (d as char).to_digit(16)?;
            n.checked_mul(16)?.checked_add(u64::from(digit))
        })
        .ok_or_else(invalid)
}

/// Reads and drops the trailer section up to its empty line. Each trailer
/// line must be a header field (`name: value`, a token name, no control
/// characters but tabs), as in the head.
async fn skip_trailers<R: AsyncRead + Unpin + ?Sized>(
    reader: &mut R,
    inbuf: &mut InBuf,
    max_trailer_bytes: usize,
    stall: Option<Duration>,
) -> Result<(), ReadError> {
    let mut budget = max_trailer_bytes;
    loop {
        let len = read_line(reader, inbuf, budget, stall)
            .await
            .map_err(|e| match e {
                ReadError::Reject(_) => ReadError::reject(431, "trailer section too large"),
                other => other,
            })?;
        if len == 0 {
            inbuf.consume(2);
            return Ok(());
        }
        if !is_field_line(&inbuf.data()[..len]) {
            return Err(ReadError::reject(400, "invalid trailer field"));
        }
        inbuf.consume(len + 2);
        budget -= len;
    }
}

/// `name: value` with a token name and no control characters but tabs.
fn is_field_line(line: &[u8]) -> bool {
    let Some(colon) = line.iter().position(|&b| b == b':') else {
        return false;
    };
    let token = |b: &u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(b);
    colon > 0
        && line[..colon].iter().all(token)
        && !line[colon..]
            .iter()
            .any(|&b| b.is_ascii_control() && b != b'\t')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::block_on::block_on;
    use crate::http::head::read_head;

    fn request(bytes: &[u8], max_body: u64) -> (Result<Vec<u8>, ReadError>, Vec<u8>, InBuf) {
        let bytes = crate::http::head::tests::with_host(bytes);
        let mut input = &bytes[..];
        let mut output = Vec::new();
        let mut inbuf = InBuf::new();
        let head = block_on(read_head(&mut input, &mut inbuf, 1024, None, &mut None)).unwrap();
        let limits = BodyLimits {
            max_body_bytes: max_body,
            max_trailer_bytes: 64,
            stall: None,
        };
        let body = check_declared_length(&head, max_body).and_then(|()| {
            block_on(send_continue(&mut output, &head))?;
            block_on(read_body(&mut input, &mut inbuf, &head, limits))
        });
        (body, output, inbuf)
    }

    fn status(result: Result<Vec<u8>, ReadError>) -> u16 {
        match result {
            Err(ReadError::Reject(r)) => r.status,
            other => panic!("expected a rejection, got {other:?}"),
        }
    }

    #[test]
    fn chunked_body_is_dechunked_and_trailers_dropped() {
        let (body, _, inbuf) = request(
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n\
              5;ext=1\r\nhello\r\nA ;x=y\r\n, world!!!\r\n0\r\nX-Trailer: t\r\n\r\nNEXT",
            100,
        );
        assert_eq!(body.unwrap(), b"hello, world!!!");
        assert_eq!(inbuf.data(), b"NEXT");
    }

    #[test]
    fn malformed_chunks_are_refused() {
        let base = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        for bad in [
            &b"x\r\n"[..],
            b"5\r\nhelloXX0\r\n\r\n",
            b"-1\r\n",
            b"11111111111111111\r\n",
            // A bare LF in a chunk extension, a bare CR after the size.
            b"5;a\nb\r\nhello\r\n0\r\n\r\n",
            b"5\r;a\r\nhello\r\n0\r\n\r\n",
            // A trailer line that is not a field.
            b"5\r\nhello\r\n0\r\nno colon here\r\n\r\n",
            b"5\r\nhello\r\n0\r\n: empty name\r\n\r\n",
        ] {
            let bytes = [base.as_slice(), bad].concat();
            assert_eq!(status(request(&bytes, 100).0), 400, "{bad:?}");
        }
    }

    #[test]
    fn chunked_body_over_the_limit_gets_413() {
        let bytes = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n4\r\nefgh\r\n0\r\n\r\n";
        assert_eq!(status(request(bytes, 6).0), 413);
        assert_eq!(request(bytes, 8).0.unwrap(), b"abcdefgh");
    }

    #[test]
    fn declared_length_over_the_limit_gets_413_before_continue() {
        let bytes = b"PUT / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n";
        let (body, output, _) = request(bytes, 9);
        assert_eq!(status(body), 413);
        assert!(output.is_empty());
    }

    #[test]
    fn continue_is_sent_before_the_body_is_read() {
        let bytes = b"PUT / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok";
        let (body, output, _) = request(bytes, 9);
        assert_eq!(body.unwrap(), b"ok");
        assert_eq!(output, b"HTTP/1.1 100 Continue\r\n\r\n");
    }

    #[test]
    fn a_fed_body_arrives_in_the_stream_dechunked() {
        let bytes = crate::http::head::tests::with_host(
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nNEXT",
        );
        let mut input = &bytes[..];
        let mut inbuf = InBuf::new();
        let head = block_on(read_head(&mut input, &mut inbuf, 1024, None, &mut None)).unwrap();
        let stream = BodyStream::new(None);
        let limits = BodyLimits {
            max_body_bytes: 100,
            max_trailer_bytes: 64,
            stall: None,
        };
        block_on(feed_body(
            &mut input,
            &mut inbuf,
            head.framing,
            limits,
            &stream,
        ))
        .unwrap();
        let mut out = [0u8; 16];
        assert_eq!(
            stream.read(&mut out, None),
            crate::message::BodyRead::Data(5)
        );
        assert_eq!(&out[..5], b"hello");
        assert_eq!(inbuf.data(), b"NEXT");
    }

    #[test]
    fn truncated_bodies_mean_the_client_vanished() {
        let (body, _, _) = request(b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab", 9);
        assert!(matches!(body, Err(ReadError::Vanished)));
        let chunked = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab";
        assert!(matches!(request(chunked, 9).0, Err(ReadError::Vanished)));
    }
}
