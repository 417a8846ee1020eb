//! Asynchronous body I/O for `async fn` hooks: `ReadEntityBody`,
//! `WriteEntityChunks` and `Flush` with `fAsync = TRUE`.
//!
//! IIS may write into a read buffer, or read a write buffer, until the
//! operation completes, which can be after the future that started it was
//! dropped (a `select!`, a cancelled request). So the buffers belong to the
//! task, not to the futures, and are reused: memory stays bounded by the
//! largest single read or write. Bytes a dropped read received are kept for
//! the next read, so none are lost.
//!
//! By default IIS allows one operation at a time (a second waits for the
//! first) and reports each through `OnAsyncCompletion`. After
//! [`HttpContext::enable_full_duplex`](crate::HttpContext::enable_full_duplex)
//! a read and a write (or flush) may be in flight together; each then goes
//! through the callback form (`IHttpRequest3::ReadEntityBody`,
//! `IHttpResponse2::WriteEntityChunks`/`Flush`) with a completion routine of
//! its direction, which may run on any IIS thread, even while the task is
//! polled elsewhere: the routine only records the result and wakes the task.

use super::waker::{Lane, Shared};
use crate::request::memory_chunk;
use crate::{Error, HttpRequest, HttpResponse, Result};
use core::ffi::c_void;
use core::future::Future;
use core::pin::Pin;
use core::ptr::NonNull;
use core::task::{Context, Poll};
use iis_sys::{
    HRESULT, HRESULT_ERROR_HANDLE_EOF, HTTP_DATA_CHUNK, IHttpCompletionInfo2, IHttpContext,
    IHttpContext3, IHttpRequest, IHttpRequest3, IHttpResponse, IHttpResponse2,
    PFN_ASYNC_COMPLETION, REQUEST_NOTIFICATION_STATUS, RQ_NOTIFICATION_PENDING,
};
use std::sync::Arc;
use windows_core::BOOL;

/// The most one asynchronous read asks IIS for (bigger buffers get less).
const MAX_READ: usize = 1 << 20;

/// How IIS reports an operation's completion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Via {
    /// `OnAsyncCompletion`, which polls the task itself.
    Notification,
    /// The completion routine of the operation's direction.
    Routine,
}

/// What the task waits for while its future is pending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Busy {
    /// No operation in flight.
    Idle,
    /// An operation that completes through `OnAsyncCompletion`.
    Notification,
    /// Only operations whose routines wake the task.
    Routines,
}

/// What goes out in a send.
#[derive(Debug, Clone, Copy)]
enum Send<'a> {
    Write(&'a [u8]),
    Flush,
}

/// The interfaces of the callback forms, once the request is full duplex.
#[derive(Debug)]
struct Duplex {
    request: NonNull<IHttpRequest3>,
    response: NonNull<IHttpResponse2>,
}

/// A task's asynchronous I/O: the operations in flight and the buffers IIS
/// uses. Reached only by the task's own futures while it is polled, and by
/// the SDK between polls (to deliver a completion).
pub(crate) struct Io {
    /// What the completion routines report to (one reference per routine
    /// call IIS owes).
    shared: Arc<Shared>,
    duplex: Option<Duplex>,
    read_in_flight: Option<Via>,
    /// The write or flush in flight, with its ticket.
    send_in_flight: Option<(Via, u64)>,
    /// The child request in flight (`ExecuteRequest`), with its ticket.
    child_in_flight: Option<(NonNull<IHttpContext>, u64)>,
    /// Its `ChildRequest` was dropped first: release it once it completes.
    release_child: bool,
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

/// A task's [`Io`], as its context and the futures of its I/O reach it.
///
/// Only the task machinery makes one ([`IoRef::new`] is `unsafe`), of the
/// `Io` a [`Task`](super::Task) keeps at a fixed address (beside the
/// context its future borrows) until the future is gone, and hands it only
/// to that context, whose views and futures the future owns or borrows, and
/// to the task's own polling: so an `IoRef` never outlives its `Io`. A task
/// is polled, and its future dropped, by one thread at a time, and the
/// `RefCell` catches an access nested in another.
#[derive(Clone, Copy)]
pub(crate) struct IoRef(NonNull<core::cell::RefCell<Io>>);

impl core::fmt::Debug for IoRef {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("IoRef")
    }
}

impl IoRef {
    /// The reference of `io`.
    ///
    /// # Safety
    /// `io` stays where it is until every copy of the result is gone, and
    /// is reached by one thread at a time (see the type's invariant).
    pub(super) unsafe fn new(io: &core::cell::RefCell<Io>) -> Self {
        Self(NonNull::from(io))
    }

    /// Runs `f` on the `Io`.
    pub(crate) fn with<R>(self, f: impl FnOnce(&mut Io) -> R) -> R {
        // SAFETY: the `Io` outlives every `IoRef` of it and is reached by
        // one thread at a time (the type's invariant); the `RefCell` makes
        // the borrow exclusive.
        let io = unsafe { self.0.as_ref() };
        f(&mut io.borrow_mut())
    }
}

impl core::fmt::Debug for Io {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Io")
            .field("duplex", &self.duplex.is_some())
            .field("read_in_flight", &self.read_in_flight)
            .field("send_in_flight", &self.send_in_flight)
            .field("child_in_flight", &self.child_in_flight)
            .field("eof", &self.eof)
            .finish_non_exhaustive()
    }
}

impl Io {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        Self {
            shared,
            duplex: None,
            read_in_flight: None,
            send_in_flight: None,
            child_in_flight: None,
            release_child: false,
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

    /// From now on a read and a send may be in flight together, each
    /// completing through its routine.
    pub(crate) fn enable_duplex(
        &mut self,
        request: NonNull<IHttpRequest3>,
        response: NonNull<IHttpResponse2>,
    ) {
        self.duplex = Some(Duplex { request, response });
    }

    /// What IIS still owes the task.
    pub(crate) fn busy(&self) -> Busy {
        let read = self.read_in_flight;
        let send = self.send_in_flight.map(|(via, _)| via);
        if read == Some(Via::Notification)
            || send == Some(Via::Notification)
            || self.child_in_flight.is_some()
        {
            Busy::Notification
        } else if read.is_some() || send.is_some() {
            Busy::Routines
        } else {
            Busy::Idle
        }
    }

    /// IIS completed the operation that reports through
    /// `OnAsyncCompletion`; `false` if none was in flight (the completion
    /// is a posted wake).
    pub(crate) fn complete(&mut self, status: HRESULT, bytes: u32) -> bool {
        if self.read_in_flight == Some(Via::Notification) {
            self.finish(Lane::Read, status, bytes);
        } else if matches!(self.send_in_flight, Some((Via::Notification, _))) {
            self.finish(Lane::Send, status, bytes);
        } else if let Some((child, ticket)) = self.child_in_flight.take() {
            self.finished = Some((ticket, status));
            if core::mem::take(&mut self.release_child) {
                // SAFETY: its `ChildRequest` is gone; nothing else holds it.
                unsafe { release(child) };
            }
        } else {
            return false;
        }
        true
    }

    /// A `ChildRequest` is dropped: `true` if its child still runs, which is
    /// then released when it completes.
    pub(crate) fn release_when_done(&mut self, child: NonNull<IHttpContext>) -> bool {
        let running = matches!(self.child_in_flight, Some((c, _)) if c == child);
        self.release_child |= running;
        running
    }

    /// Polls a child request's execution (`ExecuteRequest` on `parent`).
    pub(crate) fn poll_child(
        &mut self,
        parent: NonNull<IHttpContext>,
        child: NonNull<IHttpContext>,
        flags: u32,
        ticket: &mut Option<u64>,
    ) -> Poll<Result<()>> {
        const OPERATION: &str = "IHttpContext::ExecuteRequest";
        if let Some(mine) = *ticket {
            return self.settled(mine, OPERATION);
        }
        // One operation at a time, whatever the duplex mode: a child
        // request writes the response.
        if self.busy() != Busy::Idle {
            return Poll::Pending;
        }
        let mut expected = BOOL(0);
        // SAFETY: the live parent context and its live clone; the user is
        // null (the child is authenticated as the parent); valid
        // out-pointer.
        let hr = unsafe {
            iis_sys::Ref::from_non_null(parent).ExecuteRequest(
                BOOL(1),
                child.as_ptr(),
                flags,
                core::ptr::null_mut(),
                &mut expected,
            )
        };
        Error::check(OPERATION, hr)?;
        if !expected.as_bool() {
            return Poll::Ready(Ok(()));
        }
        self.child_in_flight = Some((child, self.issue(ticket)));
        Poll::Pending
    }

    /// The outcome of the write, flush or child request `mine`, once IIS
    /// has completed it.
    fn settled(&self, mine: u64, operation: &'static str) -> Poll<Result<()>> {
        match self.finished {
            Some((done, status)) if done == mine => Poll::Ready(Error::check(operation, status)),
            _ => Poll::Pending,
        }
    }

    /// The ticket of an operation IIS now owes a completion for.
    fn issue(&mut self, ticket: &mut Option<u64>) -> u64 {
        let mine = self.next_ticket;
        self.next_ticket += 1;
        *ticket = Some(mine);
        mine
    }

    /// Takes in what the completion routines reported since the last poll.
    pub(crate) fn take_routed(&mut self) {
        if self.busy() == Busy::Idle || self.duplex.is_none() {
            return;
        }
        for (lane, done) in self.shared.take_routed() {
            if let Some((status, bytes)) = done {
                self.finish(lane, status, bytes);
            }
        }
    }

    fn finish(&mut self, lane: Lane, status: HRESULT, bytes: u32) {
        match lane {
            Lane::Read => {
                if self.read_in_flight.take().is_none() {
                    return;
                }
                if status == HRESULT_ERROR_HANDLE_EOF || (status.is_ok() && bytes == 0) {
                    self.eof = true;
                } else if status.is_err() {
                    self.read_error = Some(status);
                } else {
                    self.read_pos = 0;
                    self.read_len = (bytes as usize).min(self.read.len());
                }
            }
            Lane::Send => {
                if let Some((_, ticket)) = self.send_in_flight.take() {
                    self.finished = Some((ticket, status));
                }
            }
        }
    }

    /// Whether an operation of `lane` must wait: its own is in flight, or,
    /// in half duplex, the other direction's.
    fn lane_busy(&self, lane: Lane) -> bool {
        let (mine, other) = match lane {
            Lane::Read => (self.read_in_flight.is_some(), self.send_in_flight.is_some()),
            Lane::Send => (self.send_in_flight.is_some(), self.read_in_flight.is_some()),
        };
        mine || (other && self.duplex.is_none()) || self.child_in_flight.is_some()
    }

    /// Starts an operation of `lane` in full duplex: `call` gets the
    /// completion routine of the lane and its context (a reference to the
    /// shared state, which the routine releases) and returns the
    /// operation's `HRESULT` and whether it completes later; if it does not
    /// (it failed, or completed at once), IIS never calls the routine and
    /// the reference is released here.
    fn with_routine(
        &self,
        lane: Lane,
        call: impl FnOnce(PFN_ASYNC_COMPLETION, *mut c_void) -> (HRESULT, BOOL),
    ) -> (HRESULT, BOOL) {
        let routine: PFN_ASYNC_COMPLETION = match lane {
            Lane::Read => Some(completed::<true>),
            Lane::Send => Some(completed::<false>),
        };
        let context = Arc::into_raw(Arc::clone(&self.shared));
        let (hr, pending) = call(routine, context.cast_mut().cast());
        if hr.is_err() || !pending.as_bool() {
            // SAFETY: the reference made above, which IIS will not release
            // (it calls no routine for this operation).
            drop(unsafe { Arc::from_raw(context) });
        }
        (hr, pending)
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
            if self.lane_busy(Lane::Read) {
                return Poll::Pending;
            }
            let want = buf.len().min(MAX_READ);
            if self.read.len() < want {
                self.read.resize(want, 0);
            }
            let (mut received, mut pending) = (0u32, BOOL(0));
            let target = self.read.as_mut_ptr().cast::<c_void>();
            let (hr, via) = match &self.duplex {
                // SAFETY: the live request of the task's context; `read` is
                // writable for `want` bytes and belongs to the task, which
                // lives until IIS completes the read (it is not touched
                // meanwhile).
                None => (
                    unsafe {
                        crate::ffi::vcall!(
                            request,
                            ReadEntityBody(
                                target,
                                want as u32,
                                BOOL(1),
                                &mut received,
                                &mut pending
                            )
                        )
                    },
                    Via::Notification,
                ),
                Some(duplex) => {
                    let request = duplex.request;
                    let (hr, _) = self.with_routine(Lane::Read, |routine, context| {
                        // SAFETY: as above, through the request's
                        // `IHttpRequest3`; the routine is ours and `context`
                        // the reference it releases.
                        let hr = unsafe {
                            iis_sys::Ref::from_non_null(request).ReadEntityBody3(
                                target,
                                want as u32,
                                BOOL(1),
                                routine,
                                context,
                                &mut received,
                                &mut pending,
                            )
                        };
                        (hr, pending)
                    });
                    (hr, Via::Routine)
                }
            };
            if hr == HRESULT_ERROR_HANDLE_EOF {
                self.eof = true;
                continue;
            }
            Error::check("IHttpRequest::ReadEntityBody", hr)?;
            if pending.as_bool() {
                self.read_in_flight = Some(via);
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
            return self.settled(mine, operation);
        }
        if self.lane_busy(Lane::Send) {
            return Poll::Pending;
        }
        let chunk = match what {
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
                Some(&raw mut self.chunk)
            }
            Send::Flush => None,
        };
        let (mut sent, mut expected) = (0u32, BOOL(0));
        let (hr, via) = match (&self.duplex, chunk) {
            // SAFETY: the live response of the task's context; the chunk
            // and its bytes belong to the task, which lives until IIS
            // completes the write (neither is touched meanwhile).
            (None, Some(chunk)) => (
                unsafe {
                    crate::ffi::vcall!(
                        response,
                        WriteEntityChunks(chunk, 1, BOOL(1), BOOL(1), &mut sent, &mut expected)
                    )
                },
                Via::Notification,
            ),
            // SAFETY: the live response of the task's context; out-pointers
            // to locals, written before the call returns.
            (None, None) => (
                unsafe {
                    crate::ffi::vcall!(response, Flush(BOOL(1), BOOL(1), &mut sent, &mut expected))
                },
                Via::Notification,
            ),
            (Some(duplex), chunk) => {
                let response = duplex.response.as_ptr();
                let (hr, _) = self.with_routine(Lane::Send, |routine, context| {
                    let hr = match chunk {
                        // SAFETY: as the first arm, through the response's
                        // `IHttpResponse2`; the routine is ours and
                        // `context` the reference it releases.
                        Some(chunk) => unsafe {
                            crate::ffi::vcall!(
                                response,
                                WriteEntityChunks2(
                                    chunk,
                                    1,
                                    BOOL(1),
                                    BOOL(1),
                                    routine,
                                    context,
                                    &mut sent,
                                    &mut expected
                                )
                            )
                        },
                        // SAFETY: as the second arm and as above.
                        None => unsafe {
                            crate::ffi::vcall!(
                                response,
                                Flush2(
                                    BOOL(1),
                                    BOOL(1),
                                    routine,
                                    context,
                                    &mut sent,
                                    &mut expected
                                )
                            )
                        },
                    };
                    (hr, expected)
                });
                (hr, Via::Routine)
            }
        };
        Error::check(operation, hr)?;
        if !expected.as_bool() {
            return Poll::Ready(Ok(()));
        }
        self.send_in_flight = Some((via, self.issue(ticket)));
        Poll::Pending
    }
}

/// `ReleaseClonedContext` on a child request: when its `ChildRequest` is
/// dropped, or when it completes after that.
///
/// # Safety
/// `child` is a live clone, released once, and used no more.
pub(crate) unsafe fn release(child: NonNull<IHttpContext>) {
    // SAFETY: the contract.
    let hr = unsafe { iis_sys::Ref::from_non_null(child).ReleaseClonedContext() };
    if hr.is_err() {
        crate::panic::report!("iis-module: IHttpContext::ReleaseClonedContext failed: {hr}");
    }
}

/// The completion routine of a full-duplex operation (`READ`: a read;
/// otherwise a write or flush): hands its result to the task, whose next
/// poll (on an IIS thread, through a posted completion unless it is being
/// polled now) takes it in. The request stays pending: only the task ends
/// it.
///
/// # Safety
/// IIS calls it once per operation [`Io::with_routine`] started that
/// completes later, with the context it was given (the reference made
/// there, released here) and `info` null or live for the call.
unsafe extern "system" fn completed<const READ: bool>(
    _cx: *mut IHttpContext3,
    info: *mut IHttpCompletionInfo2,
    context: *mut c_void,
) -> REQUEST_NOTIFICATION_STATUS {
    // SAFETY: the reference `with_routine` made for this call (the
    // contract), released once, here.
    let shared = unsafe { Arc::from_raw(context.cast_const().cast::<Shared>()) };
    // SAFETY: null or live for the call (the contract).
    let (status, bytes) = match unsafe { iis_sys::Ref::from_raw(info) } {
        Some(info) => (info.GetCompletionStatus(), info.GetCompletionBytes()),
        None => (iis_sys::E_POINTER, 0),
    };
    let lane = if READ { Lane::Read } else { Lane::Send };
    shared.routed(lane, status, bytes);
    RQ_NOTIFICATION_PENDING
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
        let request = this.request.as_raw();
        io.with(|io| io.poll_read(request, this.buf))
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
        let (response, what) = (this.response.as_raw(), Send::Write(this.bytes));
        io.with(|io| io.poll_send(response, what, &mut this.ticket))
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
        let response = this.response.as_raw();
        io.with(|io| io.poll_send(response, Send::Flush, &mut this.ticket))
    }
}

/// Runs a child request ([`ChildRequest::execute`](crate::request::ChildRequest::execute)).
#[must_use = "futures do nothing unless awaited"]
#[derive(Debug)]
pub struct ExecuteChild<'a> {
    parent: NonNull<IHttpContext>,
    child: NonNull<IHttpContext>,
    io: Option<IoRef>,
    flags: u32,
    ticket: Option<u64>,
    _child: core::marker::PhantomData<&'a mut ()>,
}

// SAFETY: the pointers are the request's IIS objects and its task's I/O
// state, reached only while the task is polled, as `HttpContext`'s are.
unsafe impl core::marker::Send for ExecuteChild<'_> {}

impl ExecuteChild<'_> {
    pub(crate) fn new(
        parent: NonNull<IHttpContext>,
        child: NonNull<IHttpContext>,
        io: Option<IoRef>,
        flags: iis_sys::ExecuteFlags,
    ) -> Self {
        Self {
            parent,
            child,
            io,
            flags: flags.bits(),
            ticket: None,
            _child: core::marker::PhantomData,
        }
    }
}

impl Future for ExecuteChild<'_> {
    type Output = Result<()>;

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<()>> {
        let this = self.get_mut();
        let Some(io) = this.io else {
            return Poll::Ready(Err(outside_task()));
        };
        io.with(|io| io.poll_child(this.parent, this.child, this.flags, &mut this.ticket))
    }
}
