//! The request body a service reads: an `http_body::Body` whose bytes the
//! handler reads from IIS (asynchronous `ReadEntityBody`) only when the
//! service asks for them, so nothing is read ahead and IIS has one
//! operation in flight at a time.

use bytes::Bytes;
use core::pin::Pin;
use core::task::{Context, Poll, ready};
use http_body::{Body, Frame, SizeHint};
use tokio::sync::{mpsc, oneshot};

/// What the service (on the runtime) asks of IIS (through the handler, on
/// IIS's threads).
#[derive(Debug)]
pub(crate) enum Ask {
    /// The next piece of the request body (empty at its end).
    Read(oneshot::Sender<Result<Bytes, BodyError>>),
    /// A server variable.
    Variable(String, oneshot::Sender<Option<String>>),
}

/// The body of a request from IIS, read as the service polls it.
#[derive(Debug)]
pub struct RequestBody {
    asks: mpsc::UnboundedSender<Ask>,
    waiting: Option<oneshot::Receiver<Result<Bytes, BodyError>>>,
    /// What `Content-Length` says is left, if the request had one.
    remaining: Option<u64>,
    done: bool,
}

/// Reading the request body failed: the client disconnected or sent it
/// wrong (IIS's error), or the request ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyError(pub(crate) String);

impl core::fmt::Display for BodyError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "reading the request body failed: {}", self.0)
    }
}

impl std::error::Error for BodyError {}

impl RequestBody {
    /// A body asking through `asks`, of `length` bytes if the request said.
    pub(crate) fn new(asks: mpsc::UnboundedSender<Ask>, length: Option<u64>) -> Self {
        Self {
            asks,
            waiting: None,
            remaining: length,
            done: length == Some(0),
        }
    }
}

impl Body for RequestBody {
    type Data = Bytes;
    type Error = BodyError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BodyError>>> {
        if self.done {
            return Poll::Ready(None);
        }
        if self.waiting.is_none() {
            let (reply, answer) = oneshot::channel();
            if self.asks.send(Ask::Read(reply)).is_err() {
                self.done = true;
                return Poll::Ready(Some(Err(BodyError("the request has ended".into()))));
            }
            self.waiting = Some(answer);
        }
        let Some(waiting) = &mut self.waiting else {
            unreachable!("set above");
        };
        let answer = ready!(Pin::new(waiting).poll(cx));
        self.waiting = None;
        match answer {
            Ok(Ok(bytes)) if bytes.is_empty() => {
                self.done = true;
                Poll::Ready(None)
            }
            Ok(Ok(bytes)) => {
                if let Some(remaining) = &mut self.remaining {
                    *remaining = remaining.saturating_sub(bytes.len() as u64);
                }
                Poll::Ready(Some(Ok(Frame::data(bytes))))
            }
            Ok(Err(error)) => {
                self.done = true;
                Poll::Ready(Some(Err(error)))
            }
            Err(_) => {
                self.done = true;
                Poll::Ready(Some(Err(BodyError("the request has ended".into()))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.done
    }

    fn size_hint(&self) -> SizeHint {
        match self.remaining {
            Some(left) if !self.done => SizeHint::with_exact(left),
            _ if self.done => SizeHint::with_exact(0),
            _ => SizeHint::default(),
        }
    }
}
