//! Microsoft's sample modules about the request's handler — its handler
//! mapping (`IHttpContext::GetScriptMap`), whether it runs
//! (`SetRequestHandled`), the file it serves
//! (`IMapHandlerProvider::SetFileInfo`) — and the request's log entry
//! (`ISendResponseProvider::GetLogData`), re-done in safe Rust
//! (tests/modules/samples_request) and run in iis-host: each test asserts
//! what the sample makes observable in IIS.

mod samples_request_support;

use iis_host::{HandlerMapping, HostConfig, LogRecord, RequiredAccess, ResourceType, Transcript};
use samples_request_support::*;
use std::path::{Path, PathBuf};

/// `sample`'s answer for `url`, asserting it finished after handler mapping.
fn allowed_verbs(url: &str) -> Transcript {
    let t = samples(&["IHttpContextGetScriptMap"]).get(url);
    assert_eq!(
        t.notification_lines(),
        ["IHttpContextGetScriptMap: OnPostMapRequestHandler -> FINISH_REQUEST"],
        "{url}"
    );
    t
}

#[test]
fn get_script_map_answers_with_the_verbs_of_the_selected_mapping() {
    for (url, verbs) in [
        ("/default.aspx", "GET,HEAD,POST,DEBUG"),
        ("/default.asp", "GET,HEAD,POST"),
        ("/index.htm", "*"),
    ] {
        assert_eq!(
            answer(&allowed_verbs(url)),
            (
                200,
                format!("Allowed Verbs: {verbs}"),
                Some("text/plain".into())
            ),
            "{url}"
        );
    }
    // No mapping applies: GetScriptMap is null and the request goes on,
    // to IIS's "no handler" page.
    let config = HostConfig {
        handlers: vec![HandlerMapping {
            name: "OnlyAspx".to_owned(),
            path: "*.aspx".to_owned(),
            verb: "GET".to_owned(),
            modules: "ManagedPipelineHandler".to_owned(),
            script_processor: String::new(),
            managed_type: String::new(),
            resource_type: ResourceType::File,
            required_access: RequiredAccess::Script,
            allow_path_info: true,
            response_buffer_limit: 0,
        }],
        ..HostConfig::default()
    };
    let t = samples_with(&["IHttpContextGetScriptMap"], config).get("/index.htm");
    // No handler for the request: IIS's 404.4.
    assert_eq!((t.status, t.substatus), (404, 4), "{t}");
    assert_eq!(
        t.notification_lines(),
        ["IHttpContextGetScriptMap: OnPostMapRequestHandler -> CONTINUE"]
    );
}

#[test]
fn set_request_handled_answers_classic_asp_requests_before_their_handler() {
    let t = samples(&["IHttpContextSetRequestHandled"]).get("/default.asp");
    assert_eq!(
        answer(&t),
        (
            200,
            "ASP requests have been handled.".into(),
            Some("text/plain".into())
        )
    );
    assert_eq!(
        calls(&t),
        [
            "IHttpResponse::Clear()",
            r#"IHttpResponse::SetHeader(12, "text/plain", replace=true)"#,
            r#"IHttpResponse::WriteEntityChunks("ASP requests have been handled.")"#,
            "IHttpContext::SetRequestHandled()",
        ]
    );
    assert_eq!(
        t.notification_lines(),
        ["IHttpContextSetRequestHandled: OnPreExecuteRequestHandler -> CONTINUE"]
    );
    // Requests for other handlers (ASP.NET, static files) are left alone.
    for url in ["/default.aspx", "/index.htm"] {
        let t = samples(&["IHttpContextSetRequestHandled"]).get(url);
        assert_eq!(answer(&t), answer(&baseline(url)), "{url}");
        assert!(t.calls.is_empty(), "{url}: {:?}", calls(&t));
    }
}

/// A fresh web root for `test` holding `default.htm` and
/// `example/default.htm`.
fn web_root(test: &str) -> PathBuf {
    let root =
        std::env::temp_dir().join(format!("iis-samples-request-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("example")).expect("create the web root");
    std::fs::write(root.join("default.htm"), "default").expect("write default.htm");
    root
}

fn rooted(root: &Path) -> HostConfig {
    HostConfig {
        physical_path: format!("{}/", root.display()),
        ..HostConfig::default()
    }
}

#[test]
fn set_file_info_hands_default_htm_the_file_of_example_default_htm() {
    // The file the handler serves is what GetFileInfo returns afterwards,
    // which the IHttpContextGetFileInfo sample reports at SendResponse
    // (over the static file handler's 200, whose status Clear keeps).
    let root = web_root("set-file-info");
    let example = root.join("example").join("default.htm");
    std::fs::write(&example, "example").expect("write example/default.htm");
    let host = samples_with(
        &["IMapHandlerProviderSetFileInfo", "IHttpContextGetFileInfo"],
        rooted(&root),
    );
    let t = host.get("/default.htm");
    assert_eq!(
        answer(&t),
        (
            200,
            format!("File path: {}", example.display()),
            Some("text/plain".into())
        )
    );
    assert_eq!(
        t.notification_lines(),
        [
            "IMapHandlerProviderSetFileInfo: OnMapRequestHandler -> CONTINUE",
            "IHttpContextGetFileInfo: OnSendResponse -> FINISH_REQUEST",
        ]
    );
    // Other URLs keep their own file; every request gets its own.
    let t = host.get("/example/default.htm");
    assert_eq!(t.body_text(), format!("File path: {}", example.display()));
    let t = host.get("/default.htm?again");
    assert_eq!(t.body_text(), format!("File path: {}", example.display()));
    let alone = samples_with(&["IHttpContextGetFileInfo"], rooted(&root)).get("/default.htm");
    assert_eq!(
        alone.body_text(),
        format!("File path: {}", root.join("default.htm").display())
    );
}

#[test]
fn set_file_info_without_the_example_file_leaves_the_request_alone() {
    let root = web_root("set-file-info-missing");
    let t = samples_with(
        &["IMapHandlerProviderSetFileInfo", "IHttpContextGetFileInfo"],
        rooted(&root),
    )
    .get("/default.htm");
    assert_eq!(
        t.body_text(),
        format!("File path: {}", root.join("default.htm").display())
    );
}

/// The log entry iis-host prepares for `GET url` from the in-process client.
fn log_of(url: &str, status: u16) -> LogRecord {
    LogRecord {
        user_name: String::new(),
        uri_stem: url.to_owned(),
        client_ip: b"127.0.0.1".to_vec(),
        server_name: b"IIS-HOST".to_vec(),
        service_name: b"W3SVC1".to_vec(),
        server_ip: b"127.0.0.1".to_vec(),
        method: b"GET".to_vec(),
        uri_query: Vec::new(),
        host: b"localhost".to_vec(),
        user_agent: Vec::new(),
        cookie: Vec::new(),
        referrer: Vec::new(),
        server_port: 80,
        protocol_status: status,
        win32_status: 0,
        method_num: 4,
        sub_status: 0,
    }
}

#[test]
fn send_response_get_log_data_answers_the_server_name_and_logs_port_8080() {
    let t = samples(&["ISendResponseProviderGetLogData"]).get("/page.htm");
    // The body is replaced; the status stays the 404 of the unhandled
    // request, as Clear leaves it.
    assert_eq!(
        answer(&t),
        (
            404,
            "Server name: IIS-HOST".into(),
            Some("text/plain".into())
        )
    );
    assert_eq!(
        t.log,
        Some(LogRecord {
            server_port: 8080,
            ..log_of("/page.htm", 404)
        })
    );
    assert_eq!(
        calls(&t),
        [
            "IHttpResponse::Clear()",
            r#"IHttpResponse::SetHeader(12, "text/plain", replace=true)"#,
            r#"IHttpResponse::WriteEntityChunks("Server name: ")"#,
            r#"IHttpResponse::WriteEntityChunks("IIS-HOST")"#,
            "ISendResponseProvider::SetLogData()",
        ]
    );
    // Without the sample, the entry has the server's own port.
    assert_eq!(baseline("/page.htm").log, Some(log_of("/page.htm", 404)));
    // Another computer name shows up as the server name.
    let config = HostConfig {
        computer_name: "WEB01".to_owned(),
        ..HostConfig::default()
    };
    let t = samples_with(&["ISendResponseProviderGetLogData"], config).get("/");
    assert_eq!(t.body_text(), "Server name: WEB01");
}

#[test]
fn send_response_get_log_data_waits_for_the_final_send() {
    // A Flush sends before the log data is ready: the sample lets that send
    // go and answers at the final one, after the committed head.
    let t = samples(&["IHttpResponseFlush", "ISendResponseProviderGetLogData"]).get("/");
    assert_eq!(t.status, 200);
    assert_eq!(t.body_text(), "Server name: IIS-HOST");
    assert_eq!(
        t.notification_lines()
            .iter()
            .filter(|l| l.starts_with("ISendResponseProviderGetLogData"))
            .collect::<Vec<_>>(),
        [
            "ISendResponseProviderGetLogData: OnSendResponse -> CONTINUE",
            "ISendResponseProviderGetLogData: OnSendResponse -> CONTINUE",
        ]
    );
    let set_log_data = calls(&t)
        .iter()
        .filter(|c| *c == "ISendResponseProvider::SetLogData()")
        .count();
    assert_eq!(set_log_data, 1);
    assert_eq!(
        t.log,
        Some(LogRecord {
            server_port: 8080,
            ..log_of("/", 200)
        })
    );
}
