//! Microsoft's sample modules of the event providers (`ISendResponseProvider`,
//! `IReadEntityProvider`, `IMapPathProvider`, `IMapHandlerProvider`), re-done
//! in safe Rust (tests/modules/samples_request) and run in iis-host: each
//! test asserts what the sample makes observable in IIS.

mod samples_request_support;
use iis_host::http::ConnectionFate;
use samples_request_support::*;

use iis_host::Host;

#[test]
fn send_response_get_flags_adds_disconnect_and_buffer_data_and_closes_the_connection() {
    let t = samples(&["ISendResponseProviderGetFlags"]).get("/");
    assert_eq!(
        t.body_text(),
        "\nFlags: 0x9\n\nHTTP_SEND_RESPONSE_FLAG_DISCONNECT\nHTTP_SEND_RESPONSE_FLAG_BUFFER_DATA"
    );
    assert_eq!(t.header("Content-Type"), Some(&b"text/plain"[..]));
    assert_eq!(t.fate, ConnectionFate::Closed);
    assert_eq!(calls(&t)[0], "ISendResponseProvider::SetFlags(0x9)");
}

#[test]
fn send_response_get_headers_being_sent_writes_its_own_head() {
    let t = samples(&["ISendResponseProviderGetHeadersBeingSent"]).get("/missing");
    assert_eq!(t.status, 200, "the module's own status line");
    assert_eq!(t.body_text(), "Headers being sent: Yes");
    assert_eq!(
        t.headers,
        [
            ("Content-type".to_owned(), b"text/plain".to_vec()),
            ("Content-length".to_owned(), b"23".to_vec()),
        ]
    );
}

#[test]
fn read_entity_set_entity_replaces_what_the_handler_reads() {
    let t = samples(&["IReadEntityProviderSetEntity", "IHttpRequestReadEntityBody"]).run(request(
        "POST",
        "/form",
        &[],
        b"user=someone",
    ));
    assert_eq!(t.body_text(), "Name=Value");
    assert!(
        t.notification_lines()
            .contains(&"IReadEntityProviderSetEntity: OnReadEntity -> CONTINUE".to_owned())
    );
}

#[test]
fn map_path_get_physical_path_answers_when_the_url_is_mapped() {
    let t = samples(&["IMapPathProviderGetPhysicalPath"]).get("/docs/page.htm");
    assert_eq!(
        answer(&t),
        (
            200,
            r"Physical path: C:\inetpub\wwwroot\docs\page.htm".into(),
            Some("text/plain".into())
        )
    );
    assert_eq!(
        t.notification_lines(),
        [
            "IMapPathProviderGetPhysicalPath: OnMapPath -> CONTINUE",
            "IMapPathProviderGetPhysicalPath: OnPreExecuteRequestHandler -> FINISH_REQUEST",
        ],
        "the handler never runs"
    );
}

#[test]
fn map_path_get_url_answers_with_the_url_being_mapped() {
    let t = samples(&["IMapPathProviderGetUrl"]).get("/docs/page.htm?q=1");
    assert_eq!(
        answer(&t),
        (200, "URL: /docs/page.htm".into(), Some("text/plain".into()))
    );
    // A module mapping another URL raises it too (inside its own call).
    let t = samples(&["IMapPathProviderGetUrl", "IHttpContextMapPath"]).get("/x");
    assert_eq!(
        t.notification_lines(),
        [
            "IMapPathProviderGetUrl: OnMapPath -> CONTINUE",
            "IHttpContextMapPath: OnBeginRequest -> FINISH_REQUEST",
        ]
    );
}

#[test]
fn map_path_set_physical_path_maps_every_url_to_c_temp() {
    let t = samples(&[
        "IMapPathProviderSetPhysicalPath",
        "IHttpContextGetPhysicalPath",
    ])
    .get("/docs/page.htm");
    assert_eq!(t.body_text(), r"Physical Path: C:\TEMP");
    let t = samples(&["IMapPathProviderSetPhysicalPath", "IHttpContextMapPath"]).get("/");
    assert_eq!(t.body_text(), r"Path: C:\TEMP");
}

#[test]
fn map_handler_set_script_name_hands_default_htm_to_example() {
    let host = samples(&[
        "IMapHandlerProviderSetScriptName",
        "IHttpContextGetScriptName",
    ]);
    assert_eq!(
        host.get("/default.htm").body_text(),
        "Script Name: /example/default.htm"
    );
    assert_eq!(
        host.get("/other.htm").body_text(),
        "Script Name: /other.htm"
    );
}

#[test]
fn map_path_samples_as_intended_trace_and_continue() {
    // Published with OnMapPath(IHttpContext*, IHttpEventProvider*), which
    // does not override CHttpModule::OnMapPath; the safe API cannot make
    // that mistake, so the intended body runs.
    let t = samples(&["_MapPath"]).get("/x");
    assert_eq!(answer(&t), answer(&baseline("/x")));
    assert_eq!(
        calls(&t),
        [
            r#"IHttpTraceContext::QuickTrace("OnMapPath start", "", 0x00000000, 4)"#,
            r#"IHttpTraceContext::QuickTrace("End OnMapPath ", "", 0x00000000, 4)"#,
        ]
    );
    let t = samples(&["_ReadEntity"]).get("/x");
    assert_eq!(answer(&t), answer(&baseline("/x")));
    assert_eq!(
        t.notification_lines(),
        ["_ReadEntity: OnMapPath -> CONTINUE"]
    );
}

#[test]
fn module_allocator_memory_holds_each_instances_message() {
    let host = samples(&["IModuleAllocatorAllocateMemory"]);
    for _ in 0..3 {
        let t = host.get("/");
        assert_eq!(
            answer(&t),
            (
                200,
                "Message: Hello World!".into(),
                Some("text/plain".into())
            )
        );
        let events: Vec<String> = t.events.iter().map(ToString::to_string).collect();
        assert_eq!(
            events,
            [
                "IModuleAllocatorAllocateMemory: GetHttpModule -> 0x00000000",
                "IModuleAllocatorAllocateMemory: Dispose",
            ]
        );
    }
}

#[test]
fn authentication_provider_set_user_installs_valid_user_seen_at_send_response() {
    let t = samples(&["IAuthenticationProvider"]).get("/");
    assert_eq!(
        t.body_text(),
        "<?xml version=\"1.0\"?><user authType=\"Anonymous\" impersonationToken=\"NULL\" \
         passWord=\"[hidden]\" primaryToken=\"NULL\" remoteName=\"ValidUser\" \
         userName=\"ValidUser\" userVariable=\"NULL\" supportsRoles=\"false\"/>\r\n"
    );
    assert_eq!(t.header("Content-Type"), Some(&b"text/xml"[..]));
    assert_eq!(calls(&t)[0], "IAuthenticationProvider::SetUser()");
    // Later modules see the user too (SendResponse runs in reverse order,
    // so the module loaded first runs last).
    let t = samples(&["IHttpContextGetUser", "IAuthenticationProvider"]).get("/");
    assert_eq!(t.body_text(), "User name: ValidUser");
}

#[test]
fn authentication_provider_runs_first_and_leaves_an_existing_user() {
    // FIRST priority: it authenticates before a module loaded earlier.
    let library = iis_host::testing::cdylib_path("iis_samples_request");
    let host = Host::builder()
        .module_named("IHttpContextGetNextNotification", &library)
        .module_named("IAuthenticationProvider", &library)
        .build()
        .expect("loads");
    let t = host.get("/");
    let order: Vec<String> = t
        .notification_lines()
        .into_iter()
        .filter(|l| l.contains("OnAuthenticateRequest"))
        .collect();
    assert_eq!(
        order,
        [
            "IAuthenticationProvider: OnAuthenticateRequest -> CONTINUE",
            "IHttpContextGetNextNotification: OnAuthenticateRequest -> CONTINUE",
        ]
    );
}
