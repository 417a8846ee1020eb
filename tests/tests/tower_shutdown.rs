//! iis-tower's runtime stops with IIS: when the host stops listening, the
//! request in flight finishes, then no thread of the module's runtime is
//! left. (Alone in its test binary: it counts the process's threads by
//! name, which other hosts of the same module would share.)

use iis_module_tests::example_host;

/// The names of this process's threads.
fn thread_names() -> Vec<String> {
    std::fs::read_dir("/proc/self/task")
        .map(|tasks| {
            tasks
                .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
                .map(|name| name.trim().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
#[cfg(target_os = "linux")]
fn stopping_drains_the_requests_in_flight_then_stops_the_runtime() {
    use std::io::{Read, Write};
    let host = std::sync::Arc::new(example_host("axum_app"));
    let server = host.serve("127.0.0.1:0").expect("serves");
    // A new thread carries its parent's name until it has named itself.
    let started = std::time::Instant::now();
    while !thread_names().iter().any(|n| n.starts_with("iis-tower")) {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "no runtime thread: {:?}",
            thread_names()
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let mut stream = std::net::TcpStream::connect(server.local_addr()).expect("connects");
    stream
        .write_all(b"GET /events HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .expect("sends");
    // Once the first event is in, stop the host while the stream goes on.
    let mut seen = Vec::new();
    let mut buf = [0u8; 1024];
    while !String::from_utf8_lossy(&seen).contains("tick 1") {
        let n = stream.read(&mut buf).expect("reads");
        assert!(n > 0, "ended early: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    let stopping = {
        let host = std::sync::Arc::clone(&host);
        std::thread::spawn(move || host.shutdown())
    };
    stream.read_to_end(&mut seen).expect("reads the rest");
    let text = String::from_utf8_lossy(&seen);
    assert!(text.contains("data: tick 5"), "the stream was cut: {text}");
    stopping.join().expect("shutdown");
    drop(server);
    assert!(
        !thread_names().iter().any(|n| n.starts_with("iis-tower")),
        "the runtime's threads outlive the module: {:?}",
        thread_names()
    );
}
