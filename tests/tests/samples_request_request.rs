//! Microsoft's `IHttpRequest` sample modules, re-done in safe Rust
//! (tests/modules/samples_request) and run in iis-host: each test asserts
//! what the sample makes observable in IIS.

mod samples_request_support;
use iis_host::ApiCall;
use samples_request_support::*;

#[test]
fn get_header_reports_user_agent_and_accept_language() {
    let host = samples(&["IHttpRequestGetHeader"]);
    let t = host.run(request(
        "GET",
        "/",
        &[("User-Agent", "Mozilla/5.0"), ("Accept-Language", "en-us")],
        b"",
    ));
    assert_eq!(
        answer(&t),
        (
            200,
            "User-Agent: Mozilla/5.0\nAccept-Language: en-us".into(),
            Some("text/plain".into())
        )
    );
    let t = host.get("/");
    assert_eq!(t.body_text(), "User-Agent: (none)\nAccept-Language: (none)");
}

#[test]
fn delete_header_hides_the_headers_from_later_modules() {
    let t = samples(&["IHttpRequestDeleteHeader", "IHttpRequestGetHeader"]).run(request(
        "GET",
        "/",
        &[("User-Agent", "Mozilla/5.0"), ("Accept-Language", "en-us")],
        b"",
    ));
    assert_eq!(t.body_text(), "User-Agent: (none)\nAccept-Language: (none)");
    assert_eq!(
        calls(&t)[..2],
        [
            "IHttpRequest::DeleteHeader(40)".to_owned(),
            "IHttpRequest::DeleteHeader(23)".to_owned()
        ]
    );
}

#[test]
fn set_header_replaces_what_later_modules_see() {
    let t = samples(&["IHttpRequestSetHeader", "IHttpRequestGetHeader"]).run(request(
        "GET",
        "/",
        &[("User-Agent", "Mozilla/5.0")],
        b"",
    ));
    assert_eq!(
        t.body_text(),
        "User-Agent: Test Browser\nAccept-Language: en-ie"
    );
}

#[test]
fn get_http_version_reports_the_protocol_version() {
    let host = samples(&["IHttpRequestGetHttpVersion"]);
    assert_eq!(
        answer(&host.get("/")),
        (
            200,
            "HTTP version: HTTP/1.1".into(),
            Some("text/plain".into())
        )
    );
    let mut old = request("GET", "/", &[], b"");
    *old.version_mut() = http::Version::HTTP_10;
    assert_eq!(host.run(old).body_text(), "HTTP version: HTTP/1.0");
}

#[test]
fn get_local_and_remote_address_render_ipv4_as_dotted_hex() {
    for name in [
        "IHttpRequestGetLocalAddress",
        "IHttpRequestGetRemoteAddress",
    ] {
        let t = samples(&[name]).get("/");
        assert_eq!(
            answer(&t),
            (
                200,
                "IP Address: 7F.00.00.01".into(),
                Some("text/plain".into())
            ),
            "{name}"
        );
    }
}

#[test]
fn get_raw_http_request_reads_without_changing_anything() {
    let t = samples(&["IHttpRequestGetRawHttpRequest"]).get("/x");
    assert_eq!(answer(&t), answer(&baseline("/x")));
    assert!(t.calls.is_empty(), "{:?}", t.calls);
}

#[test]
fn get_remaining_entity_bytes_counts_the_unread_body() {
    let host = samples(&["IHttpRequestGetRemainingEntityBytes"]);
    let t = host.run(request("POST", "/", &[], b"12345"));
    assert_eq!(
        answer(&t),
        (
            200,
            "Remaining entity bytes: 5".into(),
            Some("text/plain".into())
        )
    );
    assert_eq!(host.get("/").body_text(), "Remaining entity bytes: 0");
}

#[test]
fn get_site_id_reports_the_site() {
    let t = samples(&["IHttpRequestGetSiteId"]).get("/");
    assert_eq!(
        answer(&t),
        (200, "Site ID: 1".into(), Some("text/plain".into()))
    );
}

#[test]
fn get_url_changed_tells_whether_a_module_rewrote_the_url() {
    let t = samples(&["IHttpRequestGetUrlChanged"]).get("/");
    assert_eq!(
        answer(&t),
        (404, "Url changed: false".into(), Some("text/plain".into()))
    );
    let t = samples(&["IHttpRequestSetUrl", "IHttpRequestGetUrlChanged"]).get("/");
    assert_eq!(t.body_text(), "Url changed: true");
}

#[test]
fn read_entity_body_echoes_a_request_body_in_1k_pieces() {
    let host = samples(&["IHttpRequestReadEntityBody"]);
    let body: Vec<u8> = (0..3000u32).map(|i| b'a' + (i % 26) as u8).collect();
    let t = host.run(request("POST", "/echo", &[], &body));
    assert_eq!(t.status, 200);
    assert_eq!(t.body, body);
    assert_eq!(t.header("Content-Type"), Some(&b"text/plain"[..]));
    let writes = t
        .calls
        .iter()
        .filter(|c| matches!(c, ApiCall::ResponseWriteEntityChunks { .. }))
        .count();
    assert_eq!(writes, 3, "1024 + 1024 + 952 bytes");
    // Without a body the request continues to the (missing) handler.
    assert_eq!(host.get("/echo").status, 404);
}

#[test]
fn insert_entity_body_is_read_before_the_client_body() {
    let host = samples(&["IHttpRequestInsertEntityBody", "IHttpRequestReadEntityBody"]);
    let t = host.run(request("POST", "/echo", &[], b" and more"));
    assert_eq!(t.body_text(), "Hello world! and more");
    assert_eq!(
        calls(&t)[0],
        r#"IHttpRequest::InsertEntityBody("Hello world!")"#
    );
    assert_eq!(host.get("/echo").body_text(), "Hello world!");
}

#[test]
fn set_entity_body_as_intended_gives_the_handler_hello_world() {
    // The published sample calls IHttpRequest::SetEntityBody, which
    // httpserv.h does not have; its intent is InsertEntityBody's.
    let t = samples(&["IHttpRequestSetEntityBody", "IHttpRequestReadEntityBody"]).get("/echo");
    assert_eq!(t.body_text(), "Hello world!");
}

#[test]
fn set_http_method_makes_the_request_an_options_request() {
    let t = samples(&["IHttpRequestSetHttpMethod", "IHttpRequestGetHttpMethod"]).get("/");
    assert_eq!(t.body_text(), "HTTP Method: OPTIONS");
    assert_eq!(calls(&t)[0], r#"IHttpRequest::SetHttpMethod("OPTIONS")"#);
    // Alone, the sample makes IIS answer as for OPTIONS: the handler
    // mapped for the new verb (OPTIONSVerbHandler) sends the methods in
    // `Allow` and no body, where the GET's handler would have sent a 404.0.
    let t = samples(&["IHttpRequestSetHttpMethod"]).get("/");
    assert_eq!(t.status, 200, "{t}");
    assert_eq!(t.body_text(), "");
    assert_eq!(
        t.header("Allow"),
        Some(&b"OPTIONS, TRACE, GET, HEAD, POST"[..])
    );
}

#[test]
fn set_url_rewrites_every_request_and_resets_the_query() {
    let host = samples(&["IHttpRequestSetUrl", "IHttpContextGetPhysicalPath"]);
    let t = host.get("/index.htm?a=1");
    assert_eq!(t.status, 404, "nothing serves /example/default.aspx here");
    assert_eq!(
        t.body_text(),
        r"Physical Path: C:\inetpub\wwwroot\example\default.aspx"
    );
    assert_eq!(
        calls(&t)[0],
        r#"IHttpRequest::SetUrl("/example/default.aspx", reset_query=true)"#
    );
}

#[test]
fn get_forwarded_url_reports_a_url_set_to_another_host() {
    let t = samples(&["IHttpRequestGetForwardedUrl"]).get("/page");
    assert_eq!(
        answer(&t),
        (
            404,
            "Forwarded URL: http://www.microsoft.com/".into(),
            Some("text/plain".into())
        )
    );
    assert_eq!(
        calls(&t)[0],
        r#"IHttpRequest::SetUrl("http://www.microsoft.com/", reset_query=true)"#
    );
}

#[test]
fn get_client_certificate_over_plain_http_changes_nothing() {
    let t = samples(&["IHttpRequestGetClientCertificate"]).get("/x");
    assert_eq!(answer(&t), answer(&baseline("/x")));
    assert!(t.calls.is_empty(), "{:?}", t.calls);
}
