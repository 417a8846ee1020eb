//! One connection's life as a task on the server's pool: read a request, run the
//! handler, write and apply the fate, repeat while kept alive; refuse bad requests
//! and close gracefully. A connection waiting for a request holds no thread.

use std::future::{Future, poll_fn};
use std::io;
use std::net::SocketAddr;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::oneshot;

use super::body::{BodyLimits, check_declared_length, feed_body, read_body, send_continue};
use super::head::{BodyFraming, Head, read_head};
use super::input::{InBuf, ReadError, Reject, SpareHead};
use super::sink::ConnectionSink;
use super::state::Shared;
use super::{
    BodyStream, ConnectionFate, ConnectionSlot, Request, RequestLog, ResponseSink, ServerConfig,
};

/// The longest a closing connection keeps reading (and dropping) what the client still
/// sends, so that closing does not turn into an RST that destroys the response.
const LINGER: Duration = Duration::from_secs(2);

/// Counts a connection as open while its task lives.
pub(crate) struct Admission(pub(crate) Arc<Shared>);

impl Drop for Admission {
    fn drop(&mut self) {
        self.0.release();
    }
}

/// Tells the handler, once, that its connection ended.
struct Closing<'a> {
    shared: &'a Shared,
    addrs: (SocketAddr, SocketAddr),
    told: bool,
}

impl Closing<'_> {
    fn now(&mut self) {
        if !std::mem::replace(&mut self.told, true) {
            let (remote, local) = self.addrs;
            self.shared.handler.connection_closed(remote, local);
        }
    }
}

impl Drop for Closing<'_> {
    fn drop(&mut self) {
        self.now();
    }
}

/// Serves an admitted connection until it closes.
pub(crate) async fn serve(admission: Admission, stream: TcpStream) {
    let shared = &*admission.0;
    let (Ok(remote_addr), Ok(local_addr)) = (stream.peer_addr(), stream.local_addr()) else {
        return;
    };
    let mut closing = Closing {
        shared,
        addrs: (remote_addr, local_addr),
        told: false,
    };
    let config = &shared.config;
    let timeout = Some(config.read_timeout).filter(|t| !t.is_zero());
    let _ = stream.set_nodelay(true);
    let (mut reader, mut writer) = stream.into_split();
    let mut inbuf = InBuf::new();
    // The response buffer, kept from one response to the next.
    let mut out = Vec::new();
    let mut served = 0usize;
    // What the handler keeps for this connection between its requests.
    let mut slot = ConnectionSlot::default();
    // One wait for the shutdown across the connection's requests (it ends
    // the connection when it fires).
    let mut shutdown = pin!(shared.shutdown_started());
    loop {
        if shared.is_shutting_down() {
            return;
        }
        let mut started = None;
        let streaming = shared.handler.streams_body();
        // The request first: a request already there is read without
        // polling the shutdown (one that began is seen at the loop's top).
        let received = tokio::select! {
            biased;
            received = receive(shared, &mut reader, &mut writer, &mut inbuf, timeout, &mut started, streaming) => received,
            () = &mut shutdown => return,
        };
        let (head, body, body_stream) = match received {
            Ok(received) => received,
            Err(ReadError::Reject(reject)) => {
                let started = started.unwrap_or_else(Instant::now);
                refuse(shared, reader, writer, reject, remote_addr, started).await;
                return;
            }
            Err(ReadError::Closed | ReadError::IdleTimeout | ReadError::Vanished) => return,
        };

        served += 1;
        let keep_alive = head.keep_alive && served < config.keep_alive_max_requests;
        let framing = head.framing;
        let request = Request {
            method: head.method,
            target: head.target,
            version: head.version,
            headers: head.headers,
            body,
            body_stream: body_stream.clone(),
            remote_addr,
            local_addr,
        };
        let method = request.method.clone();
        // For the log line and the hook, when there is a logger or a hook.
        let read = shared.config.on_request.is_some()
            || log::log_enabled!(target: "iis_host::http", log::Level::Info)
            || log::log_enabled!(log::Level::Error);
        let target = if read {
            String::from_utf8_lossy(&request.target).into_owned()
        } else {
            String::new()
        };
        let mut sink = ConnectionSink::new(
            writer,
            std::mem::take(&mut out),
            request.version,
            request.method == http::Method::HEAD,
            keep_alive,
            &shared.shutting_down,
            body_stream.clone(),
            timeout,
        );
        let mut watch = Watch::default();
        let limits = body_limits(config, timeout);
        let handling = caught(shared.handler.handle_on(&mut slot, request, &mut sink));
        let panicked = match body_stream.clone() {
            None => {
                let mut handling = pin!(handling);
                let mut following = true;
                loop {
                    tokio::select! {
                        biased;
                        panicked = &mut handling => break panicked,
                        followed = follow(&mut reader, &mut inbuf, framing, limits, None), if following => {
                            following = false;
                            watch.saw(followed, &mut closing);
                        }
                    }
                }
            }
            Some(stream) => {
                // The body arrives through a task of its own, so that it keeps
                // coming while the handler blocks in a synchronous read.
                let (stop, stopped) = oneshot::channel();
                let mut follower = tokio::spawn(follow_apart(
                    reader, inbuf, framing, limits, stream, stopped,
                ));
                // The read side back from the follower, after what it saw;
                // `None` if the follower is gone (the pool is shutting down).
                let mut taken_back = |joined: Result<HandedBack, _>| {
                    joined.ok().map(|(reader, inbuf, followed)| {
                        if let Some(followed) = followed {
                            watch.saw(followed, &mut closing);
                        }
                        (reader, inbuf)
                    })
                };
                let mut handling = pin!(handling);
                let mut back = None;
                let panicked = loop {
                    tokio::select! {
                        biased;
                        panicked = &mut handling => break panicked,
                        joined = &mut follower, if back.is_none() => back = Some(taken_back(joined)),
                    }
                };
                let back = match back {
                    Some(back) => back,
                    None => {
                        let _ = stop.send(());
                        taken_back(follower.await)
                    }
                };
                let Some((kept_reader, kept_inbuf)) = back else {
                    return;
                };
                reader = kept_reader;
                inbuf = kept_inbuf;
                panicked
            }
        };
        let Watch {
            vanished,
            body_failed,
        } = watch;
        if let Some((target, headers)) = slot.take_head() {
            inbuf.keep_spare(SpareHead::new(target, headers));
        }
        if panicked {
            log::error!("handler panicked on {method} {target}");
        }
        let mut fate = sink.complete(panicked);
        // A body the handler left unread (or that broke off) leaves the
        // connection's framing unknown: it closes after the response.
        let unread = body_stream.as_ref().is_some_and(|s| !s.is_complete());
        if (vanished || body_failed || unread) && fate == ConnectionFate::KeptAlive {
            fate = ConnectionFate::Closed;
        }
        if poll_fn(|cx| sink.poll_flush(cx)).await.is_err() && fate == ConnectionFate::KeptAlive {
            fate = ConnectionFate::Closed;
        }
        if read {
            log_request(
                shared,
                RequestLog {
                    remote_addr,
                    method: Some(method),
                    target,
                    status: sink.status(),
                    body_bytes: sink.body_bytes(),
                    fate,
                    elapsed: head.started.elapsed(),
                },
            );
        }
        let (kept_writer, kept_out) = sink.into_parts();
        out = kept_out;
        match (fate, kept_writer) {
            (ConnectionFate::KeptAlive, Some(kept)) => writer = kept,
            (ConnectionFate::Closed, Some(writer)) if !vanished => {
                linger_close(shared, reader, writer).await;
                return;
            }
            // A reset: dropping both halves closes the socket with its zero linger.
            _ => return,
        }
    }
}

/// The limits a request body is read within.
fn body_limits(config: &ServerConfig, timeout: Option<Duration>) -> BodyLimits {
    BodyLimits {
        max_body_bytes: config.max_body_bytes,
        max_trailer_bytes: config.max_header_bytes,
        stall: timeout,
    }
}

/// Reads one request: its head (the first byte within `timeout` while idle,
/// the whole head within `timeout` of it), then its body: whole, or, when
/// `streaming`, as a [`BodyStream`] that [`follow`] fills while the request
/// runs (after `100 Continue`, when the client expects it).
async fn receive(
    shared: &Shared,
    reader: &mut OwnedReadHalf,
    writer: &mut OwnedWriteHalf,
    inbuf: &mut InBuf,
    timeout: Option<Duration>,
    started: &mut Option<Instant>,
    streaming: bool,
) -> Result<(Head, Vec<u8>, Option<BodyStream>), ReadError> {
    let config = &shared.config;
    let head = read_head(reader, inbuf, config.max_header_bytes, timeout, started).await?;
    check_declared_length(&head, config.max_body_bytes)?;
    send_continue(writer, &head).await?;
    if !streaming {
        let body = read_body(reader, inbuf, &head, body_limits(config, timeout)).await?;
        return Ok((head, body, None));
    }
    let declared = match head.framing {
        BodyFraming::Length(0) => return Ok((head, Vec::new(), None)),
        BodyFraming::Length(n) => Some(n),
        BodyFraming::Chunked => None,
    };
    Ok((head, Vec::new(), Some(BodyStream::new(declared))))
}

/// What the connection saw while its request ran.
#[derive(Default)]
struct Watch {
    /// The client went away.
    vanished: bool,
    /// The body broke off.
    body_failed: bool,
}

impl Watch {
    /// Takes in what [`follow`] saw; a client gone is told to the handler at
    /// once, not when the request ends.
    fn saw(&mut self, followed: Followed, closing: &mut Closing<'_>) {
        match followed {
            Followed::Gone => {
                self.vanished = true;
                closing.now();
            }
            Followed::BodyFailed => self.body_failed = true,
            Followed::AheadOfTheResponse => {}
        }
    }
}

/// What [`follow_apart`] hands back.
type HandedBack = (OwnedReadHalf, InBuf, Option<Followed>);

/// [`follow`] on a task of its own (owning the connection's read side),
/// until it ends or `stop` fires; hands the read side back.
async fn follow_apart(
    mut reader: OwnedReadHalf,
    mut inbuf: InBuf,
    framing: BodyFraming,
    limits: BodyLimits,
    stream: BodyStream,
    stop: oneshot::Receiver<()>,
) -> HandedBack {
    let followed = tokio::select! {
        biased;
        _ = stop => None,
        followed = follow(&mut reader, &mut inbuf, framing, limits, Some(&stream)) => Some(followed),
    };
    (reader, inbuf, followed)
}

/// What [`follow`] saw.
enum Followed {
    /// The client went away.
    Gone,
    /// The body broke off (malformed, too large or stalled): the handler's
    /// reads fail.
    BodyFailed,
    /// The client sent the next request ahead of this response.
    AheadOfTheResponse,
}

/// Follows a connection while its request runs: fills the request's body
/// stream (if any) as the body arrives, then watches for the client going
/// away.
async fn follow(
    reader: &mut OwnedReadHalf,
    inbuf: &mut InBuf,
    framing: BodyFraming,
    limits: BodyLimits,
    stream: Option<&BodyStream>,
) -> Followed {
    if let Some(stream) = stream {
        match feed_body(reader, inbuf, framing, limits, stream).await {
            Ok(()) => stream.finish(Ok(())),
            Err(ReadError::Reject(reject)) => {
                let kind = if reject.status == 408 {
                    io::ErrorKind::TimedOut
                } else {
                    io::ErrorKind::InvalidData
                };
                stream.finish(Err(kind));
                return Followed::BodyFailed;
            }
            Err(ReadError::Closed | ReadError::IdleTimeout | ReadError::Vanished) => {
                stream.finish(Err(io::ErrorKind::ConnectionAborted));
                return Followed::Gone;
            }
        }
    }
    if client_gone(reader, inbuf, limits.max_trailer_bytes).await {
        Followed::Gone
    } else {
        Followed::AheadOfTheResponse
    }
}

/// Watches a connection while its request runs: `true` once the client has
/// gone (end of stream or an error); `false` when it sends more than `limit`
/// bytes ahead (a pipelined request), which are kept for later.
async fn client_gone(reader: &mut OwnedReadHalf, inbuf: &mut InBuf, limit: usize) -> bool {
    loop {
        let held = inbuf.data().len();
        if held >= limit {
            return false;
        }
        match inbuf.fill(reader, limit, None).await {
            Ok(0) | Err(_) => return true,
            Ok(_) => {}
        }
    }
}

/// Runs `future` to its end; whether it panicked (it is not polled again then).
async fn caught<F: Future<Output = ()>>(future: F) -> bool {
    let mut future = pin!(future);
    poll_fn(
        |cx| match catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(cx))) {
            Ok(Poll::Ready(())) => Poll::Ready(false),
            Ok(Poll::Pending) => Poll::Pending,
            Err(_) => Poll::Ready(true),
        },
    )
    .await
}

/// Sends the error response of `reject` with `Connection: close`, logs it, and
/// closes the connection gracefully.
async fn refuse(
    shared: &Shared,
    reader: OwnedReadHalf,
    mut writer: OwnedWriteHalf,
    reject: Reject,
    remote_addr: SocketAddr,
    started: Instant,
) {
    let (bytes, body_len) = error_response(reject.status, &reject.detail);
    let sent = writer.write_all(&bytes).await;
    log_request(
        shared,
        RequestLog {
            remote_addr,
            method: reject.method,
            target: String::from_utf8_lossy(&reject.target).into_owned(),
            status: reject.status,
            body_bytes: if sent.is_ok() { body_len } else { 0 },
            fate: ConnectionFate::Closed,
            elapsed: started.elapsed(),
        },
    );
    if sent.is_ok() {
        linger_close(shared, reader, writer).await;
    }
}

/// Shuts the sending side (FIN), then reads and drops what the client still sends,
/// until it closes its side, [`LINGER`] passes, or the server shuts down.
pub(crate) async fn linger_close(
    shared: &Shared,
    mut reader: OwnedReadHalf,
    mut writer: OwnedWriteHalf,
) {
    let _ = writer.shutdown().await;
    let linger = Some(shared.config.read_timeout)
        .filter(|t| !t.is_zero())
        .map_or(LINGER, |t| t.min(LINGER));
    let drain = async {
        let mut scratch = vec![0u8; 8 * 1024];
        loop {
            match reader.read(&mut scratch).await {
                Ok(0) => return,
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return,
            }
        }
    };
    tokio::select! {
        () = drain => {}
        () = tokio::time::sleep(linger) => {}
        () = shared.shutdown_started() => {}
    }
}

/// A complete plain-text error response with `Connection: close`, and its body length.
pub(crate) fn error_response(status: u16, detail: &str) -> (Vec<u8>, u64) {
    let reason = http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error");
    let body = format!("{status} {reason}: {detail}\n");
    let mut bytes = format!(
        "HTTP/1.1 {status} {reason}\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         Content-Length: {}\r\n\
         Connection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    bytes.extend_from_slice(body.as_bytes());
    (bytes, body.len() as u64)
}

/// Emits the request log line: `log::info!` and the configured hook.
pub(crate) fn log_request(shared: &Shared, line: RequestLog) {
    log::info!(target: "iis_host::http", "{line}");
    if let Some(hook) = &shared.config.on_request {
        hook(&line);
    }
}
