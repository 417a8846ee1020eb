//! Asynchronous body I/O for `async fn` hooks: `ReadEntityBody`,
//! `WriteEntityChunks` and `Flush` with `fAsync = TRUE`.
//!
//! IIS may write into a read buffer, or read a write buffer, until the
//! operation completes, which can be after the future that started it was
//! dropped (a `select!`, a cancelled request). So the buffers belong to the
//! task, not to the futures, and are reused: memory stays bounded by the
//! largest single read or write. Bytes a dropped read received are kept for
//! the next read, so none are lost. IIS allows one operation at a time: a
//! second waits for the first to complete.

use crate::http::memory_chunk;
use crate::{Error, HttpRequest, HttpResponse, Result};
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use iis_sys::{HRESULT, HRESULT_ERROR_HANDLE_EOF, HTTP_DATA_CHUNK, IHttpRequest, IHttpResponse};
use windows_core::BOOL;

/// The most one asynchronous read asks IIS for (bigger buffers get less).
const MAX_READ: usize = 1 << 20;

/// The operation IIS has not completed yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Read,
    /// A write or a flush, with its ticket.
    Send(u64),
}

/// What goes out in a send.
#[derive(Debug, Clone, Copy)]
enum Send<'a> {
    Write(&'a [u8]),
    Flush,
}

/// A task's asynchronous I/O: the operation in flight and the buffers IIS
/// uses. Reached only by the task's own futures while it is polled, and by
/// the SDK between polls (to deliver a completion).
pub(crate) struct Io {
    outstanding: Option<Op>,
    /// The last write or flush IIS completed: its ticket and status.
    finished: Option<(u64, HRESULT)>,
    next_ticket: u64,
    /// `read[read_pos..read_len]` arrived and is not yet handed out.
    read: Vec<u8>,
    read_pos: usize,
    read_len: usize,
    read_error: Option<HRESULT>,
    eof: bool,
    write: Vec<u8>,
    chunk: HTTP_DATA_CHUNK,
}

impl core::fmt::Debug for Io {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Io")
            .field("outstanding", &self.outstanding)
            .field("eof", &self.eof)
            .finish_non_exhaustive()
    }
}

impl Io {
    pub(crate) fn new() -> Self {
        Self {
            outstanding: None,
            finished: None,
            next_ticket: 0,
            read: Vec::new(),
            read_pos: 0,
            read_len: 0,
            read_error: None,
            eof: false,
            write: Vec::new(),
            chunk: memory_chunk(core::ptr::null_mut(), 0),
        }
    }

    /// Whether IIS still has an operation of the task's in flight.
    pub(crate) fn is_busy(&self) -> bool {
        self.outstanding.is_some()
    }

    /// IIS completed the operation in flight (`OnAsyncCompletion`); `false`
    /// if none was (the completion is a posted wake).
    pub(crate) fn complete(&mut self, status: HRESULT, bytes: u32) -> bool {
        match self.outstanding.take() {
            None => false,
            Some(Op::Read) => {
                if status == HRESULT_ERROR_HANDLE_EOF || (status.is_ok() && bytes == 0) {
                    self.eof = true;
                } else if status.is_err() {
                    self.read_error = Some(status);
                } else {
                    self.read_pos = 0;
                    self.read_len = (bytes as usize).min(self.read.len());
                }
                true
            }
            Some(Op::Send(ticket)) => {
                self.finished = Some((ticket, status));
                true
            }
        }
    }

    fn poll_read(&mut self, request: *mut IHttpRequest, buf: &mut [u8]) -> Poll<Result<usize>> {
        loop {
            if self.read_pos < self.read_len {
                let n = buf.len().min(self.read_len - self.read_pos);
                buf[..n].copy_from_slice(&self.read[self.read_pos..self.read_pos + n]);
                self.read_pos += n;
                return Poll::Ready(Ok(n));
            }
            if let Some(hresult) = self.read_error.take() {
                return Poll::Ready(Err(Error::Server {
                    operation: "IHttpRequest::ReadEntityBody",
                    hresult,
                }));
            }
            if self.eof || buf.is_empty() {
                return Poll::Ready(Ok(0));
            }
            if self.outstanding.is_some() {
                return Poll::Pending;
            }
            let want = buf.len().min(MAX_READ);
            if self.read.len() < want {
                self.read.resize(want, 0);
            }
            let (mut received, mut pending) = (0u32, BOOL(0));
            // SAFETY: the live request of the task's context; `read` is
            // writable for `want` bytes and belongs to the task, which lives
            // until IIS completes the read (it is not touched meanwhile).
            let hr = unsafe {
                crate::ffi::vcall!(
                    request,
                    ReadEntityBody(
                        self.read.as_mut_ptr().cast(),
                        want as u32,
                        BOOL(1),
                        &mut received,
                        &mut pending
                    )
                )
            };
            if hr == HRESULT_ERROR_HANDLE_EOF {
                self.eof = true;
                continue;
            }
            Error::check("IHttpRequest::ReadEntityBody", hr)?;
            if pending.as_bool() {
                self.outstanding = Some(Op::Read);
                return Poll::Pending;
            }
            self.read_pos = 0;
            self.read_len = (received as usize).min(want);
            self.eof = received == 0;
        }
    }

    fn poll_send(
        &mut self,
        response: *mut IHttpResponse,
        what: Send<'_>,
        ticket: &mut Option<u64>,
    ) -> Poll<Result<()>> {
        let operation = match what {
            Send::Write(_) => "IHttpResponse::WriteEntityChunks",
            Send::Flush => "IHttpResponse::Flush",
        };
        if let Some(mine) = *ticket {
            return match self.finished {
                Some((done, status)) if done == mine => {
                    Poll::Ready(Error::check(operation, status))
                }
                _ => Poll::Pending,
            };
        }
        if self.outstanding.is_some() {
            return Poll::Pending;
        }
        let (mut sent, mut expected) = (0u32, BOOL(0));
        let hr = match what {
            Send::Write([]) => return Poll::Ready(Ok(())),
            Send::Write(bytes) => {
                let len = u32::try_from(bytes.len()).map_err(|_| Error::TooLong {
                    what: "entity chunk",
                    len: bytes.len(),
                    max: u32::MAX as usize,
                })?;
                self.write.clear();
                self.write.extend_from_slice(bytes);
                self.chunk = memory_chunk(self.write.as_mut_ptr(), len);
                // SAFETY: the live response of the task's context; the chunk
                // and its bytes belong to the task, which lives until IIS
                // completes the write (neither is touched meanwhile).
                unsafe {
                    crate::ffi::vcall!(
                        response,
                        WriteEntityChunks(
                            &mut self.chunk,
                            1,
                            BOOL(1),
                            BOOL(1),
                            &mut sent,
                            &mut expected
                        )
                    )
                }
            }
            // SAFETY: the live response of the task's context; out-pointers
            // to locals, written before the call returns.
            Send::Flush => unsafe {
                crate::ffi::vcall!(response, Flush(BOOL(1), BOOL(1), &mut sent, &mut expected))
            },
        };
        Error::check(operation, hr)?;
        if !expected.as_bool() {
            return Poll::Ready(Ok(()));
        }
        let mine = self.next_ticket;
        self.next_ticket += 1;
        self.outstanding = Some(Op::Send(mine));
        *ticket = Some(mine);
        Poll::Pending
    }
}

fn outside_task() -> Error {
    Error::msg("asynchronous body I/O works only inside an `async fn` hook")
}

/// Reads request body bytes ([`HttpRequest::read_body_async`]).
#[must_use = "futures do nothing unless awaited"]
#[derive(Debug)]
pub struct ReadBody<'a> {
    pub(crate) request: &'a mut HttpRequest,
    pub(crate) buf: &'a mut [u8],
}

impl Future for ReadBody<'_> {
    type Output = Result<usize>;

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<usize>> {
        let this = self.get_mut();
        let Some(io) = this.request.io() else {
            return Poll::Ready(Err(outside_task()));
        };
        // SAFETY: a request has `io` only inside a task's context, whose
        // task owns the `Io`; the task is being polled, so nothing else
        // touches it now.
        unsafe { (*io.as_ptr()).poll_read(this.request.as_raw(), this.buf) }
    }
}

/// Writes response body bytes ([`HttpResponse::write_async`]).
#[must_use = "futures do nothing unless awaited"]
#[derive(Debug)]
pub struct WriteBody<'a> {
    pub(crate) response: &'a mut HttpResponse,
    pub(crate) bytes: &'a [u8],
    pub(crate) ticket: Option<u64>,
}

impl Future for WriteBody<'_> {
    type Output = Result<()>;

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<()>> {
        let this = self.get_mut();
        let Some(io) = this.response.io() else {
            return Poll::Ready(Err(outside_task()));
        };
        let what = Send::Write(this.bytes);
        // SAFETY: as for `ReadBody`.
        unsafe { (*io.as_ptr()).poll_send(this.response.as_raw(), what, &mut this.ticket) }
    }
}

/// Sends the response head and what is buffered
/// ([`HttpResponse::flush_async`]).
#[must_use = "futures do nothing unless awaited"]
#[derive(Debug)]
pub struct FlushResponse<'a> {
    pub(crate) response: &'a mut HttpResponse,
    pub(crate) ticket: Option<u64>,
}

impl Future for FlushResponse<'_> {
    type Output = Result<()>;

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<()>> {
        let this = self.get_mut();
        let Some(io) = this.response.io() else {
            return Poll::Ready(Err(outside_task()));
        };
        // SAFETY: as for `ReadBody`.
        unsafe { (*io.as_ptr()).poll_send(this.response.as_raw(), Send::Flush, &mut this.ticket) }
    }
}
