//! An `async fn` handler that waits without holding an IIS thread.
//!
//! For `GET /` it awaits a timer (200 ms) and a request to a TCP backend,
//! both on a tokio runtime the module owns, then streams the backend's
//! answer to the client piece by piece, each piece flushed. While it waits
//! the request is pending and IIS's thread is free for other requests: a
//! thousand requests waiting at once hold none of them.
//!
//! The runtime belongs to the module DLL: started at `RegisterModule`,
//! shut down at `StopListening` (or when IIS terminates the module), so
//! the worker process can recycle with no thread of the DLL left running.
//! The backend is a small TCP server the module starts on that runtime, at
//! `127.0.0.1` on a free port: it stands for the service a real module
//! would call.
//!
//! The hook's future runs on IIS's threads, not tokio's, so the work that
//! needs tokio's reactor (the timer, the socket) is spawned on the runtime
//! and awaited through a channel, which works from any executor. If the
//! client disconnects, the SDK drops the hook's future; the dropped
//! receiver then stops the spawned work.

#![deny(unsafe_code)]

use iis_module::prelude::*;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::{Handle, Runtime};
use tokio::sync::mpsc;

/// How long each request waits on the timer.
const DELAY: Duration = Duration::from_millis(200);
/// How long shutdown waits for the runtime's threads to finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

#[register_module]
fn register(module: &mut Registration) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("async-backend")
        .enable_all()
        .build()
        .map_err(|e| Error::msg(format!("cannot start the tokio runtime: {e}")))?;
    let backend = runtime
        .block_on(start_backend())
        .map_err(|e| Error::msg(format!("cannot start the backend: {e}")))?;
    let handle = runtime.handle().clone();
    module.request_module(move || Handler {
        runtime: handle.clone(),
        backend,
    })?;
    module.global_module(RuntimeOwner(Mutex::new(Some(runtime))))
}

/// The request module: one per request.
struct Handler {
    runtime: Handle,
    backend: SocketAddr,
}

#[http_module]
impl HttpModule for Handler {
    async fn on_execute_request_handler(&mut self, cx: &mut HttpContext) -> Result<Flow> {
        if cx.request().method()? != Method::GET || cx.request().url()? != "/" {
            return Ok(Flow::Continue);
        }
        // The timer and the backend call run on the module's runtime; the
        // answer comes back through the channel, a piece at a time.
        let (pieces, mut answer) = mpsc::channel::<std::io::Result<Vec<u8>>>(4);
        let backend = self.backend;
        self.runtime.spawn(async move {
            tokio::time::sleep(DELAY).await;
            if let Err(error) = call_backend(backend, &pieces).await {
                let _ = pieces.send(Err(error)).await;
            }
        });
        let response = cx.response();
        response.set_header(CONTENT_TYPE, "text/plain; charset=utf-8")?;
        response.disable_buffering();
        while let Some(piece) = answer.recv().await {
            let piece = piece.map_err(|e| Error::msg(format!("the backend failed: {e}")))?;
            response.write_async(&piece).await?;
            response.flush_async().await?;
        }
        Ok(Flow::FinishRequest)
    }
}

/// Sends the backend a request and forwards its answer's pieces as they
/// arrive; stops early if nobody is listening any more.
async fn call_backend(
    backend: SocketAddr,
    pieces: &mpsc::Sender<std::io::Result<Vec<u8>>>,
) -> std::io::Result<()> {
    let mut stream = TcpStream::connect(backend).await?;
    stream.write_all(b"hello\n").await?;
    let mut buf = vec![0u8; 4096];
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 || pieces.send(Ok(buf[..n].to_vec())).await.is_err() {
            return Ok(());
        }
    }
}

/// The backend: for each connection, reads a line and answers in three
/// pieces, a little apart, then closes.
async fn start_backend() -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut line = [0u8; 64];
                if stream.read(&mut line).await.is_err() {
                    return;
                }
                for piece in [
                    "hello from the backend\n",
                    "waited without an IIS thread\n",
                    "bye\n",
                ] {
                    if stream.write_all(piece.as_bytes()).await.is_err() {
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            });
        }
    });
    Ok(addr)
}

/// Owns the module's runtime; shuts it down when IIS stops listening, or
/// at the latest when IIS terminates the module.
struct RuntimeOwner(Mutex<Option<Runtime>>);

impl RuntimeOwner {
    fn shut_down(&self) {
        let runtime = self.0.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(runtime) = runtime {
            // On a thread of its own: shutting a runtime down blocks, which
            // tokio refuses on a thread that runs one (IIS's thread may).
            let _ = std::thread::spawn(move || runtime.shutdown_timeout(SHUTDOWN_GRACE)).join();
        }
    }
}

#[global_module]
impl GlobalModule for RuntimeOwner {
    fn on_stop_listening(&self, _: &mut StopListening) -> Result<GlobalFlow> {
        self.shut_down();
        Ok(GlobalFlow::Continue)
    }
}

impl Drop for RuntimeOwner {
    fn drop(&mut self) {
        self.shut_down();
    }
}
