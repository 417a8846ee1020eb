//! The engine's threading model: a request a module leaves pending holds no
//! thread, so a thousand of them wait on the worker pool's few threads, as
//! in IIS. (Alone in its test binary: it counts the process's threads.)
#![cfg(all(feature = "tower", target_os = "linux"))]

mod support;

use std::sync::Mutex;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant};

use http::Request;
use iis_host::{Host, HostConfig};
use iis_sys::*;
use support::{Counters, Script, SendPtr, calls};
use tower::ServiceExt;

/// A request left pending, and when.
type Parked = (SendPtr<IHttpContext>, Instant);

/// Where `PARKS` sends each request it leaves pending.
static PARKED: Mutex<Option<Sender<Parked>>> = Mutex::new(None);
static PARKS_COUNTERS: Counters = Counters::new();
static PARKS: Script = Script {
    on_request: |call| {
        let parked = PARKED.lock().unwrap().clone().expect("a test listens");
        parked
            .send((SendPtr(call.context), Instant::now()))
            .expect("the completer runs");
        RQ_NOTIFICATION_PENDING
    },
    ..Script::new(RQ_EXECUTE_REQUEST_HANDLER, 0, &PARKS_COUNTERS)
};
module!(register_parks, PARKS);

/// The threads of this process.
fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").unwrap().count()
}

/// Completes each parked request 200 ms after it parked, from this thread;
/// returns the most threads the process had meanwhile.
fn complete_later(parked: Receiver<Parked>, count: usize) -> usize {
    let mut most = 0;
    for _ in 0..count {
        let (context, at) = parked.recv().expect("every request parks");
        most = most.max(threads());
        std::thread::sleep(
            (at + Duration::from_millis(200)).saturating_duration_since(Instant::now()),
        );
        calls::write(context.0, b"completed");
        calls::indicate_completion(context.0, RQ_NOTIFICATION_FINISH_REQUEST);
    }
    most
}

#[tokio::test(flavor = "current_thread")]
async fn a_thousand_pending_requests_wait_on_a_few_pool_threads() {
    const REQUESTS: usize = 1_000;
    let (sender, parked) = channel();
    *PARKED.lock().unwrap() = Some(sender);
    let completer = std::thread::spawn(move || complete_later(parked, REQUESTS));
    let before = threads();
    let config = HostConfig {
        worker_threads: 8,
        ..HostConfig::default()
    };
    let host = Host::builder()
        .config(config)
        .module_fn("parks", register_parks)
        .build()
        .expect("the module registers")
        .into_service();

    let started = Instant::now();
    let mut requests = tokio::task::JoinSet::new();
    for i in 0..REQUESTS {
        let request = Request::get(format!("/{i}")).body(String::new()).unwrap();
        requests.spawn(host.clone().oneshot(request));
    }
    let responses = requests.join_all().await;
    let elapsed = started.elapsed();
    let most = completer.join().expect("the completer ends");

    for response in responses {
        let response = response.expect("a response");
        assert_eq!(response.status(), 200);
        assert_eq!(response.body(), "completed");
    }
    let host_threads = most - before;
    assert!(
        host_threads <= 32,
        "{host_threads} threads held {REQUESTS} pending requests"
    );
    // Completed one after another, each 200 ms after it parked: all parked
    // at about the same time, so the whole run takes little more than 200 ms
    // plus the work (a thread per request would need a thousand threads).
    assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
    assert_eq!(host.stats().requests, REQUESTS as u64);
    assert_eq!(PARKS_COUNTERS.get().1, REQUESTS, "every instance disposed");
}
