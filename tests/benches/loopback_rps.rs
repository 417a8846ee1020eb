//! Bench 2: requests per second over loopback keep-alive connections, the
//! `hello_world` module (examples/modules/hello_world, loaded as the real
//! cdylib) served by iis-host (`Arc<Host>::serve`), against a plain hyper 1.x
//! hello server (tokio, HTTP/1.1, keep-alive) measured in the same run by
//! the same client.
//!
//! The client: `C` threads, each with one keep-alive `TcpStream` (raw
//! HTTP/1.1 over std sockets, `TCP_NODELAY`), each sending `N` sequential
//! `GET /` requests and reading each response by its `Content-Length`;
//! every response is checked (200, `text/plain`, `Hello, world!\n`). A
//! server that closes a connection (iis-host after
//! `keep_alive_max_requests`, 1000 by default) is reconnected to, and the
//! reconnections are counted. Rounds alternate between the servers; the
//! table gives the median (and the range) of the rounds' req/s, the median
//! of the per-round ratios iis-host/hyper, the process CPU time and the heap
//! allocations per request.
//!
//! A `harness = false` bench printing a table, not criterion: throughput is
//! a property of a closed loop of `C` connections, not of one iteration, and
//! criterion's sampling (warm-up, 100 samples of growing iteration counts)
//! would either measure thread barriers or blow the time budget; fixed work
//! per round with interleaved rounds is bounded (~30 s) and easy to quote.
//!
//! `cargo bench -p iis-module-tests --bench loopback_rps`; without `--bench`
//! (e.g. `cargo test --benches`) it runs as a quick smoke test. Results and
//! method: docs/benchmarks.md.
//!
//! Two more roles split server and client into processes, for
//! `scripts/callgrind-serve.sh` (instructions per request under callgrind,
//! which must count the server alone): `loopback_rps serve iis-host|hyper
//! TOTAL` prints `listening ADDR`, serves until TOTAL requests were
//! answered, and exits; `loopback_rps client ADDR CONNECTIONS REQUESTS`
//! runs one round against it (each connection also sends its warm-up
//! requests first).

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use iis_host::Host;
use std::alloc::{GlobalAlloc, Layout, System};
use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

#[path = "support/keep_alive.rs"]
mod keep_alive;
use keep_alive::Client;

/// What both servers answer.
const BODY: &[u8] = b"Hello, world!\n";
/// The request every client sends.
const REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: loopback-rps\r\n\r\n";
/// Requests per connection before the timed ones.
const WARM_UP: usize = 200;

/// The bench's parameters.
struct Plan {
    rounds: usize,
    /// (connections, requests per connection per round).
    loads: Vec<(usize, usize)>,
}

impl Plan {
    /// The plan of `cargo bench`, or the quick smoke test of
    /// `cargo test --benches`. `LOOPBACK_RPS_LOADS=1x3000,8x1000` overrides
    /// the loads (connections x requests per connection per round).
    fn from_env() -> Plan {
        // `cargo bench` passes `--bench`; `cargo test --benches` does not.
        let mut plan = if std::env::args().any(|a| a == "--bench") {
            Plan {
                rounds: 11,
                loads: vec![(4, 2_500), (64, 300), (1_000, 30)],
            }
        } else {
            Plan {
                rounds: 1,
                loads: vec![(1, 50), (2, 50)],
            }
        };
        if let Ok(loads) = std::env::var("LOOPBACK_RPS_LOADS") {
            plan.loads = loads
                .split(',')
                .map(|load| {
                    load.split_once('x')
                        .and_then(|(c, n)| Some((c.trim().parse().ok()?, n.trim().parse().ok()?)))
                        .unwrap_or_else(|| panic!("LOOPBACK_RPS_LOADS: {load:?} is not CxN"))
                })
                .collect();
        }
        plan
    }
}

// ---------------------------------------------------------------------------
// Heap allocations, process-wide: iis-host and hyper run in this process
// (the module's cdylib has its own allocator), and the client allocates
// nothing per request once connected, so a round's count over its requests
// is the server's allocations per request (plus a constant for the round's
// threads, under 0.01 per request).

/// Counts every allocation, then delegates to the system.
struct CountingAllocator;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: every call is delegated to `System` unchanged; the counter is a
// static atomic.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as ours.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

// ---------------------------------------------------------------------------
// The client.

/// Sends one `GET /` and checks its response (200, `text/plain`,
/// [`BODY`]).
fn get(client: &mut Client) -> io::Result<()> {
    client.exchange(REQUEST, |response| {
        let expected = response.status == 200
            && response.content_type == Some(b"text/plain".as_slice())
            && response.body == BODY;
        if expected {
            Ok(())
        } else {
            Err(response.unexpected("GET /"))
        }
    })
}

/// What one round measured.
struct Measured {
    rate: f64,
    /// The 99th percentile of the round's request latencies.
    p99: Duration,
    reconnects: usize,
    allocations_per_request: f64,
    /// CPU time of the whole process (client, server, and the kernel's
    /// work for them), if the OS tells (Linux).
    cpu: Option<Duration>,
}

/// The CPU time (user + system) of this process so far, threads that ended
/// included: `/proc/self/stat` `utime` + `stime`, in clock ticks of 10 ms
/// (`USER_HZ` = 100, as on every Linux), so rounds are summed before use.
/// Unlike req/s, it hardly changes when other processes share the cores.
fn process_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command name, which is in parentheses: state is
    // field 3, utime 14, stime 15.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// One round: `connections` clients, each warmed up, then all start
/// together and send `requests` requests.
fn round(addr: SocketAddr, connections: usize, requests: usize) -> Measured {
    let start = Arc::new(Barrier::new(connections + 1));
    let workers: Vec<_> = (0..connections)
        .map(|_| {
            let start = Arc::clone(&start);
            thread::spawn(move || -> io::Result<(Instant, usize, Vec<Duration>)> {
                let mut client = Client::connect(addr)?;
                for _ in 0..WARM_UP.min(requests) {
                    get(&mut client)?;
                }
                client.reconnects = 0;
                let mut latencies = Vec::with_capacity(requests);
                start.wait();
                for _ in 0..requests {
                    let sent = Instant::now();
                    get(&mut client)?;
                    latencies.push(sent.elapsed());
                }
                Ok((Instant::now(), client.reconnects, latencies))
            })
        })
        .collect();
    start.wait();
    let began = Instant::now();
    let allocations = ALLOCATIONS.load(Ordering::Relaxed);
    let cpu = process_cpu();
    let mut ended = began;
    let mut reconnects = 0;
    let mut latencies = Vec::with_capacity(connections * requests);
    for worker in workers {
        let (end, n, mine) = worker
            .join()
            .expect("client thread")
            .unwrap_or_else(|e| panic!("client of {addr}: {e}"));
        ended = ended.max(end);
        reconnects += n;
        latencies.extend(mine);
    }
    latencies.sort_unstable();
    let p99 = latencies[(latencies.len() * 99 / 100).min(latencies.len() - 1)];
    let allocations = ALLOCATIONS.load(Ordering::Relaxed) - allocations;
    let cpu = cpu.zip(process_cpu()).map(|(before, after)| after - before);
    let total = (connections * requests) as f64;
    Measured {
        rate: total / (ended - began).as_secs_f64(),
        p99,
        reconnects,
        allocations_per_request: allocations as f64 / total,
        cpu,
    }
}

// ---------------------------------------------------------------------------
// The hyper baseline.

/// Requests the hyper server answered (for the `serve` role's exit).
static HYPER_REQUESTS: AtomicU64 = AtomicU64::new(0);

async fn hello(_: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    HYPER_REQUESTS.fetch_add(1, Ordering::Relaxed);
    let mut response = Response::new(Full::new(Bytes::from_static(BODY)));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    Ok(response)
}

/// A hyper HTTP/1.1 hello server on loopback (keep-alive is hyper's
/// default), on a two-worker tokio runtime (this machine's core count).
fn hyper_server() -> (tokio::runtime::Runtime, SocketAddr) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_io()
        .build()
        .expect("tokio runtime");
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind hyper");
    let addr = listener.local_addr().expect("hyper address");
    runtime.spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service_fn(hello))
                    .await;
            });
        }
    });
    (runtime, addr)
}

// ---------------------------------------------------------------------------

/// One server's rounds at one load.
#[derive(Default)]
struct Row {
    rates: Vec<f64>,
    /// Each round's p99 latency, in µs.
    p99s: Vec<f64>,
    allocations: Vec<f64>,
    reconnects: usize,
    cpu: Option<Duration>,
    requests: usize,
}

impl Row {
    fn add(&mut self, measured: &Measured, requests: usize) {
        self.rates.push(measured.rate);
        self.p99s.push(measured.p99.as_secs_f64() * 1e6);
        self.allocations.push(measured.allocations_per_request);
        self.reconnects += measured.reconnects;
        self.cpu = match (self.rates.len(), self.cpu, measured.cpu) {
            (1, _, cpu) => cpu,
            (_, Some(sum), Some(cpu)) => Some(sum + cpu),
            _ => None,
        };
        self.requests += requests;
    }

    /// The median req/s (sorts the rates: first and last are the range).
    fn median_rate(&mut self) -> f64 {
        median(&mut self.rates)
    }

    /// Process CPU µs per request over all rounds; `None` when unknown or
    /// under 20 clock ticks (too coarse to tell, e.g. in the smoke test).
    fn cpu_per_request(&self) -> Option<f64> {
        self.cpu
            .filter(|cpu| *cpu >= Duration::from_millis(200))
            .map(|cpu| cpu.as_secs_f64() * 1e6 / self.requests as f64)
    }
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// iis-host serving the `hello_world` cdylib.
fn iis_host() -> Arc<Host> {
    let host = Host::builder()
        .module(iis_module_tests::example_library("hello_world"))
        .build()
        .expect("hello_world loads");
    Arc::new(host)
}

/// The `serve` role: one server until `total` requests were answered.
fn serve_role(server: &str, total: u64) {
    let announce = |addr: SocketAddr| {
        use io::Write;
        println!("listening {addr}");
        io::stdout().flush().expect("stdout");
    };
    let poll = |served: &dyn Fn() -> u64| {
        while served() < total {
            thread::sleep(Duration::from_millis(5));
        }
    };
    match server {
        "iis-host" => {
            let host = iis_host();
            let iis = host.serve("127.0.0.1:0").expect("iis-host serves");
            announce(iis.local_addr());
            poll(&|| host.stats().requests);
            iis.shutdown().expect("iis-host stops");
            host.shutdown();
        }
        "hyper" => {
            let (runtime, addr) = hyper_server();
            announce(addr);
            poll(&|| HYPER_REQUESTS.load(Ordering::Relaxed));
            runtime.shutdown_timeout(Duration::from_secs(1));
        }
        other => panic!("serve: unknown server {other:?} (iis-host or hyper)"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| -> &str {
        args.get(i).unwrap_or_else(|| {
            panic!("usage: serve SERVER TOTAL | client ADDR CONNECTIONS REQUESTS")
        })
    };
    let number = |i: usize| -> usize { arg(i).parse().expect("a number") };
    match args.first().map(String::as_str) {
        Some("serve") => return serve_role(arg(1), number(2) as u64),
        Some("client") => {
            let addr = arg(1).parse().expect("ADDR is host:port");
            let measured = round(addr, number(2), number(3));
            println!(
                "{:.0} req/s, {} reconnects",
                measured.rate, measured.reconnects
            );
            return;
        }
        _ => {}
    }
    let plan = Plan::from_env();
    let host = iis_host();
    let iis = host.serve("127.0.0.1:0").expect("iis-host serves");
    let (runtime, hyper_addr) = hyper_server();
    let servers = [("iis-host", iis.local_addr()), ("hyper", hyper_addr)];

    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        // Anything else running on the machine shows in the numbers.
        println!("load average before the run: {}", load.trim());
    }
    println!(
        "loopback keep-alive GET / -> 200 text/plain {:?}; {} round(s) per row, rounds interleaved",
        String::from_utf8_lossy(BODY),
        plan.rounds
    );
    println!(
        "{:>5} {:>8}  {:<8} {:>7} {:>15} {:>10} {:>10} {:>10} {:>10} {:>10}",
        "conns",
        "req/conn",
        "server",
        "req/s",
        "range",
        "latency µs",
        "p99 µs",
        "CPU µs/req",
        "allocs/req",
        "reconnects"
    );
    for &(connections, requests) in &plan.loads {
        let mut rows = [Row::default(), Row::default()];
        let mut round_ratios = Vec::new();
        let mut p99_ratios = Vec::new();
        for _ in 0..plan.rounds {
            let rates = servers.map(|(_, addr)| {
                let measured = round(addr, connections, requests);
                (measured, connections * requests)
            });
            round_ratios.push(rates[0].0.rate / rates[1].0.rate);
            p99_ratios.push(rates[0].0.p99.as_secs_f64() / rates[1].0.p99.as_secs_f64());
            for (row, (measured, total)) in rows.iter_mut().zip(rates) {
                row.add(&measured, total);
            }
        }
        for (row, (name, _)) in rows.iter_mut().zip(servers) {
            let rate = row.median_rate();
            println!(
                "{connections:>5} {requests:>8}  {name:<8} {rate:>7.0} {:>7.0}-{:<7.0} {:>10.1} {:>10.0} {:>10} {:>10.1} {:>10}",
                row.rates[0],
                row.rates[row.rates.len() - 1],
                1e6 * connections as f64 / rate,
                median(&mut row.p99s),
                row.cpu_per_request()
                    .map_or_else(|| "-".to_owned(), |us| format!("{us:.1}")),
                median(&mut row.allocations),
                row.reconnects,
            );
        }
        let cpu = rows[0]
            .cpu_per_request()
            .zip(rows[1].cpu_per_request())
            .map_or_else(|| "-".to_owned(), |(a, b)| format!("{:.2}", a / b));
        println!(
            "{connections:>5} {requests:>8}  iis-host/hyper: req/s {:.2}, p99 {:.2} (medians of \
             per-round ratios), CPU/req {cpu}",
            median(&mut round_ratios),
            median(&mut p99_ratios),
        );
    }

    iis.shutdown().expect("iis-host stops");
    let stats = host.stats();
    host.shutdown();
    runtime.shutdown_timeout(Duration::from_secs(1));
    let expected: usize = plan
        .loads
        .iter()
        .map(|&(c, n)| plan.rounds * c * (n + WARM_UP.min(n)))
        .sum();
    assert_eq!(
        stats.requests, expected as u64,
        "iis-host ran every request"
    );
    assert_eq!(stats.instances_created, stats.instances_disposed);
    println!(
        "iis-host ran {} requests, created and disposed {} module instances",
        stats.requests, stats.instances_created
    );
}
