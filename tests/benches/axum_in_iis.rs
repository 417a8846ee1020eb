//! Bench 6: an axum `Router` inside IIS, three ways, in the same run:
//!
//! - **in-process**: the `axum_app` example (examples/modules/axum_app,
//!   loaded as the real cdylib) serving its Router through iis-tower in
//!   iis-host (`Arc<Host>::serve`);
//! - **proxied**: the same Router served by `axum::serve` on loopback (the
//!   backend process of today's out-of-process setups), with iis-host in
//!   front running the `reverse_proxy` module (tests/modules/reverse_proxy:
//!   a keep-alive connection pool to the backend, as ARR, HttpPlatformHandler
//!   or the ASP.NET Core Module out-of-process);
//! - **axum**: that same `axum::serve` backend alone, clients connecting to
//!   it directly (the baseline: the Router with no IIS at all).
//!
//! The Router is the example's own (`#[path]` include of its `src/app.rs`),
//! so the backend serves the very code the in-process DLL serves.
//!
//! The client, as in `loopback_rps`: `C` threads, each with one keep-alive
//! `TcpStream` (raw HTTP/1.1 over std sockets, `TCP_NODELAY`), each sending
//! `N` sequential requests for one route and reading each response by its
//! `Content-Length`; every response is checked (200, content type, exact
//! body). Routes: `GET /` (a static string) and `GET /users/7` (a path
//! extractor and a JSON body). Rounds interleave the three setups (the
//! order rotated each round) so they share the machine's conditions; the
//! table gives per setup the median req/s (and the range), the median of
//! the rounds' p99 latencies, and CPU time per request (`getrusage`): of
//! the whole process, and of the servers alone (the process minus the
//! client threads). Everything runs in this process, so the proxied
//! setup's server CPU includes its backend's. Then the medians of the
//! per-round paired ratios in-process/proxied and in-process/axum. A `5xx`
//! response is counted (column `5xx`), not fatal; any other unexpected
//! response fails the run.
//!
//! `cargo bench -p iis-module-tests --bench axum_in_iis` (2-3 minutes after
//! the build; `scripts/axum-in-iis.sh` runs it with a time limit); without `--bench` (e.g. `cargo test --benches`) it
//! runs as a quick smoke test. `AXUM_IN_IIS_LOADS=64x300,8x1000` sets the
//! loads (connections x requests per connection per round),
//! `AXUM_IN_IIS_ROUNDS` the rounds, and `AXUM_IN_IIS_ONLY=in-process` (or
//! `proxied`, `axum`) runs one setup alone, for a profiler. Method and
//! results: docs/benchmarks.md, section 6.

use iis_host::Host;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

/// The example's Router, compiled into the bench as the backend.
#[path = "../../examples/modules/axum_app/src/app.rs"]
mod app;
#[path = "support/keep_alive.rs"]
mod keep_alive;
use keep_alive::Client;

/// Where the `reverse_proxy` module reads its backend's address
/// (tests/modules/reverse_proxy/src/lib.rs, `BACKEND_VARIABLE`).
const BACKEND_VARIABLE: &str = "IIS_REVERSE_PROXY_BACKEND";

/// Requests per connection before the timed ones (they also fill the
/// proxy's pool of backend connections).
const WARM_UP: usize = 50;

/// A route every client of a round asks for, and what it must answer.
struct Route {
    name: &'static str,
    request: &'static [u8],
    content_type: &'static [u8],
    body: &'static [u8],
}

const ROUTES: [Route; 2] = [
    Route {
        name: "GET /",
        request: b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: axum-in-iis\r\n\r\n",
        content_type: b"text/plain; charset=utf-8",
        body: b"hello from axum inside IIS\n",
    },
    Route {
        name: "GET /users/7",
        request: b"GET /users/7 HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: axum-in-iis\r\n\r\n",
        content_type: b"application/json",
        body: br#"{"id":7,"name":"user 7"}"#,
    },
];

/// The three setups, in the order of the table.
const SETUPS: [&str; 3] = ["in-process", "proxied", "axum"];

/// The bench's parameters.
struct Plan {
    rounds: usize,
    /// Which of [`SETUPS`] run (all but for a profile of one).
    setups: [bool; 3],
    /// (connections, requests per connection per round).
    loads: Vec<(usize, usize)>,
}

impl Plan {
    /// The plan of `cargo bench`, or the quick smoke test of
    /// `cargo test --benches`; `AXUM_IN_IIS_LOADS`, `AXUM_IN_IIS_ROUNDS` and
    /// `AXUM_IN_IIS_ONLY` override it.
    fn from_env() -> Plan {
        // `cargo bench` passes `--bench`; `cargo test --benches` does not.
        let mut plan = if std::env::args().any(|a| a == "--bench") {
            Plan {
                setups: [true; 3],
                rounds: 11,
                loads: vec![(64, 300)],
            }
        } else {
            Plan {
                setups: [true; 3],
                rounds: 1,
                loads: vec![(2, 20)],
            }
        };
        if let Ok(loads) = std::env::var("AXUM_IN_IIS_LOADS") {
            plan.loads = loads
                .split(',')
                .map(|load| {
                    load.split_once('x')
                        .and_then(|(c, n)| Some((c.trim().parse().ok()?, n.trim().parse().ok()?)))
                        .filter(|&(c, n): &(usize, usize)| c > 0 && n > 0)
                        .unwrap_or_else(|| panic!("AXUM_IN_IIS_LOADS: {load:?} is not CxN"))
                })
                .collect();
        }
        if let Ok(only) = std::env::var("AXUM_IN_IIS_ONLY") {
            plan.setups = SETUPS.map(|setup| setup == only.trim());
            assert!(
                plan.setups.contains(&true),
                "AXUM_IN_IIS_ONLY: {only:?} is none of {SETUPS:?}"
            );
        }
        if let Ok(rounds) = std::env::var("AXUM_IN_IIS_ROUNDS") {
            plan.rounds = rounds
                .trim()
                .parse()
                .ok()
                .filter(|&r| r > 0)
                .unwrap_or_else(|| panic!("AXUM_IN_IIS_ROUNDS: {rounds:?} is not a count"));
        }
        plan
    }

    /// The requests setup `i` answers over the whole plan (warm-up
    /// included), besides the self-check's.
    fn requests_of(&self, i: usize) -> usize {
        if !self.setups[i] {
            return 0;
        }
        self.loads
            .iter()
            .map(|&(c, n)| ROUTES.len() * self.rounds * c * (n + WARM_UP.min(n)))
            .sum()
    }
}

// ---------------------------------------------------------------------------
// CPU time.

/// CPU time (user + system) of this process so far, ended threads
/// included, in microseconds (`getrusage(RUSAGE_SELF)`); `None` off Linux.
fn process_cpu() -> Option<Duration> {
    #[cfg(target_os = "linux")]
    return rusage(libc::RUSAGE_SELF);
    #[cfg(not(target_os = "linux"))]
    None
}

/// CPU time of the calling thread so far (`getrusage(RUSAGE_THREAD)`).
fn thread_cpu() -> Option<Duration> {
    #[cfg(target_os = "linux")]
    return rusage(libc::RUSAGE_THREAD);
    #[cfg(not(target_os = "linux"))]
    None
}

#[cfg(target_os = "linux")]
fn rusage(who: libc::c_int) -> Option<Duration> {
    let mut usage = core::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: `usage` points to a writable `rusage`, which is all
    // getrusage writes; `who` is one of the two values it defines.
    if unsafe { libc::getrusage(who, usage.as_mut_ptr()) } != 0 {
        return None;
    }
    // SAFETY: getrusage succeeded and filled it (and all-zero bytes are a
    // valid `rusage` anyway: integers only).
    let usage = unsafe { usage.assume_init() };
    let time = |t: libc::timeval| {
        Duration::from_secs(u64::try_from(t.tv_sec).unwrap_or(0))
            + Duration::from_micros(u64::try_from(t.tv_usec).unwrap_or(0))
    };
    Some(time(usage.ru_utime) + time(usage.ru_stime))
}

// ---------------------------------------------------------------------------
// The client.

/// Sends `route`'s request and checks its response: whether it was a
/// `5xx`.
///
/// A `5xx` response is counted and the run goes on: the table reports it
/// (a server's sporadic failure under load is a finding, and one failed
/// response must not void the run). Any other unexpected response is an
/// error.
fn get(client: &mut Client, route: &Route) -> io::Result<bool> {
    client.exchange(route.request, |response| {
        if (500..600).contains(&response.status) {
            return Ok(true);
        }
        let expected = response.status == 200
            && response.content_type == Some(route.content_type)
            && response.body == route.body;
        if expected {
            Ok(false)
        } else {
            Err(response.unexpected(route.name))
        }
    })
}

/// What one round measured.
struct Measured {
    rate: f64,
    /// The 99th percentile of the round's request latencies.
    p99: Duration,
    reconnects: usize,
    /// Timed requests answered with a `5xx` status.
    failed: usize,
    /// CPU time of the whole process over the round.
    process_cpu: Option<Duration>,
    /// CPU time of the client threads over their timed requests.
    client_cpu: Option<Duration>,
}

/// One round: `connections` clients, each warmed up, then all start
/// together and send `requests` requests for `route`.
fn round(
    setup: &str,
    addr: SocketAddr,
    route: &'static Route,
    connections: usize,
    requests: usize,
) -> Measured {
    let start = Arc::new(Barrier::new(connections + 1));
    let workers: Vec<_> = (0..connections)
        .map(|_| {
            let start = Arc::clone(&start);
            thread::spawn(move || -> io::Result<_> {
                let mut client = Client::connect(addr)?;
                for _ in 0..WARM_UP.min(requests) {
                    get(&mut client, route)?;
                }
                client.reconnects = 0;
                let mut failed = 0;
                let mut latencies = Vec::with_capacity(requests);
                start.wait();
                let cpu = thread_cpu();
                for _ in 0..requests {
                    let sent = Instant::now();
                    failed += usize::from(get(&mut client, route)?);
                    latencies.push(sent.elapsed());
                }
                let ended = Instant::now();
                let cpu = cpu.zip(thread_cpu()).map(|(before, after)| after - before);
                Ok((ended, client.reconnects, failed, latencies, cpu))
            })
        })
        .collect();
    start.wait();
    let began = Instant::now();
    let process_before = process_cpu();
    let mut ended = began;
    let mut reconnects = 0;
    let mut failed = 0;
    let mut client_cpu = Some(Duration::ZERO);
    let mut latencies = Vec::with_capacity(connections * requests);
    for worker in workers {
        let (end, n, errors, mine, cpu) = worker
            .join()
            .expect("client thread")
            .unwrap_or_else(|e| panic!("client of {setup} ({addr}): {e}"));
        ended = ended.max(end);
        reconnects += n;
        failed += errors;
        latencies.extend(mine);
        client_cpu = client_cpu.zip(cpu).map(|(sum, cpu)| sum + cpu);
    }
    let process_cpu = process_before
        .zip(process_cpu())
        .map(|(before, after)| after - before);
    latencies.sort_unstable();
    let p99 = latencies[(latencies.len() * 99 / 100).min(latencies.len() - 1)];
    Measured {
        rate: (connections * requests) as f64 / (ended - began).as_secs_f64(),
        p99,
        reconnects,
        failed,
        process_cpu,
        client_cpu,
    }
}

// ---------------------------------------------------------------------------
// The setups.

/// The Router served by `axum::serve` on `listener` (the backend, and the
/// baseline), on a two-worker tokio runtime (this machine's core count),
/// `TCP_NODELAY` on its connections as iis-host sets it on its own.
fn axum_server(listener: std::net::TcpListener) -> tokio::runtime::Runtime {
    use axum::serve::ListenerExt;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("axum-serve")
        .enable_all()
        .build()
        .expect("tokio runtime");
    listener
        .set_nonblocking(true)
        .expect("non-blocking listener");
    runtime.spawn(async move {
        let listener = tokio::net::TcpListener::from_std(listener)
            .expect("the backend's listener")
            .tap_io(|stream| {
                let _ = stream.set_nodelay(true);
            });
        axum::serve(listener, app::router())
            .await
            .expect("axum::serve");
    });
    runtime
}

/// A host loading the module library at `path`, serving on loopback.
fn iis(path: std::path::PathBuf) -> (Arc<Host>, iis_host::ServeHandle) {
    let host = Arc::new(
        Host::builder()
            .module(&path)
            .build()
            .unwrap_or_else(|e| panic!("{} loads: {e}", path.display())),
    );
    let serving = host.serve("127.0.0.1:0").expect("iis-host serves");
    (host, serving)
}

// ---------------------------------------------------------------------------
// The table.

/// One setup's rounds for one route at one load.
#[derive(Default)]
struct Row {
    rates: Vec<f64>,
    /// Each round's p99 latency, in µs.
    p99s: Vec<f64>,
    reconnects: usize,
    failed: usize,
    process_cpu: Option<Duration>,
    client_cpu: Option<Duration>,
    requests: usize,
}

impl Row {
    fn add(&mut self, measured: &Measured, requests: usize) {
        let first = self.rates.is_empty();
        let sum = |total: Option<Duration>, cpu: Option<Duration>| {
            if first {
                cpu
            } else {
                total.zip(cpu).map(|(total, cpu)| total + cpu)
            }
        };
        self.rates.push(measured.rate);
        self.p99s.push(measured.p99.as_secs_f64() * 1e6);
        self.reconnects += measured.reconnects;
        self.failed += measured.failed;
        self.process_cpu = sum(self.process_cpu, measured.process_cpu);
        self.client_cpu = sum(self.client_cpu, measured.client_cpu);
        self.requests += requests;
    }

    /// CPU µs per request of the whole process over all rounds.
    fn process_per_request(&self) -> Option<f64> {
        self.process_cpu.map(|cpu| self.per_request(cpu))
    }

    /// CPU µs per request of the servers: the process minus the clients.
    fn server_per_request(&self) -> Option<f64> {
        self.process_cpu
            .zip(self.client_cpu)
            .map(|(process, client)| self.per_request(process.saturating_sub(client)))
    }

    fn per_request(&self, cpu: Duration) -> f64 {
        cpu.as_secs_f64() * 1e6 / self.requests as f64
    }
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn or_dash(value: Option<f64>, precision: usize) -> String {
    value.map_or_else(|| "-".to_owned(), |v| format!("{v:.precision$}"))
}

/// Measures one route at one load: `plan.rounds` rounds of each setup
/// (of those the plan runs), interleaved, and prints their rows and ratios.
/// Returns each setup's count of `5xx` responses.
fn measure(
    plan: &Plan,
    addrs: &[SocketAddr; 3],
    route: &'static Route,
    load: (usize, usize),
) -> [usize; 3] {
    let (connections, requests) = load;
    let mut rows: [Row; 3] = Default::default();
    // Per round: in-process/proxied and in-process/axum, of req/s and p99.
    let mut ratios: [[Vec<f64>; 2]; 2] = Default::default();
    for r in 0..plan.rounds {
        let mut measured: [Option<Measured>; 3] = Default::default();
        for i in (0..SETUPS.len()).map(|i| (i + r) % SETUPS.len()) {
            if plan.setups[i] {
                measured[i] = Some(round(SETUPS[i], addrs[i], route, connections, requests));
            }
        }
        for (k, other) in [1, 2].into_iter().enumerate() {
            if let (Some(a), Some(b)) = (&measured[0], &measured[other]) {
                ratios[0][k].push(a.rate / b.rate);
                ratios[1][k].push(a.p99.as_secs_f64() / b.p99.as_secs_f64());
            }
        }
        for (row, measured) in rows.iter_mut().zip(&measured) {
            if let Some(measured) = measured {
                row.add(measured, connections * requests);
            }
        }
    }
    for (row, setup) in rows.iter_mut().zip(SETUPS) {
        if row.rates.is_empty() {
            continue;
        }
        let rate = median(&mut row.rates);
        println!(
            "{:<13} {connections:>5} {requests:>8}  {setup:<10} {rate:>7.0} {:>7.0}-{:<7.0} {:>8.0} {:>10} {:>10} {:>10} {:>6}",
            route.name,
            row.rates[0],
            row.rates[row.rates.len() - 1],
            median(&mut row.p99s),
            or_dash(row.process_per_request(), 1),
            or_dash(row.server_per_request(), 1),
            row.reconnects,
            row.failed,
        );
    }
    for (k, (other, name)) in [(1, "proxied"), (2, "axum")].into_iter().enumerate() {
        if ratios[0][k].is_empty() {
            continue;
        }
        let cpu = |per_request: fn(&Row) -> Option<f64>| {
            or_dash(
                per_request(&rows[0])
                    .zip(per_request(&rows[other]))
                    .map(|(a, b)| a / b),
                2,
            )
        };
        println!(
            "{:<13} {connections:>5} {requests:>8}  in-process/{name}: req/s {:.2}, p99 {:.2} (medians \
             of per-round ratios); CPU/req: server {}, process {}",
            route.name,
            median(&mut ratios[0][k]),
            median(&mut ratios[1][k]),
            cpu(Row::server_per_request),
            cpu(Row::process_per_request),
        );
    }
    rows.map(|row| row.failed)
}

fn main() {
    let plan = Plan::from_env();
    // The backend's socket first, so that its address reaches the proxy
    // module (read when iis-host loads it) through the environment before
    // any thread exists.
    let backend = std::net::TcpListener::bind("127.0.0.1:0").expect("bind the backend");
    let backend_addr = backend.local_addr().expect("the backend's address");
    // SAFETY: the bench is single-threaded until here (harness = false: no
    // test runner threads; nothing was spawned yet), so no thread reads or
    // writes the environment at the same time.
    unsafe { std::env::set_var(BACKEND_VARIABLE, backend_addr.to_string()) };

    let runtime = axum_server(backend);
    let (in_process, in_process_serving) = iis(iis_module_tests::example_library("axum_app"));
    let proxy_module =
        iis_host::testing::build_cdylib("reverse_proxy").unwrap_or_else(|e| panic!("{e}"));
    let (proxied, proxied_serving) = iis(proxy_module);
    let addrs = [
        in_process_serving.local_addr(),
        proxied_serving.local_addr(),
        backend_addr,
    ];

    // Every setup answers every route the same way, before anything is
    // timed.
    for (addr, setup) in addrs.iter().zip(SETUPS) {
        let mut client = Client::connect(*addr).expect("connect");
        for route in &ROUTES {
            let failed =
                get(&mut client, route).unwrap_or_else(|e| panic!("{setup} {}: {e}", route.name));
            assert!(!failed, "{setup} {}: answered 5xx", route.name);
        }
    }

    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        // Anything else running on the machine shows in the numbers.
        println!("load average before the run: {}", load.trim());
    }
    println!(
        "axum Router (examples/modules/axum_app/src/app.rs) over loopback keep-alive; {} round(s) \
         per row, the setups' rounds interleaved (order rotated each round); CPU/req: process \
         (client included) and server (process minus client threads; proxied = iis-host + proxy \
         + backend)",
        plan.rounds
    );
    println!(
        "{:<13} {:>5} {:>8}  {:<10} {:>7} {:>15} {:>8} {:>10} {:>10} {:>10} {:>6}",
        "route",
        "conns",
        "req/conn",
        "setup",
        "req/s",
        "range",
        "p99 µs",
        "CPU µs/req",
        "server µs",
        "reconnects",
        "5xx"
    );
    let mut failed = [0; 3];
    for &load in &plan.loads {
        for route in &ROUTES {
            let counts = measure(&plan, &addrs, route, load);
            for (total, count) in failed.iter_mut().zip(counts) {
                *total += count;
            }
        }
    }

    in_process_serving.shutdown().expect("iis-host stops");
    proxied_serving.shutdown().expect("iis-host stops");
    for (i, host) in [&in_process, &proxied].into_iter().enumerate() {
        let stats = host.stats();
        host.shutdown();
        let expected = (plan.requests_of(i) + ROUTES.len()) as u64;
        let setup = SETUPS[i];
        assert_eq!(
            stats.requests, expected,
            "{setup}: iis-host ran every request"
        );
        assert_eq!(stats.instances_created, stats.instances_disposed, "{setup}");
        println!("{setup}: iis-host ran {expected} requests");
    }
    runtime.shutdown_timeout(Duration::from_secs(1));
    if failed.iter().any(|&n| n > 0) {
        println!(
            "5xx responses among the timed requests: {}",
            SETUPS
                .iter()
                .zip(failed)
                .map(|(setup, n)| format!("{setup} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
}
