//! The pipeline over real HTTP/1.1 on loopback: keep-alive reuse with a
//! module, and what the connection layer answers itself (413, 400).

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use iis_host::http::ServerConfig;
use iis_host::{Host, HostConfig};
use iis_sys::*;
use support::{Counters, Script, calls};

static HELLO_COUNTERS: Counters = Counters::new();
static HELLO: Script = Script {
    on_request: |call| {
        let port = calls::server_variable(call.context, c"REMOTE_PORT").unwrap_or_default();
        calls::set_header(call.context, HttpHeaderContentType, "text/plain");
        calls::write(call.context, format!("hello from port {port}").as_bytes());
        RQ_NOTIFICATION_CONTINUE
    },
    ..Script::new(RQ_EXECUTE_REQUEST_HANDLER, 0, &HELLO_COUNTERS)
};
module!(register_hello, HELLO);

/// One response: status line, headers (lowercase names), body.
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

fn read_response(reader: &mut BufReader<TcpStream>) -> Response {
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let status = line.split(' ').nth(1).unwrap().parse().unwrap();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').unwrap();
        headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
    }
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map_or(0, |(_, v)| v.parse().unwrap());
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    Response {
        status,
        headers,
        body,
    }
}

fn connect(addr: std::net::SocketAddr) -> (TcpStream, BufReader<TcpStream>) {
    let stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let reader = BufReader::new(stream.try_clone().unwrap());
    (stream, reader)
}

#[test]
fn keep_alive_connection_is_reused_with_a_module() {
    let host = Arc::new(
        Host::builder()
            .module_fn("hello", register_hello)
            .build()
            .unwrap(),
    );
    let server = host.serve("127.0.0.1:0").unwrap();
    let (mut stream, mut reader) = connect(server.local_addr());
    let local_port = stream.local_addr().unwrap().port();
    for _ in 0..3 {
        stream
            .write_all(b"GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .unwrap();
        let response = read_response(&mut reader);
        assert_eq!(response.status, 200);
        assert_eq!(response.header("content-type"), Some("text/plain"));
        assert_eq!(response.header("server"), Some("Microsoft-IIS/10.0"));
        assert_eq!(
            response.body,
            format!("hello from port {local_port}").into_bytes()
        );
        assert_eq!(response.header("connection"), None);
    }
    drop(stream);
    server.shutdown().unwrap();
    let stats = host.stats();
    assert_eq!(
        (
            stats.requests,
            stats.instances_created,
            stats.instances_disposed
        ),
        (3, 3, 3)
    );
}

#[test]
fn oversized_body_gets_413_and_malformed_request_gets_400() {
    let config = HostConfig {
        server: ServerConfig {
            max_body_bytes: 16,
            ..ServerConfig::default()
        },
        ..HostConfig::default()
    };
    let host = Arc::new(
        Host::builder()
            .module_fn("hello", register_hello)
            .config(config)
            .build()
            .unwrap(),
    );
    let server = host.serve("127.0.0.1:0").unwrap();

    let (mut stream, mut reader) = connect(server.local_addr());
    stream
        .write_all(b"POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n")
        .unwrap();
    assert_eq!(read_response(&mut reader).status, 413);

    let (mut stream, mut reader) = connect(server.local_addr());
    stream.write_all(b"NOT A REQUEST\r\n\r\n").unwrap();
    assert_eq!(read_response(&mut reader).status, 400);

    server.shutdown().unwrap();
    // Neither reached the pipeline.
    assert_eq!(host.stats().requests, 0);
}

static CONNECTION_CLEANUPS: AtomicUsize = AtomicUsize::new(0);
static SESSION_COUNTERS: Counters = Counters::new();
static SESSION: Script = Script {
    on_request: |call| {
        let container = calls::connection_container(call.context);
        let text = if support::has_context(container, 9) {
            "existing"
        } else {
            let _ = support::store(container, 9, &CONNECTION_CLEANUPS);
            "new"
        };
        calls::write(call.context, text.as_bytes());
        RQ_NOTIFICATION_CONTINUE
    },
    ..Script::new(RQ_EXECUTE_REQUEST_HANDLER, 0, &SESSION_COUNTERS)
};
module!(register_session, SESSION);

#[test]
fn connection_contexts_live_as_long_as_the_connection() {
    let host = Arc::new(
        Host::builder()
            .module_fn("session", register_session)
            .build()
            .unwrap(),
    );
    let server = host.serve("127.0.0.1:0").unwrap();
    let (mut stream, mut reader) = connect(server.local_addr());
    let mut bodies = Vec::new();
    for close in ["", "", "Connection: close\r\n"] {
        stream
            .write_all(format!("GET / HTTP/1.1\r\nHost: localhost\r\n{close}\r\n").as_bytes())
            .unwrap();
        bodies.push(String::from_utf8(read_response(&mut reader).body).unwrap());
    }
    assert_eq!(bodies, ["new", "existing", "existing"]);
    let (mut stream, mut reader) = connect(server.local_addr());
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .unwrap();
    assert_eq!(read_response(&mut reader).body, b"new");
    drop(stream);
    // Joins the connections: every request has ended. The first connection's
    // last response closed it, so its context is cleaned up (the second one's
    // too if the shutdown turned its keep-alive into a close).
    server.shutdown().unwrap();
    assert!(CONNECTION_CLEANUPS.load(Ordering::SeqCst) >= 1);
    host.shutdown();
    // The kept-alive second connection ends with the host.
    assert_eq!(CONNECTION_CLEANUPS.load(Ordering::SeqCst), 2);
}
