//! Sending the response: the `SendResponse` notification before each send,
//! then the head and the buffered entity queued for the connection layer,
//! which the pipeline writes ([`drain`]) — so a `Flush` from any
//! thread is safe and keeps its order.
//!
//! A send happens on `IHttpResponse::Flush`, on each `WriteEntityChunks`
//! when buffering is disabled, and once at the end of the request (after
//! `UpdateRequestCache`, before `LogRequest`). After `ResetConnection`
//! nothing more is sent and buffered bytes are discarded.

use std::future::poll_fn;
use std::task::{Context, Poll};

use crate::engine::dispatch::raise;
use crate::engine::error_page;
use crate::engine::pool::now;
use crate::handlers::{Answer, Entity};
use crate::http::{ConnectionFate, RecordingSink, ResponseHead, ResponseSink};
use crate::objects::Foreign;
use crate::objects::headers::Side;
use crate::objects::providers::{SEND_DISCONNECT, SEND_MORE_DATA, send_response};
use crate::state::RequestCore;
use crate::state::request::{OutItem, RequestState, ResponseData};
use crate::transcript::{HostEvent, Notification};

/// Replaces the (unsent) response with an error status and no body: the
/// page comes from the custom error emulation at the final send
/// ([`error_page`](super::error_page)), as from IIS's custom error module.
fn error_status(resp: &mut ResponseData, status: u16, reason: &str) {
    resp.status = status;
    resp.substatus = 0;
    resp.reason = reason.to_owned();
    resp.skip_custom_errors = false;
    resp.handler_description = None;
    resp.chunks.clear();
    resp.touch();
}

/// A built-in handler's answer, replacing the (unsent) response. An error
/// gets its status, and the handler's description for the custom error
/// emulation to show when no module sets one
/// ([`error_page`](super::error_page)).
pub(crate) fn answer(core: &RequestCore, answer: Answer) {
    core.with_state(|s| {
        let resp = &mut s.resp;
        match answer.entity {
            Entity::ErrorPage(description) => {
                error_status(resp, answer.status, answer.reason);
                resp.handler_description = Some(description);
            }
            Entity::Bytes(bytes) => {
                resp.status = answer.status;
                resp.reason = answer.reason.to_owned();
                resp.chunks = vec![bytes];
            }
            Entity::Empty => {
                resp.status = answer.status;
                resp.reason = answer.reason.to_owned();
                resp.chunks = Vec::new();
            }
        }
        resp.substatus = answer.substatus;
        for (name, value) in answer.headers {
            resp.headers
                .set(Side::Response, name, value.as_bytes(), true);
        }
        resp.touch();
    });
}

/// A `500.0` when the host fails the request (a failed `GetHttpModule`, a
/// pending timeout), unless the head already left.
pub(crate) fn fail_with_500(core: &RequestCore) {
    core.with_state(|s| {
        if !s.out.head_sent && !s.resp.reset {
            s.resp.status_set = true;
            error_status(&mut s.resp, 500, "Internal Server Error");
        }
    });
}

/// The head of the response as it stands.
fn head_of(resp: &ResponseData) -> ResponseHead {
    ResponseHead {
        status: resp.status,
        reason: resp.reason.clone(),
        headers: resp.headers.entries.clone(),
    }
}

/// With `SuppressHeaders` IIS sends no head of its own and the module writes
/// one into the entity: the head found at the start of `body` (status line
/// and headers up to the blank line) and its length, to hand to the
/// connection layer as the head it is.
fn module_head(body: &[u8]) -> Option<(ResponseHead, usize)> {
    let end = body.windows(4).position(|w| w == b"\r\n\r\n")?;
    let text = std::str::from_utf8(&body[..end]).ok()?;
    let mut lines = text.split("\r\n");
    let mut status_line = lines.next()?.splitn(3, ' ');
    if !status_line.next()?.starts_with("HTTP/") {
        return None;
    }
    let status: u16 = status_line.next()?.parse().ok()?;
    let mut head = ResponseHead::new(status);
    head.reason = status_line.next().unwrap_or_default().to_owned();
    for line in lines {
        let (name, value) = line.split_once(':')?;
        head.headers
            .push((name.trim().to_owned(), value.trim().as_bytes().to_vec()));
    }
    Some((head, end + 4))
}

/// A send inside a module's call (`Flush`, a write with buffering off):
/// the `SendResponse` notification, then the head (first time) and the
/// buffered entity queued for the pipeline to write. A synchronous call from
/// the hook the pipeline is running writes them out before it returns,
/// waiting for a slow client as IIS's synchronous send does
/// ([`sending_synchronously`]); from elsewhere the pipeline writes them.
pub(crate) fn send(core: &RequestCore) {
    // Without a sink nothing waits, so the future is ready at once.
    let _ = now(send_with::<RecordingSink>(core, false, None));
    SYNCHRONOUS.with(|current| {
        if let Some((owner, flush)) = current.get()
            && std::ptr::eq(owner, core)
        {
            // SAFETY: set by `sending_synchronously` for this request on
            // this thread, whose frame (and so the closure) is still live;
            // the closure is not running (sends do not nest in it).
            unsafe { (*flush)() };
        }
    });
}

/// The request whose hook a thread is running, with the closure that
/// writes its queued output to the connection (lifetime erased: set only
/// while that closure lives).
type Synchronous = Option<(*const RequestCore, *mut (dyn FnMut() + 'static))>;

thread_local! {
    static SYNCHRONOUS: std::cell::Cell<Synchronous> = const { std::cell::Cell::new(None) };
}

/// Runs `call` (a module's hook, on the pipeline's thread) so that its
/// synchronous sends reach `sink` before they return.
pub(crate) fn sending_synchronously<S: ResponseSink + ?Sized, R>(
    core: &RequestCore,
    sink: Option<&mut S>,
    call: impl FnOnce() -> R,
) -> R {
    let Some(sink) = sink else {
        return call();
    };
    let mut flush = || write_now(core, sink);
    let flush: *mut (dyn FnMut() + '_) = &mut flush;
    // SAFETY: only the lifetime changes; the pointer is cleared (by
    // `Restore`) before `flush` goes out of scope, and used only on this
    // thread meanwhile.
    let flush: *mut (dyn FnMut() + 'static) = unsafe { std::mem::transmute(flush) };
    struct Restore(Synchronous);
    impl Drop for Restore {
        fn drop(&mut self) {
            SYNCHRONOUS.with(|current| current.set(self.0));
        }
    }
    let _restore = Restore(SYNCHRONOUS.with(|current| current.replace(Some((core, flush)))));
    call()
}

/// Writes the queued output now; if the client is slow to take it, blocks
/// this worker until it has (handing its other tasks to other workers).
fn write_now<S: ResponseSink + ?Sized>(core: &RequestCore, sink: &mut S) {
    let mut cx = Context::from_waker(std::task::Waker::noop());
    if put_and_flush(core, sink, &mut cx).is_ready() {
        return;
    }
    // Not on a multi-thread runtime (an in-memory sink is never slow):
    // the pipeline writes it after the hook.
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    if runtime.runtime_flavor() != tokio::runtime::RuntimeFlavor::MultiThread {
        return;
    }
    tokio::task::block_in_place(|| runtime.block_on(poll_fn(|cx| put_and_flush(core, sink, cx))));
}

/// The end-of-request send: as [`send`], but a buffered response gets its
/// length, and the `SendResponse` notification may pend.
pub(crate) async fn final_send<S: ResponseSink + ?Sized>(core: &RequestCore, sink: &mut S) {
    send_with(core, true, Some(sink)).await;
}

/// Sends what the response holds. `sink` is the pipeline's (only a
/// notification the pipeline raises itself passes it): with it, a head and
/// body with nothing queued before them are handed to it at once, the head
/// without a copy ([`put_own_head`]).
async fn send_with<S: ResponseSink + ?Sized>(
    core: &RequestCore,
    final_send: bool,
    mut sink: Option<&mut S>,
) {
    let server_header = core.host().config.server_header.as_deref();
    let error_mode = core.host().config.error_mode;
    let proceed = core.with_state(|s| {
        if s.out.sending || s.resp.complete {
            return None;
        }
        if s.resp.reset {
            s.resp.chunks.clear();
            s.resp.complete |= final_send;
            return None;
        }
        s.out.sending = true;
        let headers_being_sent = !s.out.head_sent && !s.resp.suppress_headers;
        // IIS adds `Server` to the response before the SendResponse
        // notification, so a module there sees it and can delete it (the
        // most common use of a SendResponse module); the deletion sticks.
        if headers_being_sent
            && let Some(server) = server_header
            && s.resp.headers.get("Server").is_none()
        {
            s.resp.headers.push("Server", server.as_bytes());
        }
        Some((headers_being_sent, s.log.on))
    });
    let Some((headers_being_sent, transcribed)) = proceed else {
        return;
    };
    // The pipeline's own send (with its sink) is not parked: nothing to wake.
    let own = sink.is_some();
    let flags = if final_send { 0 } else { SEND_MORE_DATA };
    let notified = !core
        .modules
        .request_order(Notification::SendResponse, false)
        .is_empty();
    // The log data is ready at the final send (`GetReadyToLogData`), for the
    // SendResponse modules (`GetLogData`/`SetLogData`) and the transcript;
    // with neither, nobody reads it.
    if final_send && (notified || transcribed) {
        let record = crate::objects::log_data::prepare(core);
        core.with_state(|s| s.out.log = Some(record));
    }
    let mut disconnect = false;
    if notified {
        let provider = send_response(core, headers_being_sent, flags, final_send);
        raise(
            core,
            Notification::SendResponse,
            false,
            Foreign(provider.iface()),
            sink.as_deref_mut(),
        )
        .await;
        disconnect = provider.data.flags() & SEND_DISCONNECT != 0;
    }
    core.with_state(|s| {
        s.out.sending = false;
        s.resp.need_disconnect |= disconnect;
        if s.resp.reset {
            s.resp.chunks.clear();
            s.resp.complete |= final_send;
            return;
        }
        if final_send && !s.out.head_sent {
            // IIS's custom error module runs last in SendResponse.
            error_page::apply(s, error_mode);
        }
        let mut body: Vec<u8> = if s.resp.chunks.len() == 1 {
            s.resp.chunks.pop().unwrap_or_default()
        } else {
            s.resp.chunks.drain(..).flatten().collect()
        };
        // The pipeline's own sink with nothing queued before: what is sent
        // now goes to it at once (in order, as the queue would hand it).
        let mut direct = sink.filter(|_| s.out.queue.is_empty());
        if !s.out.head_sent {
            let module_head = s
                .resp
                .suppress_headers
                .then(|| module_head(&body))
                .flatten();
            let head = module_head.map(|(head, length)| {
                body.drain(..length);
                head
            });
            let length = final_send.then_some(body.len() as u64);
            match (head, direct.as_deref_mut()) {
                (None, Some(sink)) => put_own_head(s, sink, length),
                (head, _) => {
                    let head = head.unwrap_or_else(|| head_of(&s.resp));
                    s.out
                        .queue
                        .push(OutItem::Head(head, length, s.resp.substatus));
                    direct = None;
                }
            }
            s.out.head_sent = true;
        }
        if !body.is_empty() {
            match direct {
                Some(sink) => {
                    put_body_now(s, sink, &body);
                    // Sent: its buffer takes the next chunk.
                    s.resp.keep_chunk(body);
                }
                None => s.out.queue.push(OutItem::Body(body)),
            }
        }
        s.resp.complete |= final_send;
        s.resp.touch();
    });
    if !own {
        core.wake();
    }
}

/// Writes the queued output, and what the pipeline handed the connection
/// layer directly, out to the client until none is left (the pipeline
/// only). What is queued together leaves together: a head and the body
/// sent with it go out in one write, as from HTTP.sys.
pub(crate) async fn drain<S: ResponseSink + ?Sized>(core: &RequestCore, sink: &mut S) {
    loop {
        let queued = core.with_state(|s| std::mem::take(&mut s.out.queue));
        let took = !queued.is_empty();
        for item in queued {
            put(core, sink, item);
        }
        let mut waited = false;
        poll_fn(|cx| {
            let flushed = flushed(core, sink, cx);
            waited |= flushed.is_pending();
            flushed
        })
        .await;
        // Nothing was queued and nothing waited: nothing can have been
        // queued since but in the same instant (as after the check below).
        if !(took || waited) || core.with_state(|s| s.out.queue.is_empty()) {
            return;
        }
    }
}

/// Hands the queued output to the connection layer, then polls it out:
/// `Pending` while the client is slow to take it.
pub(crate) fn put_and_flush<S: ResponseSink + ?Sized>(
    core: &RequestCore,
    sink: &mut S,
    cx: &mut Context<'_>,
) -> Poll<()> {
    for item in core.with_state(|s| std::mem::take(&mut s.out.queue)) {
        put(core, sink, item);
    }
    flushed(core, sink, cx)
}

/// Hands one item to the connection layer (unless the client is gone).
fn put<S: ResponseSink + ?Sized>(core: &RequestCore, sink: &mut S, item: OutItem) {
    if core.with_state(|s| s.out.broken) {
        return;
    }
    let result = match &item {
        OutItem::Head(head, length, _) => sink.send_head(head, *length),
        OutItem::Body(bytes) => sink.send_body(bytes),
    };
    match result {
        Ok(()) => core.with_state(|s| match item {
            OutItem::Head(head, length, substatus) => {
                s.out.sent_head = Some((head, length, substatus))
            }
            OutItem::Body(bytes) if s.log.on => s.out.sent_body.extend_from_slice(&bytes),
            OutItem::Body(_) => {}
        }),
        Err(error) => broke(core, &error),
    }
}

/// Hands the response's head as it stands to `sink` now, as [`put`] hands
/// a queued one: the response's own reason and headers are lent to the
/// call, not copied (the request's lock is held throughout, so nobody sees
/// them gone).
fn put_own_head<S: ResponseSink + ?Sized>(s: &mut RequestState, sink: &mut S, length: Option<u64>) {
    if s.out.broken {
        return;
    }
    let resp = &mut s.resp;
    let mut head = ResponseHead {
        status: resp.status,
        reason: std::mem::take(&mut resp.reason),
        headers: std::mem::take(&mut resp.headers.entries),
    };
    let sent = sink.send_head(&head, length);
    resp.reason = std::mem::take(&mut head.reason);
    resp.headers.entries = std::mem::take(&mut head.headers);
    match sent {
        Ok(()) if s.log.on => s.out.sent_head = Some((head_of(resp), length, resp.substatus)),
        Ok(()) => {}
        Err(error) => broke_in(s, &error),
    }
}

/// Hands entity bytes to `sink` now, as [`put`] hands queued ones.
fn put_body_now<S: ResponseSink + ?Sized>(s: &mut RequestState, sink: &mut S, bytes: &[u8]) {
    if s.out.broken {
        return;
    }
    match sink.send_body(bytes) {
        Ok(()) if s.log.on => s.out.sent_body.extend_from_slice(bytes),
        Ok(()) => {}
        Err(error) => broke_in(s, &error),
    }
}

/// Polls what the connection layer holds out to the client.
fn flushed<S: ResponseSink + ?Sized>(
    core: &RequestCore,
    sink: &mut S,
    cx: &mut Context<'_>,
) -> Poll<()> {
    match sink.poll_flush(cx) {
        Poll::Pending => Poll::Pending,
        Poll::Ready(Ok(())) => Poll::Ready(()),
        Poll::Ready(Err(error)) => {
            if !core.with_state(|s| s.out.broken) {
                broke(core, &error);
            }
            Poll::Ready(())
        }
    }
}

/// The connection layer refused a write: the client is gone.
fn broke(core: &RequestCore, error: &std::io::Error) {
    core.with_state(|s| broke_in(s, error));
}

/// [`broke`], under the request's lock.
fn broke_in(s: &mut RequestState, error: &std::io::Error) {
    s.out.broken = true;
    s.log.event(HostEvent::SendFailed {
        error: error.to_string(),
    });
}

/// Ends the response with the fate the modules asked for; the fate applied.
pub(crate) async fn finish<S: ResponseSink + ?Sized>(
    core: &RequestCore,
    sink: &mut S,
) -> ConnectionFate {
    drain(core, sink).await;
    let (fate, broken) = core.with_state(|s| (s.resp.fate(), s.out.broken));
    match sink.finish(fate) {
        Ok(applied) if !broken => applied,
        Ok(_) => ConnectionFate::Closed,
        Err(error) => {
            core.event(HostEvent::SendFailed {
                error: error.to_string(),
            });
            if fate == ConnectionFate::Reset {
                fate
            } else {
                ConnectionFate::Closed
            }
        }
    }
}
