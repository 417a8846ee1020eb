//! The request module: for each request it takes, the service's future
//! runs on the module's runtime, and the hook (on IIS's threads) carries
//! what passes between it and IIS: body reads and server variables one way,
//! the response the other.

use crate::body::{Ask, BodyError, RequestBody};
use crate::runtime::ModuleRuntime;
use crate::{BoxError, HttpService, Server};
use bytes::{Buf, Bytes};
use core::future::poll_fn;
use core::task::Poll;
use http_body::Body;
use http_body_util::BodyExt;
use iis_module::prelude::*;
use std::sync::Arc;
use tokio::sync::mpsc;

/// What every request's handler shares.
pub(crate) struct Shared<S> {
    pub(crate) service: S,
    pub(crate) runtime: Arc<ModuleRuntime>,
    pub(crate) server: Server,
}

/// The request module.
pub(crate) struct Handler<S> {
    shared: Arc<Shared<S>>,
}

impl<S> Handler<S> {
    pub(crate) fn new(shared: Arc<Shared<S>>) -> Self {
        Self { shared }
    }
}

/// What the service's task sends the handler.
enum Out {
    /// A response whose body is all here (its length was known and within
    /// the buffer limit): one message, one synchronous write.
    Whole(http::response::Parts, Bytes, Option<Box<http::HeaderMap>>),
    /// The status and headers of a streamed response, and the body's exact
    /// length if known; its body follows as `Data`.
    Head(http::response::Parts, Option<u64>),
    Data(Bytes),
    Trailers(http::HeaderMap),
    End,
    Failed(BoxError),
}

/// The next thing the handler has to do.
enum Next {
    Ask(Ask),
    Out(Out),
    /// The service's task ended without finishing the response (it
    /// panicked, or was aborted).
    Gone,
}

/// Headers that describe a connection or its framing, which IIS owns.
const HOP_BY_HOP: [http::HeaderName; 4] = [
    http::header::CONNECTION,
    http::header::TRANSFER_ENCODING,
    http::header::UPGRADE,
    http::header::TE,
];

/// What the response's mapping depends on in the request.
#[derive(Clone, Copy)]
struct Asked {
    /// A `HEAD` request.
    head: bool,
    /// Over HTTP/2 or later, where IIS sends trailers.
    http2: bool,
}

#[http_module]
impl<S: HttpService> HttpModule for Handler<S> {
    async fn on_execute_request_handler(&mut self, cx: &mut HttpContext) -> Result<Flow> {
        let shared = Arc::clone(&self.shared);
        if !shared.server.takes(&cx.request().url()?) {
            return Ok(Flow::Continue);
        }
        let Some(_in_flight) = shared.runtime.enter() else {
            let response = cx.response();
            response.set_status(StatusCode::SERVICE_UNAVAILABLE)?;
            response.write(b"the application is shutting down\n")?;
            return Ok(Flow::FinishRequest);
        };
        let (asks_to_iis, mut asks) = mpsc::unbounded_channel();
        let request = crate::request::build(cx, &asks_to_iis)?;
        drop(asks_to_iis);
        let asked = Asked {
            head: request.method() == Method::HEAD,
            http2: request.version() >= http::Version::HTTP_2,
        };
        let (out_to_iis, mut out) = mpsc::channel(1);
        let whole_limit = shared.server.buffer_limit;
        let service = shared.service.clone();
        let mut responding = Box::pin(respond(service, request, out_to_iis, whole_limit));
        // The service's first poll runs here, on IIS's thread (inside the
        // runtime's context, so its timers and sockets register there): a
        // response ready at once is then served with no thread switch and
        // no completion to post. What waits goes on to the runtime.
        let runtime = shared.runtime.handle();
        let answered = poll_fn(|task_cx| {
            let _context = runtime.enter();
            Poll::Ready(responding.as_mut().poll(task_cx).is_ready())
        })
        .await;
        // The client's disconnect drops this future, and so the service's.
        let _abort = (!answered).then(|| AbortOnDrop(runtime.spawn(responding).abort_handle()));
        let mut read_buffer = Vec::new();
        let mut streaming = false;
        loop {
            match next(&mut asks, &mut out).await {
                Next::Ask(Ask::Read(reply)) => {
                    let piece = read_piece(cx, &mut read_buffer).await;
                    let _ = reply.send(piece);
                }
                Next::Ask(Ask::Variable(name, reply)) => {
                    let _ = reply.send(cx.server_variable(&name).ok().flatten());
                }
                Next::Out(Out::Whole(parts, body, trailers)) => {
                    if falls_through(&parts, &shared.server) {
                        return Ok(Flow::Continue);
                    }
                    let length = Some(body.len() as u64);
                    let streaming = put_head(cx.response(), &parts, asked, length, &shared.server)?;
                    if let Some(trailers) = trailers {
                        put_trailers(cx.response(), &trailers, asked)?;
                    }
                    if streaming {
                        // A HEAD response with no length to announce: its
                        // head leaves as the GET's would.
                        cx.response().flush_async().await?;
                    } else if !body.is_empty() {
                        // Buffered: IIS copies it and sends head and body
                        // together when the request finishes.
                        cx.response().write(&body)?;
                    }
                    return Ok(Flow::FinishRequest);
                }
                Next::Out(Out::Head(parts, body_length)) => {
                    if falls_through(&parts, &shared.server) {
                        return Ok(Flow::Continue);
                    }
                    streaming =
                        put_head(cx.response(), &parts, asked, body_length, &shared.server)?;
                    if streaming {
                        // The head leaves now, as from hyper: a client sees
                        // the status before the first frame, however late.
                        cx.response().flush_async().await?;
                    }
                }
                Next::Out(Out::Data(bytes)) => {
                    let response = cx.response();
                    response.write_async(&bytes).await?;
                    if streaming {
                        response.flush_async().await?;
                    }
                }
                Next::Out(Out::Trailers(trailers)) => {
                    put_trailers(cx.response(), &trailers, asked)?;
                }
                Next::Out(Out::End) => return Ok(Flow::FinishRequest),
                Next::Out(Out::Failed(error)) => {
                    return Err(Error::msg(format!("the service failed: {error}")));
                }
                Next::Gone => {
                    return Err(Error::msg(
                        "the service's task ended without a response (it panicked)",
                    ));
                }
            }
        }
    }
}

/// Waits for what the service asks, or sends, next.
async fn next(asks: &mut mpsc::UnboundedReceiver<Ask>, out: &mut mpsc::Receiver<Out>) -> Next {
    poll_fn(|cx| {
        if let Poll::Ready(Some(ask)) = asks.poll_recv(cx) {
            return Poll::Ready(Next::Ask(ask));
        }
        match out.poll_recv(cx) {
            Poll::Ready(Some(out)) => Poll::Ready(Next::Out(out)),
            Poll::Ready(None) => Poll::Ready(Next::Gone),
            Poll::Pending => Poll::Pending,
        }
    })
    .await
}

/// The next piece of the request body from IIS (empty at its end).
async fn read_piece(cx: &mut HttpContext, buffer: &mut Vec<u8>) -> Result<Bytes, BodyError> {
    buffer.resize(64 * 1024, 0);
    match cx.request().read_body_async(buffer).await {
        Ok(n) => Ok(Bytes::copy_from_slice(&buffer[..n])),
        Err(error) => Err(BodyError(error.to_string())),
    }
}

/// The valid `Content-Length` of a response head, if it has one.
fn declared_length(headers: &http::HeaderMap) -> Option<u64> {
    let mut values = headers.get_all(http::header::CONTENT_LENGTH).iter();
    let length = values.next()?.to_str().ok()?.trim().parse().ok()?;
    values.next().is_none().then_some(length)
}

/// Whether the service's answer lets IIS's other handlers have the request.
fn falls_through(parts: &http::response::Parts, server: &Server) -> bool {
    parts.status == StatusCode::NOT_FOUND && server.fall_through_on_not_found
}

/// Puts the head of a response whose body is `body_length` bytes (if known)
/// on IIS's response; whether the body is streamed.
///
/// A HEAD response has no body; its `Content-Length` (axum sets it from the
/// GET body's size) is the length to announce, and IIS keeps a length a
/// module set. Without one, it goes out as the GET would: unbuffered, not
/// with the `Content-Length: 0` of its empty body.
fn put_head(
    response: &mut HttpResponse,
    parts: &http::response::Parts,
    asked: Asked,
    body_length: Option<u64>,
    server: &Server,
) -> Result<bool> {
    let declared = asked.head.then(|| declared_length(&parts.headers));
    let length = declared.unwrap_or(body_length);
    let streaming = length.is_none_or(|n| n > server.buffer_limit);
    let keep_length = declared.flatten().is_some();
    write_head(response, parts, streaming, keep_length, asked.http2)?;
    Ok(streaming)
}

/// Puts the service's trailers on IIS's response: over HTTP/2, where IIS
/// sends them after the body (`IHttpResponse4::SetTrailer`, IIS 10); over
/// HTTP/1.1 IIS has no way to send trailers, and they are left out, as
/// the declared `Trailer` header is.
fn put_trailers(
    response: &mut HttpResponse,
    trailers: &http::HeaderMap,
    asked: Asked,
) -> Result<()> {
    if !asked.http2 || trailers.is_empty() {
        return Ok(());
    }
    let Some(mut http2) = response.http2() else {
        return Err(Error::msg(
            "the service sent trailers, which this IIS cannot send (IHttpResponse4 is IIS 10's)",
        ));
    };
    for (name, value) in trailers {
        http2.set_trailer(name, value.as_bytes())?;
    }
    Ok(())
}

/// Puts the response's status and headers on IIS's response. A streamed
/// response goes out as it is written (buffering off, no length: IIS
/// frames it); a buffered one gets its length from IIS at the end. The
/// service's `Content-Length` is left to IIS unless `keep_length`; its
/// `Trailer` declaration only goes out where trailers can (`http2`).
///
/// The status is set with `fTrySkipCustomErrors`, as ASP.NET Core's
/// in-process handler sets it: the service's own error responses (axum's
/// `400`, `404`, `422` with their text) reach the client, where IIS's
/// default `existingResponse="Auto"` would replace them with its error
/// pages.
fn write_head(
    response: &mut HttpResponse,
    parts: &http::response::Parts,
    streaming: bool,
    keep_length: bool,
    http2: bool,
) -> Result<()> {
    let reason = parts.status.canonical_reason().unwrap_or("");
    response.set_status_detail(parts.status, 0, reason, true)?;
    for (name, value) in &parts.headers {
        let framing = name == http::header::CONTENT_LENGTH && !keep_length;
        let no_trailers = name == http::header::TRAILER && !http2;
        if HOP_BY_HOP.contains(name) || framing || no_trailers {
            continue;
        }
        response.append_header(name, value.as_bytes())?;
    }
    if streaming {
        response.disable_buffering();
    }
    Ok(())
}

/// Runs the service on the runtime and sends its response to the handler:
/// whole if its length is known and at most `whole_limit`, else a frame at
/// a time (waiting while the handler writes the last one).
async fn respond<S: HttpService>(
    mut service: S,
    request: http::Request<RequestBody>,
    out: mpsc::Sender<Out>,
    whole_limit: u64,
) {
    let ready: Result<(), BoxError> = poll_fn(|cx| service.poll_ready(cx))
        .await
        .map_err(Into::into);
    let response = match ready {
        Ok(()) => service.call(request).await.map_err(Into::<BoxError>::into),
        Err(error) => Err(error),
    };
    let response = match response {
        Ok(response) => response,
        Err(error) => {
            let _ = out.send(Out::Failed(error)).await;
            return;
        }
    };
    let (parts, body) = response.into_parts();
    let length = body.size_hint().exact();
    if length.is_some_and(|n| n <= whole_limit) {
        let whole = match body.collect().await {
            Ok(collected) => {
                let trailers = collected.trailers().cloned().map(Box::new);
                Out::Whole(parts, collected.to_bytes(), trailers)
            }
            Err(error) => Out::Failed(error.into()),
        };
        let _ = out.send(whole).await;
        return;
    }
    if out.send(Out::Head(parts, length)).await.is_err() {
        return;
    }
    let mut body = core::pin::pin!(body);
    loop {
        let frame = poll_fn(|cx| body.as_mut().poll_frame(cx))
            .await
            .map(|frame| frame.map_err(Into::<BoxError>::into));
        let sent = match frame {
            None => {
                let _ = out.send(Out::End).await;
                return;
            }
            Some(Err(error)) => out.send(Out::Failed(error)).await,
            Some(Ok(frame)) => match frame.into_data() {
                Ok(mut data) => {
                    let bytes = data.copy_to_bytes(data.remaining());
                    if bytes.is_empty() {
                        continue;
                    }
                    out.send(Out::Data(bytes)).await
                }
                Err(frame) => match frame.into_trailers() {
                    Ok(trailers) => out.send(Out::Trailers(trailers)).await,
                    Err(_) => continue, // a frame kind http-body may add later
                },
            },
        };
        if sent.is_err() {
            return;
        }
    }
}

/// Aborts the service's task when the handler's future is dropped.
struct AbortOnDrop(tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::declared_length;
    use http::header::CONTENT_LENGTH;

    #[test]
    fn only_one_valid_content_length_is_declared() {
        let mut headers = http::HeaderMap::new();
        assert_eq!(declared_length(&headers), None);
        headers.insert(CONTENT_LENGTH, http::HeaderValue::from_static("27"));
        assert_eq!(declared_length(&headers), Some(27));
        headers.append(CONTENT_LENGTH, http::HeaderValue::from_static("27"));
        assert_eq!(declared_length(&headers), None, "two of them");
        headers.insert(CONTENT_LENGTH, http::HeaderValue::from_static("-1"));
        assert_eq!(declared_length(&headers), None);
    }
}
