//! The input side of a connection: the bounded read buffer and the reasons reading
//! a request stops ([`ReadError`]).

use std::future::{Future, poll_fn};
use std::io;
use std::pin::{Pin, pin};
use std::task::Poll;
use std::time::Duration;

use bytes::BufMut;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::time::{Instant, Sleep};

/// How much one read asks the socket for.
const READ_CHUNK: usize = 16 * 1024;

/// Why reading a request stopped.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The client closed the connection before sending any byte of a new request.
    Closed,
    /// No byte of a new request arrived within the read timeout.
    IdleTimeout,
    /// The client went away (EOF or an I/O error) in the middle of a request.
    Vanished,
    /// The request is refused with an error response; the connection then closes.
    Reject(Reject),
}

/// An error response the connection layer sends itself.
#[derive(Debug)]
pub(crate) struct Reject {
    /// The status to send (400, 408, 413, 417, 431, 501).
    pub status: u16,
    /// A short explanation, sent as the plain-text body.
    pub detail: String,
    /// The method, when the request line was parsed.
    pub method: Option<http::Method>,
    /// The request-target, when the request line was parsed.
    pub target: Vec<u8>,
}

impl ReadError {
    /// A rejection whose request line is not (yet) known.
    pub(crate) fn reject(status: u16, detail: impl Into<String>) -> Self {
        ReadError::Reject(Reject {
            status,
            detail: detail.into(),
            method: None,
            target: Vec::new(),
        })
    }

    /// Attaches the request line to a rejection (other errors are returned unchanged).
    pub(crate) fn for_request(self, method: &http::Method, target: &[u8]) -> Self {
        match self {
            ReadError::Reject(reject) => ReadError::Reject(Reject {
                method: Some(method.clone()),
                target: target.to_vec(),
                ..reject
            }),
            other => other,
        }
    }

    /// Maps an I/O error met in the middle of a request: a timeout becomes `408`,
    /// anything else means the client went away.
    pub(crate) fn mid_request(error: &io::Error) -> Self {
        if is_timeout(error) {
            ReadError::reject(408, "timed out reading the request")
        } else {
            ReadError::Vanished
        }
    }
}

/// Whether an I/O error is a read or write timeout.
pub(crate) fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// The bytes received on a connection and not yet consumed (the rest of the current
/// request, or pipelined requests).
#[derive(Debug, Default)]
pub(crate) struct InBuf {
    buf: Vec<u8>,
    pos: usize,
    /// The timer of [`fill`](Self::fill)'s reads, kept from one read to the
    /// next: a read whose deadline is later than the timer's leaves it
    /// armed and puts it off when it fires, so a kept-alive connection's
    /// reads do not each set a timer and take it back.
    timer: Option<Pin<Box<Sleep>>>,
    /// A finished request's head buffers, which the next head is read into.
    spare: SpareHead,
}

/// The buffers of a finished request's head (its target and header list,
/// emptied), which the connection reads its next request's head into
/// instead of allocating new ones.
#[derive(Debug, Default)]
pub(crate) struct SpareHead {
    pub(crate) target: Vec<u8>,
    pub(crate) headers: Vec<(String, Vec<u8>)>,
}

/// The most header entries a spare head keeps.
const SPARE_HEADERS: usize = 32;

/// The most bytes (name and value) of a spare header entry.
const SPARE_HEADER_BYTES: usize = 256;

/// The longest spare target.
const SPARE_TARGET_BYTES: usize = 4096;

impl SpareHead {
    /// The buffers of a finished request's head, emptied, the large ones
    /// dropped (memory per connection stays small).
    pub(crate) fn new(mut target: Vec<u8>, mut headers: Vec<(String, Vec<u8>)>) -> Self {
        target.clear();
        if target.capacity() > SPARE_TARGET_BYTES {
            target = Vec::new();
        }
        headers.retain(|(name, value)| name.capacity() + value.capacity() <= SPARE_HEADER_BYTES);
        headers.truncate(SPARE_HEADERS);
        SpareHead { target, headers }
    }
}

impl InBuf {
    /// An empty buffer.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// The unconsumed bytes.
    pub(crate) fn data(&self) -> &[u8] {
        &self.buf[self.pos..]
    }

    /// The unconsumed bytes, and the spare head buffers to parse them into.
    pub(crate) fn data_and_spare(&mut self) -> (&[u8], &mut SpareHead) {
        (&self.buf[self.pos..], &mut self.spare)
    }

    /// Keeps a finished request's head buffers for the next head.
    pub(crate) fn keep_spare(&mut self, spare: SpareHead) {
        self.spare = spare;
    }

    /// Whether no unconsumed byte is left.
    pub(crate) fn is_empty(&self) -> bool {
        self.pos == self.buf.len()
    }

    /// Marks `n` bytes as consumed.
    pub(crate) fn consume(&mut self, n: usize) {
        assert!(n <= self.buf.len() - self.pos, "consumed past the data");
        self.pos += n;
        if self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
        }
    }

    /// Moves up to `max` unconsumed bytes to the end of `out`; returns how many.
    pub(crate) fn take_into(&mut self, out: &mut Vec<u8>, max: usize) -> usize {
        let n = self.data().len().min(max);
        out.extend_from_slice(&self.buf[self.pos..self.pos + n]);
        self.consume(n);
        n
    }

    /// Reads once from `reader`, so that at most `max_total` unconsumed bytes are held
    /// (and never more than 16 KiB per read), into the buffer's spare room (never
    /// zeroed). Returns the number of bytes read: `0` means end of stream. Fails
    /// with [`io::ErrorKind::TimedOut`] when nothing arrives within `stall`.
    /// `max_total` must exceed the bytes already held.
    pub(crate) async fn fill<R: AsyncRead + Unpin + ?Sized>(
        &mut self,
        reader: &mut R,
        max_total: usize,
        stall: Option<Duration>,
    ) -> io::Result<usize> {
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        let held = self.buf.len();
        debug_assert!(max_total > held, "fill called on a full buffer");
        let want = max_total.saturating_sub(held).min(READ_CHUNK);
        if want == 0 {
            return Ok(0);
        }
        self.buf.reserve(want);
        let mut room = (&mut self.buf).limit(want);
        let read = reader.read_buf(&mut room);
        let Some(stall) = stall else {
            return read.await;
        };
        let deadline = Instant::now() + stall;
        let timer = match &mut self.timer {
            Some(timer) => {
                if timer.deadline() > deadline {
                    timer.as_mut().reset(deadline);
                }
                timer
            }
            None => self
                .timer
                .insert(Box::pin(tokio::time::sleep_until(deadline))),
        };
        let mut read = pin!(read);
        poll_fn(|cx| {
            if let Poll::Ready(result) = read.as_mut().poll(cx) {
                return Poll::Ready(result);
            }
            // The timer fires at or before the deadline: then this read
            // times out, or the timer is put off to its deadline.
            while timer.as_mut().poll(cx).is_ready() {
                if timer.deadline() >= deadline {
                    return Poll::Ready(Err(io::ErrorKind::TimedOut.into()));
                }
                timer.as_mut().reset(deadline);
            }
            Poll::Pending
        })
        .await
    }
}

/// `read`, failing with [`io::ErrorKind::TimedOut`] if it takes longer than `stall`.
pub(crate) async fn within<F: Future<Output = io::Result<usize>>>(
    stall: Option<Duration>,
    read: F,
) -> io::Result<usize> {
    match stall {
        None => read.await,
        Some(stall) => tokio::time::timeout(stall, read)
            .await
            .unwrap_or_else(|_| Err(io::ErrorKind::TimedOut.into())),
    }
}

/// Reads exactly `len` body bytes into `out`: first the buffered ones, then straight
/// from `reader` (no copy through the buffer), each read within `stall`.
pub(crate) async fn read_exact_body<R: AsyncRead + Unpin + ?Sized>(
    reader: &mut R,
    inbuf: &mut InBuf,
    out: &mut Vec<u8>,
    len: u64,
    stall: Option<Duration>,
) -> Result<(), ReadError> {
    let len = usize::try_from(len).map_err(|_| ReadError::reject(413, "body too large"))?;
    let target = out.len() + len;
    if out.capacity() < target {
        out.reserve_exact(target - out.len());
    }
    inbuf.take_into(out, len);
    while out.len() < target {
        let room = target - out.len();
        match within(stall, reader.read_buf(&mut (&mut *out).limit(room))).await {
            Ok(0) => return Err(ReadError::Vanished),
            Ok(_) => {}
            Err(e) => return Err(ReadError::mid_request(&e)),
        }
    }
    Ok(())
}

/// Reads one CRLF-terminated line of at most `limit` bytes (excluding the CRLF) into
/// the buffer and returns its length; the caller reads it from [`InBuf::data`] and
/// consumes `len + 2`. A longer line is a `400`.
pub(crate) async fn read_line<R: AsyncRead + Unpin + ?Sized>(
    reader: &mut R,
    inbuf: &mut InBuf,
    limit: usize,
    stall: Option<Duration>,
) -> Result<usize, ReadError> {
    let mut searched = 0usize;
    loop {
        let data = inbuf.data();
        let window = &data[..data.len().min(limit + 2)];
        // Resume the search one byte back: a CR may have ended the last window.
        let from = searched.saturating_sub(1);
        if let Some(i) = find_crlf(&window[from..]) {
            return Ok(from + i);
        }
        if window.len() >= limit + 2 {
            return Err(ReadError::reject(400, "line too long in chunked body"));
        }
        searched = window.len();
        let max_total = data.len() + READ_CHUNK;
        match inbuf.fill(reader, max_total, stall).await {
            Ok(0) => return Err(ReadError::Vanished),
            Ok(_) => {}
            Err(e) => return Err(ReadError::mid_request(&e)),
        }
    }
}

fn find_crlf(bytes: &[u8]) -> Option<usize> {
    bytes.windows(2).position(|w| w == b"\r\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::block_on::block_on;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    /// A reader that returns its pieces one read at a time.
    pub(crate) struct Pieces(pub(crate) Vec<&'static [u8]>);

    impl AsyncRead for Pieces {
        fn poll_read(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &mut tokio::io::ReadBuf<'_>,
        ) -> Poll<io::Result<()>> {
            if let Some(piece) = self.0.first().copied() {
                let n = piece.len().min(buf.remaining());
                buf.put_slice(&piece[..n]);
                if n == piece.len() {
                    self.0.remove(0);
                } else {
                    self.0[0] = &piece[n..];
                }
            }
            Poll::Ready(Ok(()))
        }
    }

    #[test]
    fn fill_never_holds_more_than_max_total() {
        let mut inbuf = InBuf::new();
        let mut reader = Pieces(vec![b"0123456789"]);
        assert_eq!(block_on(inbuf.fill(&mut reader, 4, None)).unwrap(), 4);
        assert_eq!(inbuf.data(), b"0123");
        inbuf.consume(2);
        assert_eq!(block_on(inbuf.fill(&mut reader, 4, None)).unwrap(), 2);
        assert_eq!(inbuf.data(), b"2345");
    }

    #[test]
    fn line_split_across_reads_is_found() {
        let mut inbuf = InBuf::new();
        let mut reader = Pieces(vec![b"ab\r", b"\ncd"]);
        let len = block_on(read_line(&mut reader, &mut inbuf, 10, None)).unwrap();
        assert_eq!(&inbuf.data()[..len], b"ab");
        inbuf.consume(len + 2);
        assert_eq!(inbuf.data(), b"cd");
    }

    #[test]
    fn overlong_line_is_rejected() {
        let mut inbuf = InBuf::new();
        let mut reader = Pieces(vec![b"0123456789abcdef\r\n"]);
        let err = block_on(read_line(&mut reader, &mut inbuf, 8, None)).unwrap_err();
        assert!(matches!(err, ReadError::Reject(Reject { status: 400, .. })));
    }

    #[test]
    fn exact_body_takes_buffered_bytes_then_reads() {
        let mut inbuf = InBuf::new();
        let mut reader = Pieces(vec![b"abc"]);
        block_on(inbuf.fill(&mut reader, 100, None)).unwrap();
        let mut reader = Pieces(vec![b"de", b"fXYZ"]);
        let mut body = Vec::new();
        block_on(read_exact_body(&mut reader, &mut inbuf, &mut body, 6, None)).unwrap();
        assert_eq!(body, b"abcdef");
        let mut short = Pieces(vec![b"x"]);
        let err = block_on(read_exact_body(
            &mut short,
            &mut InBuf::new(),
            &mut Vec::new(),
            3,
            None,
        ))
        .unwrap_err();
        assert!(matches!(err, ReadError::Vanished));
    }
}
