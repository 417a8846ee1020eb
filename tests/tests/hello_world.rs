//! The hello_world example (the real module library, as IIS loads it)
//! tested the way an axum app is: `tower::ServiceExt::oneshot` with an
//! `http::Request`, then assertions on the `http::Response`, with the
//! transcript at hand in its extensions.

use http::{Request, StatusCode};
use iis_host::http::ConnectionFate;
use iis_host::{HostError, Transcript};
use iis_module_tests::example_host;
use tower::ServiceExt;

const EXPECTED: &str = "\
HTTP/1.1 200 OK (IIS 200.0)
Content-Type: text/plain
Server: Microsoft-IIS/10.0
Content-Length: 14

Hello, world!
connection: kept-alive
notifications:
  hello_world: OnExecuteRequestHandler -> CONTINUE
";

#[tokio::test]
async fn hello_world_answers_any_path_with_plain_text() {
    let host = example_host("hello_world").into_service();

    let response = host
        .clone()
        .oneshot(Request::get("/any/path?x=1").body(String::new()).unwrap())
        .await
        .expect("a response");

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/plain");
    assert_eq!(response.headers()["server"], "Microsoft-IIS/10.0");
    assert_eq!(response.headers()["content-length"], "14");
    assert_eq!(response.body(), "Hello, world!\n");
    let transcript = response.extensions().get::<Transcript>().unwrap();
    assert_eq!(
        transcript.notification_lines(),
        ["hello_world: OnExecuteRequestHandler -> CONTINUE"]
    );
    assert_eq!(transcript.to_string(), EXPECTED);

    // The service derefs to the host: one request ran, its instance is gone.
    let stats = host.stats();
    assert_eq!(stats.requests, 1);
    assert_eq!((stats.instances_created, stats.instances_disposed), (1, 1));
}

#[test]
fn hello_world_transcript_is_the_same_response_without_async() {
    let host = example_host("hello_world");
    let transcript = host.get("/");
    // The transcript's own fields still say it all …
    assert_eq!(transcript.status, 200);
    assert_eq!(transcript.header("Content-Type"), Some(&b"text/plain"[..]));
    assert_eq!(transcript.body_text(), "Hello, world!\n");
    // … and it converts to the response `oneshot` returns.
    let response = transcript.response().expect("a response head was sent");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.body(), "Hello, world!\n");
    assert_eq!(response.extensions().get::<Transcript>(), Some(&transcript));
}

#[tokio::test]
async fn reset_connection_gives_no_response_but_keeps_the_transcript() {
    let host = example_host("reset_connection").into_service();

    let error = host
        .oneshot(Request::get("/").body(String::new()).unwrap())
        .await
        .expect_err("a reset connection has no response");

    assert_eq!(
        error.to_string(),
        "no HTTP response: the connection was reset before a response head was sent"
    );
    let HostError::NoResponse(transcript) = error else {
        panic!("not NoResponse: {error:?}");
    };
    assert_eq!(transcript.fate, ConnectionFate::Reset);
    assert!(transcript.body.is_empty(), "nothing reaches the client");
    assert_eq!(
        transcript.notification_lines(),
        ["reset_connection: OnSendResponse -> FINISH_REQUEST"]
    );
}
