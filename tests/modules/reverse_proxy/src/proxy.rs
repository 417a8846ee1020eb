//! The proxy as a tower service: a request in, the backend's answer out.

use bytes::Bytes;
use core::convert::Infallible;
use core::future::{Future, ready};
use core::pin::Pin;
use core::task::{Context, Poll};
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::uri::{Authority, InvalidUri, PathAndQuery, Scheme, Uri};
use http::{Request, Response, StatusCode, Version};
use http_body_util::{Either, Empty, Full};
use hyper::body::Incoming;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use iis_tower::{RemoteAddr, RequestBody};
use std::time::Duration;

/// The body sent to the backend: the client's, or none when the client's
/// request had none (no `Content-Length`, no `Transfer-Encoding`).
type Forwarded = Either<RequestBody, Empty<Bytes>>;

/// The body sent back: the backend's, or the proxy's own error page.
type Returned = Either<Incoming, Full<Bytes>>;

/// How long an idle connection to the backend stays in the pool (hyper's
/// default; ARR's and the ASP.NET Core Module's are in minutes too).
const IDLE_TIMEOUT: Duration = Duration::from_secs(90);

/// Headers that describe one connection, not the message (RFC 9110,
/// section 7.6.1), which a proxy must not forward; plus any that the
/// `Connection` header names.
const HOP_BY_HOP: [HeaderName; 7] = [
    header::CONNECTION,
    HeaderName::from_static("keep-alive"),
    HeaderName::from_static("proxy-connection"),
    header::TE,
    header::TRAILER,
    header::TRANSFER_ENCODING,
    header::UPGRADE,
];

const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

/// Forwards requests to one backend over a pool of keep-alive connections.
#[derive(Clone)]
pub(crate) struct Proxy {
    /// One client for every request: its pool is what keeps the backend's
    /// connections alive between requests.
    client: Client<HttpConnector, Forwarded>,
    backend: Authority,
}

impl Proxy {
    /// A proxy to `backend` (`host:port`).
    pub(crate) fn new(backend: &str) -> Result<Self, InvalidUri> {
        let backend: Authority = backend.parse()?;
        let mut connector = HttpConnector::new();
        // As iis-host and the backend set it on their sockets.
        connector.set_nodelay(true);
        let client = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(IDLE_TIMEOUT)
            .build(connector);
        Ok(Self { client, backend })
    }

    /// The backend's request for the client's `request`.
    fn forward(&self, request: Request<RequestBody>) -> Result<Request<Forwarded>, http::Error> {
        let (mut parts, body) = request.into_parts();
        let has_body = parts.headers.contains_key(header::CONTENT_LENGTH)
            || parts.headers.contains_key(header::TRANSFER_ENCODING);
        remove_hop_by_hop(&mut parts.headers);
        if let Some(RemoteAddr(client)) = parts.extensions.get::<RemoteAddr>()
            && let Ok(value) = HeaderValue::try_from(client.ip().to_string())
        {
            parts.headers.append(X_FORWARDED_FOR, value);
        }
        let target = parts
            .uri
            .path_and_query()
            .cloned()
            .unwrap_or_else(|| PathAndQuery::from_static("/"));
        parts.uri = Uri::builder()
            .scheme(Scheme::HTTP)
            .authority(self.backend.clone())
            .path_and_query(target)
            .build()?;
        // The backend connection speaks HTTP/1.1 whatever the client spoke.
        parts.version = Version::HTTP_11;
        // IIS's facts (addresses, user, server variables) stay here.
        parts.extensions = http::Extensions::new();
        let body = if has_body {
            Either::Left(body)
        } else {
            Either::Right(Empty::new())
        };
        Ok(Request::from_parts(parts, body))
    }
}

impl tower_service::Service<Request<RequestBody>> for Proxy {
    type Response = Response<Returned>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<RequestBody>) -> Self::Future {
        let answer = match self.forward(request) {
            Ok(forwarded) => self.client.request(forwarded),
            Err(error) => return Box::pin(ready(Ok(bad_gateway(&error)))),
        };
        Box::pin(async move {
            Ok(match answer.await {
                Ok(response) => {
                    let (mut parts, body) = response.into_parts();
                    remove_hop_by_hop(&mut parts.headers);
                    Response::from_parts(parts, Either::Left(body))
                }
                Err(error) => bad_gateway(&error),
            })
        })
    }
}

/// Removes the hop-by-hop headers, and those the `Connection` header names.
fn remove_hop_by_hop(headers: &mut HeaderMap) {
    let named: Vec<HeaderName> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|token| HeaderName::from_bytes(token.trim().as_bytes()).ok())
        .collect();
    for name in named.iter().chain(&HOP_BY_HOP) {
        headers.remove(name);
    }
}

/// The answer when the backend cannot be reached or fails mid-request.
fn bad_gateway(error: &dyn std::error::Error) -> Response<Returned> {
    let mut response = Response::new(Either::Right(Full::new(Bytes::from(format!(
        "502 Bad Gateway: the backend failed: {error}\n"
    )))));
    *response.status_mut() = StatusCode::BAD_GATEWAY;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
