//! Acceptance tests of the HTTP/1.1 connection layer over real loopback sockets.

mod http_support;

use std::io::{ErrorKind, Read};
use std::time::{Duration, Instant};

use http_support::{Client, router, start, start_router};
use iis_host::http::ServerConfig;

#[test]
fn keep_alive_reuses_connection() {
    let server = start_router();
    let mut client = Client::connect(server.local_addr());
    let first = client.get("/one");
    let second = client.get("/two");
    assert_eq!((first.status, second.status), (200, 200));
    assert_eq!(first.header("x-target").as_deref(), Some("/one"));
    assert_eq!(second.header("x-target").as_deref(), Some("/two"));
    assert_eq!(first.header("connection"), None);
    assert_eq!(server.active_connections(), 1);
}

#[test]
fn chunked_request_body_is_dechunked() {
    let server = start_router();
    let mut client = Client::connect(server.local_addr());
    client.send(
        "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n\
         5\r\nhello\r\n7;ext=x\r\n, world\r\n0\r\nX-Trailer: ignored\r\n\r\n",
    );
    let response = client.read_response();
    assert_eq!(response.status, 200);
    assert_eq!(response.text(), "hello, world");
    assert_eq!(client.get("/after").status, 200, "connection still usable");
}

#[test]
fn content_length_body_read() {
    let server = start_router();
    let mut client = Client::connect(server.local_addr());
    client.send("PUT /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello");
    client.send(" world");
    let response = client.read_response();
    assert_eq!(response.status, 200);
    assert_eq!(response.header("x-method").as_deref(), Some("PUT"));
    assert_eq!(response.header("content-length").as_deref(), Some("11"));
    assert_eq!(response.text(), "hello world");
}

#[test]
fn malformed_request_gets_400_and_close() {
    let server = start_router();
    let mut client = Client::connect(server.local_addr());
    client.send("GARBAGE\r\n\r\n");
    let response = client.read_response();
    assert_eq!(response.status, 400);
    assert_eq!(response.header("connection").as_deref(), Some("close"));
    assert!(client.read_to_eof().is_empty());
}

#[test]
fn oversized_body_gets_413() {
    let config = ServerConfig {
        max_body_bytes: 1024,
        ..ServerConfig::default()
    };
    let server = start(config, router);
    let mut client = Client::connect(server.local_addr());
    // The body is never sent: the limit is applied to the declared length up front.
    client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000000\r\n\r\n");
    let response = client.read_response();
    assert_eq!(response.status, 413);
    assert_eq!(response.header("connection").as_deref(), Some("close"));
    assert!(client.read_to_eof().is_empty());
}

#[test]
fn both_length_and_chunked_is_400() {
    let server = start_router();
    let mut client = Client::connect(server.local_addr());
    client.send(
        "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\
         Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    );
    let response = client.read_response();
    assert_eq!(response.status, 400);
    assert_eq!(response.header("connection").as_deref(), Some("close"));
    assert!(client.read_to_eof().is_empty());
}

#[test]
fn reset_fate_sends_rst() {
    let server = start_router();
    let expected = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial";
    for (target, sent) in [("/reset", &expected[..]), ("/reset-early", &b""[..])] {
        let mut client = Client::connect(server.local_addr());
        client.send(format!("GET {target} HTTP/1.1\r\nHost: t\r\n\r\n"));
        let mut received = Vec::new();
        let mut chunk = [0u8; 1024];
        let error = loop {
            match client.stream.read(&mut chunk) {
                Ok(0) => panic!("{target}: end of stream instead of a reset"),
                Ok(n) => received.extend_from_slice(&chunk[..n]),
                Err(e) => break e,
            }
        };
        assert_eq!(error.kind(), ErrorKind::ConnectionReset, "{target}");
        assert!(
            sent.starts_with(&received),
            "{target}: received bytes the handler did not send: {:?}",
            String::from_utf8_lossy(&received)
        );
    }
}

#[test]
fn closed_fate_sends_eof_after_body() {
    let server = start_router();
    let mut client = Client::connect(server.local_addr());
    let response = client.get("/close");
    assert_eq!(response.status, 200);
    assert_eq!(response.text(), "done");
    assert!(client.read_to_eof().is_empty(), "EOF right after the body");
}

#[test]
fn streamed_response_uses_chunked_encoding() {
    let server = start_router();
    let mut client = Client::connect(server.local_addr());
    let response = client.get("/stream");
    assert_eq!(
        response.header("transfer-encoding").as_deref(),
        Some("chunked")
    );
    assert_eq!(response.header("content-length"), None);
    assert!(
        response
            .raw
            .ends_with(b"\r\n\r\n6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n"),
        "{:?}",
        String::from_utf8_lossy(&response.raw)
    );
    assert_eq!(client.get("/after").status, 200, "connection kept alive");
}

#[test]
fn http10_closes_by_default() {
    let server = start_router();
    let mut client = Client::connect(server.local_addr());
    client.send("GET /old HTTP/1.0\r\n\r\n");
    let response = client.read_response();
    assert_eq!(response.status, 200);
    assert_eq!(response.header("x-version").as_deref(), Some("HTTP/1.0"));
    assert_eq!(response.header("connection").as_deref(), Some("close"));
    assert!(client.read_to_eof().is_empty());
}

#[test]
fn slow_client_does_not_block_others() {
    let server = start_router();
    let mut slow = Client::connect(server.local_addr());
    slow.send("GET /sl");
    let mut fast = Client::connect(server.local_addr());
    for i in 0..3 {
        let response = fast.get(&format!("/fast{i}"));
        assert_eq!(response.status, 200);
    }
    // The slow client is still being served once it completes its request.
    slow.send("ow HTTP/1.1\r\nHost: t\r\n\r\n");
    let response = slow.read_response();
    assert_eq!(response.header("x-target").as_deref(), Some("/slow"));
}

#[test]
fn shutdown_returns_promptly() {
    let config = ServerConfig {
        read_timeout: Duration::from_secs(120),
        ..ServerConfig::default()
    };
    let server = start(config, router);
    let addr = server.local_addr();
    let mut idle = Client::connect(addr);
    assert_eq!(idle.get("/").status, 200);
    let mut partial = Client::connect(addr);
    partial.send("GET /never-finished");

    let started = Instant::now();
    server.shutdown();
    server.join().unwrap();
    let elapsed = started.elapsed();
    // Far below the read timeout: shutdown does not wait for idle or stalled clients.
    assert!(
        elapsed < Duration::from_secs(10),
        "shutdown took {elapsed:?}"
    );
    assert!(idle.sees_close());
    assert!(partial.sees_close());
}
