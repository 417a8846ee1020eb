//! [`HostService`]: the host as a `tower::Service<http::Request<B>>`
//! (`tower` feature), so that a test reads like axum's:
//! `host.clone().oneshot(request).await`.

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::ops::Deref;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Request, Response};
use http_body::Body;
use http_body_util::BodyExt;

use crate::error::HostError;
use crate::host::Host;
use crate::transcript::Transcript;

/// A [`Host`] as a `tower::Service`: `http::Request<B>` in,
/// `http::Response<Bytes>` out, with the request's [`Transcript`] in the
/// response's extensions. Available with the `tower` feature.
///
/// A cheap handle (an `Arc<Host>`): clone it for each `oneshot`, as one
/// clones an axum `Router`. It derefs to the [`Host`], so `stats()`,
/// `get()`, `events()` … stay at hand. `Host` itself is not `Clone` and
/// `oneshot` consumes the service, hence this type; a host that is also
/// [served](Host::serve) is shared with [`HostService::from`] an
/// `Arc<Host>`.
///
/// ```no_run
/// # async fn test() -> Result<(), Box<dyn std::error::Error>> {
/// use http::{Request, StatusCode};
/// use iis_host::{Host, Transcript};
/// use tower::ServiceExt; // oneshot
///
/// let host = Host::builder()
///     .module(iis_host::testing::build_cdylib("hello_world")?)
///     .build()?
///     .into_service();
///
/// let response = host
///     .clone()
///     .oneshot(Request::get("/").body(String::new())?)
///     .await?;
/// assert_eq!(response.status(), StatusCode::OK);
/// assert_eq!(response.body(), "Hello, world!\n");
/// let transcript = response.extensions().get::<Transcript>().unwrap();
/// assert_eq!(
///     transcript.notification_lines(),
///     ["hello_world: OnExecuteRequestHandler -> CONTINUE"]
/// );
/// assert_eq!(host.stats().requests, 1);
/// # Ok(())
/// # }
/// ```
///
/// The request body is any `http_body::Body` (`String`,
/// `http_body_util::Full<Bytes>`, `Empty<Bytes>`, a hyper or axum body …),
/// read to its end before the request runs. The request then runs as
/// [`Host::run`] runs it, on a thread of its own: `Host::run` blocks until
/// the request ends, which for a request a module left pending may need
/// another task of the same executor, so the executor's thread is never
/// blocked. The future resolves when the request has ended (after
/// `Dispose`); dropping it early does not stop the request.
///
/// # Errors
///
/// The service fails with
/// * [`HostError::NoResponse`] when the request ended without a response
///   head (status 0, e.g. after `ResetConnection`); the error carries the
///   transcript (see [`Transcript::into_response`]);
/// * [`HostError::RequestBody`] when the request body fails;
/// * [`HostError::RequestThread`] when the request's thread cannot be
///   started, or panics.
#[derive(Debug, Clone)]
pub struct HostService {
    host: Arc<Host>,
}

impl HostService {
    /// A service running requests through `host`.
    pub fn new(host: Arc<Host>) -> Self {
        HostService { host }
    }

    /// The shared host (to [`serve`](Host::serve) it too, say).
    pub fn host(&self) -> &Arc<Host> {
        &self.host
    }
}

impl From<Host> for HostService {
    fn from(host: Host) -> Self {
        HostService::new(Arc::new(host))
    }
}

impl From<Arc<Host>> for HostService {
    fn from(host: Arc<Host>) -> Self {
        HostService::new(host)
    }
}

impl Deref for HostService {
    type Target = Host;

    fn deref(&self) -> &Host {
        &self.host
    }
}

impl Host {
    /// This host as a `tower::Service` ([`HostService`]; `tower` feature).
    pub fn into_service(self) -> HostService {
        HostService::from(self)
    }
}

impl<B> tower_service::Service<Request<B>> for HostService
where
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    type Response = Response<Bytes>;
    type Error = HostError;
    type Future = ResponseFuture;

    /// Always ready: every request runs on a thread of its own.
    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), HostError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> ResponseFuture {
        let host = Arc::clone(&self.host);
        ResponseFuture {
            inner: Box::pin(async move {
                let (parts, body) = request.into_parts();
                let body = body
                    .collect()
                    .await
                    .map_err(|e| HostError::RequestBody(e.into()))?
                    .to_bytes();
                let request = Request::from_parts(parts, Vec::from(body));
                run_on_thread(host, request).await?.into_response()
            }),
        }
    }
}

/// Runs `request` on a new thread; its transcript once it has ended.
async fn run_on_thread(
    host: Arc<Host>,
    request: Request<Vec<u8>>,
) -> Result<Transcript, HostError> {
    let (sender, receiver) = futures_channel::oneshot::channel();
    std::thread::Builder::new()
        .name("iis-host request".to_owned())
        .spawn(move || {
            let outcome = panic::catch_unwind(AssertUnwindSafe(|| host.run(request)));
            // The future may have been dropped: then nobody wants the transcript.
            let _ = sender.send(outcome.map_err(|payload| panic_message(&*payload)));
        })
        .map_err(|e| HostError::RequestThread(format!("cannot start it: {e}")))?;
    match receiver.await {
        Ok(Ok(transcript)) => Ok(transcript),
        Ok(Err(message)) => Err(HostError::RequestThread(format!("it panicked: {message}"))),
        Err(_) => Err(HostError::RequestThread(
            "it ended without a transcript".to_owned(),
        )),
    }
}

/// A panic's message, when it has one.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_owned())
}

/// The future of [`HostService`]'s `call`: the response, once the request
/// has ended.
pub struct ResponseFuture {
    inner: Pin<Box<dyn Future<Output = Result<Response<Bytes>, HostError>> + Send>>,
}

impl Future for ResponseFuture {
    type Output = Result<Response<Bytes>, HostError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.inner.as_mut().poll(cx)
    }
}

impl fmt::Debug for ResponseFuture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}
