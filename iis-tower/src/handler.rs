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
    /// The status and headers, and the body's exact length if known.
    Head(http::response::Parts, Option<u64>),
    Data(Bytes),
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
const HOP_BY_HOP: [http::HeaderName; 5] = [
    http::header::CONNECTION,
    http::header::TRANSFER_ENCODING,
    http::header::UPGRADE,
    http::header::TE,
    http::header::TRAILER,
];

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
        let head_request = request.method() == Method::HEAD;
        let (out_to_iis, mut out) = mpsc::channel(1);
        let task =
            shared
                .runtime
                .handle()
                .spawn(respond(shared.service.clone(), request, out_to_iis));
        // The client's disconnect drops this future, and so the service's.
        let _abort = AbortOnDrop(task.abort_handle());
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
                Next::Out(Out::Head(parts, body_length)) => {
                    if parts.status == StatusCode::NOT_FOUND
                        && shared.server.fall_through_on_not_found
                    {
                        return Ok(Flow::Continue);
                    }
                    // A HEAD response has no body; its `Content-Length`
                    // (axum sets it from the GET body's size) is the length
                    // to announce, and IIS keeps a length a module set.
                    // Without one, it goes out as the GET would: unbuffered,
                    // not with the `Content-Length: 0` of its empty body.
                    let declared = head_request.then(|| declared_length(&parts.headers));
                    let length = declared.unwrap_or(body_length);
                    streaming = length.is_none_or(|n| n > shared.server.buffer_limit);
                    let keep_length = declared.flatten().is_some();
                    write_head(cx.response(), &parts, streaming, keep_length)?;
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

/// Puts the response's status and headers on IIS's response. A streamed
/// response goes out as it is written (buffering off, no length: IIS
/// frames it); a buffered one gets its length from IIS at the end. The
/// service's `Content-Length` is left to IIS unless `keep_length`.
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
) -> Result<()> {
    let reason = parts.status.canonical_reason().unwrap_or("");
    response.set_status_detail(parts.status, 0, reason, true)?;
    for (name, value) in &parts.headers {
        let framing = name == http::header::CONTENT_LENGTH && !keep_length;
        if HOP_BY_HOP.contains(name) || framing {
            continue;
        }
        response.append_header(name, value.as_bytes())?;
    }
    if streaming {
        response.disable_buffering();
    }
    Ok(())
}

/// Runs the service on the runtime and sends its response to the handler,
/// a frame at a time (waiting while the handler writes the last one).
async fn respond<S: HttpService>(
    mut service: S,
    request: http::Request<RequestBody>,
    out: mpsc::Sender<Out>,
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
                // Trailers: HTTP/1.1 through IIS has none to send them in.
                Err(_) => continue,
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
