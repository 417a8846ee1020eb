//! The axum example (examples/modules/axum_app) loaded from its real module
//! library: an axum Router running inside the IIS pipeline through
//! iis-tower.

use iis_module_tests::example_host;

fn request(
    method: &str,
    uri: &str,
    content_type: Option<&str>,
    body: &[u8],
) -> http::Request<Vec<u8>> {
    let mut builder = http::Request::builder()
        .method(method)
        .uri(uri)
        .header("Host", "localhost");
    if let Some(content_type) = content_type {
        builder = builder.header("Content-Type", content_type);
    }
    builder.body(body.to_vec()).expect("valid request")
}

#[test]
fn the_router_answers_inside_the_pipeline() {
    let host = example_host("axum_app");
    let t = host.get("/");
    assert_eq!(
        (t.status, t.body_text().as_str()),
        (200, "hello from axum inside IIS\n"),
        "{t}"
    );

    let t = host.get("/users/7");
    assert_eq!(t.status, 200, "{t}");
    assert_eq!(t.body_text(), r#"{"id":7,"name":"user 7"}"#);
    assert_eq!(host.get("/users/0").status, 404);

    let t = host.get("/search?q=iis%20module&page=2");
    assert_eq!(t.body_text(), r#"{"q":"iis module","page":2}"#, "{t}");

    let t = host.run(request(
        "POST",
        "/orders",
        Some("application/json"),
        br#"{"item":"book","quantity":3,"unit_price_cents":1250}"#,
    ));
    assert_eq!(t.status, 201, "{t}");
    assert_eq!(
        t.body_text(),
        r#"{"item":"book","quantity":3,"total_cents":3750}"#
    );

    let t = host.get("/whoami");
    assert_eq!(t.body_text(), "anonymous\n", "{t}");
}

/// The names of this process's threads.
fn thread_names() -> Vec<String> {
    std::fs::read_dir("/proc/self/task")
        .map(|tasks| {
            tasks
                .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
                .map(|name| name.trim().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
#[cfg(target_os = "linux")]
fn stopping_drains_the_requests_in_flight_then_stops_the_runtime() {
    use std::io::{Read, Write};
    let host = std::sync::Arc::new(example_host("axum_app"));
    let server = host.serve("127.0.0.1:0").expect("serves");
    assert!(thread_names().iter().any(|n| n.starts_with("iis-tower")), "{:?}", thread_names());
    let mut stream = std::net::TcpStream::connect(server.local_addr()).expect("connects");
    stream
        .write_all(b"GET /events HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .expect("sends");
    // Once the first event is in, stop the host while the stream goes on.
    let mut seen = Vec::new();
    let mut buf = [0u8; 1024];
    while !String::from_utf8_lossy(&seen).contains("tick 1") {
        let n = stream.read(&mut buf).expect("reads");
        assert!(n > 0, "ended early: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    let stopping = {
        let host = std::sync::Arc::clone(&host);
        std::thread::spawn(move || host.shutdown())
    };
    stream.read_to_end(&mut seen).expect("reads the rest");
    let text = String::from_utf8_lossy(&seen);
    assert!(text.contains("data: tick 5"), "the stream was cut: {text}");
    stopping.join().expect("shutdown");
    drop(server);
    assert!(
        !thread_names().iter().any(|n| n.starts_with("iis-tower")),
        "the runtime's threads outlive the module: {:?}",
        thread_names()
    );
}
