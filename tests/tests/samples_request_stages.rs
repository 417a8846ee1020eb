//! Microsoft's `CHttpModule` sample modules and the other request samples
//! whose observable is the Windows event log, re-done in safe Rust
//! (tests/modules/samples_request) and run in iis-host, which records what
//! they log: each test asserts the entries and that the response is
//! unchanged.

mod samples_request_support;
use iis_host::{ApiCall, Transcript};
use samples_request_support::*;

/// The event-log entries a request wrote (strings of each), all
/// information entries of the source `IISADMIN`.
fn logged(t: &Transcript) -> Vec<Vec<String>> {
    t.calls
        .iter()
        .filter_map(|c| match c {
            ApiCall::ReportEvent(entry) => {
                assert_eq!(entry.source, "IISADMIN");
                assert_eq!(entry.kind.to_string(), "EVENTLOG_INFORMATION_TYPE");
                Some(entry.strings.clone())
            }
            _ => None,
        })
        .collect()
}

fn one_each(texts: &[&str]) -> Vec<Vec<String>> {
    texts.iter().map(|t| vec![(*t).to_owned()]).collect()
}

#[test]
fn each_stage_sample_logs_its_notification_and_post_notification() {
    for (name, pre, post) in [
        (
            "CHttpModuleBeginRequest",
            "OnBeginRequest",
            "OnPostBeginRequest",
        ),
        (
            "CHttpModuleAuthenticateRequest",
            "OnAuthenticateRequest",
            "OnPostAuthenticateRequest",
        ),
        (
            "CHttpModuleAuthorizeRequest",
            "OnAuthorizeRequest",
            "OnPostAuthorizeRequest",
        ),
        (
            "CHttpModuleResolveRequestCache",
            "OnResolveRequestCache",
            "OnPostResolveRequestCache",
        ),
        (
            "CHttpModuleMapRequestHandler",
            "OnMapRequestHandler",
            "OnPostMapRequestHandler",
        ),
        (
            "CHttpModuleAcquireRequestState",
            "OnAcquireRequestState",
            "OnPostAcquireRequestState",
        ),
        (
            "CHttpModulePreExecuteRequestHandler",
            "OnPreExecuteRequestHandler",
            "OnPostPreExecuteRequestHandler",
        ),
        (
            "CHttpModuleExecuteRequestHandler",
            "OnExecuteRequestHandler",
            "OnPostExecuteRequestHandler",
        ),
        (
            "CHttpModuleReleaseRequestState",
            "OnReleaseRequestState",
            "OnPostReleaseRequestState",
        ),
        (
            "CHttpModuleUpdateRequestCache",
            "OnUpdateRequestCache",
            "OnPostUpdateRequestCache",
        ),
        ("CHttpModuleLogRequest", "OnLogRequest", "OnPostLogRequest"),
        ("CHttpModuleEndRequest", "OnEndRequest", "OnPostEndRequest"),
    ] {
        let host = samples(&[name]);
        for _ in 0..2 {
            let t = host.get("/page.htm");
            assert_eq!(logged(&t), one_each(&[pre, post]), "{name}");
            assert_eq!(answer(&t), answer(&baseline("/page.htm")), "{name}");
        }
        assert_eq!(host.event_log().len(), 4, "{name}: two entries per request");
    }
}

#[test]
fn send_response_sample_logs_each_send() {
    let host = samples(&["CHttpModuleSendResponse"]);
    let t = host.get("/");
    assert_eq!(logged(&t), one_each(&["OnSendResponse"]));
    assert_eq!(answer(&t), answer(&baseline("/")));
    // A flush is a send too.
    let t = samples(&["IHttpResponseFlush", "CHttpModuleSendResponse"]).get("/");
    assert_eq!(logged(&t), one_each(&["OnSendResponse", "OnSendResponse"]));
}

#[test]
fn map_path_sample_logs_each_mapping_and_never_its_post_method() {
    let t = samples(&["CHttpModuleMapPath"]).get("/page.htm");
    assert_eq!(logged(&t), one_each(&["OnMapPath"]));
    assert_eq!(answer(&t), answer(&baseline("/page.htm")));
    let t = samples(&["CHttpModuleMapPath", "IHttpContextMapPath"]).get("/page.htm");
    assert_eq!(
        logged(&t),
        one_each(&["OnMapPath"]),
        "MapPath(\"/\") at BeginRequest"
    );
}

#[test]
fn read_entity_sample_logs_each_entity_read() {
    let t = samples(&["CHttpModuleReadEntity", "IHttpRequestReadEntityBody"]).run(request(
        "POST",
        "/",
        &[],
        &[b'x'; 1500],
    ));
    assert_eq!(
        logged(&t),
        one_each(&["OnReadEntity", "OnReadEntity"]),
        "1024 + 476 bytes"
    );
    assert_eq!(t.body.len(), 1500);
    let t = samples(&["CHttpModuleReadEntity"]).run(request("POST", "/", &[], b"unread"));
    assert!(logged(&t).is_empty(), "nothing reads the body");
}

#[test]
fn hello_world_event_viewer_logs_at_begin_request() {
    let t = samples(&["CHttpModuleHelloWorldEventViewer"]).get("/");
    assert_eq!(logged(&t), one_each(&["Hello World!"]));
    assert_eq!(answer(&t), answer(&baseline("/")));
}

#[test]
fn generic_module_logs_its_life_and_every_notification_in_order() {
    let t = samples(&["CHttpModuleGenericHttpModule"]).run(request("POST", "/", &[], b"x"));
    assert_eq!(answer(&t), answer(&baseline("/")));
    let expected = [
        "MyHttpModule",
        "OnBeginRequest",
        "OnPostBeginRequest",
        "OnAuthenticateRequest",
        "OnPostAuthenticateRequest",
        "OnAuthorizeRequest",
        "OnPostAuthorizeRequest",
        "OnResolveRequestCache",
        "OnPostResolveRequestCache",
        "OnMapPath",
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
        "~MyHttpModule",
    ];
    assert_eq!(logged(&t), one_each(&expected));
    // Its custom-notification handler runs when another module raises one.
    let t = samples(&[
        "CHttpModuleGenericHttpModule",
        "IHttpContextNotifyCustomNotification",
    ])
    .get("/");
    assert!(logged(&t).contains(&vec!["OnCustomRequestNotification".to_owned()]));
}

#[test]
fn notify_custom_notification_reaches_the_modules_own_handler() {
    let t = samples(&["IHttpContextNotifyCustomNotification"]).get("/");
    assert_eq!(answer(&t), answer(&baseline("/")));
    assert_eq!(
        logged(&t),
        [
            ["MyHttpModule", "OnBeginRequest"],
            ["MyHttpModule", "OnCustomRequestNotification"],
        ]
    );
    assert_eq!(
        t.notification_lines()[..2],
        [
            "IHttpContextNotifyCustomNotification: OnCustomRequestNotification -> CONTINUE",
            "IHttpContextNotifyCustomNotification: OnBeginRequest -> CONTINUE",
        ],
        "the custom notification runs inside BeginRequest"
    );
    assert!(
        t.calls.iter().any(|c| c.to_string()
            == r#"IHttpContext::NotifyCustomNotification("MyCustomNotification")"#)
    );
}

#[test]
fn read_entity_get_entity_logs_data_and_buffer_sizes() {
    let t = samples(&["IReadEntityProviderGetEntity", "IHttpRequestReadEntityBody"]).run(request(
        "POST",
        "/",
        &[],
        b"hello",
    ));
    assert_eq!(t.body_text(), "hello");
    assert_eq!(
        logged(&t),
        [[
            "Request Entity Information",
            "Data Size: 5",
            "Buffer Size: 1024"
        ]]
    );
}

#[test]
fn current_execution_stats_logs_three_notifications_a_second_each() {
    let started = std::time::Instant::now();
    let t = samples(&["IHttpContextGetCurrentExecutionStats"]).get("/");
    assert!(started.elapsed() >= std::time::Duration::from_secs(3));
    assert_eq!(answer(&t), answer(&baseline("/")));
    let entries = logged(&t);
    let names: Vec<(&str, &str)> = entries
        .iter()
        .map(|e| (e[0].as_str(), e[1].as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("OnBeginRequest", "IHttpContextGetCurrentExecutionStats"),
            (
                "OnMapRequestHandler",
                "IHttpContextGetCurrentExecutionStats"
            ),
            ("OnSendResponse", "IHttpContextGetCurrentExecutionStats"),
        ]
    );
    for entry in &entries {
        assert!(
            entry[2].starts_with("Tick count at start of notification: "),
            "{entry:?}"
        );
        let elapsed: u64 = entry[3]
            .strip_prefix("Ticks elapsed since start of notification: ")
            .and_then(|n| n.parse().ok())
            .expect("a tick count");
        assert!(elapsed >= 1000, "{entry:?}");
    }
}
