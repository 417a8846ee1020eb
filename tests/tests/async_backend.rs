//! The async-backend example (examples/modules/async_backend), loaded from
//! its real module library: an `async fn` handler awaiting a tokio timer
//! and a TCP backend holds no IIS thread while it waits.

use iis_module_tests::example_host;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ANSWER: &str = "hello from the backend\nwaited without an IIS thread\nbye\n";

#[test]
fn get_waits_for_the_backend_and_streams_its_answer() {
    let host = example_host("async_backend");
    let t = host.get("/");
    assert_eq!(t.status, 200, "{t}");
    assert_eq!(t.body_text(), ANSWER);
    assert!(
        t.notification_lines()
            .iter()
            .any(|l| l.contains("OnExecuteRequestHandler -> PENDING")),
        "the hook waits pending: {t}"
    );
    // Streamed: a write and a flush per piece.
    let flushes = t
        .calls
        .iter()
        .filter(|c| c.to_string() == "IHttpResponse::Flush()")
        .count();
    assert!(flushes >= 3, "{t}");
    // Other requests are not its business.
    assert_eq!(host.get("/other").status, 404);
}

/// The body of a chunked HTTP/1.1 response, `None` if its framing is
/// broken or unfinished.
fn chunked_body(response: &str) -> Option<String> {
    let (_, mut rest) = response.split_once("\r\n\r\n")?;
    let mut body = String::new();
    loop {
        let (size, after) = rest.split_once("\r\n")?;
        let size = usize::from_str_radix(size, 16).ok()?;
        if size == 0 {
            return (after == "\r\n").then_some(body);
        }
        body.push_str(after.get(..size)?);
        rest = after.get(size..)?.strip_prefix("\r\n")?;
    }
}

/// The threads of this process.
fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").map_or(0, Iterator::count)
}

#[test]
fn a_thousand_waiting_requests_hold_no_threads() {
    const REQUESTS: usize = 1000;
    let before = threads();
    let host = Arc::new(example_host("async_backend"));
    let server = host.serve("127.0.0.1:0").expect("serves");
    let addr = server.local_addr();
    // One client thread drives every connection.
    let client = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    let started = Instant::now();
    let (answers, peak) = client.block_on(async move {
        let requests: Vec<_> = (0..REQUESTS)
            .map(|_| {
                tokio::spawn(async move {
                    let mut stream = tokio::net::TcpStream::connect(addr).await?;
                    stream
                        .write_all(
                            b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
                        )
                        .await?;
                    let mut response = Vec::new();
                    stream.read_to_end(&mut response).await?;
                    std::io::Result::Ok(String::from_utf8_lossy(&response).into_owned())
                })
            })
            .collect();
        // Every request is waiting on its timer now.
        tokio::time::sleep(Duration::from_millis(120)).await;
        let peak = threads();
        let mut answers = Vec::new();
        for request in requests {
            answers.push(request.await.expect("joins").expect("exchange"));
        }
        (answers, peak)
    });
    let took = started.elapsed();
    for answer in &answers {
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.contains("Transfer-Encoding: chunked"), "{answer}");
        assert_eq!(chunked_body(answer).as_deref(), Some(ANSWER), "{answer}");
    }
    let added = peak.saturating_sub(before);
    assert!(
        added <= 32,
        "{added} threads more while {REQUESTS} requests waited (before {before}, peak {peak})"
    );
    // A thread per waiting request would take 1000 x 200 ms / the pool's
    // threads; all waiting at once takes a little over 200 ms.
    assert!(
        took < Duration::from_secs(5),
        "{REQUESTS} requests took {took:?}"
    );
    server.shutdown().expect("shuts down");
    host.shutdown();
    let stats = host.stats();
    assert_eq!(stats.instances_created, stats.instances_disposed);
    println!("{REQUESTS} requests in {took:?}; {added} threads added (peak {peak})");
}
