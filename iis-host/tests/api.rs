//! The host objects as modules call them: server variables, the entity
//! body, the raw request, URL rewrite, extended interfaces, flush, redirect,
//! headers, MapPath, and module context storage.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};

use iis_host::{ApiCall, Host, HostStats, Notification};
use iis_sys::*;
use support::{Call, Counters, Script, calls};

fn run(register: PFN_REGISTERMODULE, request: http::Request<Vec<u8>>) -> iis_host::Transcript {
    let host = Host::builder()
        .module_fn("probe", register)
        .build()
        .unwrap();
    host.run(request)
}

fn get(register: PFN_REGISTERMODULE, path: &str) -> iis_host::Transcript {
    run(register, http::Request::get(path).body(Vec::new()).unwrap())
}

const fn handler(
    on_request: fn(&Call) -> REQUEST_NOTIFICATION_STATUS,
    counters: &'static Counters,
) -> Script {
    Script {
        on_request,
        ..Script::new(RQ_EXECUTE_REQUEST_HANDLER, 0, counters)
    }
}

static VARS_COUNTERS: Counters = Counters::new();
static VARS: Script = Script {
    on_request: |call| {
        calls::set_server_variable(call.context, c"MY_VAR", "mine");
        let mut out = String::new();
        for name in [
            c"REQUEST_METHOD",
            c"URL",
            c"QUERY_STRING",
            c"REMOTE_ADDR",
            c"LOCAL_ADDR",
            c"SERVER_PORT",
            c"SERVER_PROTOCOL",
            c"HTTP_X_TEST",
            c"CONTENT_LENGTH",
            c"CONTENT_TYPE",
            c"APP_POOL_ID",
            c"MY_VAR",
            c"NO_SUCH_VARIABLE",
        ] {
            let value = calls::server_variable(call.context, name);
            out.push_str(&format!(
                "{}={}\n",
                name.to_str().unwrap(),
                value.as_deref().unwrap_or("<none>")
            ));
        }
        calls::write(call.context, out.as_bytes());
        RQ_NOTIFICATION_CONTINUE
    },
    ..Script::new(RQ_EXECUTE_REQUEST_HANDLER, 0, &VARS_COUNTERS)
};
module!(register_vars, VARS);

#[test]
fn server_variables_reflect_the_request() {
    let request = http::Request::post("/a%20b/c?q=1")
        .header("X-Test", "yes")
        .header("Content-Type", "text/plain")
        .body(b"12345".to_vec())
        .unwrap();
    let transcript = run(register_vars, request);
    assert_eq!(
        transcript.body_text(),
        "REQUEST_METHOD=POST\nURL=/a b/c\nQUERY_STRING=q=1\nREMOTE_ADDR=127.0.0.1\nLOCAL_ADDR=127.0.0.1\n\
         SERVER_PORT=80\nSERVER_PROTOCOL=HTTP/1.1\nHTTP_X_TEST=yes\nCONTENT_LENGTH=5\nCONTENT_TYPE=text/plain\n\
         APP_POOL_ID=DefaultAppPool\nMY_VAR=mine\nNO_SUCH_VARIABLE=<none>\n"
    );
    assert!(
        transcript
            .calls
            .contains(&ApiCall::ContextSetServerVariable {
                name: "MY_VAR".into(),
                value: Some("mine".into())
            })
    );
}

static READ_COUNT: AtomicUsize = AtomicUsize::new(0);
static BODY_COUNTERS: Counters = Counters::new();
static BODY: Script = Script {
    on_request: |call| {
        if call.notification == Notification::ReadEntity {
            READ_COUNT.fetch_add(1, Ordering::SeqCst);
            return RQ_NOTIFICATION_CONTINUE;
        }
        let body = calls::read_body(call.context);
        calls::write(call.context, b"echo:");
        calls::write(call.context, &body);
        RQ_NOTIFICATION_CONTINUE
    },
    ..Script::new(
        RQ_EXECUTE_REQUEST_HANDLER | RQ_READ_ENTITY,
        0,
        &BODY_COUNTERS,
    )
};
module!(register_body, BODY);

#[test]
fn read_entity_body_reads_the_body_and_raises_read_entity() {
    let body = b"the quick brown fox jumps".to_vec();
    let transcript = run(
        register_body,
        http::Request::post("/echo").body(body.clone()).unwrap(),
    );
    assert_eq!(transcript.body, [b"echo:".as_slice(), &body].concat());
    // 25 bytes read 7 at a time: 4 reads, each raising RQ_READ_ENTITY.
    assert_eq!(READ_COUNT.load(Ordering::SeqCst), 4);
    let read_entities = transcript
        .notifications
        .iter()
        .filter(|r| r.notification == Notification::ReadEntity)
        .count();
    assert_eq!(read_entities, 4);
}

static RAW_COUNTERS: Counters = Counters::new();
static RAW: Script = handler(
    |call| {
        let request = calls::request(call.context);
        // SAFETY: a live request; the snapshot lives until the request ends.
        let raw = unsafe { &*((*(*request).lpVtbl).GetRawHttpRequest)(request) };
        let base = &raw.Base;
        // SAFETY: the host's snapshot holds the lengths it declares.
        let (url, host, path, unknown) = unsafe {
            let url = std::slice::from_raw_parts(base.pRawUrl.0, base.RawUrlLength as usize);
            let host_header = &base.Headers.KnownHeaders[HttpHeaderHost as usize];
            let host = std::slice::from_raw_parts(
                host_header.pRawValue.0,
                host_header.RawValueLength as usize,
            );
            let path = std::slice::from_raw_parts(
                base.CookedUrl.pAbsPath.0,
                base.CookedUrl.AbsPathLength as usize / 2,
            );
            let unknown = &*base.Headers.pUnknownHeaders;
            let name = std::slice::from_raw_parts(unknown.pName.0, unknown.NameLength as usize);
            (
                url.to_vec(),
                host.to_vec(),
                String::from_utf16_lossy(path),
                name.to_vec(),
            )
        };
        let text = format!(
            "verb={} url={} host={} path={} unknown={}x{}",
            base.Verb,
            String::from_utf8_lossy(&url),
            String::from_utf8_lossy(&host),
            path,
            base.Headers.UnknownHeaderCount,
            String::from_utf8_lossy(&unknown),
        );
        calls::write(call.context, text.as_bytes());
        RQ_NOTIFICATION_CONTINUE
    },
    &RAW_COUNTERS,
);
module!(register_raw, RAW);

#[test]
fn raw_request_has_url_verb_and_headers() {
    let request = http::Request::get("/raw/path?x=1")
        .header("Host", "example.test")
        .header("X-Custom", "1")
        .body(Vec::new())
        .unwrap();
    let transcript = run(register_raw, request);
    assert_eq!(
        transcript.body_text(),
        "verb=4 url=/raw/path?x=1 host=example.test path=/raw/path unknown=1xX-Custom"
    );
}

static REWRITE_COUNTERS: Counters = Counters::new();
static REWRITE: Script = Script {
    on_request: |call| {
        if call.notification == Notification::BeginRequest {
            calls::set_url(call.context, "/rewritten?y=2");
        } else {
            let url = calls::server_variable(call.context, c"URL").unwrap();
            let query = calls::server_variable(call.context, c"QUERY_STRING").unwrap();
            let original = calls::server_variable(call.context, c"UNENCODED_URL").unwrap();
            calls::write(call.context, format!("{url} {query} {original}").as_bytes());
        }
        RQ_NOTIFICATION_CONTINUE
    },
    ..Script::new(
        RQ_BEGIN_REQUEST | RQ_EXECUTE_REQUEST_HANDLER,
        0,
        &REWRITE_COUNTERS,
    )
};
module!(register_rewrite, REWRITE);

#[test]
fn set_url_rewrites_the_url_for_later_stages() {
    let transcript = get(register_rewrite, "/original?x=1");
    assert_eq!(transcript.body_text(), "/rewritten y=2 /original?x=1");
    assert!(transcript.calls.contains(&ApiCall::RequestSetUrl {
        url: "/rewritten?y=2".into(),
        reset_query: true
    }));
}

static EXTENDED_COUNTERS: Counters = Counters::new();
static EXTENDED: Script = handler(
    |call| {
        let server = support::SERVER.load(Ordering::SeqCst);
        let response = calls::response(call.context);
        let mut server2: *mut std::ffi::c_void = std::ptr::null_mut();
        let mut response4: *mut std::ffi::c_void = std::ptr::null_mut();
        let mut nothing: *mut std::ffi::c_void = std::ptr::null_mut();
        // SAFETY: the live server and response; the HttpGetExtendedInterface pattern.
        let (hr1, hr2, hr3) = unsafe {
            let hr1 = ((*(*server).lpVtbl).GetExtendedInterface)(
                server,
                HTTP_SERVER_INTERFACE_V2,
                &mut server2,
            );
            let server2 = server2.cast::<IHttpServer2>();
            let get = (*(*server2).lpVtbl).GetExtendedInterface2;
            let hr2 = get(
                server2,
                &IHttpResponse::IID,
                response.cast(),
                &IHttpResponse4::IID,
                &mut response4,
            );
            let hr3 = get(
                server2,
                &IHttpResponse::IID,
                response.cast(),
                &IHttpRequest4::IID,
                &mut nothing,
            );
            (hr1, hr2, hr3)
        };
        let same = response4 == response.cast();
        if same {
            let response4 = response4.cast::<IHttpResponse4>();
            // SAFETY: the host's IHttpResponse4: a slot past IHttpResponse's table.
            unsafe { ((*(*response4).lpVtbl).SetNeedGoAway)(response4) };
        }
        let text = format!(
            "{:x} {:x} {:x} {same} {}",
            hr1.0,
            hr2.0,
            hr3.0,
            nothing.is_null()
        );
        calls::write(call.context, text.as_bytes());
        RQ_NOTIFICATION_CONTINUE
    },
    &EXTENDED_COUNTERS,
);
module!(register_extended, EXTENDED);

#[test]
fn extended_interface_reaches_response4() {
    let transcript = get(register_extended, "/");
    assert_eq!(transcript.body_text(), "0 0 80004002 true true");
}

static FLUSH_COUNTERS: Counters = Counters::new();
static FLUSH: Script = Script {
    on_request: |call| {
        if call.notification == Notification::ExecuteRequestHandler {
            calls::write(call.context, b"head;");
            calls::flush(call.context);
            calls::write(call.context, b"tail");
        }
        RQ_NOTIFICATION_CONTINUE
    },
    ..Script::new(
        RQ_EXECUTE_REQUEST_HANDLER | RQ_SEND_RESPONSE,
        0,
        &FLUSH_COUNTERS,
    )
};
module!(register_flush, FLUSH);

#[test]
fn flush_sends_the_head_and_streams_the_rest() {
    let transcript = get(register_flush, "/stream");
    assert_eq!(transcript.body_text(), "head;tail");
    assert_eq!(transcript.status, 200);
    // Streamed: no Content-Length.
    assert!(transcript.header("content-length").is_none());
    let sends = transcript
        .notifications
        .iter()
        .filter(|r| r.notification == Notification::SendResponse)
        .count();
    assert_eq!(sends, 2);
}

static REDIRECT_COUNTERS: Counters = Counters::new();
static REDIRECT: Script = handler(
    |call| {
        calls::redirect(call.context, c"/elsewhere");
        RQ_NOTIFICATION_FINISH_REQUEST
    },
    &REDIRECT_COUNTERS,
);
module!(register_redirect, REDIRECT);

#[test]
fn redirect_sends_302_with_location() {
    let transcript = get(register_redirect, "/old?k=v");
    assert_eq!(
        (transcript.status, transcript.reason.as_str()),
        (302, "Redirect")
    );
    assert_eq!(transcript.header("location"), Some(&b"/elsewhere?k=v"[..]));
    assert!(transcript.body_text().contains("Object Moved"));
}

static HEADERS_COUNTERS: Counters = Counters::new();
static HEADERS: Script = handler(
    |call| {
        let c = call.context;
        calls::set_header_name(c, c"X-List", "a", false);
        calls::set_header_name(c, c"X-List", "b", false);
        calls::set_header_name(c, c"Cache-Control", "no-cache", false);
        calls::set_header_name(c, c"cache-control", "no-store", false);
        calls::set_header_name(c, c"X-Gone", "1", true);
        calls::delete_header_name(c, c"x-gone");
        let bad = calls::set_header_name(c, c"X-Split", "a\r\nSet-Cookie: evil", true);
        let list = calls::response_header(c, c"x-list").unwrap();
        calls::set_status(c, 201, c"Made");
        calls::write(c, format!("{list} {bad}").as_bytes());
        RQ_NOTIFICATION_CONTINUE
    },
    &HEADERS_COUNTERS,
);
module!(register_headers, HEADERS);

#[test]
fn headers_replace_append_delete_and_reject_splitting() {
    let transcript = get(register_headers, "/");
    assert_eq!(
        (transcript.status, transcript.reason.as_str()),
        (201, "Made")
    );
    assert_eq!(transcript.body_text(), "a, b false");
    let names: Vec<&str> = transcript.headers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "X-List",
            "X-List",
            "Cache-Control",
            "Server",
            "Content-Length"
        ]
    );
    assert_eq!(
        transcript.header("cache-control"),
        Some(&b"no-cache, no-store"[..])
    );
}

static MAP_COUNTERS: Counters = Counters::new();
static MAP: Script = Script {
    on_request: |call| {
        if call.notification == Notification::MapPath {
            let provider = call.provider.cast::<IMapPathProvider>();
            let replacement: Vec<u16> = r"D:\mapped".encode_utf16().collect();
            // SAFETY: the host's live MapPath provider and a readable replacement.
            unsafe {
                let _ = ((*(*provider).lpVtbl).SetPhysicalPath)(
                    provider,
                    PCWSTR(replacement.as_ptr()),
                    replacement.len() as u32,
                );
            }
            return RQ_NOTIFICATION_CONTINUE;
        }
        let mapped = calls::map_path(call.context, "/a/b.txt").unwrap();
        calls::write(call.context, mapped.as_bytes());
        RQ_NOTIFICATION_CONTINUE
    },
    ..Script::new(RQ_EXECUTE_REQUEST_HANDLER | RQ_MAP_PATH, 0, &MAP_COUNTERS)
};
module!(register_map, MAP);
static PLAIN_MAP_COUNTERS: Counters = Counters::new();
static PLAIN_MAP: Script = handler(
    |call| {
        let mapped = calls::map_path(call.context, "/a/b.txt").unwrap();
        calls::write(call.context, mapped.as_bytes());
        RQ_NOTIFICATION_CONTINUE
    },
    &PLAIN_MAP_COUNTERS,
);
module!(register_plain_map, PLAIN_MAP);

#[test]
fn map_path_maps_under_the_root_and_raises_map_path() {
    assert_eq!(
        get(register_plain_map, "/").body_text(),
        r"C:\inetpub\wwwroot\a\b.txt"
    );
    let transcript = get(register_map, "/");
    assert_eq!(transcript.body_text(), r"D:\mapped");
    assert!(
        transcript
            .notification_lines()
            .contains(&"probe: OnMapPath -> CONTINUE".to_owned())
    );
}

static REQUEST_CLEANUPS: AtomicUsize = AtomicUsize::new(0);
static CONNECTION_CLEANUPS: AtomicUsize = AtomicUsize::new(0);
static APPLICATION_CLEANUPS: AtomicUsize = AtomicUsize::new(0);
static DUPLICATE: AtomicUsize = AtomicUsize::new(0);
static CONTEXTS_COUNTERS: Counters = Counters::new();
static CONTEXTS: Script = handler(
    |call| {
        let c = call.context;
        let _ = support::store(calls::request_container(c), 7, &REQUEST_CLEANUPS);
        // A second context for the same module id is refused (ERROR_ALREADY_ASSIGNED).
        if support::store(calls::request_container(c), 7, &REQUEST_CLEANUPS).0 as u32 == 0x8007_0055
        {
            DUPLICATE.fetch_add(1, Ordering::SeqCst);
        }
        let _ = support::store(calls::connection_container(c), 7, &CONNECTION_CLEANUPS);
        let _ = support::store(calls::application_container(c), 7, &APPLICATION_CLEANUPS);
        calls::set_request_handled(c);
        RQ_NOTIFICATION_CONTINUE
    },
    &CONTEXTS_COUNTERS,
);
module!(register_contexts, CONTEXTS);

#[test]
fn stored_contexts_are_cleaned_up_once_when_their_scope_ends() {
    let host = Host::builder()
        .module_fn("contexts", register_contexts)
        .build()
        .unwrap();
    let transcript = host.get("/");
    // Handled without a body: an empty 200, not a 404.
    assert_eq!((transcript.status, transcript.body.len()), (200, 0));
    assert_eq!(REQUEST_CLEANUPS.load(Ordering::SeqCst), 1);
    assert_eq!(CONNECTION_CLEANUPS.load(Ordering::SeqCst), 1);
    assert_eq!(DUPLICATE.load(Ordering::SeqCst), 1);
    // The application's context lives until ApplicationStop (the first
    // request's stays; the second request's store is refused, same id).
    host.get("/");
    assert_eq!(APPLICATION_CLEANUPS.load(Ordering::SeqCst), 0);
    host.shutdown();
    assert_eq!(APPLICATION_CLEANUPS.load(Ordering::SeqCst), 1);
    assert_eq!(REQUEST_CLEANUPS.load(Ordering::SeqCst), 2);
    let stats: HostStats = host.stats();
    assert_eq!(stats.instances_disposed, 2);
}
