//! Connections are tasks, not threads: idle keep-alive connections, clients
//! that send a head a byte at a time, and uploads that stall cost no thread
//! and delay nobody else. (Alone in its test binary: it counts the
//! process's threads.)
#![cfg(target_os = "linux")]

mod http_support;
mod support;

use std::io::Write;
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_support::Client;
use iis_host::http::ServerConfig;
use iis_host::{Host, HostConfig};
use iis_sys::*;
use support::{Counters, Script, calls};

static OK_COUNTERS: Counters = Counters::new();
static OK: Script = Script {
    on_request: |call| {
        calls::write(call.context, b"ok");
        RQ_NOTIFICATION_FINISH_REQUEST
    },
    ..Script::new(RQ_EXECUTE_REQUEST_HANDLER, 0, &OK_COUNTERS)
};
module!(register_ok, OK);

/// The threads of this process.
fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").unwrap().count()
}

/// A host answering `ok`, with `server` limits and 8 pool threads.
fn host(server: ServerConfig) -> Arc<Host> {
    let config = HostConfig {
        worker_threads: 8,
        server,
        ..HostConfig::default()
    };
    Arc::new(
        Host::builder()
            .config(config)
            .module_fn("ok", register_ok)
            .build()
            .expect("the module registers"),
    )
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

#[test]
fn connections_cost_tasks_not_threads() {
    let before = threads();
    let host = host(ServerConfig::default());
    let server = host.serve("127.0.0.1:0").expect("serves");
    let addr = server.local_addr();

    // 4,000 keep-alive connections, each served once and then left idle.
    const IDLE: usize = 4_000;
    let mut idle: Vec<Client> = (0..IDLE).map(|_| Client::connect(addr)).collect();
    for client in &mut idle {
        assert_eq!(client.get("/").status, 200);
    }
    assert_eq!(server.active_connections(), IDLE);
    let host_threads = threads() - before;
    assert!(
        host_threads <= 32,
        "{host_threads} threads hold {IDLE} idle connections"
    );

    // 300 clients sending a head a byte at a time (slowloris) delay nobody.
    let mut slow: Vec<TcpStream> = (0..300)
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
    assert!(threads() - before <= 32, "no thread per slow client");
    drop((idle, slow, client));
    server.shutdown().unwrap();
}

#[test]
fn a_stalled_upload_ends_at_the_entity_body_timer_while_others_are_served() {
    let host = host(ServerConfig {
        read_timeout: Duration::from_millis(500),
        ..ServerConfig::default()
    });
    let server = host.serve("127.0.0.1:0").expect("serves");
    let mut uploader = Client::connect(server.local_addr());
    let started = Instant::now();
    uploader.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n0123456789");

    let mut client = Client::connect(server.local_addr());
    served_promptly(&mut client, 20, Duration::from_millis(400));

    let response = uploader.read_response();
    assert_eq!(response.status, 408, "{}", response.text());
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(450) && waited < Duration::from_secs(5),
        "ended after {waited:?}"
    );
    drop((uploader, client));
    server.shutdown().unwrap();
}
