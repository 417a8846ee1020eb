//! Modules stream with bounded memory. An `async fn` hook (the
//! `async_hooks` fixture) echoes an upload as it arrives (`read_body_async`
//! / `write_async`, buffering off) and streams a response a flushed piece at
//! a time; a synchronous hook (the `streams` fixture) streams with plain
//! `write()`, buffering off or flushed per piece, each write done (sent)
//! when it returns, as in IIS. The default tests move a few MiB; the long
//! one (`scripts/long-checks.sh`) moves 100 MiB each way and holds the
//! process's peak RSS under 64 MB. (Alone in its test binary: it reads the
//! process's peak RSS.)
#![cfg(target_os = "linux")]

use iis_host::{Host, HostConfig, ServeHandle};
use iis_module_tests::fixtures;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const MIB: u64 = 1024 * 1024;
const PIECE: usize = 64 * 1024;

/// Held by each test: one at a time, so the peak RSS is one test's.
static SERIAL: Mutex<()> = Mutex::new(());

/// The process's peak resident set (`VmHWM`), in bytes.
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("status");
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .expect("VmHWM");
    let kb: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .expect("a number");
    kb * 1024
}

fn serve() -> (Arc<Host>, ServeHandle) {
    serve_module("async_hooks")
}

fn serve_module(name: &str) -> (Arc<Host>, ServeHandle) {
    let mut config = HostConfig::default();
    config.server.max_body_bytes = 1 << 40;
    config.server.read_timeout = Duration::from_secs(30);
    let host = Host::builder()
        .module_named(name, fixtures())
        .config(config)
        .build()
        .expect("loads");
    let host = Arc::new(host);
    let server = host.serve("127.0.0.1:0").expect("serves");
    (host, server)
}

/// Reads a response head up to the blank line; the status.
fn read_head(reader: &mut impl BufRead) -> u16 {
    let mut status = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).expect("head");
        if status == 0 {
            status = line
                .split(' ')
                .nth(1)
                .and_then(|s| s.parse().ok())
                .expect("status");
        } else if line.trim_end().is_empty() {
            return status;
        }
    }
}

/// Reads a chunked body, checking each byte; its length.
fn read_chunked(reader: &mut impl BufRead, check: impl Fn(u64, u8) -> bool) -> u64 {
    let mut total = 0u64;
    let mut buf = vec![0u8; PIECE];
    loop {
        let mut size = String::new();
        reader.read_line(&mut size).expect("chunk size");
        let size = usize::from_str_radix(size.trim_end(), 16).expect("hex size");
        let mut left = size;
        while left > 0 {
            let n = left.min(buf.len());
            reader.read_exact(&mut buf[..n]).expect("chunk data");
            for (i, &byte) in buf[..n].iter().enumerate() {
                assert!(
                    check(total + i as u64, byte),
                    "byte {} is {byte}",
                    total + i as u64
                );
            }
            total += n as u64;
            left -= n;
        }
        let mut end = [0u8; 2];
        reader.read_exact(&mut end).expect("chunk end");
        assert_eq!(&end, b"\r\n");
        if size == 0 {
            return total;
        }
    }
}

/// The byte at `offset` of an upload.
fn upload_byte(offset: u64) -> u8 {
    (offset % 251) as u8
}

/// Posts `size` bytes to `?echo` while reading the echo; its length.
fn echo(size: u64) -> u64 {
    let (_host, server) = serve();
    let mut stream = TcpStream::connect(server.local_addr()).expect("connects");
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let sender = std::thread::spawn(move || {
        write!(
            stream,
            "POST /?echo HTTP/1.1\r\nHost: x\r\nContent-Length: {size}\r\n\r\n"
        )
        .expect("head");
        let mut piece = vec![0u8; PIECE];
        let mut sent = 0u64;
        while sent < size {
            let n = (size - sent).min(PIECE as u64) as usize;
            for (i, byte) in piece[..n].iter_mut().enumerate() {
                *byte = upload_byte(sent + i as u64);
            }
            stream.write_all(&piece[..n]).expect("body");
            sent += n as u64;
        }
        stream
    });
    assert_eq!(read_head(&mut reader), 200);
    let echoed = read_chunked(&mut reader, |at, byte| byte == upload_byte(at));
    drop(sender.join().expect("sender"));
    server.shutdown().expect("shuts down");
    echoed
}

/// Gets `?stream=<mib>`; its length.
fn download(mib: u64) -> u64 {
    get_chunked("async_hooks", &format!("/?stream={mib}"), b'x')
}

/// Gets `?mib=<mib>` from the synchronous `streams` module (`&flush`:
/// buffered, flushed per piece); its length.
fn download_sync(mib: u64, flush: bool) -> u64 {
    let flush = if flush { "&flush" } else { "" };
    get_chunked("streams", &format!("/?mib={mib}{flush}"), b's')
}

/// Gets `path` from `module` reading the chunked body as it comes, each
/// byte `fill`; its length.
fn get_chunked(module: &str, path: &str, fill: u8) -> u64 {
    let (_host, server) = serve_module(module);
    let mut stream = TcpStream::connect(server.local_addr()).expect("connects");
    write!(stream, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").expect("request");
    let mut reader = BufReader::new(stream);
    assert_eq!(read_head(&mut reader), 200);
    let received = read_chunked(&mut reader, |_, byte| byte == fill);
    server.shutdown().expect("shuts down");
    received
}

#[test]
fn an_async_hook_echoes_an_upload_as_it_arrives() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    assert_eq!(echo(4 * MIB + 123), 4 * MIB + 123);
}

#[test]
fn an_async_hook_streams_a_response() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    assert_eq!(download(4), 4 * MIB);
}

#[test]
fn a_synchronous_hook_streams_with_write() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    assert_eq!(download_sync(4, false), 4 * MIB);
    assert_eq!(download_sync(4, true), 4 * MIB);
}

#[test]
#[ignore = "long: scripts/long-checks.sh"]
fn a_100_mib_echo_and_streams_stay_under_64_mb() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    assert_eq!(echo(100 * MIB), 100 * MIB);
    assert_eq!(download(100), 100 * MIB);
    assert_eq!(download_sync(100, false), 100 * MIB);
    assert_eq!(download_sync(100, true), 100 * MIB);
    let peak = peak_rss();
    eprintln!(
        "peak RSS after a 100 MiB async echo, a 100 MiB async stream and two \
         100 MiB synchronous streams: {:.1} MiB",
        peak as f64 / MIB as f64
    );
    assert!(peak < 64 * MIB, "peak RSS {} MiB", peak / MIB);
}
