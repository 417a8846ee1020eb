//! The axum example (examples/modules/axum_app) loaded from its real module
//! library: an axum Router running inside the IIS pipeline through
//! iis-tower.

use iis_host::ApiCall;
use iis_module_tests::{Form, example_host, pseudo_random_bytes, upload_checksum};

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

#[test]
fn a_response_ready_at_once_is_served_on_the_iis_thread() {
    let host = example_host("axum_app");
    let posted = |t: &iis_host::Transcript| {
        t.calls
            .iter()
            .any(|c| c.to_string().starts_with("IHttpContext::PostCompletion"))
    };
    // The handler has its answer at the first poll: no thread switch, no
    // completion, the request never pends.
    let t = host.get("/users/7");
    assert_eq!(t.status, 200, "{t}");
    assert!(!posted(&t), "{t}");
    assert!(
        !t.notification_lines().iter().any(|l| l.contains("PENDING")),
        "{t}"
    );
    // A stream that waits on the runtime's timers resumes the request
    // through posted completions.
    let t = host.get("/events");
    assert_eq!(t.status, 200, "{t}");
    assert!(posted(&t), "{t}");
}

#[test]
fn a_10_mb_form_upload_is_read_whole() {
    let host = example_host("axum_app");
    let file = pseudo_random_bytes(10 * 1024 * 1024, 3);
    let (content_type, form) = Form::new()
        .field("title", None, b"ten megabytes")
        .field("file", Some("big.bin"), &file)
        .finish();
    let t = host.run(request("POST", "/upload", Some(&content_type), &form));
    assert_eq!(t.status, 200, "{t}");
    assert_eq!(
        t.body_text(),
        format!(
            r#"[{{"name":"title","file_name":null,"bytes":13,"checksum":{}}},{{"name":"file","file_name":"big.bin","bytes":{},"checksum":{}}}]"#,
            upload_checksum(b"ten megabytes"),
            file.len(),
            upload_checksum(&file)
        )
    );
}

#[test]
fn server_sent_events_are_flushed_one_by_one() {
    let host = example_host("axum_app");
    let t = host.get("/events");
    assert_eq!(t.status, 200, "{t}");
    assert_eq!(t.header("content-type"), Some(&b"text/event-stream"[..]));
    let events: Vec<String> = (1..=5)
        .map(|n| format!("event: tick\ndata: tick {n}\n\n"))
        .collect();
    assert_eq!(t.body_text(), events.concat(), "{t}");
    // Unbuffered, the head flushed at once, then each event written and
    // flushed on its own: the client gets each as it is produced.
    let sends: Vec<String> = t
        .calls
        .iter()
        .filter_map(|call| match call {
            ApiCall::ResponseDisableBuffering => Some("unbuffered".to_owned()),
            ApiCall::ResponseFlush => Some("flush".to_owned()),
            ApiCall::ResponseWriteEntityChunks { bytes } => {
                Some(String::from_utf8_lossy(bytes).into_owned())
            }
            _ => None,
        })
        .collect();
    let mut expected = vec!["unbuffered".to_owned(), "flush".to_owned()];
    for event in &events {
        expected.extend([event.clone(), "flush".to_owned()]);
    }
    assert_eq!(sends, expected, "{t:#}");
}

#[test]
fn a_head_request_announces_the_get_length() {
    let host = example_host("axum_app");
    let get = host.get("/");
    let head = host.run(request("HEAD", "/", None, b""));
    assert_eq!(head.status, 200, "{head}");
    assert!(head.body.is_empty(), "{head}");
    assert_eq!(
        head.header("content-length"),
        Some(get.body.len().to_string().as_bytes()),
        "{head}"
    );
}

#[test]
fn error_responses_skip_iis_custom_error_pages() {
    // IIS's default `existingResponse="Auto"` replaces a 4xx/5xx body with
    // its error page unless the status was set with fTrySkipCustomErrors.
    let host = example_host("axum_app");
    for (uri, status) in [("/users/0", 404), ("/users/abc", 400), ("/nope", 404)] {
        let t = host.get(uri);
        assert_eq!(t.status, status, "{t}");
        let set = t.calls.iter().find_map(|call| match call {
            ApiCall::ResponseSetStatus {
                status,
                skip_custom_errors,
                ..
            } => Some((*status, *skip_custom_errors)),
            _ => None,
        });
        assert_eq!(set, Some((status, true)), "{uri}: {t:#}");
    }
}
