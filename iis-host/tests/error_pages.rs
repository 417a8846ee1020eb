//! The page an error response gets, as IIS's custom error module gives it
//! (`system.webServer/httpErrors`, `errorMode="DetailedLocalOnly"` and
//! `existingResponse="Auto"` by default): detailed for a local client,
//! short for a remote one, the module's own response kept where IIS keeps
//! it (issue 14, item 3).

mod support;

use std::net::SocketAddr;

use iis_host::http::{RecordingSink, Request};
use iis_host::{ErrorMode, Host, HostConfig, Transcript};
use iis_sys::*;
use support::{Call, Counters, Script, calls, over_tcp};

static ERRORS_COUNTERS: Counters = Counters::new();
/// In ExecuteRequestHandler, by query string:
/// - `described`: `SetStatus(500, 19, E_FAIL)` and an HTML-encoded
///   description, no body;
/// - `own_body`: `SetStatus(404)` and a body of its own;
/// - `skip`: `SetStatus(404, fTrySkipCustomErrors)` and a body;
/// - `skip_empty`: `SetStatus(404, fTrySkipCustomErrors)`, no body.
static ERRORS: Script = Script {
    on_request: |call: &Call| {
        let query = calls::server_variable(call.context, c"QUERY_STRING").unwrap_or_default();
        let cx = call.context;
        match query.as_str() {
            "described" => {
                calls::set_status_detail(cx, 500, c"Internal Server Error", 19, E_FAIL, false);
                calls::set_error_description(cx, "<script>db</script> & co are down", true);
            }
            "own_body" => {
                calls::set_status_detail(cx, 404, c"Not Found", 0, HRESULT(0), false);
                calls::write(cx, b"no such order");
            }
            "skip" => {
                calls::set_status_detail(cx, 404, c"Not Found", 0, HRESULT(0), true);
                calls::write(cx, b"{\"error\":\"no such order\"}");
            }
            "skip_empty" => {
                calls::set_status_detail(cx, 404, c"Not Found", 0, HRESULT(0), true);
            }
            _ => {
                calls::write(cx, b"fine");
            }
        }
        RQ_NOTIFICATION_FINISH_REQUEST
    },
    ..Script::new(RQ_EXECUTE_REQUEST_HANDLER, 0, &ERRORS_COUNTERS)
};
module!(errors, ERRORS);

fn host(error_mode: ErrorMode) -> Host {
    Host::builder()
        .config(HostConfig {
            error_mode,
            ..HostConfig::default()
        })
        .module_fn("errors", errors)
        .build()
        .unwrap()
}

/// `GET target` from a client at `remote` (`Host::handle`, as `serve` runs
/// each request).
fn from(host: &Host, remote: [u8; 4], target: &str) -> Transcript {
    let request = Request {
        method: http::Method::GET,
        target: target.as_bytes().to_vec(),
        version: http::Version::HTTP_11,
        headers: vec![("Host".to_owned(), b"shop.example".to_vec())],
        body: Vec::new(),
        body_stream: None,
        remote_addr: SocketAddr::from((remote, 50_000)),
        local_addr: SocketAddr::from(([192, 0, 2, 1], 80)),
    };
    host.handle(request, &mut RecordingSink::new())
}

const REMOTE: [u8; 4] = [203, 0, 113, 9];

#[test]
fn a_local_client_gets_the_detailed_page_with_substatus_description_module_and_hresult() {
    let host = host(ErrorMode::default());
    let t = host.get("/orders?described");
    assert_eq!((t.status, t.substatus), (500, 19), "{t}");
    assert_eq!(t.header("Content-Type"), Some(&b"text/html"[..]), "{t}");
    let page = t.body_text();
    for shown in [
        "<title>IIS 10.0 Detailed Error - 500.19 - Internal Server Error</title>",
        "HTTP Error 500.19 - Internal Server Error",
        // HTML-encoded, as the module asked.
        "&lt;script&gt;db&lt;/script&gt; &amp; co are down",
        "<th>Module</th><td>errors</td>",
        "<th>Notification</th><td>ExecuteRequestHandler</td>",
        "<th>Error Code</th><td>0x80004005</td>",
        "<th>Requested URL</th><td>http://localhost/orders</td>",
    ] {
        assert!(page.contains(shown), "{shown:?} missing: {page}");
    }
    assert!(!page.contains("<script>"), "{page}");
}

#[test]
fn a_remote_client_gets_the_short_page_with_the_substatus_and_no_details() {
    let host = host(ErrorMode::default());
    let t = from(&host, REMOTE, "/orders?described");
    assert_eq!((t.status, t.substatus), (500, 19), "{t}");
    let page = t.body_text();
    assert!(
        page.contains("HTTP Error 500.19 - Internal Server Error"),
        "{page}"
    );
    for hidden in ["db", "0x80004005", "errors", "Detailed", "shop.example"] {
        assert!(
            !page.contains(hidden),
            "{hidden:?} shown to a remote client: {page}"
        );
    }
    // The server's own address counts as local, as any loopback one.
    let own = from(&host, [192, 0, 2, 1], "/orders?described");
    assert!(own.body_text().contains("Detailed Error - 500.19"), "{own}");
}

#[test]
fn error_mode_detailed_and_custom_override_the_client_address() {
    let detailed = from(&host(ErrorMode::Detailed), REMOTE, "/orders?described");
    assert!(
        detailed
            .body_text()
            .contains("<th>Module</th><td>errors</td>"),
        "{detailed}"
    );
    let custom = host(ErrorMode::Custom).get("/orders?described");
    let page = custom.body_text();
    assert!(
        page.contains("HTTP Error 500.19 - Internal Server Error"),
        "{page}"
    );
    assert!(!page.contains("0x80004005"), "{page}");
}

#[test]
fn a_body_of_its_own_is_kept_locally_and_replaced_for_remote_clients() {
    let host = host(ErrorMode::default());
    let local = host.get("/?own_body");
    assert_eq!(local.status, 404);
    assert_eq!(local.body_text(), "no such order");
    let remote = from(&host, REMOTE, "/?own_body");
    assert_eq!(remote.status, 404);
    assert!(
        remote.body_text().contains("HTTP Error 404.0 - Not Found"),
        "{remote}"
    );
    assert!(!remote.body_text().contains("no such order"), "{remote}");
}

#[test]
fn try_skip_custom_errors_keeps_the_response_as_the_module_made_it() {
    for mode in [
        ErrorMode::DetailedLocalOnly,
        ErrorMode::Custom,
        ErrorMode::Detailed,
    ] {
        let host = host(mode);
        for t in [host.get("/?skip"), from(&host, REMOTE, "/?skip")] {
            assert_eq!(t.status, 404, "{mode:?}");
            assert_eq!(t.body_text(), "{\"error\":\"no such order\"}", "{mode:?}");
        }
        let empty = from(&host, REMOTE, "/?skip_empty");
        assert_eq!(empty.status, 404, "{mode:?}");
        assert!(empty.body.is_empty(), "{mode:?}: {empty}");
    }
}

#[test]
fn an_unhandled_request_gets_the_404_0_page_for_its_client() {
    let host = Host::builder().build().unwrap();
    let local = host.get("/missing");
    assert_eq!((local.status, local.substatus), (404, 0));
    assert!(
        local
            .body_text()
            .contains("Detailed Error - 404.0 - Not Found"),
        "{local}"
    );
    let remote = from(&host, REMOTE, "/missing");
    let page = remote.body_text();
    assert!(page.contains("HTTP Error 404.0 - Not Found"), "{page}");
    assert!(!page.contains("Detailed"), "{page}");
}

#[test]
fn over_tcp_a_loopback_client_gets_the_detailed_page() {
    let request =
        b"GET /orders?described HTTP/1.1\r\nHost: shop.example\r\nConnection: close\r\n\r\n";
    let response = over_tcp(host(ErrorMode::default()), request);
    assert!(
        response.starts_with("HTTP/1.1 500 Internal Server Error\r\n"),
        "{response}"
    );
    assert!(
        response.contains("\r\nContent-Type: text/html\r\n"),
        "{response}"
    );
    assert!(
        response.contains("HTTP Error 500.19 - Internal Server Error"),
        "{response}"
    );
    assert!(
        response.contains("&lt;script&gt;db&lt;/script&gt;"),
        "{response}"
    );
    let custom = over_tcp(host(ErrorMode::Custom), request);
    assert!(
        custom.starts_with("HTTP/1.1 500 Internal Server Error\r\n"),
        "{custom}"
    );
    assert!(
        custom.contains("HTTP Error 500.19 - Internal Server Error"),
        "{custom}"
    );
    assert!(!custom.contains("db"), "{custom}");
}

static NO_INSTANCE_COUNTERS: Counters = Counters::new();
/// A factory whose `GetHttpModule` fails with `E_OUTOFMEMORY`.
static NO_INSTANCE: Script = Script {
    fail_get_module: Some(HRESULT(0x8007_000E_u32 as i32)),
    ..Script::new(RQ_BEGIN_REQUEST, 0, &NO_INSTANCE_COUNTERS)
};
module!(no_instance, NO_INSTANCE);

#[test]
fn a_failed_factory_gets_the_same_page_naming_module_and_hresult() {
    let host = Host::builder()
        .module_fn("no_instance", no_instance)
        .build()
        .unwrap();
    let t = host.get("/");
    assert_eq!((t.status, t.substatus), (500, 0), "{t}");
    let page = t.body_text();
    for shown in [
        "HTTP Error 500.0 - Internal Server Error",
        "<th>Module</th><td>no_instance</td>",
        "<th>Notification</th><td>BeginRequest</td>",
        "<th>Error Code</th><td>0x8007000e</td>",
    ] {
        assert!(page.contains(shown), "{shown:?} missing: {page}");
    }
    let remote = from(&host, REMOTE, "/");
    assert!(!remote.body_text().contains("no_instance"), "{remote}");
}
