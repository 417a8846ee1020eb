//! Microsoft's `IHttpResponse` sample modules, re-done in safe Rust
//! (tests/modules/samples_request) and run in iis-host: each test asserts
//! what the sample makes observable in IIS.

mod samples_request_support;
use iis_host::http::ConnectionFate;
use samples_request_support::*;

use iis_host::{ApiCall, Transcript};

fn header(t: &Transcript, name: &str) -> Option<String> {
    t.header(name)
        .map(|v| String::from_utf8_lossy(v).into_owned())
}

#[test]
fn clear_at_send_response_empties_the_body_but_keeps_status_and_headers() {
    let t = samples(&["CHttpModuleHelloWorld", "IHttpResponseClear"]).get("/");
    assert_eq!(answer(&t), (200, String::new(), Some("text/plain".into())));
    assert_eq!(header(&t, "Content-Length").as_deref(), Some("0"));
    // An unhandled request's 404.0 has no body when SendResponse runs: its
    // page comes after, from the custom error module, which IIS runs last
    // in SendResponse, so clearing there does not remove it.
    let t = samples(&["IHttpResponseClear"]).get("/missing");
    assert_eq!(t.status, 404);
    assert_eq!(t.body, baseline("/missing").body);
    assert!(
        t.body_text().contains("HTTP Error 404.0 - Not Found"),
        "{t}"
    );
}

#[test]
fn clear_headers_at_send_response_removes_every_header() {
    let t = samples(&["CHttpModuleHelloWorld", "IHttpResponseClearHeaders"]).get("/");
    assert_eq!(answer(&t), (200, "Hello World!".into(), None));
    assert!(calls(&t).contains(&"IHttpResponse::ClearHeaders()".to_owned()));
}

#[test]
fn delete_header_at_begin_request_changes_nothing_visible() {
    let t = samples(&["IHttpResponseDeleteHeader"]).get("/");
    assert_eq!(answer(&t), answer(&baseline("/")));
    assert_eq!(
        calls(&t),
        [
            "IHttpResponse::DeleteHeader(26)",
            "IHttpResponse::DeleteHeader(23)"
        ]
    );
    // The Server header the server adds is still sent.
    assert_eq!(header(&t, "Server").as_deref(), Some("Microsoft-IIS/10.0"));
}

#[test]
fn disable_buffering_sends_each_write_at_once() {
    let t = samples(&[
        "IHttpResponseDisableBuffering",
        "IHttpResponseWriteEntityChunks",
    ])
    .get("/");
    assert_eq!(t.body_text(), "First chunk data\nSecond chunk data\n");
    assert_eq!(
        header(&t, "Content-Length"),
        None,
        "sent before its length was known (chunked)"
    );
    let t = samples(&["IHttpResponseWriteEntityChunks"]).get("/");
    assert_eq!(header(&t, "Content-Length").as_deref(), Some("35"));
}

#[test]
fn disable_kernel_cache_is_seen_by_get_kernel_cache_enabled() {
    let t = samples(&["IHttpResponseGetKernelCacheEnabled"]).get("/");
    assert_eq!(
        answer(&t),
        (
            200,
            "Kernel cache enabled: enabled".into(),
            Some("text/plain".into())
        )
    );
    let t = samples(&[
        "IHttpResponseDisableKernelCache",
        "IHttpResponseGetKernelCacheEnabled",
    ])
    .get("/");
    assert_eq!(t.body_text(), "Kernel cache enabled: disabled");
    assert_eq!(calls(&t)[0], "IHttpResponse::DisableKernelCache(9)");
}

#[test]
fn flush_commits_status_and_headers_before_the_handler() {
    // Nothing handles the request, but the 200 left before IIS could
    // answer 404.
    let t = samples(&["IHttpResponseFlush"]).get("/missing");
    assert_eq!(t.status, 200);
    assert!(t.body.is_empty());
    assert_eq!(header(&t, "Content-Length"), None);
    // What a later module writes follows the committed head.
    let t = samples(&["IHttpResponseFlush", "IHttpContextGetRequest"]).get("/");
    assert_eq!(t.status, 200);
    assert_eq!(t.body_text(), "HTTP Method: GET");
    assert_eq!(header(&t, "Content-Type"), None, "set after the head left");
    assert_eq!(header(&t, "Content-Length"), None);
    assert_eq!(
        calls(&t)[..2],
        ["IHttpResponse::Flush()", "IHttpResponse::Clear()"]
    );
}

#[test]
fn get_header_lists_nothing_when_server_and_location_are_unset() {
    let t = samples(&["IHttpResponseGetHeader"]).get("/");
    assert_eq!(answer(&t), (200, String::new(), Some("text/plain".into())));
}

#[test]
fn get_status_reports_the_status_then_sets_200() {
    let t = samples(&["IHttpResponseGetStatus"]).get("/");
    assert_eq!(
        answer(&t),
        (
            200,
            "HTTP Status: 200.0 OK".into(),
            Some("text/plain".into())
        )
    );
    assert!(calls(&t).contains(
        &r#"IHttpResponse::SetStatus(200, "OK", 0, skip_custom_errors=false)"#.to_owned()
    ));
}

#[test]
fn redirect_sends_302_to_example_with_the_query_string() {
    let host = samples(&["IHttpResponseRedirect"]);
    let t = host.get("/page.htm?id=7&x=y");
    assert_eq!(t.status, 302);
    assert_eq!(
        header(&t, "Location").as_deref(),
        Some("/example/?id=7&x=y")
    );
    let t = host.get("/page.htm");
    assert_eq!(header(&t, "Location").as_deref(), Some("/example/"));
    assert_eq!(
        calls(&t),
        [r#"IHttpResponse::Redirect("/example/", reset_status=true, include_parameters=true)"#]
    );
}

#[test]
fn reset_connection_at_send_response_aborts_the_connection() {
    let t = samples(&["IHttpResponseResetConnection"]).get("/");
    assert_eq!(t.fate, ConnectionFate::Reset);
    assert_eq!(t.status, 0, "no response head reaches the client");
    assert!(t.body.is_empty());
    let writes: Vec<String> = t
        .calls
        .iter()
        .filter(|c| matches!(c, ApiCall::ResponseWriteEntityChunks { .. }))
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        writes,
        [
            r#"IHttpResponse::WriteEntityChunks("Status: ")"#,
            r#"IHttpResponse::WriteEntityChunks("Before Reset\n")"#,
            r#"IHttpResponse::WriteEntityChunks("Status: ")"#,
            r#"IHttpResponse::WriteEntityChunks("After Reset\n")"#,
        ]
    );
}

#[test]
fn set_header_at_send_response_appends_refresh_and_replaces_content_type_and_server() {
    let t = samples(&["IHttpResponseSetHeader"]).get("/missing");
    assert_eq!(t.status, 404, "the body and status are unchanged");
    assert_eq!(t.body, baseline("/missing").body);
    assert_eq!(header(&t, "Refresh").as_deref(), Some("30"));
    // The module replaces Content-Type; the 404.0 page, put on the response
    // after every SendResponse module (IIS's custom error module runs
    // last), is sent as HTML.
    assert!(
        calls(&t)
            .contains(&r#"IHttpResponse::SetHeader(12, "text/plain", replace=true)"#.to_owned()),
        "{:?}",
        calls(&t)
    );
    assert_eq!(header(&t, "Content-Type").as_deref(), Some("text/html"));
    assert_eq!(header(&t, "Server").as_deref(), Some("MyServer/7.0"));
    let servers = t
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("Server"))
        .count();
    assert_eq!(servers, 1);
}

#[test]
fn set_need_disconnect_closes_the_connection_after_the_response() {
    let t = samples(&["IHttpResponseSetNeedDisconnect"]).get("/");
    assert_eq!(t.fate, ConnectionFate::Closed);
    assert_eq!(answer(&t), answer(&baseline("/")));
}

#[test]
fn write_entity_chunks_sends_two_chunks_from_one_call() {
    let t = samples(&["IHttpResponseWriteEntityChunks"]).get("/");
    assert_eq!(
        answer(&t),
        (
            200,
            "First chunk data\nSecond chunk data\n".into(),
            Some("text/plain".into())
        )
    );
    let writes = t
        .calls
        .iter()
        .filter(|c| matches!(c, ApiCall::ResponseWriteEntityChunks { .. }))
        .count();
    assert_eq!(writes, 1);
}

#[test]
fn get_raw_http_response_counts_the_buffered_entity_chunks() {
    let t = samples(&["IHttpContextGetRequest", "IHttpResponseGetRawHttpResponse"]).get("/");
    assert_eq!(
        answer(&t),
        (
            200,
            "Data chunks in response buffer: 2".into(),
            Some("text/plain".into())
        )
    );
    // One WriteEntityChunks call with two chunks buffers two chunks.
    let t = samples(&[
        "IHttpResponseWriteEntityChunks",
        "IHttpResponseGetRawHttpResponse",
    ])
    .get("/");
    assert_eq!(t.body_text(), "Data chunks in response buffer: 2");
    // The unhandled request's 404.0 has no entity yet at SendResponse (IIS's
    // custom error module adds its page after every other module).
    let t = samples(&["IHttpResponseGetRawHttpResponse"]).get("/");
    assert_eq!(t.body_text(), "Data chunks in response buffer: 0");
}

#[test]
fn get_headers_suppressed_sends_the_head_the_module_wrote() {
    let t = samples(&["IHttpResponseGetHeadersSuppressed"]).get("/");
    assert_eq!(t.status, 200);
    assert_eq!(t.body_text(), "Hello World!");
    assert_eq!(
        t.headers,
        [
            ("Content-type".to_owned(), b"text/plain".to_vec()),
            ("Content-length".to_owned(), b"12".to_vec()),
        ],
        "only the module's headers: IIS's (Server, …) are suppressed"
    );
    assert!(calls(&t).contains(&"IHttpResponse::SuppressHeaders()".to_owned()));
}

#[test]
fn set_error_description_shows_on_the_404_page() {
    let t = samples(&["IHttpResponseSetErrorDescription"]).get("/missing.htm");
    assert_eq!(t.status, 404);
    assert!(
        t.body_text()
            .contains("<h4>The file that you requested cannot be found.</h4>"),
        "{}",
        t.body_text()
    );
    assert!(!t.body_text().contains("has been removed"));
    // Other responses are left alone.
    let t = samples(&["CHttpModuleHelloWorld", "IHttpResponseSetErrorDescription"]).get("/");
    assert_eq!(t.body_text(), "Hello World!");
    assert!(
        t.calls
            .iter()
            .all(|c| !matches!(c, ApiCall::ResponseSetErrorDescription { .. }))
    );
}

#[test]
fn write_entity_chunk_by_reference_answers_every_fifth_htm_request_with_ordered_chunks() {
    let host = samples(&["IHttpResponseWriteEntityChunkByReference"]);
    for _ in 0..4 {
        assert_eq!(host.get("/index.htm").status, 404, "not a fifth request");
    }
    // The fifth: the first two chunks go to position 0, so the second comes first.
    let t = host.get("/index.htm");
    assert_eq!(t.status, 200);
    assert_eq!(t.header("Content-Type"), None);
    let body = t.body_text();
    let (head, thread) = body
        .split_once("GetCurrentThreadId = ")
        .expect("the third chunk");
    assert!(
        !thread.is_empty() && thread.chars().all(|c| c.is_ascii_digit()),
        "{body}"
    );
    assert_eq!(
        head,
        concat!(
            "<br /> <b> Adding 2nd chunk in Bold </b> File insertPos = 0",
            "<p /> first chunk  callback count = 10 insertPos = 0<br />",
            " <p /> Last (3rd) Chunk added with default append chunk  ",
        )
    );
    let positions: Vec<i32> = t
        .calls
        .iter()
        .filter_map(|c| match c {
            ApiCall::ResponseWriteEntityChunkByReference { position, .. } => Some(*position),
            _ => None,
        })
        .collect();
    assert_eq!(positions, [0, 0, -1]);
    // A fifth request for another kind of file just continues.
    for _ in 0..4 {
        host.get("/index.htm");
    }
    assert_eq!(host.get("/image.png").status, 404);
    // The next answered one appends all three, in order.
    for _ in 0..4 {
        host.get("/index.htm");
    }
    let body = host.get("/index.htm").body_text();
    assert!(
        body.starts_with(
            "<p /> first chunk  callback count = 30 insertPos = -1<br /><br /> <b> Adding 2nd"
        ),
        "{body}"
    );
}

#[test]
fn raise_event_sample_traces_each_chunk_it_writes_by_reference() {
    let host = samples(&["_RaiseEvnt"]);
    for _ in 0..4 {
        let t = host.get("/index.htm");
        assert_eq!(t.status, 404);
        assert!(
            t.calls
                .iter()
                .all(|c| !matches!(c, ApiCall::TraceEvent { .. }))
        );
    }
    let t = host.get("/index.htm");
    assert!(
        t.body_text()
            .starts_with("<br /> <b> Adding 2nd chunk in Bold </b> File insertPos = 0"),
        "{}",
        t.body_text()
    );
    let sequence: Vec<String> = t
        .calls
        .iter()
        .filter(|c| {
            matches!(
                c,
                ApiCall::TraceEvent { .. } | ApiCall::ResponseWriteEntityChunkByReference { .. }
            )
        })
        .map(|c| match c {
            ApiCall::TraceEvent { .. } => c.to_string(),
            _ => "write".to_owned(),
        })
        .collect();
    let event = r#"IHttpTraceContext::RaiseTraceEvent("NOTIFY_MY_CSTM_WECBR_EVNT", event=1, area=1, verbosity=1)"#;
    assert_eq!(sequence, [event, "write", event, "write", event, "write"]);
}

#[test]
fn get_cache_policy_reports_whether_the_user_cache_is_enabled() {
    // iis-host has no user-mode output cache (IIS's is enabled unless
    // configured off), so the policy says no.
    let t = samples(&["IHttpResponseGetCachePolicy"]).get("/");
    assert_eq!(
        answer(&t),
        (
            200,
            "User cache enabled: no".into(),
            Some("text/plain".into())
        )
    );
}
