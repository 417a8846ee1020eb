//! Bodies stream through the host with bounded memory: a module reads an
//! upload as it arrives (asynchronous `ReadEntityBody`) and writes a
//! response with buffering off (asynchronous `WriteEntityChunks`), each a
//! window at a time. The default tests move a few MiB; the long ones
//! (`scripts/long-checks.sh`) move 100 MiB each way and hold the process's
//! peak RSS under 64 MB. (Alone in its test binary: it reads the process's
//! peak RSS.)
#![cfg(target_os = "linux")]

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Mutex;
use std::sync::atomic::{AtomicPtr, AtomicU64, Ordering};
use std::time::Duration;

use iis_host::http::ServerConfig;
use iis_sys::*;
use support::{Call, Counters, Script, calls, serve};

const MIB: u64 = 1024 * 1024;
/// The module's read buffer and write chunk.
const CHUNK: usize = 64 * 1024;

/// Held by each test: one at a time, so the peak RSS is one test's.
static SERIAL: Mutex<()> = Mutex::new(());

/// The process's peak resident set (`VmHWM`), in bytes.
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    let kb: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kb * 1024
}

/// What the streaming tests serve with: no body limit to speak of.
fn limits() -> ServerConfig {
    ServerConfig {
        max_body_bytes: 1 << 40,
        read_timeout: Duration::from_secs(30),
        ..ServerConfig::default()
    }
}

/// Reads a response head; its status and `Content-Length`.
fn read_head(reader: &mut BufReader<TcpStream>) -> (u16, Option<u64>) {
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let status = line.split(' ').nth(1).unwrap().parse().unwrap();
    let mut length = None;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            return (status, length);
        }
        let (name, value) = line.split_once(':').unwrap();
        if name.eq_ignore_ascii_case("content-length") {
            length = Some(value.trim().parse().unwrap());
        }
    }
}

/// The upload module's buffer (request-pool memory) and running total.
static UPLOAD_BUFFER: AtomicPtr<u8> = AtomicPtr::new(std::ptr::null_mut());
static UPLOADED: AtomicU64 = AtomicU64::new(0);

/// Starts the next asynchronous read, or answers at the end of the body.
fn read_next(call: &Call) -> REQUEST_NOTIFICATION_STATUS {
    // SAFETY: request-pool memory of `CHUNK` bytes, alive with the request.
    let buffer =
        unsafe { std::slice::from_raw_parts_mut(UPLOAD_BUFFER.load(Ordering::SeqCst), CHUNK) };
    let started = calls::read_async(call.context, buffer);
    if started.hr == HRESULT_ERROR_HANDLE_EOF {
        return answer_upload(call);
    }
    assert!(started.hr.is_ok() && started.pending, "{started:?}");
    RQ_NOTIFICATION_PENDING
}

/// Answers with the bytes received.
fn answer_upload(call: &Call) -> REQUEST_NOTIFICATION_STATUS {
    let total = UPLOADED.load(Ordering::SeqCst);
    calls::write(call.context, format!("received {total}").as_bytes());
    RQ_NOTIFICATION_FINISH_REQUEST
}

static UPLOADS_COUNTERS: Counters = Counters::new();
static UPLOADS: Script = Script {
    on_request: |call| match call.notification {
        iis_host::Notification::ExecuteRequestHandler => {
            UPLOADED.store(0, Ordering::SeqCst);
            // SAFETY: a live context; the memory lives with the request.
            let memory = unsafe {
                ((*(*call.context).lpVtbl).AllocateRequestMemory)(call.context, CHUNK as u32)
            };
            UPLOAD_BUFFER.store(memory.cast(), Ordering::SeqCst);
            read_next(call)
        }
        // A read pending when the body ends completes with
        // ERROR_HANDLE_EOF (whether the last bytes and the end arrive
        // together or apart is the client's timing).
        iis_host::Notification::AsyncCompletion if call.status == HRESULT_ERROR_HANDLE_EOF => {
            answer_upload(call)
        }
        iis_host::Notification::AsyncCompletion => {
            assert_eq!(call.status, S_OK);
            UPLOADED.fetch_add(u64::from(call.bytes), Ordering::SeqCst);
            read_next(call)
        }
        _ => RQ_NOTIFICATION_CONTINUE,
    },
    ..Script::new(RQ_EXECUTE_REQUEST_HANDLER, 0, &UPLOADS_COUNTERS)
};
module!(register_uploads, UPLOADS);

/// Uploads `size` bytes (generated as they are sent); the module's answer.
fn upload(size: u64) -> String {
    let (_host, server) = serve("uploads", register_uploads, limits());
    let mut stream = TcpStream::connect(server.local_addr()).unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    write!(
        stream,
        "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: {size}\r\n\r\n"
    )
    .unwrap();
    let piece = vec![b'u'; CHUNK];
    let mut left = size;
    while left > 0 {
        let n = left.min(CHUNK as u64) as usize;
        stream.write_all(&piece[..n]).unwrap();
        left -= n as u64;
    }
    let (status, length) = read_head(&mut reader);
    assert_eq!(status, 200);
    let mut body = vec![0; length.unwrap() as usize];
    reader.read_exact(&mut body).unwrap();
    server.shutdown().unwrap();
    String::from_utf8(body).unwrap()
}

/// The download module's size and progress.
static DOWNLOAD_SIZE: AtomicU64 = AtomicU64::new(0);
static DOWNLOADED: AtomicU64 = AtomicU64::new(0);
static PIECE: [u8; CHUNK] = [b'd'; CHUNK];

/// Writes the next piece asynchronously, or ends the response.
fn write_next(call: &Call) -> REQUEST_NOTIFICATION_STATUS {
    let size = DOWNLOAD_SIZE.load(Ordering::SeqCst);
    let sent = DOWNLOADED.load(Ordering::SeqCst);
    if sent >= size {
        return RQ_NOTIFICATION_FINISH_REQUEST;
    }
    let n = (size - sent).min(CHUNK as u64) as usize;
    let started = calls::write_async(call.context, &PIECE[..n], None, std::ptr::null_mut());
    assert!(started.hr.is_ok() && started.pending, "{started:?}");
    RQ_NOTIFICATION_PENDING
}

static DOWNLOADS_COUNTERS: Counters = Counters::new();
static DOWNLOADS: Script = Script {
    on_request: |call| match call.notification {
        iis_host::Notification::ExecuteRequestHandler => {
            DOWNLOADED.store(0, Ordering::SeqCst);
            let size = DOWNLOAD_SIZE.load(Ordering::SeqCst);
            calls::disable_buffering(call.context);
            calls::set_header(call.context, HttpHeaderContentLength, &size.to_string());
            write_next(call)
        }
        iis_host::Notification::AsyncCompletion => {
            assert_eq!(call.status, S_OK);
            DOWNLOADED.fetch_add(u64::from(call.bytes), Ordering::SeqCst);
            write_next(call)
        }
        _ => RQ_NOTIFICATION_CONTINUE,
    },
    ..Script::new(RQ_EXECUTE_REQUEST_HANDLER, 0, &DOWNLOADS_COUNTERS)
};
module!(register_downloads, DOWNLOADS);

/// Downloads a `size`-byte response, reading it as it comes; its length.
fn download(size: u64) -> u64 {
    DOWNLOAD_SIZE.store(size, Ordering::SeqCst);
    let (_host, server) = serve("downloads", register_downloads, limits());
    let mut stream = TcpStream::connect(server.local_addr()).unwrap();
    stream
        .write_all(b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut reader = BufReader::new(stream);
    let (status, length) = read_head(&mut reader);
    assert_eq!((status, length), (200, Some(size)));
    let mut scratch = vec![0; CHUNK];
    let mut received = 0u64;
    while received < size {
        let n = reader.read(&mut scratch).unwrap();
        assert!(n > 0, "the response ended after {received} bytes");
        assert!(scratch[..n].iter().all(|&b| b == b'd'));
        received += n as u64;
    }
    server.shutdown().unwrap();
    received
}

#[test]
fn an_upload_reaches_the_module_as_it_arrives() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    assert_eq!(upload(4 * MIB + 123), format!("received {}", 4 * MIB + 123));
}

#[test]
fn a_response_leaves_as_the_module_writes_it() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    assert_eq!(download(4 * MIB + 5), 4 * MIB + 5);
}

#[test]
#[ignore = "long: scripts/long-checks.sh"]
fn a_100_mib_upload_and_download_stay_under_64_mb() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    assert_eq!(upload(100 * MIB), format!("received {}", 100 * MIB));
    assert_eq!(download(100 * MIB), 100 * MIB);
    let peak = peak_rss();
    eprintln!(
        "peak RSS after 100 MiB each way: {:.1} MiB",
        peak as f64 / MIB as f64
    );
    assert!(peak < 64 * MIB, "peak RSS {} MiB", peak / MIB);
}
