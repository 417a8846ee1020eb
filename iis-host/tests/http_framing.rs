//! Request and response framing edge cases: limits, `Expect`, bodiless responses,
//! pipelining, HTTP/1.0 keep-alive, timeouts.

mod http_support;

use std::time::Duration;

use http_support::{Client, router, start, start_router};
use iis_host::http::ServerConfig;

fn limited(max_body_bytes: u64, max_header_bytes: usize) -> ServerConfig {
    ServerConfig {
        max_body_bytes,
        max_header_bytes,
        ..ServerConfig::default()
    }
}

#[test]
fn oversized_chunked_body_gets_413() {
    let server = start(limited(8, 4096), router);
    let mut client = Client::connect(server.local_addr());
    client.send(
        "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n\
         5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n",
    );
    let response = client.read_response();
    assert_eq!(response.status, 413);
    assert_eq!(response.header("connection").as_deref(), Some("close"));
    assert!(client.read_to_eof().is_empty());
}

#[test]
fn body_at_the_limit_is_accepted() {
    let server = start(limited(5, 4096), router);
    let mut client = Client::connect(server.local_addr());
    client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello");
    assert_eq!(client.read_response().text(), "hello");
}

#[test]
fn oversized_headers_get_431_and_close() {
    let server = start(limited(1024, 1024), router);
    let mut client = Client::connect(server.local_addr());
    let filler = "a".repeat(4000);
    client.send(format!(
        "GET / HTTP/1.1\r\nHost: t\r\nX-Big: {filler}\r\n\r\n"
    ));
    let response = client.read_response();
    assert_eq!(response.status, 431);
    assert_eq!(response.header("connection").as_deref(), Some("close"));
    assert!(client.read_to_eof().is_empty());
}

#[test]
fn invalid_content_length_is_400() {
    let server = start_router();
    for value in ["-1", "1x", "", "0x10", "1, 2"] {
        let mut client = Client::connect(server.local_addr());
        client.send(format!(
            "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: {value}\r\n\r\n"
        ));
        let response = client.read_response();
        assert_eq!(response.status, 400, "Content-Length: {value:?}");
        assert!(client.read_to_eof().is_empty());
    }
}

#[test]
fn unknown_transfer_coding_is_501() {
    let server = start_router();
    let mut client = Client::connect(server.local_addr());
    client.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n");
    assert_eq!(client.read_response().status, 501);
}

#[test]
fn expect_continue_gets_100_before_body() {
    let server = start_router();
    let mut client = Client::connect(server.local_addr());
    client
        .send("PUT /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
    let interim = client.read_response();
    assert_eq!(interim.status, 100);
    client.send("body");
    let response = client.read_response();
    assert_eq!(response.status, 200);
    assert_eq!(response.text(), "body");
}

#[test]
fn expect_continue_over_limit_gets_413_without_100() {
    let server = start(limited(3, 4096), router);
    let mut client = Client::connect(server.local_addr());
    client
        .send("PUT /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
    assert_eq!(client.read_response().status, 413);
    assert!(client.read_to_eof().is_empty());
}

#[test]
fn head_response_has_no_body() {
    let server = start_router();
    let mut client = Client::connect(server.local_addr());
    client.send("HEAD /stream HTTP/1.1\r\nHost: t\r\n\r\n");
    let streamed = client.read_head_response();
    assert_eq!(streamed.status, 200);
    assert_eq!(streamed.header("transfer-encoding"), None);
    client.send("HEAD /close HTTP/1.1\r\nHost: t\r\n\r\n");
    let buffered = client.read_head_response();
    assert_eq!(buffered.header("content-length").as_deref(), Some("4"));
    // The HEAD responses carried no body bytes, so what follows is clean.
    assert!(client.read_to_eof().is_empty());
}

#[test]
fn no_content_response_has_no_body() {
    let server = start_router();
    let mut client = Client::connect(server.local_addr());
    let response = client.get("/no-content");
    assert_eq!(response.status, 204);
    assert_eq!(response.header("content-length"), None);
    assert_eq!(
        client.get("/next").header("x-target").as_deref(),
        Some("/next")
    );
}

#[test]
fn pipelined_requests_are_answered_in_order() {
    let server = start_router();
    let mut client = Client::connect(server.local_addr());
    client.send(
        "POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\n\r\nA\
         GET /b HTTP/1.1\r\nHost: t\r\n\r\n\
         POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nC\r\n0\r\n\r\n",
    );
    let targets: Vec<(String, String)> = (0..3)
        .map(|_| {
            let r = client.read_response();
            (r.header("x-target").unwrap(), r.text())
        })
        .collect();
    let expected = [("/a", "A"), ("/b", ""), ("/c", "C")];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(t, b)| (t.to_string(), b.to_string()))
        .collect();
    assert_eq!(targets, expected);
}

#[test]
fn http10_keeps_alive_when_asked() {
    let server = start_router();
    let mut client = Client::connect(server.local_addr());
    for _ in 0..2 {
        client.send("GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        let response = client.read_response();
        assert_eq!(response.header("connection").as_deref(), Some("keep-alive"));
    }
    client.send("GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    let streamed = client.read_response();
    assert_eq!(
        streamed.text(),
        "hello world",
        "close-delimited for HTTP/1.0"
    );
    assert_eq!(streamed.header("connection").as_deref(), Some("close"));
}

#[test]
fn client_connection_close_is_honoured() {
    let server = start_router();
    let mut client = Client::connect(server.local_addr());
    client.send("GET /bye HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    let response = client.read_response();
    assert_eq!(response.header("connection").as_deref(), Some("close"));
    assert!(client.read_to_eof().is_empty());
}

#[test]
fn last_request_allowed_on_a_connection_closes_it() {
    let config = ServerConfig {
        keep_alive_max_requests: 2,
        ..ServerConfig::default()
    };
    let server = start(config, router);
    let mut client = Client::connect(server.local_addr());
    assert_eq!(client.get("/1").header("connection"), None);
    assert_eq!(
        client.get("/2").header("connection").as_deref(),
        Some("close")
    );
    assert!(client.read_to_eof().is_empty());
}

#[test]
fn stalled_request_gets_408() {
    let config = ServerConfig {
        read_timeout: Duration::from_millis(200),
        ..ServerConfig::default()
    };
    let server = start(config, router);
    let mut client = Client::connect(server.local_addr());
    client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc");
    let response = client.read_response();
    assert_eq!(response.status, 408);
    assert!(client.read_to_eof().is_empty());
}

#[test]
fn idle_connection_closes_after_read_timeout() {
    let config = ServerConfig {
        read_timeout: Duration::from_millis(200),
        ..ServerConfig::default()
    };
    let server = start(config, router);
    let mut client = Client::connect(server.local_addr());
    assert_eq!(client.get("/").status, 200);
    assert!(client.sees_close());
}

/// HTTP.sys answers these itself, before IIS (and any module) sees them.
#[test]
fn requests_http_sys_refuses_get_400_and_close() {
    let server = start_router();
    for (request, detail) in [
        ("GET / HTTP/1.1\r\n\r\n", "Invalid Hostname"),
        (
            "GET / HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n",
            "Invalid Hostname",
        ),
        ("GET / HTTP/1.1\r\nHost: [\r\n\r\n", "Invalid Hostname"),
        (
            "CONNECT a.example:443 HTTP/1.1\r\nHost: a.example\r\n\r\n",
            "Invalid URL",
        ),
        (
            "GET a.example:443 HTTP/1.1\r\nHost: a.example\r\n\r\n",
            "Invalid URL",
        ),
        ("GET * HTTP/1.1\r\nHost: a.example\r\n\r\n", "Invalid URL"),
        ("GET abc HTTP/1.1\r\nHost: a.example\r\n\r\n", "Invalid URL"),
    ] {
        let mut client = Client::connect(server.local_addr());
        client.send(request);
        let response = client.read_response();
        assert_eq!(response.status, 400, "{request:?}");
        assert!(
            response.text().contains(detail),
            "{request:?}: {}",
            response.text()
        );
        assert_eq!(response.header("connection").as_deref(), Some("close"));
    }
}

#[test]
fn ten_thousand_header_fields_exceed_the_default_head_limit() {
    let server = start(ServerConfig::default(), router);
    let mut client = Client::connect(server.local_addr());
    client.send(format!(
        "GET / HTTP/1.1\r\nHost: t\r\n{}\r\n",
        "a: b\r\n".repeat(10_000)
    ));
    assert_eq!(client.read_response().status, 431);
}
