//! One connection's life on its own thread: read a request, run the handler, apply
//! the fate, repeat while kept alive; refuse bad requests and close gracefully.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use super::body::{check_declared_length, read_body};
use super::head::read_head;
use super::input::{InBuf, ReadError, Reject};
use super::sink::ConnectionSink;
use super::state::Shared;
use super::{ConnectionFate, Request, RequestLog};

/// The longest a closing connection keeps reading (and dropping) what the client still
/// sends, so that closing does not turn into an RST that destroys the response.
const LINGER: Duration = Duration::from_secs(2);

/// Serves connection `id` until it closes.
pub(crate) fn serve(shared: &Shared, id: u64, stream: TcpStream) {
    let (Ok(remote_addr), Ok(local_addr)) = (stream.peer_addr(), stream.local_addr()) else {
        return;
    };
    let config = &shared.config;
    let timeout = Some(config.read_timeout).filter(|t| !t.is_zero());
    let configured = stream
        .set_nodelay(true)
        .and_then(|()| stream.set_read_timeout(timeout))
        .and_then(|()| stream.set_write_timeout(timeout));
    if let Err(e) = configured {
        log::debug!("connection {id} from {remote_addr}: {e}");
        return;
    }
    let mut stream = stream;
    let mut inbuf = InBuf::new();
    let mut served = 0usize;
    loop {
        if !shared.set_waker(id, &stream) {
            return;
        }
        let mut started = None;
        let received = read_head(
            &mut stream,
            &mut inbuf,
            config.max_header_bytes,
            timeout,
            &mut started,
        )
        .and_then(|head| {
            check_declared_length(&head, config.max_body_bytes)?;
            let body = read_body(
                &mut stream,
                &mut inbuf,
                &head,
                config.max_body_bytes,
                config.max_header_bytes,
            )?;
            Ok((head, body))
        });
        let (head, body) = match received {
            Ok(received) => received,
            Err(ReadError::Reject(reject)) => {
                let started = started.unwrap_or_else(Instant::now);
                refuse(shared, id, stream, reject, remote_addr, started);
                return;
            }
            Err(ReadError::Closed | ReadError::IdleTimeout | ReadError::Vanished) => return,
        };

        shared.clear_waker(id);
        served += 1;
        let keep_alive = head.keep_alive && served < config.keep_alive_max_requests;
        let request = Request {
            method: head.method,
            target: head.target,
            version: head.version,
            headers: head.headers,
            body,
            remote_addr,
            local_addr,
        };
        let method = request.method.clone();
        let target = String::from_utf8_lossy(&request.target).into_owned();
        let mut sink = ConnectionSink::new(
            stream,
            request.version,
            request.method == http::Method::HEAD,
            keep_alive,
            &shared.shutting_down,
        );
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            shared.handler.handle(request, &mut sink);
        }));
        if outcome.is_err() {
            log::error!("handler panicked on {method} {target}");
        }
        let fate = sink.complete(outcome.is_err());
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
        match (fate, sink.into_stream()) {
            (ConnectionFate::KeptAlive, Some(kept)) => stream = kept,
            (ConnectionFate::Closed, Some(closing)) => {
                linger_close(shared, id, closing);
                return;
            }
            _ => return,
        }
    }
}

/// Sends the error response of `reject` with `Connection: close`, logs it, and
/// closes the connection gracefully.
fn refuse(
    shared: &Shared,
    id: u64,
    mut stream: TcpStream,
    reject: Reject,
    remote_addr: SocketAddr,
    started: Instant,
) {
    let (bytes, body_len) = error_response(reject.status, &reject.detail);
    let sent = stream.write_all(&bytes);
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
        linger_close(shared, id, stream);
    }
}

/// Shuts the sending side (FIN), then reads and drops what the client still sends,
/// until it closes its side, [`LINGER`] passes, or the server shuts down.
fn linger_close(shared: &Shared, id: u64, mut stream: TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    if !shared.set_waker(id, &stream) {
        return;
    }
    let read_timeout = Some(shared.config.read_timeout)
        .filter(|t| !t.is_zero())
        .map_or(LINGER, |t| t.min(LINGER));
    if stream.set_read_timeout(Some(read_timeout)).is_err() {
        return;
    }
    let deadline = Instant::now() + read_timeout;
    let mut scratch = [0u8; 8 * 1024];
    loop {
        match stream.read(&mut scratch) {
            Ok(0) => return,
            Ok(_) if Instant::now() >= deadline => return,
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return,
        }
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
