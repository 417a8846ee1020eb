//! Microsoft's `IHttpContext` samples about the pipeline (notifications,
//! child-request identity, completions), re-done in safe Rust
//! (tests/modules/samples_request) and run in iis-host: each test asserts
//! what the sample makes observable in IIS.

mod samples_request_support;
use iis_host::{ApiCall, Host, Transcript};
use samples_request_support::*;

/// The test modules' library (tests/modules/fixtures).
fn fixtures() -> std::path::PathBuf {
    iis_host::testing::cdylib_path("iis_test_modules")
}

#[test]
fn disable_notifications_stops_the_modules_post_begin_request() {
    let t = samples(&["IHttpContextDisableNotifications"]).get("/");
    assert_eq!(t.status, 200);
    assert_eq!(
        t.body_text(),
        "\nNotification: OnBeginRequest\nNotification: OnAcquireRequestState"
    );
    assert_eq!(t.header("Content-Type"), Some(&b"text/plain"[..]));
    assert_eq!(t.header("Content-Length"), None, "flushed at BeginRequest");
    assert_eq!(
        t.notification_lines(),
        [
            "IHttpContextDisableNotifications: OnBeginRequest -> CONTINUE",
            "IHttpContextDisableNotifications: OnAcquireRequestState -> FINISH_REQUEST",
        ]
    );
    assert!(calls(&t).contains(&"IHttpContext::DisableNotifications(0x0, 0x1)".to_owned()));
}

#[test]
fn get_is_last_notification_reports_no_notifications_pending_after_finishing() {
    let t = samples(&["IHttpContextGetIsLastNotification"]).get("/");
    assert_eq!(
        answer(&t),
        (
            200,
            "Last Notification: No".into(),
            Some("text/plain".into())
        )
    );
}

#[test]
fn get_next_notification_takes_over_the_modules_own_post_notifications() {
    let t = samples(&["IHttpContextGetNextNotification"]).get("/");
    assert_eq!(t.status, 200);
    assert_eq!(
        t.body_text(),
        "OnAuthenticateRequest\n\
         \tGetNextNotification return value: true\n\
         \tNotification: 00000002\n\
         \tPost-notification: Yes\n\
         \nOnAuthorizeRequest\n\
         \tGetNextNotification return value: true\n\
         \tNotification: 00000004\n\
         \tPost-notification: Yes\n"
    );
    // The merged post-notifications are not called by the pipeline.
    assert_eq!(
        t.notification_lines(),
        [
            "IHttpContextGetNextNotification: OnBeginRequest -> CONTINUE",
            "IHttpContextGetNextNotification: OnAuthenticateRequest -> CONTINUE",
            "IHttpContextGetNextNotification: OnAuthorizeRequest -> CONTINUE",
            "IHttpContextGetNextNotification: OnMapRequestHandler -> FINISH_REQUEST",
        ]
    );
    assert!(
        calls(&t).contains(
            &"IHttpContext::GetNextNotification() -> OnPostAuthenticateRequest".to_owned()
        )
    );
}

#[test]
fn get_next_notification_is_false_when_another_module_comes_next() {
    let library = iis_host::testing::cdylib_path("iis_samples_request");
    let host = Host::builder()
        .module_named("IHttpContextGetNextNotification", library)
        .module_named("all_hooks", fixtures())
        .build()
        .expect("loads");
    let t = host.get("/");
    let section = |name: &str| {
        format!(
            "{name}\n\tGetNextNotification return value: false\n\tNotification: 00000000\n\tPost-notification: No\n"
        )
    };
    assert_eq!(
        t.body_text(),
        [
            section("OnAuthenticateRequest"),
            section("\nOnPostAuthenticateRequest"),
            section("\nOnAuthorizeRequest"),
            section("\nOnPostAuthorizeRequest"),
        ]
        .concat()
    );
}

#[test]
fn get_execute_flags_reports_none_for_a_request_from_a_client() {
    let t = samples(&["IHttpContextGetExecuteFlags"]).get("/missing");
    assert_eq!(t.status, 404);
    assert_eq!(t.body_text(), "Execute Flags:\nN/A\n");
    assert_eq!(t.header("Content-Type"), Some(&b"text/plain"[..]));
}

#[test]
fn get_parent_and_root_context_of_a_request_from_a_client() {
    let t = samples(&["IHttpContextGetParentContext"]).get("/");
    assert_eq!(
        answer(&t),
        (
            200,
            "The parent context is null.".into(),
            Some("text/plain".into())
        )
    );
    let t = samples(&["IHttpContextGetRootContext"]).get("/");
    assert_eq!(
        answer(&t),
        (
            200,
            "The current context equals the root context.".into(),
            Some("text/plain".into())
        )
    );
}

#[test]
fn cancel_io_at_send_response_leaves_a_synchronous_response_unchanged() {
    let t = samples(&["IHttpContextCancelIo"]).get("/x");
    assert_eq!(answer(&t), answer(&baseline("/x")));
    assert_eq!(calls(&t), ["IHttpContext::CancelIo()"]);
}

/// The calls of a request that write, flush, log or complete, in order.
fn completion_calls(t: &Transcript) -> Vec<String> {
    t.calls
        .iter()
        .filter(|c| {
            matches!(
                c,
                ApiCall::ResponseWriteEntityChunks { .. }
                    | ApiCall::ResponseFlush
                    | ApiCall::ReportEvent(_)
                    | ApiCall::ContextPostCompletion { .. }
                    | ApiCall::ContextIndicateCompletion { .. }
            )
        })
        .map(ToString::to_string)
        .collect()
}

#[test]
fn indicate_completion_sample_continues_the_pipeline_once_its_write_completes_later() {
    // A stage logger after it shows whether the pipeline went on.
    let t = samples(&[
        "IHttpContextIndicateCompletion",
        "CHttpModuleMapRequestHandler",
    ])
    .get("/");
    assert_eq!(
        answer(&t),
        (200, "Hello World!".into(), Some("text/plain".into())),
        "{t:#}"
    );
    assert_eq!(
        t.notification_lines(),
        [
            "IHttpContextIndicateCompletion: OnBeginRequest -> PENDING",
            "IHttpContextIndicateCompletion: OnAsyncCompletion -> CONTINUE",
            "CHttpModuleMapRequestHandler: OnMapRequestHandler -> CONTINUE",
            "CHttpModuleMapRequestHandler: OnPostMapRequestHandler -> CONTINUE",
        ],
        "the write completes later, and its completion continues the pipeline"
    );
    // Pending after the write, the sample never reaches its flush: the
    // response goes out whole at the end. (The SDK resumes the hook's
    // future from the completion; it calls no IndicateCompletion.)
    let logged = |text: &str| {
        format!("ReportEventW(\"IISADMIN\", EVENTLOG_INFORMATION_TYPE, 0, 0, [{text:?}])")
    };
    assert_eq!(
        completion_calls(&t),
        [
            "IHttpResponse::WriteEntityChunks(\"Hello World!\")".to_owned(),
            logged("OnMapRequestHandler"),
            logged("OnPostMapRequestHandler"),
        ]
    );
    assert_eq!(t.header("Content-Length"), Some(&b"12"[..]));
}

#[test]
fn post_completion_sample_finishes_at_begin_request_once_its_write_completes_later() {
    let t = samples(&["IHttpContextPostCompletion", "CHttpModuleMapRequestHandler"]).get("/");
    assert_eq!(
        answer(&t),
        (200, "Hello World!".into(), Some("text/plain".into())),
        "{t:#}"
    );
    assert_eq!(
        t.notification_lines(),
        [
            "IHttpContextPostCompletion: OnBeginRequest -> PENDING",
            "IHttpContextPostCompletion: OnAsyncCompletion -> FINISH_REQUEST",
        ],
        "pending until the write completes, then finished: later stages never run"
    );
    // The write's own completion resumed the hook: nothing was posted.
    assert_eq!(
        completion_calls(&t),
        ["IHttpResponse::WriteEntityChunks(\"Hello World!\")"]
    );
}

#[test]
fn completion_info_sample_logs_each_later_completion_and_continues() {
    let t = samples(&["IHttpCompletionInfoIHttpCompletionInfo"]).get("/");
    assert_eq!(
        answer(&t),
        (200, "Hello World!".into(), Some("text/plain".into())),
        "{t:#}"
    );
    assert_eq!(t.header("Content-Length"), None, "flushed before the end");
    assert_eq!(
        t.notification_lines(),
        [
            "IHttpCompletionInfoIHttpCompletionInfo: OnBeginRequest -> PENDING",
            "IHttpCompletionInfoIHttpCompletionInfo: OnAsyncCompletion -> CONTINUE",
            "IHttpCompletionInfoIHttpCompletionInfo: OnMapRequestHandler -> PENDING",
            "IHttpCompletionInfoIHttpCompletionInfo: OnAsyncCompletion -> CONTINUE",
        ]
    );
    // One entry per completion, written when it arrives: after its
    // operation, before the next one. (The sample's entries also give the
    // completion's byte count, which the port cannot read: see the port.)
    let entry = |notification: u32| {
        format!(
            "ReportEventW(\"IISADMIN\", EVENTLOG_INFORMATION_TYPE, 0, 0, \
             [\"Notification: {notification}\", \"Completion Status: 0x00000000\"])"
        )
    };
    assert_eq!(
        completion_calls(&t),
        [
            "IHttpResponse::WriteEntityChunks(\"Hello World!\")".to_owned(),
            entry(1),
            "IHttpResponse::Flush()".to_owned(),
            entry(16),
        ]
    );
}
