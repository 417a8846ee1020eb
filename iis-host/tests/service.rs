//! `HostService` (the `tower` feature): requests sent with
//! `tower::ServiceExt::oneshot`, responses compared as `http::Response`.
#![cfg(feature = "tower")]

mod support;

use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, StatusCode};
use http_body::{Body, Frame};
use http_body_util::Full;
use iis_host::http::ConnectionFate;
use iis_host::{Host, HostConfig, HostError, HostService, Transcript};
use iis_sys::*;
use support::{Counters, Script, SendPtr, calls};
use tokio::sync::mpsc::UnboundedSender;
use tower::ServiceExt;

fn service(name: &str, register: PFN_REGISTERMODULE) -> HostService {
    let config = HostConfig {
        // A blocked executor would leave the request pending until this
        // timeout (then a 500): fail fast instead of after a minute.
        pending_timeout: Some(Duration::from_secs(10)),
        ..HostConfig::default()
    };
    Host::builder()
        .config(config)
        .module_fn(name, register)
        .build()
        .expect("the module registers")
        .into_service()
}

/// Where `WAITS` sends the context of the request it left pending.
static PENDED: Mutex<Option<UnboundedSender<SendPtr<IHttpContext>>>> = Mutex::new(None);
static WAITS_COUNTERS: Counters = Counters::new();
static WAITS: Script = Script {
    on_request: |call| {
        let sender = PENDED.lock().unwrap().clone().expect("a test waits");
        sender
            .send(SendPtr(call.context))
            .expect("the test listens");
        RQ_NOTIFICATION_PENDING
    },
    ..Script::new(RQ_BEGIN_REQUEST, 0, &WAITS_COUNTERS)
};
module!(register_waits, WAITS);

/// A request left pending is completed by another task of the same
/// single-threaded runtime: `oneshot` must not block the executor's thread
/// while the request waits.
#[tokio::test]
async fn oneshot_leaves_the_executor_free_while_a_request_is_pending() {
    let (sender, mut pended) = tokio::sync::mpsc::unbounded_channel();
    *PENDED.lock().unwrap() = Some(sender);
    let host = service("waits", register_waits);

    let request = host
        .clone()
        .oneshot(Request::get("/wait").body(String::new()).unwrap());
    let complete = async {
        let context = pended.recv().await.expect("the request pends");
        calls::write(context.0, b"completed by another task");
        calls::indicate_completion(context.0, RQ_NOTIFICATION_FINISH_REQUEST);
    };
    let (response, ()) = tokio::join!(request, complete);

    let response = response.expect("a response");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.body(), "completed by another task");
    let transcript = response.extensions().get::<Transcript>().unwrap();
    assert_eq!(
        transcript.notification_lines(),
        ["waits: OnBeginRequest -> PENDING"]
    );
    assert_eq!(host.stats().requests, 1);
}

static ECHO_COUNTERS: Counters = Counters::new();
static ECHO: Script = Script {
    on_request: |call| {
        let body = calls::read_body(call.context);
        let method = calls::server_variable(call.context, c"REQUEST_METHOD").unwrap();
        let host = calls::server_variable(call.context, c"HTTP_HOST").unwrap();
        calls::set_header(call.context, HttpHeaderContentType, "text/plain");
        calls::write(call.context, format!("{method} {host} ").as_bytes());
        calls::write(call.context, &body);
        RQ_NOTIFICATION_FINISH_REQUEST
    },
    ..Script::new(RQ_EXECUTE_REQUEST_HANDLER, 0, &ECHO_COUNTERS)
};
module!(register_echo, ECHO);

#[tokio::test]
async fn oneshot_sends_the_request_body_and_returns_an_http_response() {
    let host = service("echo", register_echo);
    let request = Request::post("http://example.test/echo")
        .body(Full::new(Bytes::from_static(b"{\"a\":1}")))
        .unwrap();

    let response = host.clone().oneshot(request).await.expect("a response");

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/plain");
    assert_eq!(response.headers()["content-length"], "25");
    assert_eq!(response.body(), "POST example.test {\"a\":1}");
    let transcript = response.extensions().get::<Transcript>().unwrap();
    assert_eq!(transcript.fate, ConnectionFate::KeptAlive);
    // The same host, and the old way, still answer alike.
    let again = host.run(Request::post("/echo").body(b"x".to_vec()).unwrap());
    assert_eq!(again.body_text(), "POST localhost x");
}

static RESETS_COUNTERS: Counters = Counters::new();
static RESETS: Script = Script {
    on_request: |call| {
        calls::write(call.context, b"never sent");
        calls::reset_connection(call.context);
        RQ_NOTIFICATION_FINISH_REQUEST
    },
    ..Script::new(RQ_BEGIN_REQUEST, 0, &RESETS_COUNTERS)
};
module!(register_resets, RESETS);

#[tokio::test]
async fn oneshot_of_a_reset_is_an_error_carrying_the_transcript() {
    let host = service("resets", register_resets);

    let error = host
        .oneshot(Request::get("/").body(String::new()).unwrap())
        .await
        .expect_err("a reset has no response");

    let HostError::NoResponse(transcript) = error else {
        panic!("not NoResponse: {error:?}");
    };
    assert_eq!(transcript.status, 0);
    assert_eq!(transcript.fate, ConnectionFate::Reset);
    assert!(transcript.body.is_empty());
    assert_eq!(
        transcript.to_string(),
        "no response (no status line was sent)\n\
         connection: reset\n\
         notifications:\n  resets: OnBeginRequest -> FINISH_REQUEST\n"
    );
}

/// A body that fails on its first read.
struct FailingBody;

impl Body for FailingBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        Poll::Ready(Some(Err(std::io::Error::other("the client went away"))))
    }
}

#[tokio::test]
async fn oneshot_with_a_failing_body_runs_no_request() {
    let host = service("echo", register_echo);

    let error = host
        .clone()
        .oneshot(Request::post("/").body(FailingBody).unwrap())
        .await
        .expect_err("the body failed");

    assert!(matches!(error, HostError::RequestBody(_)), "{error:?}");
    assert_eq!(
        error.to_string(),
        "the request body could not be read: the client went away"
    );
    assert_eq!(host.stats().requests, 0);
}
