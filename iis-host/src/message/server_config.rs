//! [`ServerConfig`] and the per-request log line, [`RequestLog`].

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use super::ConnectionFate;

/// Called once per response with its log line.
pub type RequestLogHook = Arc<dyn Fn(&RequestLog) + Send + Sync>;

/// Limits and hooks of a [`Server`](crate::http::Server).
///
/// ```
/// use iis_host::http::ServerConfig;
/// let config = ServerConfig { max_body_bytes: 1 << 20, ..ServerConfig::default() };
/// assert_eq!(config.max_header_bytes, 16 * 1024);
/// ```
#[derive(Clone)]
pub struct ServerConfig {
    /// The largest request body accepted (by `Content-Length` or de-chunked): a
    /// larger declared length gets `413` and the connection is closed; a chunked
    /// body that grows past it fails the handler's reads. The pipeline streams
    /// bodies, so this bounds no memory there; a handler that takes bodies whole
    /// holds up to this much per request. Default: 30,000,000 bytes, IIS request
    /// filtering's `maxAllowedContentLength`.
    pub max_body_bytes: u64,
    /// The largest request head (request line and headers, also the bound on chunked
    /// trailers); larger ones get `431` and the connection is closed. Default:
    /// 16 KiB, HTTP.sys's `MaxRequestBytes` default, which also bounds the
    /// number of header fields (HTTP.sys sets no separate count limit).
    pub max_header_bytes: usize,
    /// The most connections open at once (idle keep-alive connections count;
    /// each is a task, not a thread). A connection accepted beyond it gets
    /// `503` with `Connection: close` at once, from the accept loop. Default:
    /// 10,000: HTTP.sys sets no small cap, so hundreds of slow clients lock
    /// nobody out; this one keeps within a usual per-process descriptor limit.
    pub max_connections: usize,
    /// HTTP.sys's timers in one: how long a connection may stay idle between
    /// requests (`IdleConnection`), how long a request head may take from its
    /// first byte (`HeaderWait`; slow clients get `408`), how long a request
    /// body may stall between two arrivals (`EntityBody`; `408`), and how
    /// long a response write may make no progress (the connection is then
    /// dropped). `Duration::ZERO` means no timeout. Default: 120 s, HTTP.sys's.
    pub read_timeout: Duration,
    /// The most requests served on one connection; the last response carries
    /// `Connection: close` (`0` behaves as `1`). Default: 1000.
    pub keep_alive_max_requests: usize,
    /// Called after each response (also the `4xx` the connection layer sends itself),
    /// in addition to the `log::info!` line.
    pub on_request: Option<RequestLogHook>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            max_body_bytes: 30_000_000,
            max_header_bytes: 16 * 1024,
            max_connections: 10_000,
            read_timeout: Duration::from_secs(120),
            keep_alive_max_requests: 1000,
            on_request: None,
        }
    }
}

impl fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerConfig")
            .field("max_body_bytes", &self.max_body_bytes)
            .field("max_header_bytes", &self.max_header_bytes)
            .field("max_connections", &self.max_connections)
            .field("read_timeout", &self.read_timeout)
            .field("keep_alive_max_requests", &self.keep_alive_max_requests)
            .field(
                "on_request",
                &self.on_request.as_ref().map(|_| "Fn(&RequestLog)"),
            )
            .finish()
    }
}

/// One line of the request log, produced after each response.
///
/// Its `Display` is the line itself, e.g. `GET /x 200 123B kept-alive 0.4ms`
/// (`-` stands for a method or target that could not be parsed).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestLog {
    /// The client's address.
    pub remote_addr: SocketAddr,
    /// The request method, `None` when the request line could not be parsed.
    pub method: Option<http::Method>,
    /// The request-target (lossily decoded as UTF-8), empty when unknown.
    pub target: String,
    /// The response status (`0` if no response head was sent).
    pub status: u16,
    /// Entity-body bytes sent (excluding chunk framing; `0` for `HEAD`).
    pub body_bytes: u64,
    /// How the connection ended after the response.
    pub fate: ConnectionFate,
    /// Time from the first byte of the request to the end of the response.
    pub elapsed: Duration,
}

impl fmt::Display for RequestLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.method {
            Some(method) => write!(f, "{method} ")?,
            None => f.write_str("- ")?,
        }
        let target = if self.target.is_empty() {
            "-"
        } else {
            &self.target
        };
        write!(
            f,
            "{target} {} {}B {} {:.1}ms",
            self.status,
            self.body_bytes,
            self.fate,
            self.elapsed.as_secs_f64() * 1000.0
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_line_has_method_target_status_bytes_fate_and_time() {
        let log = RequestLog {
            remote_addr: "127.0.0.1:1".parse().unwrap(),
            method: Some(http::Method::GET),
            target: "/x".into(),
            status: 200,
            body_bytes: 123,
            fate: ConnectionFate::KeptAlive,
            elapsed: Duration::from_micros(400),
        };
        assert_eq!(log.to_string(), "GET /x 200 123B kept-alive 0.4ms");
        let unknown = RequestLog {
            method: None,
            target: String::new(),
            status: 400,
            fate: ConnectionFate::Closed,
            ..log
        };
        assert_eq!(unknown.to_string(), "- - 400 123B closed 0.4ms");
    }
}
