//! The response side of the contract between the connection layer and the pipeline:
//! [`ResponseSink`] and [`Handler`] (the data they pass, [`ResponseHead`] and
//! [`ConnectionFate`], are in [`crate::message`]).

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::{ConnectionFate, Request, ResponseHead};

/// Where the pipeline writes a response.
///
/// Implemented by the TCP connection of [`Server`](super::Server) and by the
/// in-memory [`RecordingSink`](super::RecordingSink). Calls out of order
/// (a second head, a body before the head, anything after `finish`) return an
/// [`io::ErrorKind::InvalidInput`] error.
pub trait ResponseSink {
    /// Sends the status line and headers. Called at most once per response, before any body.
    ///
    /// `content_length` is `Some(n)` when the pipeline knows the whole body (a buffered
    /// response): the sink sends `Content-Length: n` unless the head already has a
    /// `Content-Length`. `None` means the body is streamed: the sink uses chunked
    /// transfer-encoding for HTTP/1.1, or a close-delimited body for HTTP/1.0 (which
    /// forces [`ConnectionFate::Closed`]).
    fn send_head(&mut self, head: &ResponseHead, content_length: Option<u64>) -> io::Result<()>;

    /// Sends body bytes (after [`send_head`](Self::send_head)).
    fn send_body(&mut self, bytes: &[u8]) -> io::Result<()>;

    /// Ends the response and returns the fate actually applied.
    ///
    /// * [`KeptAlive`](ConnectionFate::KeptAlive): terminates a chunked body, and keeps the
    ///   connection for the next request when the client allows it (`Connection: close`
    ///   from the client, or HTTP/1.0 without `Connection: keep-alive`, turn it into
    ///   `Closed`; the sink then adds `Connection: close` to the head when it knows in time).
    /// * [`Closed`](ConnectionFate::Closed): finishes the body, then shuts the socket down
    ///   cleanly (FIN).
    /// * [`Reset`](ConnectionFate::Reset): aborts the connection with a TCP RST, sending
    ///   nothing more (output not yet written to the socket is dropped).
    fn finish(&mut self, fate: ConnectionFate) -> io::Result<ConnectionFate>;

    /// Waits until what was sent so far has been handed to the transport:
    /// the backpressure of a slow client. The pipeline polls it after each
    /// write and before it delivers a write's completion. A sink that
    /// delivers in its calls (the default, and [`RecordingSink`](super::RecordingSink))
    /// is always ready; an error means the client is gone.
    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let _ = cx;
        Poll::Ready(Ok(()))
    }
}

/// What a [`Handler`] keeps for one client connection from one request to
/// the next (the pipeline keeps the connection's module contexts and
/// memory there), so that it need not look the connection up at each
/// request. The connection owns it: empty at its first request, dropped
/// when it closes (after [`Handler::connection_closed`]).
#[derive(Default)]
pub struct ConnectionSlot {
    kept: Option<Box<dyn Any + Send + Sync>>,
    /// A finished request's target and header list, given back.
    head: Option<HeadBuffers>,
}

/// A request's target and header list ([`ConnectionSlot::give_back_head`]).
pub(crate) type HeadBuffers = (Vec<u8>, Vec<(String, Vec<u8>)>);

impl ConnectionSlot {
    /// What the handler keeps here, made by `make` at the connection's
    /// first request (or when the slot holds something else than a `T`).
    pub fn get_or_insert_with<T: Any + Send + Sync>(&mut self, make: impl FnOnce() -> T) -> &mut T {
        let kept = match self.kept.take() {
            Some(kept) if kept.is::<T>() => kept,
            _ => Box::new(make()),
        };
        match self.kept.insert(kept).downcast_mut() {
            Some(kept) => kept,
            None => unreachable!("the slot holds a `T` now"),
        }
    }

    /// Gives back the [`target`](Request::target) and
    /// [`headers`](Request::headers) of a request the handler is done with:
    /// the connection reads its next request's head into these buffers
    /// (emptied; large ones are dropped) instead of allocating new ones.
    pub fn give_back_head(&mut self, target: Vec<u8>, headers: Vec<(String, Vec<u8>)>) {
        self.head = Some((target, headers));
    }

    /// The head buffers given back, if any.
    pub(crate) fn take_head(&mut self) -> Option<HeadBuffers> {
        self.head.take()
    }
}

impl fmt::Debug for ConnectionSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionSlot")
            .field("filled", &self.kept.is_some())
            .field("head", &self.head.is_some())
            .finish()
    }
}

/// The future of [`Handler::handle`].
pub type HandleFuture<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// What runs each request: implemented by the pipeline.
///
/// Any `Fn(Request, &mut dyn ResponseSink) + Send + Sync + 'static` closure is a
/// handler (it runs on a thread of the server's pool, so it should not block).
///
/// ```
/// use iis_host::http::{ConnectionFate, HandleFuture, Handler, Request, ResponseHead, ResponseSink};
///
/// struct Hello;
///
/// impl Handler for Hello {
///     fn handle<'a>(
///         &'a self,
///         request: Request,
///         sink: &'a mut (dyn ResponseSink + Send),
///     ) -> HandleFuture<'a> {
///         Box::pin(async move {
///             let body = format!("hello from {}", String::from_utf8_lossy(&request.target));
///             let head = ResponseHead::new(200).with_header("Content-Type", "text/plain");
///             // Errors mean the client went away: nothing more to do.
///             let _ = sink
///                 .send_head(&head, Some(body.len() as u64))
///                 .and_then(|()| sink.send_body(body.as_bytes()))
///                 .and_then(|()| sink.finish(ConnectionFate::KeptAlive));
///         })
///     }
/// }
/// ```
pub trait Handler: Send + Sync + 'static {
    /// Handles one request, writing the response into `sink`
    /// (`send_head`, `send_body`, `finish`, as [`ResponseSink`] describes);
    /// the server writes what the sink holds to the client as the future
    /// proceeds and once it is done.
    ///
    /// If the handler ends without calling `finish`, the server calls
    /// `finish(KeptAlive)`, or sends a `500` if no head was sent. If it panics, the
    /// server sends a `500` and closes the connection when no head was sent yet, and
    /// resets the connection otherwise.
    fn handle<'a>(
        &'a self,
        request: Request,
        sink: &'a mut (dyn ResponseSink + Send),
    ) -> HandleFuture<'a>;

    /// [`handle`](Self::handle), for a request of a connection that keeps
    /// `slot` for this handler between its requests (what the server calls).
    /// By default the slot is left alone.
    fn handle_on<'a>(
        &'a self,
        slot: &'a mut ConnectionSlot,
        request: Request,
        sink: &'a mut (dyn ResponseSink + Send),
    ) -> HandleFuture<'a> {
        let _ = slot;
        self.handle(request, sink)
    }

    /// The client connection between `remote_addr` and `local_addr` has
    /// ended: closed after a response, gone while idle, or gone while a
    /// request runs (called as soon as that is seen, before the request's
    /// handler has finished). Called once per connection. Does nothing by
    /// default.
    fn connection_closed(&self, remote_addr: SocketAddr, local_addr: SocketAddr) {
        let _ = (remote_addr, local_addr);
    }

    /// Whether this handler takes request bodies as they arrive
    /// ([`Request::body_stream`]), or whole in [`Request::body`] (the
    /// default: the connection reads the body, within
    /// [`ServerConfig::max_body_bytes`](super::ServerConfig::max_body_bytes),
    /// before the handler runs).
    fn streams_body(&self) -> bool {
        false
    }
}

impl<F> Handler for F
where
    F: Fn(Request, &mut dyn ResponseSink) + Send + Sync + 'static,
{
    fn handle<'a>(
        &'a self,
        request: Request,
        sink: &'a mut (dyn ResponseSink + Send),
    ) -> HandleFuture<'a> {
        Box::pin(async move { self(request, sink) })
    }
}
