//! Run a tower `Service` — an axum `Router`, or any service over
//! `http::Request` whose response body is an `http_body::Body` — inside
//! IIS's worker process, in-process, as the handler of a site,
//! application or path prefix.
//!
//! ```ignore
//! use iis_module::prelude::*;
//!
//! #[register_module]
//! fn register(module: &mut Registration) -> Result<()> {
//!     let app = axum::Router::new().route("/", axum::routing::get(|| async { "hello from IIS" }));
//!     iis_tower::serve(module, app)
//! }
//! ```
//!
//! # How a request flows
//!
//! The module registers an `async fn` ExecuteRequestHandler hook (see
//! `iis_module::HttpModule`). For a request it handles:
//!
//! 1. The hook builds an `http::Request<`[`RequestBody`]`>`: the method,
//!    the URL after any rewrite (the client's own is the [`RawUrl`]
//!    extension), the version, every header, and extensions with the IIS
//!    facts: [`RemoteAddr`] and [`LocalAddr`], the [`WindowsUser`] (and,
//!    on Windows, its `WindowsToken`), the
//!    [`Site`] and [`Application`], [`ServerVariables`] on demand.
//! 2. The service's future is polled once on IIS's thread, inside the
//!    module's tokio runtime's context: a response ready at once is served
//!    with no thread switch. If it waits, it moves to the runtime, where
//!    axum handlers expect to run (timers, `tokio::spawn`, sockets).
//! 3. Meanwhile the hook, on IIS's threads, serves what the service asks
//!    of IIS: body bytes (read with asynchronous `ReadEntityBody` only when
//!    the service polls the body), server variables. While it waits, the
//!    request is pending and holds no IIS thread.
//! 4. The response's status and headers (validated by the SDK) go to IIS;
//!    its body is written with asynchronous `WriteEntityChunks`. A body of
//!    known length up to [`Server::buffer_limit`] is buffered (IIS sends it
//!    with its `Content-Length`); any other is streamed with buffering off,
//!    the head sent at once and each frame flushed as it comes (server-sent
//!    events reach the client as they are produced). A response to `HEAD`
//!    keeps the service's `Content-Length` (the length of the GET's body).
//!    The status is set as ASP.NET Core's in-process handler sets it, with
//!    `fTrySkipCustomErrors`: the service's error responses (axum's `400`,
//!    `404`, `422` with their text) reach the client instead of IIS's
//!    error pages.
//!
//! A client that disconnects cancels the service's future. A panic or an
//! error in the service becomes a 500, or a reset connection once the
//! response head has left; the request never passes for a success.
//!
//! # The runtime
//!
//! [`serve`] starts a multi-thread tokio runtime when IIS loads the module
//! ([`Server::worker_threads`]). When IIS stops listening (the application
//! pool recycles or stops), new requests get `503`, requests in flight get
//! up to [`Server::shutdown_timeout`] to finish, and the runtime shuts down,
//! so no thread of the DLL outlives the worker process's use of it.

#![warn(missing_docs)]

mod body;
mod handler;
mod request;
mod runtime;

pub use body::{BodyError, RequestBody};
#[cfg(windows)]
pub use request::WindowsToken;
pub use request::{Application, LocalAddr, RawUrl, RemoteAddr, ServerVariables, Site, WindowsUser};

use bytes::Bytes;
use iis_module::{Registration, Result};
use std::sync::Arc;
use std::time::Duration;
use tower_service::Service;

/// The error type services may return: anything that converts into it.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What iis-tower serves: a tower `Service` over
/// `http::Request<`[`RequestBody`]`>` answering an `http::Response` whose
/// body is an `http_body::Body` of `Bytes` — an axum `Router`, or any
/// hyper-style service. Implemented for every such type; cloned for each
/// request.
pub trait HttpService:
    Service<
        http::Request<RequestBody>,
        Response = http::Response<Self::ResponseBody>,
        Error: Into<BoxError>,
        Future: Send + 'static,
    > + Clone
    + Send
    + Sync
    + 'static
{
    /// The body of the service's responses.
    type ResponseBody: http_body::Body<Data = Bytes, Error: Into<BoxError>> + Send + 'static;
}

impl<S, B> HttpService for S
where
    S: Service<http::Request<RequestBody>, Response = http::Response<B>>
        + Clone
        + Send
        + Sync
        + 'static,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type ResponseBody = B;
}

/// Serves `service` with the default [`Server`] settings: every request
/// IIS maps to this module.
///
/// # Errors
/// If the runtime cannot start or IIS refuses the registration.
pub fn serve(module: &mut Registration, service: impl HttpService) -> Result<()> {
    Server::new().serve(module, service)
}

/// How a service is served: its runtime, the paths it takes, its
/// shutdown.
#[derive(Debug, Clone)]
pub struct Server {
    worker_threads: Option<usize>,
    prefixes: Vec<String>,
    fall_through_on_not_found: bool,
    shutdown_timeout: Duration,
    buffer_limit: u64,
}

impl Default for Server {
    fn default() -> Self {
        Self::new()
    }
}

impl Server {
    /// The defaults: a worker thread per CPU, every path, no fall-through,
    /// 30 s to drain at shutdown, bodies of known length up to 1 MiB
    /// buffered.
    pub fn new() -> Self {
        Self {
            worker_threads: None,
            prefixes: Vec::new(),
            fall_through_on_not_found: false,
            shutdown_timeout: Duration::from_secs(30),
            buffer_limit: 1 << 20,
        }
    }

    /// The runtime's worker threads (default: one per CPU).
    pub fn worker_threads(mut self, threads: usize) -> Self {
        self.worker_threads = Some(threads.max(1));
        self
    }

    /// Takes only requests whose path is `prefix` or below it (`/api`
    /// takes `/api` and `/api/x`, not `/apix`); the others go on through
    /// IIS. May be given several times; none takes every path.
    pub fn path_prefix(mut self, prefix: &str) -> Self {
        self.prefixes.push(prefix.trim_end_matches('/').to_owned());
        self
    }

    /// When the service answers `404 Not Found` before anything was
    /// written, hands the request back to IIS (its static files, other
    /// handlers) instead. The service may have read the request body.
    pub fn fall_through_on_not_found(mut self, fall_through: bool) -> Self {
        self.fall_through_on_not_found = fall_through;
        self
    }

    /// How long requests in flight may take to finish when IIS stops
    /// listening (default 30 s; IIS's own `shutdownTimeLimit` is 90 s).
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = timeout;
        self
    }

    /// Response bodies whose exact length is known and at most `limit` are
    /// buffered and sent whole, with their `Content-Length`; others stream
    /// (default 1 MiB).
    pub fn buffer_limit(mut self, limit: u64) -> Self {
        self.buffer_limit = limit;
        self
    }

    /// Registers the handler for `service` with IIS, and the global module
    /// that shuts its runtime down.
    ///
    /// # Errors
    /// If the runtime cannot start or IIS refuses the registration.
    pub fn serve(self, module: &mut Registration, service: impl HttpService) -> Result<()> {
        let runtime = Arc::new(runtime::ModuleRuntime::start(self.worker_threads)?);
        let shared = Arc::new(handler::Shared {
            service,
            runtime: Arc::clone(&runtime),
            server: self.clone(),
        });
        module.request_module(move || handler::Handler::new(Arc::clone(&shared)))?;
        module.global_module(runtime::Lifecycle::new(runtime, self.shutdown_timeout))
    }

    /// Whether a request for `path` is this service's.
    fn takes(&self, path: &str) -> bool {
        self.prefixes.is_empty()
            || self.prefixes.iter().any(|prefix| {
                path.strip_prefix(prefix.as_str()).is_some_and(|rest| {
                    rest.is_empty() || rest.starts_with('/') || prefix.is_empty()
                })
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_take_their_path_and_below() {
        let server = Server::new().path_prefix("/api/");
        assert!(server.takes("/api"));
        assert!(server.takes("/api/users/7"));
        assert!(!server.takes("/apix"));
        assert!(!server.takes("/"));
        assert!(Server::new().takes("/anything"));
        assert!(Server::new().path_prefix("/").takes("/x"));
    }
}
