//! iis-host behaves as IIS and HTTP.sys do where modules can tell the
//! difference (issue 14). Each test names the behaviour of IIS it pins.

mod support;

use std::sync::Mutex;

use iis_host::Host;
use iis_sys::*;
use support::{Call, Counters, Script, calls};

/// `Server` as a SendResponse module saw it.
static SEEN_SERVER: Mutex<Option<Option<String>>> = Mutex::new(None);

static STRIP_SERVER_COUNTERS: Counters = Counters::new();
static STRIP_SERVER: Script = Script {
    on_request: |call: &Call| {
        if call.notification == iis_host::Notification::ExecuteRequestHandler {
            calls::write(call.context, b"hello");
        } else {
            let server = calls::response_header(call.context, c"Server");
            *SEEN_SERVER.lock().unwrap() = Some(server);
            calls::delete_header_name(call.context, c"Server");
        }
        RQ_NOTIFICATION_CONTINUE
    },
    ..Script::new(
        RQ_EXECUTE_REQUEST_HANDLER | RQ_SEND_RESPONSE,
        0,
        &STRIP_SERVER_COUNTERS,
    )
};
module!(strip_server, STRIP_SERVER);

#[test]
fn server_header_deleted_in_send_response_stays_deleted() {
    let host = Host::builder()
        .module_fn("strip_server", strip_server)
        .build()
        .unwrap();
    let transcript = host.get("/");
    assert_eq!(transcript.status, 200);
    assert_eq!(transcript.body, b"hello");
    // The module saw the header IIS adds before SendResponse ...
    assert_eq!(
        SEEN_SERVER.lock().unwrap().clone(),
        Some(Some("Microsoft-IIS/10.0".to_owned()))
    );
    // ... and its deletion reached the client.
    assert_eq!(transcript.header("Server"), None, "{transcript}");
}

static SERVER_NAME_COUNTERS: Counters = Counters::new();
static SERVER_NAME: Script = Script {
    on_request: |call: &Call| {
        let name = calls::server_variable(call.context, c"SERVER_NAME");
        calls::write(call.context, name.unwrap_or_default().as_bytes());
        RQ_NOTIFICATION_FINISH_REQUEST
    },
    ..Script::new(RQ_EXECUTE_REQUEST_HANDLER, 0, &SERVER_NAME_COUNTERS)
};
module!(server_name, SERVER_NAME);

#[test]
fn a_malformed_in_process_host_is_no_panic() {
    let host = Host::builder()
        .module_fn("server_name", server_name)
        .build()
        .unwrap();
    for (value, expected) in [
        ("[", "["),
        ("[::1]:8080", "[::1]"),
        ("a.example:81", "a.example"),
    ] {
        let request = http::Request::get("/")
            .header("Host", value)
            .body(Vec::new())
            .unwrap();
        let transcript = host.run(request);
        assert_eq!(transcript.status, 200, "Host: {value}\n{transcript}");
        assert_eq!(transcript.body_text(), expected, "Host: {value}");
    }
}

/// What a client gets for `request` (which closes the connection) from
/// the `server_name` module over TCP.
fn server_name_over_tcp(request: &[u8]) -> String {
    let host = Host::builder()
        .module_fn("server_name", server_name)
        .build()
        .unwrap();
    support::over_tcp(host, request)
}

#[test]
fn an_absolute_url_names_the_server_over_http() {
    let response = server_name_over_tcp(
        b"GET http://a.example:81/x HTTP/1.1\r\nHost: b.example\r\nConnection: close\r\n\r\n",
    );
    assert!(response.starts_with("HTTP/1.1 200 "), "{response}");
    assert!(response.ends_with("\r\n\r\na.example"), "{response}");
}

#[test]
fn every_response_on_the_wire_is_dated_as_http_sys_dates_it() {
    let response =
        server_name_over_tcp(b"GET /x HTTP/1.1\r\nHost: a.example\r\nConnection: close\r\n\r\n");
    let dates: Vec<&str> = response
        .lines()
        .filter_map(|line| line.strip_prefix("Date: "))
        .collect();
    assert_eq!(dates.len(), 1, "{response}");
    // IMF-fixdate (RFC 9110 5.6.7), within a minute of now.
    let date = httpdate::parse_http_date(dates[0]).expect("an IMF-fixdate");
    let skew = std::time::SystemTime::now()
        .duration_since(date)
        .unwrap_or_else(|e| e.duration());
    assert!(skew < std::time::Duration::from_secs(60), "{response}");
}

static CLEANUP_COUNTERS: Counters = Counters::new();
static CLEANUP: Script = Script {
    global: GL_THREAD_CLEANUP,
    ..Script::new(0, 0, &CLEANUP_COUNTERS)
};
module!(cleanup, CLEANUP);

#[test]
fn a_thread_cleanup_module_does_not_grow_the_host_forever() {
    let host = Host::builder()
        .module_fn("cleanup", cleanup)
        .build()
        .unwrap();
    let requests = Host::MAX_EVENTS + 100;
    for _ in 0..requests {
        host.get("/");
    }
    // One GL_THREAD_CLEANUP event per request, of which the latest are kept.
    assert_eq!(host.events().len(), Host::MAX_EVENTS);
    let dropped = host.stats().events_dropped as usize;
    assert!(dropped >= 100, "{dropped} dropped");
    assert!(matches!(
        host.events().last(),
        Some(iis_host::HostEvent::GlobalNotification {
            notification: iis_host::GlobalNotification::ThreadCleanup,
            ..
        })
    ));
}

#[test]
fn no_global_notification_reaches_a_module_after_shutdown() {
    let host = Host::builder()
        .module_fn("cleanup", cleanup)
        .build()
        .unwrap();
    host.get("/");
    host.shutdown();
    let events = host.events().len();
    let transcript = host.get("/");
    assert_eq!(transcript.status, 503, "{transcript}");
    // No GL_THREAD_CLEANUP (or anything else) for the terminated module.
    assert_eq!(
        host.events().len(),
        events,
        "{:?}",
        &host.events()[events..]
    );
}

#[test]
fn urls_climbing_above_the_root_never_reach_a_module() {
    let host = Host::builder()
        .module_fn("server_name", server_name)
        .build()
        .unwrap();
    for target in [
        "/../../etc/passwd",
        "/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/a/..%5c..%5cx",
    ] {
        let transcript = host.get(target);
        assert_eq!(transcript.status, 400, "{target}\n{transcript}");
        assert!(
            transcript.notifications.is_empty(),
            "{target}\n{transcript}"
        );
    }
    // Over HTTP, HTTP.sys's answer comes from the HTTP layer.
    let host = std::sync::Arc::new(host);
    let server = host.serve("127.0.0.1:0").unwrap();
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(server.local_addr()).unwrap();
    stream
        .write_all(b"GET /%2e%2e%2f%2e%2e%2fetc%2fpasswd HTTP/1.1\r\nHost: a\r\n\r\n")
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 400 "), "{response}");
    assert!(response.contains("Invalid URL"), "{response}");
}

static PATHS_COUNTERS: Counters = Counters::new();
static PATHS: Script = Script {
    on_request: |call: &Call| {
        let mut out = String::new();
        for name in [c"URL", c"PATH_TRANSLATED"] {
            let value = calls::server_variable(call.context, name).unwrap_or_default();
            out.push_str(&format!("{value}\n"));
        }
        calls::write(call.context, out.as_bytes());
        RQ_NOTIFICATION_FINISH_REQUEST
    },
    ..Script::new(RQ_EXECUTE_REQUEST_HANDLER, 0, &PATHS_COUNTERS)
};
module!(paths, PATHS);

#[test]
fn dot_segments_are_removed_before_modules_see_the_url() {
    let config = iis_host::HostConfig {
        physical_path: "/srv/www".to_owned(),
        ..iis_host::HostConfig::default()
    };
    let host = Host::builder()
        .module_fn("paths", paths)
        .config(config)
        .build()
        .unwrap();
    let transcript = host.get("/a/./b/../c%2e/%2e%2e/d");
    assert_eq!(
        transcript.body_text(),
        "/a/d\n/srv/www/a/d\n",
        "{transcript}"
    );
}

#[test]
fn an_address_in_use_says_what_to_do() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let host = std::sync::Arc::new(Host::builder().build().unwrap());
    let error = host.serve(taken.local_addr().unwrap()).unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::AddrInUse);
    assert!(
        error.to_string().contains("port 0 picks a free one"),
        "{error}"
    );
}
