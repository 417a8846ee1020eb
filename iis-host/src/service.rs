//! [`HostService`]: the host as a `tower::Service<http::Request<B>>`
//! (`tower` feature), so that a test reads like axum's:
//! `host.clone().oneshot(request).await`.

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Request, Response};
use http_body::Body;
use http_body_util::BodyExt;

use crate::error::HostError;
use crate::host::Host;

/// A [`Host`] as a `tower::Service`: `http::Request<B>` in,
/// `http::Response<Bytes>` out, with the request's [`Transcript`](crate::Transcript) in the
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
/// [`Host::run`] runs it, on the host's worker pool, and the future waits
/// for it without blocking its executor: a thousand requests a module
/// leaves pending cost a thousand parked tasks, not a thousand threads. The
/// future resolves when the request has ended (after `Dispose`); dropping
/// it early does not stop the request.
///
/// # Errors
///
/// The service fails with
/// * [`HostError::NoResponse`] when the request ended without a response
///   head (status 0, e.g. after `ResetConnection`); the error carries the
///   transcript (see [`Transcript::into_response`](crate::Transcript::into_response));
/// * [`HostError::RequestBody`] when the request body fails;
/// * [`HostError::RequestLost`] when the host shut down before the request
///   ended.
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

    /// Always ready: requests wait for a pool thread, not for the service.
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
                let transcript = host
                    .start(request)
                    .await
                    .map_err(|_| HostError::RequestLost)?;
                transcript.into_response()
            }),
        }
    }
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
