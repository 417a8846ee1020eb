//! Parity: the axum example's `Router` (examples/modules/axum_app/src/app.rs)
//! served two ways in this process — by `axum::serve` on a tokio listener,
//! and as the example's module library inside iis-host (IIS's pipeline and
//! HTTP.sys, emulated) through iis-tower — answers the same requests with
//! the same status, headers and body.
//!
//! Both sides run the same source: this test compiles app.rs in, the
//! module library was built from it. Requests go over real sockets, byte
//! by byte as written here (tower_parity_support/client.rs), so framing,
//! interim responses and timing are what a client sees.

#[path = "../../examples/modules/axum_app/src/app.rs"]
mod app;
mod tower_parity_support;

use iis_host::{Host, ServeHandle};
use iis_module_tests::example_host;
use iis_module_tests::{Form, pseudo_random_bytes, upload_checksum};
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tower_parity_support::client::{self, Framing, OpenRequest, RawRequest, RawResponse};
use tower_parity_support::{Compared, excerpt};

/// The router served both ways, once per test process.
struct Servers {
    /// `axum::serve`.
    axum: SocketAddr,
    /// iis-host with the example's module library.
    iis: SocketAddr,
    _runtime: tokio::runtime::Runtime,
    _host: Arc<Host>,
    _serving: ServeHandle,
}

fn servers() -> &'static Servers {
    static SERVERS: OnceLock<Servers> = OnceLock::new();
    SERVERS.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime for axum::serve");
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("binds");
        let axum = listener.local_addr().expect("its address");
        runtime.spawn(async move { axum::serve(listener, app::router()).await });
        let host = Arc::new(example_host("axum_app"));
        let serving = host.serve("127.0.0.1:0").expect("iis-host serves");
        Servers {
            axum,
            iis: serving.local_addr(),
            _runtime: runtime,
            _host: host,
            _serving: serving,
        }
    })
}

/// One row of the table: a request, and the status both servers should
/// answer with (which checks the row tests what its name says).
struct Case {
    name: &'static str,
    request: RawRequest,
    status: u16,
    /// The JSON body, where the test can compute it independently.
    json: Option<serde_json::Value>,
    /// Where iis-host answers otherwise, not because of the adapter: its
    /// status, and why.
    host_differs: Option<(u16, &'static str)>,
}

fn case(name: &'static str, request: RawRequest, status: u16) -> Case {
    Case {
        name,
        request,
        status,
        json: None,
        host_differs: None,
    }
}

const JSON: Option<&str> = Some("application/json");
const ORDER: &[u8] = br#"{"item":"book","quantity":3,"unit_price_cents":1250}"#;

/// A form field: its name, its file name if a file, its bytes.
type Field<'a> = (&'a str, Option<&'a str>, &'a [u8]);

/// The `Content-Type` and body of a multipart form of `fields`.
fn form(fields: &[Field<'_>]) -> (String, Vec<u8>) {
    fields
        .iter()
        .fold(Form::new(), |form, (name, file_name, data)| {
            form.field(name, *file_name, data)
        })
        .finish()
}

/// What `/upload` answers for these fields.
fn upload_summary(fields: &[Field<'_>]) -> serde_json::Value {
    let fields: Vec<serde_json::Value> = fields
        .iter()
        .map(|(name, file_name, data)| {
            serde_json::json!({
                "name": name,
                "file_name": file_name,
                "bytes": data.len(),
                "checksum": upload_checksum(data),
            })
        })
        .collect();
    serde_json::Value::Array(fields)
}

fn table() -> Vec<Case> {
    let post = |target: &str| RawRequest::new("POST", target);
    let long_query = format!("/search?q={}&page=3", "x".repeat(8 * 1024));

    let small: [Field<'_>; 2] = [
        ("title", None, b"holiday photos"),
        (
            "file",
            Some("notes.txt"),
            b"a small file\r\nwith two lines\n",
        ),
    ];
    let (small_type, small_form) = form(&small);
    let big_file = pseudo_random_bytes(10 * 1024 * 1024, 7);
    let big: [Field<'_>; 2] = [
        ("title", None, b"ten megabytes"),
        ("file", Some("big.bin"), &big_file),
    ];
    let (big_type, big_form) = form(&big);
    let medium_file = pseudo_random_bytes(1024 * 1024, 11);
    let medium: [Field<'_>; 1] = [("file", Some("medium.bin"), &medium_file)];
    let (medium_type, medium_form) = form(&medium);
    // Over the router's 16 MiB DefaultBodyLimit.
    let huge_file = pseudo_random_bytes(17 * 1024 * 1024, 13);
    let (huge_type, huge_form) = form(&[("file", Some("huge.bin"), &huge_file)]);

    vec![
        // Every route, and how axum's routing answers around them.
        case("root", RawRequest::get("/"), 200),
        case("root, HEAD", RawRequest::new("HEAD", "/"), 200),
        case("root, HTTP/1.0", RawRequest::get("/").http10(), 200),
        case("user", RawRequest::get("/users/7"), 200),
        case(
            "user 0: the handler's 404",
            RawRequest::get("/users/0"),
            404,
        ),
        case(
            "user id percent-encoded",
            RawRequest::get("/users/%37"),
            200,
        ),
        case("user id not a number", RawRequest::get("/users/abc"), 400),
        case(
            "user id over u64",
            RawRequest::get("/users/18446744073709551616"),
            400,
        ),
        case(
            "user id with an encoded slash",
            RawRequest::get("/users/7%2F8"),
            400,
        ),
        case("user, trailing slash", RawRequest::get("/users/7/"), 404),
        case("no such route", RawRequest::get("/nope"), 404),
        case(
            "absolute-form target",
            RawRequest::get("http://localhost/users/7"),
            200,
        ),
        case("whoami", RawRequest::get("/whoami"), 200),
        case(
            "repeated request headers",
            RawRequest::get("/whoami")
                .header("Accept", "text/plain")
                .header("Accept", "*/*")
                .header("X-Trace", "1")
                .header("X-Trace", "2"),
            200,
        ),
        // Query extraction.
        case(
            "search",
            RawRequest::get("/search?q=iis%20module&page=2"),
            200,
        ),
        case(
            "search, plus and escapes",
            RawRequest::get("/search?q=a%2Bb+c%26d%3D"),
            200,
        ),
        case(
            "search, UTF-8",
            RawRequest::get("/search?q=%E2%9C%93%20ok"),
            200,
        ),
        case("search, default page", RawRequest::get("/search?q=x"), 200),
        case(
            "search, 8 KiB query string",
            RawRequest::get(&long_query),
            200,
        ),
        case("search, q missing", RawRequest::get("/search?page=2"), 400),
        case("search, no query", RawRequest::get("/search"), 400),
        case(
            "search, page not a number",
            RawRequest::get("/search?q=x&page=two"),
            400,
        ),
        case("search, q twice", RawRequest::get("/search?q=a&q=b"), 400),
        // Methods.
        case("POST to a GET route", post("/").body(None, b""), 405),
        case("DELETE a user", RawRequest::new("DELETE", "/users/7"), 405),
        case("GET the POST route", RawRequest::get("/orders"), 405),
        case("OPTIONS", RawRequest::new("OPTIONS", "/"), 405),
        // JSON in and out.
        case("order", post("/orders").body(JSON, ORDER), 201),
        case(
            "order, chunked",
            post("/orders").chunked_body("application/json", ORDER, 16),
            201,
        ),
        case(
            "order, Expect: 100-continue",
            post("/orders").body(JSON, ORDER).expect_continue(),
            201,
        ),
        case(
            "order, JSON with charset",
            post("/orders").body(Some("application/json; charset=utf-8"), ORDER),
            201,
        ),
        case(
            "order, +json media type",
            post("/orders").body(Some("application/vnd.api+json"), ORDER),
            201,
        ),
        case(
            "order, no Content-Type",
            post("/orders").body(None, ORDER),
            415,
        ),
        case(
            "order, text/plain",
            post("/orders").body(Some("text/plain"), ORDER),
            415,
        ),
        case(
            "order, invalid JSON",
            post("/orders").body(JSON, br#"{"item":"book","#),
            400,
        ),
        case(
            "order, missing field",
            post("/orders").body(JSON, br#"{"item":"book","quantity":3}"#),
            422,
        ),
        case(
            "order, wrong type",
            post("/orders").body(
                JSON,
                br#"{"item":"book","quantity":"three","unit_price_cents":1}"#,
            ),
            422,
        ),
        case("order, empty body", post("/orders").body(JSON, b""), 400),
        Case {
            host_differs: Some((
                415,
                "a known request header has one slot in HTTP.sys's HTTP_REQUEST, and \
                 iis-host joins the two lines there (`application/json, \
                 application/json`, not a JSON type: axum answers 415); hyper keeps \
                 both lines and axum reads the first (whether HTTP.sys joins a \
                 repeated Content-Type or refuses the request is not checked here)",
            )),
            ..case(
                "order, Content-Type twice",
                post("/orders")
                    .header("Content-Type", "application/json")
                    .body(JSON, ORDER),
                201,
            )
        },
        // Multipart uploads.
        Case {
            json: Some(upload_summary(&small)),
            ..case(
                "upload, two fields",
                post("/upload").body(Some(&small_type), &small_form),
                200,
            )
        },
        Case {
            json: Some(upload_summary(&big)),
            ..case(
                "upload, 10 MiB file",
                post("/upload").body(Some(&big_type), &big_form),
                200,
            )
        },
        Case {
            json: Some(upload_summary(&medium)),
            ..case(
                "upload, 1 MiB chunked",
                post("/upload").chunked_body(&medium_type, &medium_form, 64 * 1024),
                200,
            )
        },
        case(
            "upload, not multipart",
            post("/upload").body(JSON, ORDER),
            400,
        ),
        case(
            "upload, over the 16 MiB limit",
            post("/upload").body(Some(&huge_type), &huge_form),
            413,
        ),
        // Server-sent events: a streamed body.
        case("events", RawRequest::get("/events"), 200),
        case("events, HEAD", RawRequest::new("HEAD", "/events"), 200),
    ]
}

#[test]
fn the_router_answers_alike_under_axum_serve_and_inside_iis() {
    let servers = servers();
    let table = table();
    assert!(table.len() >= 30, "{} requests", table.len());
    let mut failures = Vec::new();
    for case in &table {
        // Both at once: the table's time is the slower side's.
        let (axum, iis) = std::thread::scope(|scope| {
            let axum = scope.spawn(|| client::send(servers.axum, &case.request));
            let iis = client::send(servers.iis, &case.request)
                .unwrap_or_else(|e| panic!("{}: iis-host: {e}", case.name));
            let axum = axum
                .join()
                .expect("the client thread")
                .unwrap_or_else(|e| panic!("{}: axum::serve: {e}", case.name));
            (axum, iis)
        });
        let mut found = Vec::new();
        if let Some((status, why)) = case.host_differs {
            if (axum.status, iis.status) != (case.status, status) {
                found.push(format!(
                    "expected {} from axum::serve and {status} from iis-host ({why}), got {} and {}",
                    case.status, axum.status, iis.status
                ));
            }
            eprintln!(
                "known difference, {} ({}): axum::serve {}, iis-host {}: {why}",
                case.name,
                case.request.line(),
                axum.status,
                iis.status
            );
            failures.extend(found.into_iter().map(|f| format!("{}: {f}", case.name)));
            continue;
        }
        for (side, response) in [("axum::serve", &axum), ("iis-host", &iis)] {
            if response.status != case.status {
                found.push(format!(
                    "{side} answered {} (expected {}): {}",
                    response.status,
                    case.status,
                    excerpt(&response.body)
                ));
            }
            if let Some(json) = &case.json
                && serde_json::from_slice::<serde_json::Value>(&response.body)
                    .ok()
                    .as_ref()
                    != Some(json)
            {
                found.push(format!(
                    "{side}'s body {:?}, expected {json}",
                    excerpt(&response.body),
                ));
            }
        }
        let axum_view = Compared::of(&axum, iis.framing == Framing::Chunked);
        let iis_view = Compared::of(&iis, axum.framing == Framing::Chunked);
        found.extend(
            axum_view
                .differences(&iis_view)
                .into_iter()
                .map(|d| format!("axum::serve vs iis-host: {d}")),
        );
        for line in found {
            failures.push(format!("{} ({}): {line}", case.name, case.request.line()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} difference(s) in {} requests:\n{}",
        failures.len(),
        table.len(),
        failures.join("\n")
    );
}

/// The events of `/events` as they arrived: when each chunk holding one
/// came, and when the response ended.
fn events_timing(addr: SocketAddr) -> RawResponse {
    let response = client::send(addr, &RawRequest::get("/events")).expect("events");
    assert_eq!(response.status, 200, "{}", response.body_text());
    assert_eq!(response.framing, Framing::Chunked, "streamed, not buffered");
    assert_eq!(
        response.header_values("content-type"),
        [b"text/event-stream"],
        "{:?}",
        response.headers
    );
    let ticks: Vec<String> = (1..=5)
        .map(|n| format!("event: tick\ndata: tick {n}\n\n"))
        .collect();
    assert_eq!(response.body_text(), ticks.concat());
    response
}

#[test]
fn the_first_event_arrives_long_before_the_stream_ends_inside_iis() {
    // The route sends 5 events 100 ms apart: the first at once, the last
    // 400 ms later. Buffered, all would arrive together at the end.
    for (side, addr) in [("iis-host", servers().iis), ("axum::serve", servers().axum)] {
        let response = events_timing(addr);
        let (first, _) = response
            .chunks
            .iter()
            .find(|(_, bytes)| String::from_utf8_lossy(bytes).contains("data: tick 1\n"))
            .unwrap_or_else(|| panic!("{side}: no chunk holds the first event"));
        let ahead = response.ended.saturating_sub(*first);
        assert!(
            ahead >= Duration::from_millis(200),
            "{side}: the first event came at {first:?}, the end at {:?}",
            response.ended
        );
        assert!(
            response.chunks.len() >= 5,
            "{side}: the events came in {} chunks",
            response.chunks.len()
        );
    }
}

/// `/slow`'s counts, waiting (up to the route's 5 s) until `condition`
/// (`running=1`, `cancelled=3`) holds.
fn slow_stats(addr: SocketAddr, condition: &str) -> serde_json::Value {
    let response =
        client::send(addr, &RawRequest::get(&format!("/slow/stats?{condition}"))).expect("stats");
    assert_eq!(response.status, 200, "{}", response.body_text());
    serde_json::from_slice(&response.body).expect("JSON")
}

#[test]
fn a_client_that_leaves_cancels_the_handler_inside_iis() {
    for (side, addr) in [("iis-host", servers().iis), ("axum::serve", servers().axum)] {
        let before = slow_stats(addr, "")["cancelled"].as_u64().expect("a count");
        let request = OpenRequest::start(addr, &RawRequest::get("/slow")).expect("connects");
        let running = slow_stats(addr, "running=1");
        assert_eq!(running["running"], 1, "{side}: /slow never started");
        assert!(request.nothing_received(), "{side}: answered already");

        let left = std::time::Instant::now();
        request.leave();
        let after = slow_stats(addr, &format!("cancelled={}", before + 1));
        let took = left.elapsed();
        assert_eq!(
            after["cancelled"],
            before + 1,
            "{side}: the handler was not dropped ({after})"
        );
        assert_eq!(after["running"], 0, "{side}: {after}");
        assert!(
            took < Duration::from_secs(1),
            "{side}: the handler was dropped {took:?} after the client left"
        );
    }
}
