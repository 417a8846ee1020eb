//! [`Server`] and [`ServerHandle`]: the accept loop, a task per connection on a
//! pool of threads, the connection limit, and shutdown.

use std::fmt;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

use socket2::{Domain, Protocol, Socket, Type};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::{Handle, Runtime};
use tokio::task::JoinHandle;

use super::connection::{Admission, error_response, linger_close, log_request, serve};
use super::state::{Shared, ShutdownTrigger};
use super::{ConnectionFate, Handler, RequestLog, ServerConfig};

/// The listen backlog.
const BACKLOG: i32 = 1024;

/// The pool a server's tasks run on.
enum Pool {
    /// Its own (a [`Server::bind`] server).
    Own(Runtime),
    /// A host's worker pool ([`Host::serve`](crate::Host::serve)).
    Shared(Handle),
}

impl Pool {
    fn handle(&self) -> &Handle {
        match self {
            Pool::Own(runtime) => runtime.handle(),
            Pool::Shared(handle) => handle,
        }
    }
}

/// An HTTP/1.1 server: accepts TCP connections and serves each as a task on a
/// small pool of threads (a connection waiting for a request holds none),
/// passing every request to a [`Handler`].
///
/// Serve on the current thread with [`run`](Self::run), or in the background
/// with [`spawn`](Self::spawn). Either way, [`ShutdownTrigger::shutdown`] ends it.
///
/// ```no_run
/// use std::sync::Arc;
/// use iis_host::http::{ConnectionFate, Request, ResponseHead, ResponseSink, Server, ServerConfig};
///
/// let handler = |_request: Request, sink: &mut dyn ResponseSink| {
///     let _ = sink.send_head(&ResponseHead::new(200), Some(2));
///     let _ = sink.send_body(b"ok");
///     let _ = sink.finish(ConnectionFate::KeptAlive);
/// };
/// let server = Server::bind("127.0.0.1:8080", ServerConfig::default(), Arc::new(handler))?;
/// let handle = server.spawn()?;
/// // ... later, from any thread:
/// handle.shutdown();
/// handle.join()?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct Server {
    listener: std::net::TcpListener,
    local_addr: SocketAddr,
    shared: Arc<Shared>,
    pool: Pool,
}

impl Server {
    /// Binds a listener to `addr` (the first of its addresses that binds; port 0 picks a
    /// free port) with `SO_REUSEADDR` on Unix, and starts the server's pool of
    /// threads (one per CPU).
    pub fn bind<A: ToSocketAddrs>(
        addr: A,
        config: ServerConfig,
        handler: Arc<dyn Handler>,
    ) -> io::Result<Server> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .thread_name("iis-host-server")
            .enable_all()
            .build()?;
        Self::bind_on(Pool::Own(runtime), addr, config, handler)
    }

    /// Binds a listener served by `pool` (a host's worker pool).
    pub(crate) fn bind_shared<A: ToSocketAddrs>(
        pool: Handle,
        addr: A,
        config: ServerConfig,
        handler: Arc<dyn Handler>,
    ) -> io::Result<Server> {
        Self::bind_on(Pool::Shared(pool), addr, config, handler)
    }

    fn bind_on<A: ToSocketAddrs>(
        pool: Pool,
        addr: A,
        config: ServerConfig,
        handler: Arc<dyn Handler>,
    ) -> io::Result<Server> {
        let mut last_error = None;
        for candidate in addr.to_socket_addrs()? {
            match listen(candidate) {
                Ok(listener) => {
                    let local_addr = listener.local_addr()?;
                    return Ok(Server {
                        listener,
                        local_addr,
                        shared: Arc::new(Shared::new(config, handler)),
                        pool,
                    });
                }
                Err(e) => last_error = Some(e),
            }
        }
        Err(last_error
            .unwrap_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no address to bind")))
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// A trigger that shuts this server down from any thread.
    pub fn shutdown_trigger(&self) -> ShutdownTrigger {
        ShutdownTrigger {
            shared: Arc::clone(&self.shared),
        }
    }

    /// Serves until shutdown (from a [`ShutdownTrigger`] taken before), blocking
    /// the current thread, then waits for the open connections to finish their
    /// current request and close. The listening socket closes when the `Server`
    /// is dropped.
    pub fn run(&self) {
        match self.accept_task() {
            Ok(task) => {
                let _ = crate::block_on::block_on(task);
            }
            Err(e) => log::error!("cannot serve on {}: {e}", self.local_addr),
        }
        self.shared.wait_idle(None);
    }

    /// Serves in the background; the returned handle shuts the server down.
    pub fn spawn(self) -> io::Result<ServerHandle> {
        let task = self.accept_task()?;
        let trigger = self.shutdown_trigger();
        Ok(ServerHandle {
            local_addr: self.local_addr,
            trigger,
            task: Some(task),
            pool: Some(self.pool),
        })
    }

    /// Starts accepting on the pool.
    fn accept_task(&self) -> io::Result<JoinHandle<()>> {
        let handle = self.pool.handle();
        let listener = self.listener.try_clone()?;
        listener.set_nonblocking(true)?;
        let listener = {
            let _context = handle.enter();
            TcpListener::from_std(listener)?
        };
        Ok(handle.spawn(accept_loop(listener, Arc::clone(&self.shared))))
    }
}

/// Accepts connections until shutdown, each served by a task of its own.
async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let local_addr = listener.local_addr().ok();
    loop {
        let accepted = tokio::select! {
            biased;
            () = shared.shutdown_started() => return,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, _)) => {
                if shared.try_admit().is_some() {
                    let admission = Admission(Arc::clone(&shared));
                    tokio::spawn(serve(admission, stream));
                } else {
                    tokio::spawn(refuse_busy(Arc::clone(&shared), stream));
                }
            }
            Err(e) if is_transient(&e) => {}
            Err(e) => {
                // Out of descriptors or memory: back off instead of spinning.
                log::error!("accept failed on {local_addr:?}: {e}");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("local_addr", &self.local_addr)
            .field("config", &self.shared.config)
            .finish_non_exhaustive()
    }
}

/// A server running in the background (see [`Server::spawn`]).
///
/// Dropping the handle without [`join`](Self::join) shuts the server down and waits
/// for its accept loop (not for the open connections).
pub struct ServerHandle {
    local_addr: SocketAddr,
    trigger: ShutdownTrigger,
    task: Option<JoinHandle<()>>,
    pool: Option<Pool>,
}

impl ServerHandle {
    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// A trigger that shuts the server down from any thread.
    pub fn shutdown_trigger(&self) -> ShutdownTrigger {
        self.trigger.clone()
    }

    /// Starts the shutdown and returns at once: see [`ShutdownTrigger`].
    pub fn shutdown(&self) {
        self.trigger.shutdown();
    }

    /// The number of connections open now.
    pub fn active_connections(&self) -> usize {
        self.trigger.shared.active()
    }

    /// Waits until no connection is open, at most `timeout`; returns whether none is.
    pub fn wait_idle(&self, timeout: Duration) -> bool {
        self.trigger.shared.wait_idle(Some(timeout))
    }

    /// Waits for the server to stop: for a shutdown (from [`shutdown`](Self::shutdown)
    /// or a [`ShutdownTrigger`]), then for the open connections to finish their
    /// current request and close. Fails only if the accept loop panicked.
    pub fn join(mut self) -> io::Result<()> {
        let joined = match self.task.take() {
            Some(task) => crate::block_on::block_on(task),
            None => Ok(()),
        };
        self.trigger.shared.wait_idle(None);
        joined.map_err(|_| io::Error::other("the accept loop panicked"))
    }

    /// [`shutdown`](Self::shutdown), then [`join`](Self::join).
    pub fn shutdown_and_join(self) -> io::Result<()> {
        self.shutdown();
        self.join()
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            self.trigger.shutdown();
            let _ = crate::block_on::block_on(task);
        }
        // A server's own pool ends with it (without waiting: this may run
        // inside another runtime).
        if let Some(Pool::Own(runtime)) = self.pool.take() {
            runtime.shutdown_background();
        }
    }
}

impl fmt::Debug for ServerHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerHandle")
            .field("local_addr", &self.local_addr)
            .field("shutting_down", &self.trigger.is_shutting_down())
            .field("active_connections", &self.active_connections())
            .finish()
    }
}

fn listen(addr: SocketAddr) -> io::Result<std::net::TcpListener> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    #[cfg(unix)]
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(BACKLOG)?;
    Ok(socket.into())
}

fn is_transient(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted
            | io::ErrorKind::WouldBlock
            | io::ErrorKind::TimedOut
    )
}

/// Answers a connection beyond `max_connections` with `503` and closes it.
async fn refuse_busy(shared: Arc<Shared>, stream: TcpStream) {
    let started = Instant::now();
    let Ok(remote_addr) = stream.peer_addr() else {
        return;
    };
    let (bytes, body_len) = error_response(503, "too many connections");
    let (reader, mut writer) = stream.into_split();
    let sent = writer.write_all(&bytes).await;
    log_request(
        &shared,
        RequestLog {
            remote_addr,
            method: None,
            target: String::new(),
            status: 503,
            body_bytes: if sent.is_ok() { body_len } else { 0 },
            fate: ConnectionFate::Closed,
            elapsed: started.elapsed(),
        },
    );
    if sent.is_ok() {
        linger_close(&shared, reader, writer).await;
    }
}
