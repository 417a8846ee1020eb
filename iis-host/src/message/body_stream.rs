//! [`BodyStream`]: a request body as it arrives, filled by the connection
//! and read by the pipeline (`ReadEntityBody`), through a bounded window:
//! the connection stops reading from the client while the window is full, so
//! a body of any size costs at most [`WINDOW`] bytes of memory.

use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

/// The most body bytes held between the client and the module.
pub(crate) const WINDOW: usize = 64 * 1024;

/// The rest of a request body, arriving while the request runs.
///
/// The connection layer hands one to a [`Handler`](crate::http::Handler) that
/// [streams bodies](crate::http::Handler::streams_body) in
/// [`Request::body_stream`](super::Request::body_stream); the pipeline reads
/// it through `ReadEntityBody`. Cheap to clone (a shared handle).
#[derive(Clone)]
pub struct BodyStream(Arc<Shared>);

struct Shared {
    state: Mutex<State>,
    /// Signalled for readers that block (synchronous `ReadEntityBody`).
    arrived: Condvar,
}

struct State {
    window: VecDeque<u8>,
    /// `None` while more may come; then the end, or why it never came.
    end: Option<Result<(), io::ErrorKind>>,
    /// The declared length (`Content-Length`), `None` for a chunked body.
    declared: Option<u64>,
    /// Bytes received from the client so far.
    received: u64,
    /// Bytes handed to the reader so far.
    consumed: u64,
    /// The request waiting for bytes (an asynchronous read).
    reader: Option<Waker>,
    /// The connection waiting for room in the window.
    feeder: Option<Waker>,
}

/// What a read found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Read {
    /// This many bytes were copied.
    Data(usize),
    /// Nothing yet; more will come.
    Empty,
    /// The body has ended.
    End,
    /// The body never ended: the client went away or stalled.
    Failed(io::ErrorKind),
}

impl BodyStream {
    /// An empty stream for a body of `declared` bytes (`None`: chunked).
    pub(crate) fn new(declared: Option<u64>) -> Self {
        BodyStream(Arc::new(Shared {
            state: Mutex::new(State {
                window: VecDeque::new(),
                end: None,
                declared,
                received: 0,
                consumed: 0,
                reader: None,
                feeder: None,
            }),
            arrived: Condvar::new(),
        }))
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.0.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Wakes whoever waits for bytes (after `state` changed).
    fn arrived(&self, mut state: MutexGuard<'_, State>) {
        let reader = state.reader.take();
        drop(state);
        self.0.arrived.notify_all();
        if let Some(reader) = reader {
            reader.wake();
        }
    }

    /// The connection's side: the room left in the window, waiting for the
    /// reader to make some.
    pub(crate) fn poll_room(&self, cx: &mut Context<'_>) -> Poll<usize> {
        let mut state = self.state();
        let room = WINDOW.saturating_sub(state.window.len());
        if room > 0 {
            Poll::Ready(room)
        } else {
            state.feeder = Some(cx.waker().clone());
            Poll::Pending
        }
    }

    /// The connection's side: bytes that arrived.
    pub(crate) fn push(&self, bytes: &[u8]) {
        let mut state = self.state();
        state.window.extend(bytes);
        state.received += bytes.len() as u64;
        self.arrived(state);
    }

    /// The connection's side: the body ended (`Ok`) or never will.
    pub(crate) fn finish(&self, end: Result<(), io::ErrorKind>) {
        let mut state = self.state();
        state.end.get_or_insert(end);
        self.arrived(state);
    }

    /// Whether the whole body arrived.
    pub(crate) fn is_complete(&self) -> bool {
        self.state().end == Some(Ok(()))
    }

    /// Bytes received from the client so far.
    pub(crate) fn received(&self) -> u64 {
        self.state().received
    }

    /// `GetRemainingEntityBytes`: what is left to read of a body of known
    /// length; for a chunked body, what is buffered once it has ended and
    /// `u32::MAX` before (its length is not known).
    pub(crate) fn remaining(&self) -> u32 {
        let state = self.state();
        let left = match (state.declared, state.end) {
            (Some(length), _) => length.saturating_sub(state.consumed),
            (None, Some(_)) => state.window.len() as u64,
            (None, None) => u64::from(u32::MAX),
        };
        u32::try_from(left).unwrap_or(u32::MAX)
    }

    /// The pipeline's side: copies what is there into `out`, registering
    /// `waker` (when given) to be woken when more arrives.
    pub(crate) fn read(&self, out: &mut [u8], waker: Option<&Waker>) -> Read {
        let mut state = self.state();
        if out.is_empty() {
            return Read::Data(0);
        }
        if !state.window.is_empty() {
            let n = out.len().min(state.window.len());
            let (front, back) = state.window.as_slices();
            let first = n.min(front.len());
            out[..first].copy_from_slice(&front[..first]);
            out[first..n].copy_from_slice(&back[..n - first]);
            state.window.drain(..n);
            state.consumed += n as u64;
            if let Some(feeder) = state.feeder.take() {
                feeder.wake();
            }
            return Read::Data(n);
        }
        match state.end {
            Some(Ok(())) => Read::End,
            Some(Err(kind)) => Read::Failed(kind),
            None => {
                if let Some(waker) = waker {
                    state.reader = Some(waker.clone());
                }
                Read::Empty
            }
        }
    }

    /// The pipeline's side, for a synchronous read: waits (blocking this
    /// thread) until something arrives, the body ends, or `stall` passes
    /// (then the body fails with `TimedOut`).
    pub(crate) fn read_blocking(&self, out: &mut [u8], stall: Option<Duration>) -> Read {
        loop {
            match self.read(out, None) {
                Read::Empty => {}
                done => return done,
            }
            let state = self.state();
            if !state.window.is_empty() || state.end.is_some() {
                continue;
            }
            let waited = match stall {
                None => self
                    .0
                    .arrived
                    .wait(state)
                    .map(|s| (s, false))
                    .unwrap_or_else(|e| (e.into_inner(), false)),
                Some(stall) => self
                    .0
                    .arrived
                    .wait_timeout(state, stall)
                    .map(|(s, t)| (s, t.timed_out()))
                    .unwrap_or_else(|e| {
                        let (s, t) = e.into_inner();
                        (s, t.timed_out())
                    }),
            };
            let (state, timed_out) = waited;
            if timed_out && state.window.is_empty() && state.end.is_none() {
                drop(state);
                self.finish(Err(io::ErrorKind::TimedOut));
            }
        }
    }
}

/// Two handles are equal when they are the same stream.
impl PartialEq for BodyStream {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for BodyStream {}

impl fmt::Debug for BodyStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state();
        f.debug_struct("BodyStream")
            .field("declared", &state.declared)
            .field("received", &state.received)
            .field("buffered", &state.window.len())
            .field("end", &state.end)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_pass_through_a_bounded_window() {
        let stream = BodyStream::new(Some(5));
        let mut out = [0u8; 3];
        assert_eq!(stream.read(&mut out, None), Read::Empty);
        assert_eq!(stream.remaining(), 5);
        stream.push(b"abcde");
        assert_eq!(stream.read(&mut out, None), Read::Data(3));
        assert_eq!(&out, b"abc");
        assert_eq!(stream.remaining(), 2);
        stream.finish(Ok(()));
        assert_eq!(stream.read(&mut out, None), Read::Data(2));
        assert_eq!(stream.read(&mut out, None), Read::End);
        let waker = Waker::noop();
        let mut cx = Context::from_waker(waker);
        assert_eq!(stream.poll_room(&mut cx), Poll::Ready(WINDOW));
        stream.push(&vec![0; WINDOW]);
        assert_eq!(stream.poll_room(&mut cx), Poll::Pending);
    }

    #[test]
    fn a_body_that_never_ends_fails_its_reader() {
        let stream = BodyStream::new(None);
        assert_eq!(stream.remaining(), u32::MAX);
        let reader = stream.clone();
        let blocked = std::thread::spawn(move || reader.read_blocking(&mut [0; 4], None));
        stream.finish(Err(io::ErrorKind::ConnectionAborted));
        assert_eq!(
            blocked.join().unwrap(),
            Read::Failed(io::ErrorKind::ConnectionAborted)
        );
        let stalled = BodyStream::new(Some(9));
        assert_eq!(
            stalled.read_blocking(&mut [0; 4], Some(Duration::from_millis(20))),
            Read::Failed(io::ErrorKind::TimedOut)
        );
    }
}
