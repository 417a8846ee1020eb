//! [`Server`] and [`ServerHandle`]: the accept loop, one thread per connection, the
//! connection limit, and shutdown.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{
    IpAddr, Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs,
};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use socket2::{Domain, Protocol, Socket, Type};

use super::connection::{error_response, log_request, serve};
use super::state::{Shared, ShutdownTrigger};
use super::{ConnectionFate, Handler, RequestLog, ServerConfig};

/// The listen backlog.
const BACKLOG: i32 = 1024;

/// An HTTP/1.1 server: accepts TCP connections and serves each on its own thread,
/// passing every request to a [`Handler`].
///
/// Serve on the current thread with [`run`](Self::run), or on a background thread
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
    listener: TcpListener,
    local_addr: SocketAddr,
    shared: Arc<Shared>,
}

impl Server {
    /// Binds a listener to `addr` (the first of its addresses that binds; port 0 picks a
    /// free port) with `SO_REUSEADDR` on Unix.
    pub fn bind<A: ToSocketAddrs>(
        addr: A,
        config: ServerConfig,
        handler: Arc<dyn Handler>,
    ) -> io::Result<Server> {
        let mut last_error = None;
        for candidate in addr.to_socket_addrs()? {
            match listen(candidate) {
                Ok(listener) => {
                    let local_addr = listener.local_addr()?;
                    let shared = Shared::new(config, handler, wake_addr(local_addr));
                    return Ok(Server {
                        listener,
                        local_addr,
                        shared: Arc::new(shared),
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

    /// Serves on the current thread until shutdown (from a [`ShutdownTrigger`] taken
    /// before), then waits for the open connections to finish their current request
    /// and close. The listening socket closes when the `Server` is dropped.
    pub fn run(&self) {
        self.accept_loop();
        self.shared.wait_idle(None);
    }

    /// Serves on a background thread; the returned handle shuts the server down.
    pub fn spawn(self) -> io::Result<ServerHandle> {
        let local_addr = self.local_addr;
        let trigger = self.shutdown_trigger();
        let thread = thread::Builder::new()
            .name("iis-host-accept".to_owned())
            .spawn(move || self.accept_loop())?;
        Ok(ServerHandle {
            local_addr,
            trigger,
            thread: Some(thread),
        })
    }

    fn accept_loop(&self) {
        while !self.shared.is_shutting_down() {
            let stream = match self.listener.accept() {
                Ok((stream, _)) => stream,
                Err(e) if is_transient(&e) => continue,
                Err(e) => {
                    // Out of descriptors or memory: back off instead of spinning.
                    log::error!("accept failed on {}: {e}", self.local_addr);
                    thread::sleep(Duration::from_millis(10));
                    continue;
                }
            };
            if self.shared.is_shutting_down() {
                break;
            }
            match self.shared.try_admit() {
                Some(id) => self.start_connection(id, stream),
                None => refuse_busy(&self.shared, stream),
            }
        }
    }

    fn start_connection(&self, id: u64, stream: TcpStream) {
        let admission = Admission {
            shared: Arc::clone(&self.shared),
            id,
        };
        let spawned = thread::Builder::new()
            .name(format!("iis-host-conn-{id}"))
            .spawn(move || {
                let admission = admission;
                serve(&admission.shared, admission.id, stream);
            });
        if let Err(e) = spawned {
            log::error!("could not start a connection thread: {e}");
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

/// A server running on a background thread (see [`Server::spawn`]).
///
/// Dropping the handle without [`join`](Self::join) shuts the server down and waits
/// for the accept thread (not for the open connections).
pub struct ServerHandle {
    local_addr: SocketAddr,
    trigger: ShutdownTrigger,
    thread: Option<JoinHandle<()>>,
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
    /// current request and close. Fails only if the accept thread panicked.
    pub fn join(mut self) -> io::Result<()> {
        let joined = match self.thread.take() {
            Some(thread) => thread.join(),
            None => Ok(()),
        };
        self.trigger.shared.wait_idle(None);
        joined.map_err(|_| io::Error::other("the accept thread panicked"))
    }

    /// [`shutdown`](Self::shutdown), then [`join`](Self::join).
    pub fn shutdown_and_join(self) -> io::Result<()> {
        self.shutdown();
        self.join()
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        if let Some(thread) = self.thread.take() {
            self.trigger.shutdown();
            let _ = thread.join();
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

/// Counts a connection as open while its thread lives.
struct Admission {
    shared: Arc<Shared>,
    id: u64,
}

impl Drop for Admission {
    fn drop(&mut self) {
        self.shared.release(self.id);
    }
}

fn listen(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    #[cfg(unix)]
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(BACKLOG)?;
    Ok(socket.into())
}

/// The address shutdown connects to: the listener's, with an unspecified IP replaced
/// by the loopback of its family.
fn wake_addr(local: SocketAddr) -> SocketAddr {
    let ip = match local.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, local.port())
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

/// Answers a connection beyond `max_connections` with `503` and closes it, without
/// blocking the accept loop.
fn refuse_busy(shared: &Shared, stream: TcpStream) {
    let started = Instant::now();
    let remote_addr = stream.peer_addr();
    let (bytes, body_len) = error_response(503, "too many connections");
    let sent = stream
        .set_nonblocking(true)
        .and_then(|()| (&stream).write_all(&bytes));
    let _ = stream.shutdown(Shutdown::Write);
    // Drop what already arrived, so that the close is a FIN rather than an RST.
    let mut scratch = [0u8; 4096];
    while matches!((&stream).read(&mut scratch), Ok(n) if n > 0) {}
    drop(stream);
    if let Ok(remote_addr) = remote_addr {
        log_request(
            shared,
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
    }
}
