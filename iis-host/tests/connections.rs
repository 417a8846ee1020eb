//! Connections are tasks, not threads: idle keep-alive connections, clients
//! that send a head a byte at a time, and uploads that stall cost no thread
//! and delay nobody else. (Alone in its test binary: it counts the
//! process's threads.)
#![cfg(target_os = "linux")]

mod http_support;
mod support;

use std::io::Write;
use std::net::TcpStream;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use http_support::Client;
use iis_host::http::ServerConfig;
use iis_sys::*;
use support::{Counters, Script, SendPtr, calls, serve};

static OK_COUNTERS: Counters = Counters::new();
static OK: Script = Script {
    on_request: |call| {
        // Reads the body (synchronously) before it answers.
        match calls::read_body_to_end(call.context) {
            Ok(body) if body.is_empty() => calls::write(call.context, b"ok"),
            Ok(body) => calls::write(call.context, format!("read {}", body.len()).as_bytes()),
            Err((_, hr)) => calls::write(call.context, format!("read failed: {hr:?}").as_bytes()),
        };
        RQ_NOTIFICATION_FINISH_REQUEST
    },
    ..Script::new(RQ_EXECUTE_REQUEST_HANDLER, 0, &OK_COUNTERS)
};
module!(register_ok, OK);

/// The threads of this process.
fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").unwrap().count()
}

/// Held by each test: they run one at a time, so that the thread count is
/// this test's.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// `count` requests from one well-behaved client, each answered within
/// `within`.
fn served_promptly(client: &mut Client, count: usize, within: Duration) {
    for i in 0..count {
        let started = Instant::now();
        let response = client.get(&format!("/{i}"));
        assert_eq!((response.status, response.text().as_str()), (200, "ok"));
        assert!(
            started.elapsed() < within,
            "request {i} took {:?}",
            started.elapsed()
        );
    }
}

/// Holds `idle` keep-alive connections (each served once) and `slow`
/// clients sending a head a byte at a time (slowloris), and checks that they
/// cost a few threads and delay a well-behaved client not at all.
fn connections_cost_tasks_not_threads(idle: usize, slow: usize) {
    let _serial = serial();
    let before = threads();
    let (_host, server) = serve("ok", register_ok, ServerConfig::default());
    let addr = server.local_addr();

    let mut idle: Vec<Client> = (0..idle).map(|_| Client::connect(addr)).collect();
    for client in &mut idle {
        assert_eq!(client.get("/").status, 200);
    }
    assert_eq!(server.active_connections(), idle.len());
    let host_threads = threads().saturating_sub(before);
    assert!(
        host_threads <= 32,
        "{host_threads} threads hold {} idle connections",
        idle.len()
    );

    let mut slow: Vec<TcpStream> = (0..slow)
        .map(|_| {
            let mut stream = TcpStream::connect(addr).unwrap();
            stream
                .write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                .unwrap();
            stream
        })
        .collect();
    let mut client = Client::connect(addr);
    served_promptly(&mut client, 20, Duration::from_secs(1));
    for stream in &mut slow {
        stream.write_all(b"a").unwrap();
    }
    served_promptly(&mut client, 20, Duration::from_secs(1));
    assert!(
        threads().saturating_sub(before) <= 32,
        "no thread per slow client"
    );
    drop((idle, slow, client));
    server.shutdown().unwrap();
}

#[test]
fn idle_and_slow_connections_cost_tasks_not_threads() {
    connections_cost_tasks_not_threads(400, 100);
}

#[test]
#[ignore = "long: scripts/long-checks.sh"]
fn four_thousand_idle_and_300_slowloris_connections_hold_a_few_threads() {
    connections_cost_tasks_not_threads(4_000, 300);
}

#[test]
fn a_stalled_upload_fails_at_the_entity_body_timer_while_others_are_served() {
    let _serial = serial();
    let config = ServerConfig {
        read_timeout: Duration::from_millis(500),
        ..ServerConfig::default()
    };
    let (_host, server) = serve("ok", register_ok, config);
    let mut uploader = Client::connect(server.local_addr());
    let started = Instant::now();
    uploader.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n0123456789");

    let mut client = Client::connect(server.local_addr());
    served_promptly(&mut client, 20, Duration::from_millis(400));

    // The module's read fails when the body has stalled for the timer.
    let response = uploader.read_response();
    assert_eq!(
        response.text(),
        format!("read failed: {HRESULT_ERROR_TIMEOUT:?}")
    );
    assert_eq!(response.header("connection").as_deref(), Some("close"));
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(450) && waited < Duration::from_secs(5),
        "ended after {waited:?}"
    );
    drop((uploader, client));
    server.shutdown().unwrap();
}

/// Polls `done` every 10 ms for at most `limit`; whether it came true.
fn within(limit: Duration, done: impl Fn() -> bool) -> bool {
    let started = Instant::now();
    while started.elapsed() < limit {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    done()
}

static IDLE_DISCONNECTS: AtomicUsize = AtomicUsize::new(0);
static IDLE_CLEANUPS: AtomicUsize = AtomicUsize::new(0);
static WATCHES_COUNTERS: Counters = Counters::new();
static WATCHES: Script = Script {
    on_request: |call| {
        let hr = support::watch_disconnect(call.context, 1, &IDLE_DISCONNECTS, &IDLE_CLEANUPS);
        calls::write(
            call.context,
            if hr.is_ok() { b"watched" } else { b"refused" },
        );
        RQ_NOTIFICATION_FINISH_REQUEST
    },
    ..Script::new(RQ_EXECUTE_REQUEST_HANDLER, 0, &WATCHES_COUNTERS)
};
module!(register_watches, WATCHES);

#[test]
fn a_client_gone_while_idle_is_notified_at_once() {
    let _serial = serial();
    let (_host, server) = serve("watches", register_watches, ServerConfig::default());
    let mut client = Client::connect(server.local_addr());
    assert_eq!(client.get("/").text(), "watched");
    assert_eq!(
        IDLE_DISCONNECTS.load(Ordering::SeqCst),
        0,
        "still connected"
    );
    drop(client);
    assert!(
        within(Duration::from_secs(1), || {
            IDLE_DISCONNECTS.load(Ordering::SeqCst) == 1
                && IDLE_CLEANUPS.load(Ordering::SeqCst) == 1
        }),
        "NotifyDisconnect and CleanupStoredContext within a second of the close"
    );
    server.shutdown().unwrap();
}

static BUSY_DISCONNECTS: AtomicUsize = AtomicUsize::new(0);
static BUSY_CLEANUPS: AtomicUsize = AtomicUsize::new(0);
/// The request `PARKS` left pending.
static PARKED: Mutex<Option<SendPtr<IHttpContext>>> = Mutex::new(None);
static PARKS_COUNTERS: Counters = Counters::new();
static PARKS: Script = Script {
    on_request: |call| {
        // A refusal shows as no NotifyDisconnect below.
        let _ = support::watch_disconnect(call.context, 2, &BUSY_DISCONNECTS, &BUSY_CLEANUPS);
        *PARKED.lock().unwrap() = Some(SendPtr(call.context));
        RQ_NOTIFICATION_PENDING
    },
    ..Script::new(RQ_EXECUTE_REQUEST_HANDLER, 0, &PARKS_COUNTERS)
};
module!(register_parks, PARKS);

#[test]
fn a_client_gone_mid_request_is_notified_while_the_request_still_runs() {
    let _serial = serial();
    let (host, server) = serve("parks", register_parks, ServerConfig::default());
    let mut client = Client::connect(server.local_addr());
    client.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(within(Duration::from_secs(5), || PARKED
        .lock()
        .unwrap()
        .is_some()));
    let context = PARKED.lock().unwrap().take().unwrap();
    assert!(support::is_connected(context.0));
    drop(client);
    assert!(
        within(Duration::from_secs(1), || BUSY_DISCONNECTS
            .load(Ordering::SeqCst)
            == 1),
        "NotifyDisconnect within a second, while the request is pending"
    );
    assert!(!support::is_connected(context.0), "IsConnected turns false");
    calls::write(context.0, b"too late");
    calls::indicate_completion(context.0, RQ_NOTIFICATION_FINISH_REQUEST);
    assert!(within(Duration::from_secs(5), || host
        .stats()
        .instances_disposed
        == 1));
    assert_eq!(BUSY_CLEANUPS.load(Ordering::SeqCst), 1);
    server.shutdown().unwrap();
}

/// What `AWAITS_BODY`'s outstanding read completed with.
static READ_STATUS: Mutex<Option<HRESULT>> = Mutex::new(None);
static AWAITS_BODY_COUNTERS: Counters = Counters::new();
static AWAITS_BODY: Script = Script {
    on_request: |call| match call.notification {
        iis_host::Notification::ExecuteRequestHandler => {
            // Request-pool memory: valid until the read completes.
            // SAFETY: a live context.
            let buffer =
                unsafe { ((*(*call.context).lpVtbl).AllocateRequestMemory)(call.context, 64) };
            // SAFETY: 64 bytes of request memory.
            let buffer = unsafe { std::slice::from_raw_parts_mut(buffer.cast::<u8>(), 64) };
            let started = calls::read_async(call.context, buffer);
            assert!(started.hr.is_ok() && started.pending);
            RQ_NOTIFICATION_PENDING
        }
        iis_host::Notification::AsyncCompletion => {
            *READ_STATUS.lock().unwrap() = Some(call.status);
            RQ_NOTIFICATION_FINISH_REQUEST
        }
        _ => RQ_NOTIFICATION_CONTINUE,
    },
    ..Script::new(RQ_EXECUTE_REQUEST_HANDLER, 0, &AWAITS_BODY_COUNTERS)
};
module!(register_awaits_body, AWAITS_BODY);

#[test]
fn a_read_waiting_for_a_body_fails_when_the_client_leaves() {
    let _serial = serial();
    let (host, server) = serve("awaits_body", register_awaits_body, ServerConfig::default());
    let mut client = Client::connect(server.local_addr());
    client.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n");
    assert!(within(Duration::from_secs(5), || host
        .stats()
        .instances_created
        == 1));
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(
        *READ_STATUS.lock().unwrap(),
        None,
        "the read waits for bytes"
    );
    drop(client);
    assert!(
        within(Duration::from_secs(1), || READ_STATUS
            .lock()
            .unwrap()
            .is_some()),
        "the read completes within a second of the disconnect"
    );
    assert_eq!(
        *READ_STATUS.lock().unwrap(),
        Some(HRESULT_ERROR_CONNECTION_ABORTED)
    );
    server.shutdown().unwrap();
}

#[test]
fn a_synchronous_read_gets_a_body_as_it_arrives() {
    let _serial = serial();
    let (_host, server) = serve("ok", register_ok, ServerConfig::default());
    let mut client = Client::connect(server.local_addr());
    // Larger than the body window: the rest arrives while the module waits
    // in its synchronous read.
    let body = vec![b'b'; 200_000];
    let started = Instant::now();
    client.send(format!(
        "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n",
        body.len()
    ));
    client.send(&body);
    let response = client.read_response();
    assert_eq!(response.text(), "read 200000");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    // The whole body was read: the connection stays open for the next one.
    assert_eq!(client.get("/next").text(), "ok");
    drop(client);
    server.shutdown().unwrap();
}
