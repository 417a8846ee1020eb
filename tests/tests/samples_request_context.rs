//! Microsoft's `IHttpContext` sample modules (and the other samples that
//! answer at BeginRequest with what they read), re-done in safe Rust
//! (tests/modules/samples_request) and run in iis-host: each test asserts
//! what the sample makes observable in IIS.

mod samples_request_support;
use iis_host::ApiCall;
use samples_request_support::*;

#[test]
fn hello_world_answers_every_request_at_begin_request() {
    let t = samples(&["CHttpModuleHelloWorld"]).get("/anything");
    assert_eq!(
        answer(&t),
        (200, "Hello World!".into(), Some("text/plain".into()))
    );
    assert_eq!(
        t.notification_lines(),
        ["CHttpModuleHelloWorld: OnBeginRequest -> FINISH_REQUEST"]
    );
}

#[test]
fn get_request_and_get_response_report_the_http_method() {
    for name in [
        "IHttpContextGetRequest",
        "IHttpContextGetResponse",
        "IHttpRequestGetHttpMethod",
    ] {
        let host = samples(&[name]);
        let t = host.get("/");
        assert_eq!(
            answer(&t),
            (200, "HTTP Method: GET".into(), Some("text/plain".into())),
            "{name}"
        );
        let t = host.run(request("POST", "/form", &[], b"a=1"));
        assert_eq!(t.body_text(), "HTTP Method: POST", "{name}");
        // Name and value go out as two entity chunks, as the sample writes them.
        assert!(
            calls(&t).ends_with(&[
                r#"IHttpResponse::WriteEntityChunks("HTTP Method: ")"#.to_owned(),
                r#"IHttpResponse::WriteEntityChunks("POST")"#.to_owned(),
            ]),
            "{:?}",
            calls(&t)
        );
    }
}

#[test]
fn allocate_request_memory_changes_nothing_the_client_sees() {
    let t = samples(&["IHttpContextAllocateRequestMemory"]).run(request(
        "GET",
        "/page",
        &[("User-Agent", "sample-agent/1.0")],
        b"",
    ));
    let expected = baseline("/page");
    assert_eq!(answer(&t), answer(&expected));
    assert_eq!(
        t.notification_lines(),
        ["IHttpContextAllocateRequestMemory: OnBeginRequest -> CONTINUE"]
    );
    assert!(
        t.calls
            .iter()
            .all(|c| !matches!(c, ApiCall::ProviderSetErrorStatus { .. }))
    );
}

#[test]
fn get_application_reports_the_application_physical_path() {
    let t = samples(&["IHttpContextGetApplication"]).get("/");
    assert_eq!(
        answer(&t),
        (
            200,
            r"Application physical path: C:\inetpub\wwwroot\".into(),
            Some("text/plain".into())
        )
    );
}

#[test]
fn the_published_skeletons_leave_the_response_unchanged() {
    for name in [
        "IHttpContextGetMetadata",
        "IHttpContextGetServerVarChanges",
        "IHttpRequestGetHeaderChanges",
        "IHttpResponseGetHeaderChanges",
    ] {
        let t = samples(&[name]).get("/missing.htm");
        assert_eq!(answer(&t), answer(&baseline("/missing.htm")), "{name}");
        assert!(t.calls.is_empty(), "{name}: {:?}", t.calls);
        assert!(
            t.notification_lines()
                .iter()
                .all(|l| l.ends_with("-> CONTINUE")),
            "{name}"
        );
    }
    let lines = samples(&["IHttpContextGetMetadata"])
        .get("/")
        .notification_lines();
    assert_eq!(
        lines,
        [
            "IHttpContextGetMetadata: OnBeginRequest -> CONTINUE",
            "IHttpContextGetMetadata: OnSendResponse -> CONTINUE",
        ]
    );
}

#[test]
fn get_physical_path_replaces_the_body_at_send_response() {
    let t = samples(&["IHttpContextGetPhysicalPath"]).get("/docs/page.htm");
    assert_eq!(t.status, 404, "the status of the unhandled request stays");
    assert_eq!(
        t.body_text(),
        r"Physical Path: C:\inetpub\wwwroot\docs\page.htm"
    );
    assert_eq!(
        t.notification_lines(),
        ["IHttpContextGetPhysicalPath: OnSendResponse -> FINISH_REQUEST"]
    );
}

#[test]
fn get_response_headers_sent_says_no_at_begin_request() {
    let t = samples(&["IHttpContextGetResponseHeadersSent"]).get("/");
    assert_eq!(
        answer(&t),
        (200, "Headers sent: No".into(), Some("text/plain".into()))
    );
}

#[test]
fn get_server_variable_reports_server_name() {
    let host = samples(&["IHttpContextGetServerVariable"]);
    let t = host.run(request(
        "GET",
        "/",
        &[("Host", "www.example.com:8080")],
        b"",
    ));
    assert_eq!(
        answer(&t),
        (
            200,
            "Server Name: www.example.com".into(),
            Some("text/plain".into())
        )
    );
}

#[test]
fn set_server_variable_is_seen_by_later_modules() {
    let t = samples(&[
        "IHttpContextSetServerVariable",
        "IHttpContextGetServerVariable",
    ])
    .run(request("GET", "/", &[("Host", "www.example.com")], b""));
    assert_eq!(t.body_text(), "Server Name: Example Value");
    assert_eq!(
        calls(&t)[0],
        r#"IHttpContext::SetServerVariable("SERVER_NAME", "Example Value")"#
    );
}

#[test]
fn get_site_reports_the_site_name_without_a_content_type() {
    let t = samples(&["IHttpContextGetSite"]).get("/");
    assert_eq!(t.status, 200);
    assert_eq!(t.body_text(), "Site Name: Default Web Site");
    assert_eq!(t.header("Content-Type"), None);
}

#[test]
fn map_path_reports_where_the_root_maps_and_map_handler_is_the_same_file() {
    for name in ["IHttpContextMapPath", "IHttpContextMapHandler"] {
        let t = samples(&[name]).get("/some/page.htm");
        assert_eq!(
            answer(&t),
            (
                200,
                r"Path: C:\inetpub\wwwroot\".into(),
                Some("text/plain".into())
            ),
            "{name}"
        );
    }
}

#[test]
fn registration_get_name_reports_the_configured_module_name() {
    let t = samples(&["IHttpModuleRegistrationInfoGetName"]).get("/");
    assert_eq!(
        answer(&t),
        (
            200,
            "Module name: IHttpModuleRegistrationInfoGetName".into(),
            Some("text/plain".into())
        )
    );
}

#[test]
fn set_error_status_reports_the_write_result_to_the_provider() {
    let t = samples(&["IHttpEventProviderSetErrorStatus"]).get("/");
    assert_eq!(
        answer(&t),
        (200, "Hello World!".into(), Some("text/plain".into()))
    );
    assert!(
        calls(&t).contains(&"IHttpEventProvider::SetErrorStatus(0x00000000)".to_owned()),
        "{:?}",
        calls(&t)
    );
}

#[test]
fn get_script_name_reports_the_url_after_handler_mapping() {
    let t = samples(&["IHttpContextGetScriptName"]).get("/docs/page.htm?x=1");
    assert_eq!(
        answer(&t),
        (200, "Script Name: /docs/page.htm".into(), None)
    );
    assert_eq!(
        t.notification_lines(),
        ["IHttpContextGetScriptName: OnPostMapRequestHandler -> FINISH_REQUEST"]
    );
}

#[test]
fn get_script_translated_reports_the_scripts_physical_path() {
    let t = samples(&["IHttpContextGetScriptTranslated"]).get("/docs/page.htm");
    assert_eq!(
        answer(&t),
        (
            200,
            r"Script Translated: C:\inetpub\wwwroot\docs\page.htm".into(),
            None
        )
    );
}

#[test]
fn get_trace_context_reports_the_requests_activity_id_as_a_braced_guid() {
    let host = samples(&["IHttpContextGetTraceContext"]);
    let (first, second) = (host.get("/"), host.get("/"));
    let id = first
        .body_text()
        .strip_prefix("Trace Activity ID: ")
        .expect("the label")
        .to_owned();
    assert_eq!(id.len(), 38, "{id}");
    assert!(id.starts_with('{') && id.ends_with('}'), "{id}");
    assert!(
        id[1..37]
            .chars()
            .all(|c| c == '-' || c.is_ascii_digit() || c.is_ascii_uppercase()),
        "{id}"
    );
    assert_ne!(first.body, second.body, "one activity per request");
    assert_eq!(first.header("Content-Type"), Some(&b"text/plain"[..]));
}

#[test]
fn get_url_info_says_the_url_is_not_frequently_hit() {
    let t = samples(&["IHttpContextGetUrlInfo"]).get("/");
    assert_eq!(
        answer(&t),
        (200, "Frequently Hit: No".into(), Some("text/plain".into()))
    );
}

#[test]
fn get_user_reports_anonymous_requests_at_send_response() {
    let t = samples(&["IHttpContextGetUser"]).get("/missing");
    assert_eq!(t.status, 404);
    assert_eq!(t.body_text(), "User name: ANONYMOUS");
    assert_eq!(
        t.notification_lines(),
        ["IHttpContextGetUser: OnSendResponse -> CONTINUE"]
    );
    // A request finished at BeginRequest never authenticated: no user, so
    // the sample only clears the body.
    let t = samples(&["CHttpModuleHelloWorld", "IHttpContextGetUser"]).get("/");
    assert_eq!((t.status, t.body_text()), (200, String::new()));
}

#[test]
fn get_connection_and_is_connected_answer_client_connected_yes() {
    for name in ["IHttpContextGetConnection", "IHttpConnectionIsConnected"] {
        let t = samples(&[name]).get("/missing");
        assert_eq!(t.status, 404, "{name}: the status stays");
        assert_eq!(t.body_text(), "Client connected: Yes", "{name}");
        assert_eq!(t.header("Content-Type"), Some(&b"text/plain"[..]), "{name}");
        assert_eq!(
            t.notification_lines(),
            [format!("{name}: OnSendResponse -> FINISH_REQUEST")]
        );
    }
}

#[test]
fn connection_allocate_memory_echoes_the_user_agent() {
    let host = samples(&["IHttpConnectionAllocateMemory"]);
    let t = host.run(request("GET", "/", &[("User-Agent", "curl/8.0")], b""));
    assert_eq!(
        answer(&t),
        (
            200,
            "User-Agent: curl/8.0".into(),
            Some("text/plain".into())
        )
    );
    let t = host.get("/");
    assert_eq!(
        answer(&t),
        answer(&baseline("/")),
        "no User-Agent: unchanged"
    );
}

#[test]
fn get_file_info_leaves_a_request_without_a_file_unchanged() {
    // The default application root (C:\inetpub\wwwroot\) holds no such
    // file, so the request maps to none; files of a real root are reported
    // behind IMapHandlerProviderSetFileInfo (samples_request_handlers.rs).
    let t = samples(&["IHttpContextGetFileInfo"]).get("/page.htm");
    assert_eq!(answer(&t), answer(&baseline("/page.htm")));
    assert_eq!(
        t.notification_lines(),
        ["IHttpContextGetFileInfo: OnSendResponse -> CONTINUE"]
    );
}
