//! The transport layer: HTTP/1.1 connections, the codec and its limits.
//! Within iis-host only the engine and the host API use it, and it uses
//! neither; the plain data it shares with a request's state ([`Request`],
//! [`BodyStream`], [`ResponseHead`], [`ConnectionFate`], [`ServerConfig`]) is
//! defined apart from it and re-exported here.
//!
//! An event-driven server that parses requests, hands each to a [`Handler`]
//! (the pipeline) with a [`ResponseSink`] to answer into,
//! and frames and delivers the response over TCP.
//!
//! * Each connection is a task on a small pool of threads (tokio): an idle or
//!   slow client holds no thread and delays nobody. At most
//!   [`ServerConfig::max_connections`] are open; a connection beyond it is
//!   accepted and answered `503` with `Connection: close`.
//! * Responses leave as the pipeline writes them, with backpressure: the
//!   pipeline waits for a slow client (holding no thread) before it writes
//!   more, and a client that stops reading for the timeout is dropped.
//! * Keep-alive by default for HTTP/1.1; HTTP/1.0 only with `Connection: keep-alive`.
//! * Request bodies by `Content-Length` or chunked (de-chunked, trailers ignored);
//!   both at once is a `400`. A handler that [streams bodies](Handler::streams_body)
//!   (the pipeline) gets the body as it arrives, through a 64 KiB window that
//!   holds the client back until the module reads; others get it whole. `Expect: 100-continue` gets `100 Continue` before the
//!   body is read (and a `413` instead when the declared body is too large).
//! * Malformed requests get `400`, oversized heads `431`, oversized bodies `413`
//!   (decided before reading past the limit), stalled heads and bodies `408`
//!   (HTTP.sys's `HeaderWait` and `EntityBody` timers); each then closes.
//! * What HTTP.sys refuses before IIS sees a request is refused here too, with
//!   `400`: an HTTP/1.1 request without `Host`, more than one `Host`, a `Host`
//!   that is not `host[:port]` ("Invalid Hostname"); a request-target that is
//!   neither an absolute path, an absolute `http`/`https` URL nor `*` for
//!   `OPTIONS` (CONNECT's authority form included: "Invalid URL"). An absolute
//!   URL's authority becomes the request's `Host`. Chunk-size lines and
//!   trailers are parsed strictly (no bare CR or LF, trailer lines are
//!   `name: value`).
//! * Memory per connection stays within the head and body limits.
//! * After each response a [`RequestLog`] line goes to `log::info!` (target
//!   `iis_host::http`) and to [`ServerConfig::on_request`].
//!
//! [`RecordingSink`] is the in-memory [`ResponseSink`] for in-process runs.

mod body;
mod connection;
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzzing;
mod head;
mod input;
mod recording;
mod response;
mod server;
mod sink;
mod state;

pub use crate::message::{
    BodyStream, ConnectionFate, Request, RequestLog, RequestLogHook, ResponseHead, ServerConfig,
};
pub use recording::RecordingSink;
pub use response::{ConnectionSlot, HandleFuture, Handler, ResponseSink};
pub use server::{Server, ServerHandle};
pub use state::ShutdownTrigger;
