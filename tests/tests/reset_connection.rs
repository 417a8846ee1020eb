//! The reset-connection example (and its need-disconnect variant) loaded
//! from the real module libraries, in-process and over TCP.

use iis_host::Host;
use iis_host::http::ConnectionFate;
use iis_module_tests::example_host;
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;

/// Sends one raw request and reads until the server ends the connection.
fn exchange(host: Host, request: &[u8]) -> (Vec<u8>, std::io::Result<()>, TcpStream) {
    let host = Arc::new(host);
    let server = host.serve("127.0.0.1:0").expect("bind loopback");
    let mut stream = TcpStream::connect(server.local_addr()).expect("connect");
    stream.write_all(request).expect("send request");
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    let end = loop {
        match stream.read(&mut buf) {
            Ok(0) => break Ok(()),
            Ok(n) => received.extend_from_slice(&buf[..n]),
            Err(e) => break Err(e),
        }
    };
    server.shutdown().expect("shutdown");
    (received, end, stream)
}

#[test]
fn reset_connection_makes_the_calls_of_the_cpp_module() {
    let host = example_host("reset_connection");
    let transcript = host.get("/");
    let calls: Vec<String> = transcript.calls.iter().map(ToString::to_string).collect();
    assert_eq!(
        calls,
        [
            "IHttpResponse::Clear()",
            r#"IHttpResponse::SetHeader(12, "text/plain", replace=true)"#,
            r#"IHttpResponse::WriteEntityChunks("Status: Before Reset\n")"#,
            "IHttpResponse::ResetConnection()",
            r#"IHttpResponse::WriteEntityChunks("Status: After Reset\n")"#,
        ]
    );
    assert_eq!(
        transcript.notification_lines(),
        ["reset_connection: OnSendResponse -> FINISH_REQUEST"]
    );
    assert_eq!(transcript.fate, ConnectionFate::Reset);
    assert!(transcript.body.is_empty(), "nothing reaches the client");
    let stats = host.stats();
    assert_eq!((stats.instances_created, stats.instances_disposed), (1, 1));
}

#[test]
fn reset_connection_over_tcp_ends_in_a_reset_without_body() {
    let (received, end, _) = exchange(
        example_host("reset_connection"),
        b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n",
    );
    let error = end.expect_err("the connection must be reset, not closed");
    assert_eq!(error.kind(), ErrorKind::ConnectionReset);
    let text = String::from_utf8_lossy(&received);
    assert!(
        !text.contains("Before Reset") && !text.contains("After Reset"),
        "{text:?}"
    );
}

#[test]
fn need_disconnect_sends_the_whole_body_then_closes() {
    let (received, end, mut stream) = exchange(
        example_host("need_disconnect"),
        b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n",
    );
    end.expect("a clean close (FIN), not a reset");
    let text = String::from_utf8_lossy(&received);
    assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text:?}");
    assert!(
        text.ends_with("\r\n\r\nStatus: Before Disconnect\nStatus: After Disconnect\n"),
        "{text:?}"
    );
    // The connection is not reused: a second request gets nothing back.
    let _ = stream.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
    let mut rest = Vec::new();
    let _ = stream.read_to_end(&mut rest);
    assert!(rest.is_empty(), "{:?}", String::from_utf8_lossy(&rest));
}

#[test]
fn need_disconnect_in_process_reports_a_closed_connection() {
    let transcript = example_host("need_disconnect").get("/");
    assert_eq!(transcript.status, 200);
    assert_eq!(transcript.fate, ConnectionFate::Closed);
    assert_eq!(
        transcript.body_text(),
        "Status: Before Disconnect\nStatus: After Disconnect\n"
    );
    assert_eq!(transcript.header("Content-Type"), Some(&b"text/plain"[..]));
}
