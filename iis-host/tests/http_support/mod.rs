//! Shared pieces of the `http_*` integration tests: a raw TCP client that parses
//! responses, a router handler, and a server starter.

#![allow(dead_code)]

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use iis_host::http::{
    ConnectionFate, Handler, Request, ResponseHead, ResponseSink, Server, ServerConfig,
    ServerHandle,
};

/// A guard against hanging forever when a test fails: no test waits on it.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(20);

/// Starts a server on a free loopback port.
pub fn start(config: ServerConfig, handler: impl Handler) -> ServerHandle {
    Server::bind("127.0.0.1:0", config, Arc::new(handler))
        .expect("bind")
        .spawn()
        .expect("spawn")
}

/// Starts a server running [`router`] with the default configuration.
pub fn start_router() -> ServerHandle {
    start(ServerConfig::default(), router)
}

/// A response as the client received it.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Vec<u8>,
    /// The exact bytes of the response on the wire.
    pub raw: Vec<u8>,
}

impl Response {
    /// The first header named `name` (case-insensitive), as text.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A raw HTTP/1.1 client on one TCP connection.
#[derive(Debug)]
pub struct Client {
    pub stream: TcpStream,
    buf: Vec<u8>,
}

impl Client {
    pub fn connect(addr: SocketAddr) -> Client {
        let stream = TcpStream::connect(addr).expect("connect");
        stream.set_read_timeout(Some(CLIENT_TIMEOUT)).unwrap();
        stream.set_write_timeout(Some(CLIENT_TIMEOUT)).unwrap();
        Client {
            stream,
            buf: Vec::new(),
        }
    }

    pub fn send(&mut self, bytes: impl AsRef<[u8]>) {
        self.stream.write_all(bytes.as_ref()).expect("send");
    }

    /// Sends `GET target` (HTTP/1.1) and reads the response.
    pub fn get(&mut self, target: &str) -> Response {
        self.send(format!("GET {target} HTTP/1.1\r\nHost: test\r\n\r\n"));
        self.read_response()
    }

    /// Reads more bytes into the buffer; `0` at end of stream.
    fn fill(&mut self) -> usize {
        let mut chunk = [0u8; 8192];
        let n = self.stream.read(&mut chunk).expect("read");
        self.buf.extend_from_slice(&chunk[..n]);
        n
    }

    fn fill_or_panic(&mut self, what: &str) {
        if self.fill() == 0 {
            panic!(
                "end of stream while reading {what}; got {:?}",
                String::from_utf8_lossy(&self.buf)
            );
        }
    }

    /// Reads one response (the body per its framing).
    pub fn read_response(&mut self) -> Response {
        self.read(false)
    }

    /// Reads the response to a HEAD request (never a body).
    pub fn read_head_response(&mut self) -> Response {
        self.read(true)
    }

    fn read(&mut self, head_request: bool) -> Response {
        let (status, headers, head_len) = loop {
            let mut slots = [httparse::EMPTY_HEADER; 64];
            let mut response = httparse::Response::new(&mut slots);
            match response.parse(&self.buf).expect("a valid response head") {
                httparse::Status::Complete(len) => {
                    let headers: Vec<(String, Vec<u8>)> = response
                        .headers
                        .iter()
                        .map(|h| (h.name.to_owned(), h.value.to_vec()))
                        .collect();
                    break (response.code.unwrap(), headers, len);
                }
                httparse::Status::Partial => self.fill_or_panic("a response head"),
            }
        };
        let find = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
        };
        let mut end = head_len;
        let mut body = Vec::new();
        if head_request || status < 200 || status == 204 || status == 304 {
            // no body
        } else if find("transfer-encoding").is_some_and(|te| te.eq_ignore_ascii_case("chunked")) {
            loop {
                let line_end = loop {
                    if let Some(i) = self.buf[end..].windows(2).position(|w| w == b"\r\n") {
                        break end + i;
                    }
                    self.fill_or_panic("a chunk size");
                };
                let line = std::str::from_utf8(&self.buf[end..line_end]).unwrap();
                let size = usize::from_str_radix(line.split(';').next().unwrap().trim(), 16)
                    .expect("chunk size");
                end = line_end + 2;
                while self.buf.len() < end + size + 2 {
                    self.fill_or_panic("a chunk");
                }
                if size == 0 {
                    assert_eq!(&self.buf[end..end + 2], b"\r\n", "no trailers expected");
                    end += 2;
                    break;
                }
                body.extend_from_slice(&self.buf[end..end + size]);
                assert_eq!(&self.buf[end + size..end + size + 2], b"\r\n");
                end += size + 2;
            }
        } else if let Some(length) = find("content-length") {
            let length: usize = length.trim().parse().unwrap();
            while self.buf.len() < end + length {
                self.fill_or_panic("a body");
            }
            body.extend_from_slice(&self.buf[end..end + length]);
            end += length;
        } else {
            while self.fill() > 0 {}
            body.extend_from_slice(&self.buf[end..]);
            end = self.buf.len();
        }
        let raw: Vec<u8> = self.buf.drain(..end).collect();
        Response {
            status,
            headers,
            body,
            raw,
        }
    }

    /// Reads until end of stream and returns the bytes after the last response read.
    pub fn read_to_eof(&mut self) -> Vec<u8> {
        while self.fill() > 0 {}
        std::mem::take(&mut self.buf)
    }

    /// Whether the server closed the connection: end of stream (or a reset) with no
    /// further bytes.
    pub fn sees_close(&mut self) -> bool {
        let mut chunk = [0u8; 1024];
        match self.stream.read(&mut chunk) {
            Ok(0) => self.buf.is_empty(),
            Ok(_) => false,
            Err(e) => e.kind() == ErrorKind::ConnectionReset && self.buf.is_empty(),
        }
    }
}

/// A handler whose behaviour depends on the request target:
///
/// * `/stream`: streamed (`None` length) body `hello world` in two writes, kept alive.
/// * `/close`: body `done`, fate `Closed`.
/// * `/reset`: head promising 100 bytes, body `partial`, fate `Reset`.
/// * `/reset-early`: head, then `Reset` with no body.
/// * `/no-content`: `204`.
/// * `/no-finish`: head and body `unfinished`, returns without `finish`.
/// * `/no-head`: returns without touching the sink.
/// * `/panic`: panics before sending anything.
/// * `/headers`: body lists the request headers, `name: value` per line, in order.
/// * `/addr`: body is `remote local`.
/// * anything else: echoes the body, with `X-Method`, `X-Target`, `X-Version`.
pub fn router(request: Request, sink: &mut dyn ResponseSink) {
    let target = String::from_utf8_lossy(&request.target).into_owned();
    let ok = ResponseHead::new(200);
    match target.as_str() {
        "/stream" => {
            sink.send_head(&ok, None).unwrap();
            sink.send_body(b"hello ").unwrap();
            sink.send_body(b"world").unwrap();
            sink.finish(ConnectionFate::KeptAlive).unwrap();
        }
        "/close" => {
            sink.send_head(&ok, Some(4)).unwrap();
            sink.send_body(b"done").unwrap();
            sink.finish(ConnectionFate::Closed).unwrap();
        }
        "/reset" => {
            sink.send_head(&ok, Some(100)).unwrap();
            sink.send_body(b"partial").unwrap();
            sink.finish(ConnectionFate::Reset).unwrap();
        }
        "/reset-early" => {
            sink.send_head(&ok, Some(5)).unwrap();
            sink.finish(ConnectionFate::Reset).unwrap();
        }
        "/no-content" => {
            sink.send_head(&ResponseHead::new(204), Some(0)).unwrap();
            sink.send_body(b"dropped").unwrap();
            sink.finish(ConnectionFate::KeptAlive).unwrap();
        }
        "/no-finish" => {
            sink.send_head(&ok, Some(10)).unwrap();
            sink.send_body(b"unfinished").unwrap();
        }
        "/no-head" => {}
        "/panic" => panic!("the handler panics (expected by the test)"),
        "/headers" => {
            let mut body = Vec::new();
            for (name, value) in &request.headers {
                body.extend_from_slice(name.as_bytes());
                body.extend_from_slice(b": ");
                body.extend_from_slice(value);
                body.push(b'\n');
            }
            respond(sink, ok, &body);
        }
        "/addr" => {
            let body = format!("{} {}", request.remote_addr, request.local_addr);
            respond(sink, ok, body.as_bytes());
        }
        _ => {
            let head = ok
                .with_header("X-Method", request.method.as_str())
                .with_header("X-Target", request.target.clone())
                .with_header("X-Version", format!("{:?}", request.version));
            respond(sink, head, &request.body);
        }
    }
}

/// Sends a buffered response and keeps the connection alive.
pub fn respond(sink: &mut dyn ResponseSink, head: ResponseHead, body: &[u8]) {
    sink.send_head(&head, Some(body.len() as u64)).unwrap();
    sink.send_body(body).unwrap();
    sink.finish(ConnectionFate::KeptAlive).unwrap();
}
