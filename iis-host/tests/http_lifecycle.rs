//! Server and handler lifecycle: the connection limit, shutdown with a request in
//! flight, vanishing clients, handlers that break the contract, the request log.

mod http_support;

use std::io::ErrorKind;
use std::net::Shutdown;
use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use http_support::{Client, respond, router, start, start_router};
use iis_host::http::{
    ConnectionFate, Request, RequestLog, ResponseHead, ResponseSink, ServerConfig,
};

/// How long a test waits for the server to release connections before failing.
const PATIENCE: Duration = Duration::from_secs(20);

#[test]
fn connections_beyond_the_limit_get_503() {
    let config = ServerConfig {
        max_connections: 1,
        ..ServerConfig::default()
    };
    let server = start(config, router);
    let mut first = Client::connect(server.local_addr());
    assert_eq!(first.get("/").status, 200);

    let mut second = Client::connect(server.local_addr());
    let refused = second.read_response();
    assert_eq!(refused.status, 503);
    assert_eq!(refused.header("connection").as_deref(), Some("close"));
    assert!(second.read_to_eof().is_empty());

    assert_eq!(first.get("/still-served").status, 200);
}

#[test]
fn shutdown_lets_the_request_in_flight_finish() {
    let (entered_tx, entered_rx) = channel();
    let (release_tx, release_rx) = channel::<()>();
    let release_rx = Mutex::new(release_rx);
    let server = start(
        ServerConfig::default(),
        move |_request: Request, sink: &mut dyn ResponseSink| {
            entered_tx.send(()).unwrap();
            release_rx.lock().unwrap().recv().unwrap();
            respond(sink, ResponseHead::new(200), b"late");
        },
    );
    let mut client = Client::connect(server.local_addr());
    client.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n");
    entered_rx.recv().unwrap();

    server.shutdown();
    let joiner = thread::spawn(move || server.join());
    release_tx.send(()).unwrap();

    let response = client.read_response();
    assert_eq!(response.text(), "late");
    assert_eq!(response.header("connection").as_deref(), Some("close"));
    assert!(client.read_to_eof().is_empty());
    joiner.join().unwrap().unwrap();
}

#[test]
fn shutdown_trigger_works_from_another_thread() {
    let server = start_router();
    let trigger = server.shutdown_trigger();
    assert!(!trigger.is_shutting_down());
    thread::spawn(move || trigger.shutdown()).join().unwrap();
    server.join().unwrap();
}

#[test]
fn client_vanishing_mid_request_releases_its_connection() {
    let server = start_router();
    let mut client = Client::connect(server.local_addr());
    assert_eq!(client.get("/").status, 200);
    assert_eq!(server.active_connections(), 1);
    client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nabc");
    drop(client);
    assert!(server.wait_idle(PATIENCE), "the connection thread ended");
    let mut next = Client::connect(server.local_addr());
    assert_eq!(next.get("/").status, 200);
}

#[test]
fn client_vanishing_mid_response_releases_its_connection() {
    let (entered_tx, entered_rx) = channel();
    let (release_tx, release_rx) = channel::<()>();
    let (outcome_tx, outcome_rx) = channel();
    let release_rx = Mutex::new(release_rx);
    let server = start(
        ServerConfig::default(),
        move |_request: Request, sink: &mut dyn ResponseSink| {
            entered_tx.send(()).unwrap();
            release_rx.lock().unwrap().recv().unwrap();
            sink.send_head(&ResponseHead::new(200), None).unwrap();
            let chunk = vec![b'x'; 64 * 1024];
            // 256 MiB at most: far more than the socket buffers hold.
            let failed = (0..4096).any(|_| sink.send_body(&chunk).is_err());
            outcome_tx.send(failed).unwrap();
        },
    );
    let mut client = Client::connect(server.local_addr());
    client.send("GET /big HTTP/1.1\r\nHost: t\r\n\r\n");
    entered_rx.recv().unwrap();
    client.stream.shutdown(Shutdown::Both).unwrap();
    drop(client);
    release_tx.send(()).unwrap();
    assert!(outcome_rx.recv().unwrap(), "writing to a gone client fails");
    assert!(server.wait_idle(PATIENCE), "the connection thread ended");
}

#[test]
fn handler_that_does_not_finish_is_kept_alive() {
    let server = start_router();
    let mut client = Client::connect(server.local_addr());
    let response = client.get("/no-finish");
    assert_eq!(response.text(), "unfinished");
    assert_eq!(client.get("/next").status, 200);
}

#[test]
fn handler_that_sends_no_head_gets_500() {
    let server = start_router();
    let mut client = Client::connect(server.local_addr());
    let response = client.get("/no-head");
    assert_eq!(response.status, 500);
    assert_eq!(client.get("/next").status, 200);
}

#[test]
fn panicking_handler_gets_500_and_close() {
    let server = start_router();
    let mut client = Client::connect(server.local_addr());
    let response = client.get("/panic");
    assert_eq!(response.status, 500);
    assert_eq!(response.header("connection").as_deref(), Some("close"));
    assert!(client.read_to_eof().is_empty());
    let mut next = Client::connect(server.local_addr());
    assert_eq!(next.get("/").status, 200, "the server survives");
}

#[test]
fn response_head_with_line_break_is_refused() {
    let (result_tx, result_rx) = channel();
    let server = start(
        ServerConfig::default(),
        move |_request: Request, sink: &mut dyn ResponseSink| {
            let head = ResponseHead::new(200).with_header("X-Evil", "a\r\nInjected: yes");
            result_tx.send(sink.send_head(&head, Some(0))).unwrap();
        },
    );
    let mut client = Client::connect(server.local_addr());
    let response = client.get("/");
    let refused = result_rx.recv().unwrap().unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::InvalidInput);
    assert_eq!(response.status, 500);
    assert_eq!(response.header("injected"), None);
}

#[test]
fn request_carries_headers_in_wire_order_and_addresses() {
    let server = start_router();
    let mut client = Client::connect(server.local_addr());
    client.send("GET /headers HTTP/1.1\r\nHost: t\r\nX-Zeta: 1\r\nx-alpha: 2\r\nX-Zeta: 3\r\n\r\n");
    let listed = client.read_response().text();
    assert_eq!(listed, "Host: t\nX-Zeta: 1\nx-alpha: 2\nX-Zeta: 3\n");
    let addresses = client.get("/addr").text();
    let local = client.stream.local_addr().unwrap();
    assert_eq!(addresses, format!("{local} {}", server.local_addr()));
}

#[test]
fn request_log_reports_each_response() {
    let (log_tx, log_rx) = channel::<RequestLog>();
    let log_tx: Mutex<Sender<RequestLog>> = Mutex::new(log_tx);
    let config = ServerConfig {
        on_request: Some(Arc::new(move |line: &RequestLog| {
            log_tx.lock().unwrap().send(line.clone()).unwrap();
        })),
        ..ServerConfig::default()
    };
    let server = start(config, router);
    let mut client = Client::connect(server.local_addr());
    client.get("/stream");
    let line = log_rx.recv().unwrap();
    assert_eq!(line.method, Some(http::Method::GET));
    assert_eq!(line.target, "/stream");
    assert_eq!((line.status, line.body_bytes), (200, 11));
    assert_eq!(line.fate, ConnectionFate::KeptAlive);
    assert_eq!(line.remote_addr, client.stream.local_addr().unwrap());
    assert!(
        line.to_string()
            .starts_with("GET /stream 200 11B kept-alive ")
    );

    client.send("NOT A REQUEST\r\n\r\n");
    client.read_response();
    let refused = log_rx.recv().unwrap();
    assert_eq!(
        (refused.status, refused.fate),
        (400, ConnectionFate::Closed)
    );
    assert!(refused.to_string().starts_with("- - 400 "));
}
