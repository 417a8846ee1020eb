//! The integrated pipeline as modules observe it: notification order,
//! FINISH_REQUEST, PENDING, instances, the 404, reset and disconnect,
//! priorities.

mod support;

use std::sync::atomic::Ordering;

use iis_host::{ApiCall, HeaderKey, Host, HostEvent, Notification, RequestStatus};
use iis_sys::*;
use support::{Call, Counters, Script, SendPtr, calls};

const ALL_STAGES: u32 = 0x0FFF;

fn lines(transcript: &iis_host::Transcript) -> Vec<String> {
    transcript.notification_lines()
}

static ORDER_COUNTERS: Counters = Counters::new();
static ORDER: Script = Script::new(ALL_STAGES | RQ_SEND_RESPONSE, ALL_STAGES, &ORDER_COUNTERS);
module!(register_order, ORDER);

#[test]
fn notification_order_includes_post_notifications() {
    let host = Host::builder()
        .module_fn("recorder", register_order)
        .build()
        .unwrap();
    let transcript = host.get("/order");
    let expected: Vec<String> = [
        "OnBeginRequest",
        "OnPostBeginRequest",
        "OnAuthenticateRequest",
        "OnPostAuthenticateRequest",
        "OnAuthorizeRequest",
        "OnPostAuthorizeRequest",
        "OnResolveRequestCache",
        "OnPostResolveRequestCache",
        "OnMapRequestHandler",
        "OnPostMapRequestHandler",
        "OnAcquireRequestState",
        "OnPostAcquireRequestState",
        "OnPreExecuteRequestHandler",
        "OnPostPreExecuteRequestHandler",
        "OnExecuteRequestHandler",
        "OnPostExecuteRequestHandler",
        "OnReleaseRequestState",
        "OnPostReleaseRequestState",
        "OnUpdateRequestCache",
        "OnPostUpdateRequestCache",
        "OnSendResponse",
        "OnLogRequest",
        "OnPostLogRequest",
        "OnEndRequest",
        "OnPostEndRequest",
    ]
    .iter()
    .map(|n| format!("recorder: {n} -> CONTINUE"))
    .collect();
    assert_eq!(lines(&transcript), expected);
    assert_eq!(
        transcript.events,
        [
            HostEvent::GetHttpModule {
                module: "recorder".into(),
                hr: "0x00000000".into()
            },
            HostEvent::Dispose {
                module: "recorder".into()
            },
        ]
    );
}

static FINISH_COUNTERS: Counters = Counters::new();
static FINISH: Script = Script {
    on_request: |call| {
        if call.notification == Notification::BeginRequest && !call.post {
            RQ_NOTIFICATION_FINISH_REQUEST
        } else {
            RQ_NOTIFICATION_CONTINUE
        }
    },
    priority: Some("FIRST"),
    ..Script::new(ALL_STAGES | RQ_SEND_RESPONSE, ALL_STAGES, &FINISH_COUNTERS)
};
module!(register_finish, FINISH);
static LATER_COUNTERS: Counters = Counters::new();
static LATER: Script = Script::new(ALL_STAGES, 0, &LATER_COUNTERS);
module!(register_later, LATER);

#[test]
fn finish_request_skips_to_end_stages() {
    let host = Host::builder()
        .module_fn("later", register_later)
        .module_fn("finisher", register_finish)
        .build()
        .unwrap();
    let transcript = host.get("/finish");
    assert_eq!(
        lines(&transcript),
        [
            "finisher: OnBeginRequest -> FINISH_REQUEST",
            "finisher: OnSendResponse -> CONTINUE",
            "finisher: OnLogRequest -> CONTINUE",
            "later: OnLogRequest -> CONTINUE",
            "finisher: OnPostLogRequest -> CONTINUE",
            "finisher: OnEndRequest -> CONTINUE",
            "later: OnEndRequest -> CONTINUE",
            "finisher: OnPostEndRequest -> CONTINUE",
        ]
    );
    // The handler stage never ran: no 404, an empty 200.
    assert_eq!(transcript.status, 200);
    assert!(transcript.body.is_empty());
    assert_eq!(transcript.fate, iis_host::http::ConnectionFate::KeptAlive);
}

fn spawn_completion(call: &Call, post: bool) {
    let context = SendPtr(call.context);
    std::thread::spawn(move || {
        let context = context;
        if post {
            calls::post_completion(context.0, 5);
        } else {
            calls::write(context.0, b"indicated;");
            calls::indicate_completion(context.0, RQ_NOTIFICATION_CONTINUE);
        }
    });
}

static PENDING_COUNTERS: Counters = Counters::new();
static PENDING: Script = Script {
    on_request: |call| match (call.notification, call.post) {
        (Notification::BeginRequest, false) => {
            spawn_completion(call, true);
            RQ_NOTIFICATION_PENDING
        }
        (Notification::AsyncCompletion, _) => {
            calls::write(
                call.context,
                format!("completed {} bytes;", call.bytes).as_bytes(),
            );
            RQ_NOTIFICATION_CONTINUE
        }
        (Notification::ExecuteRequestHandler, false) => {
            spawn_completion(call, false);
            RQ_NOTIFICATION_PENDING
        }
        _ => RQ_NOTIFICATION_CONTINUE,
    },
    ..Script::new(
        RQ_BEGIN_REQUEST | RQ_EXECUTE_REQUEST_HANDLER,
        RQ_BEGIN_REQUEST,
        &PENDING_COUNTERS,
    )
};
module!(register_pending, PENDING);

#[test]
fn pending_completes_from_another_thread() {
    let host = Host::builder()
        .module_fn("async", register_pending)
        .build()
        .unwrap();
    for _ in 0..20 {
        let transcript = host.get("/pending");
        assert_eq!(
            lines(&transcript),
            [
                "async: OnBeginRequest -> PENDING",
                "async: OnAsyncCompletion -> CONTINUE",
                "async: OnPostBeginRequest -> CONTINUE",
                "async: OnExecuteRequestHandler -> PENDING",
            ]
        );
        assert_eq!(transcript.body_text(), "completed 5 bytes;indicated;");
        assert!(
            transcript
                .calls
                .contains(&ApiCall::ContextPostCompletion { bytes: 5 })
        );
        assert!(
            transcript
                .calls
                .contains(&ApiCall::ContextIndicateCompletion {
                    status: RequestStatus::Continue
                })
        );
    }
    assert_eq!(PENDING_COUNTERS.disposed.load(Ordering::SeqCst), 20);
}

static THOUSAND_COUNTERS: Counters = Counters::new();
static THOUSAND: Script = Script {
    on_request: |call| {
        calls::write(call.context, b"x");
        RQ_NOTIFICATION_CONTINUE
    },
    ..Script::new(RQ_BEGIN_REQUEST | RQ_END_REQUEST, 0, &THOUSAND_COUNTERS)
};
module!(register_thousand, THOUSAND);

#[test]
fn thousand_requests_thousand_instances_and_disposes() {
    let host = Host::builder()
        .module_fn("counted", register_thousand)
        .build()
        .unwrap();
    for _ in 0..1000 {
        let transcript = host.get("/");
        assert_eq!(transcript.body, b"x");
    }
    let (created, disposed, terminated, _) = THOUSAND_COUNTERS.get();
    assert_eq!((created, disposed, terminated), (1000, 1000, 0));
    let stats = host.stats();
    assert_eq!(
        (
            stats.requests,
            stats.instances_created,
            stats.instances_disposed
        ),
        (1000, 1000, 1000)
    );
    host.shutdown();
    assert_eq!(THOUSAND_COUNTERS.get().2, 1);
    assert_eq!(host.stats().factories_terminated, 1);
}

static PASSIVE_COUNTERS: Counters = Counters::new();
static PASSIVE: Script = Script::new(RQ_BEGIN_REQUEST, 0, &PASSIVE_COUNTERS);
module!(register_passive, PASSIVE);

#[test]
fn unhandled_request_gets_404() {
    for host in [
        Host::builder().build().unwrap(),
        Host::builder()
            .module_fn("passive", register_passive)
            .build()
            .unwrap(),
    ] {
        let transcript = host.get("/missing");
        assert_eq!((transcript.status, transcript.substatus), (404, 0));
        assert_eq!(transcript.reason, "Not Found");
        assert_eq!(transcript.header("content-type"), Some(&b"text/html"[..]));
        assert!(
            transcript
                .body_text()
                .contains("HTTP Error 404.0 - Not Found")
        );
        assert_eq!(
            transcript.header("content-length"),
            Some(transcript.body.len().to_string().as_bytes())
        );
    }
}

static RESET_COUNTERS: Counters = Counters::new();
static RESET: Script = Script {
    on_request: |call| {
        calls::clear(call.context);
        calls::set_header(call.context, HttpHeaderContentType, "text/plain");
        calls::write(call.context, b"Status: Before Reset\n");
        calls::reset_connection(call.context);
        calls::write(call.context, b"Status: After Reset\n");
        RQ_NOTIFICATION_FINISH_REQUEST
    },
    ..Script::new(RQ_SEND_RESPONSE, 0, &RESET_COUNTERS)
};
module!(register_reset, RESET);

#[test]
fn reset_connection_sends_nothing() {
    let host = Host::builder()
        .module_fn("reset", register_reset)
        .build()
        .unwrap();
    let transcript = host.get("/reset");
    assert_eq!(transcript.fate, iis_host::http::ConnectionFate::Reset);
    assert_eq!(transcript.status, 0);
    assert!(transcript.headers.is_empty());
    assert!(transcript.body.is_empty());
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
        lines(&transcript),
        ["reset: OnSendResponse -> FINISH_REQUEST"]
    );
    drop(host);
    assert_eq!(RESET_COUNTERS.get(), (1, 1, 1, 0));
}

static DISCONNECT_COUNTERS: Counters = Counters::new();
static DISCONNECT: Script = Script {
    on_request: |call| {
        calls::write(call.context, b"bye");
        calls::need_disconnect(call.context);
        RQ_NOTIFICATION_CONTINUE
    },
    ..Script::new(RQ_EXECUTE_REQUEST_HANDLER, 0, &DISCONNECT_COUNTERS)
};
module!(register_disconnect, DISCONNECT);

#[test]
fn need_disconnect_closes_after_body() {
    let host = Host::builder()
        .module_fn("disconnect", register_disconnect)
        .build()
        .unwrap();
    let transcript = host.get("/bye");
    assert_eq!(transcript.status, 200);
    assert_eq!(transcript.body, b"bye");
    assert_eq!(transcript.fate, iis_host::http::ConnectionFate::Closed);
    assert_eq!(
        transcript.calls.last(),
        Some(&ApiCall::ResponseSetNeedDisconnect)
    );
}

static PRIORITY_COUNTERS: Counters = Counters::new();
static MEDIUM: Script = Script::new(
    RQ_BEGIN_REQUEST | RQ_SEND_RESPONSE,
    RQ_BEGIN_REQUEST,
    &PRIORITY_COUNTERS,
);
static FIRST: Script = Script {
    priority: Some("FIRST"),
    ..Script::new(
        RQ_BEGIN_REQUEST | RQ_SEND_RESPONSE,
        RQ_BEGIN_REQUEST,
        &PRIORITY_COUNTERS,
    )
};
static LOW: Script = Script {
    priority: Some("LOW"),
    ..Script::new(
        RQ_BEGIN_REQUEST | RQ_SEND_RESPONSE,
        RQ_BEGIN_REQUEST,
        &PRIORITY_COUNTERS,
    )
};
module!(register_medium, MEDIUM);
module!(register_first, FIRST);
module!(register_low, LOW);
module!(register_medium2, MEDIUM);

#[test]
fn priorities_order_modules() {
    let host = Host::builder()
        .module_fn("medium", register_medium)
        .module_fn("low", register_low)
        .module_fn("first", register_first)
        .module_fn("medium2", register_medium2)
        .build()
        .unwrap();
    let transcript = host.get("/");
    let order = |notification: Notification, post: bool| -> Vec<&str> {
        transcript
            .notifications
            .iter()
            .filter(|r| r.notification == notification && r.post == post)
            .map(|r| r.module.as_str())
            .collect()
    };
    assert_eq!(
        order(Notification::BeginRequest, false),
        ["first", "medium", "medium2", "low"]
    );
    assert_eq!(
        order(Notification::BeginRequest, true),
        ["first", "medium", "medium2", "low"]
    );
    // Inverted for SendResponse.
    assert_eq!(
        order(Notification::SendResponse, false),
        ["low", "medium2", "medium", "first"]
    );
}

#[test]
fn header_keys_display_like_cpp() {
    assert_eq!(HeaderKey::Name("X-A".into()).to_string(), r#""X-A""#);
}
