//! [`Host::serve`]: the pipeline behind the HTTP/1.1 server of
//! [`crate::http`], on loopback or any address.

use std::fmt;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;

use crate::Host;
use crate::engine::{self, ConnectionMode};
use crate::http::{
    ConnectionSlot, HandleFuture, Handler, Request, ResponseSink, Server, ServerHandle,
};
use crate::state::object_data::ConnectionShared;

/// What the pipeline keeps in a connection's [`ConnectionSlot`]: the
/// connection's state, once its first request has run.
struct HeldConnection(Option<Arc<ConnectionShared>>);

/// The pipeline as the server's [`Handler`].
struct PipelineHandler(Arc<Host>);

impl Handler for PipelineHandler {
    fn handle<'a>(
        &'a self,
        request: Request,
        sink: &'a mut (dyn ResponseSink + Send),
    ) -> HandleFuture<'a> {
        Box::pin(async move {
            self.0
                .answer(request, sink, ConnectionMode::Keyed, None)
                .await;
        })
    }

    /// The connection's state stays in the slot between its requests.
    fn handle_on<'a>(
        &'a self,
        slot: &'a mut ConnectionSlot,
        request: Request,
        sink: &'a mut (dyn ResponseSink + Send),
    ) -> HandleFuture<'a> {
        // Built in its box (`Box::pin` would build it beside and copy it in).
        let future = Box::write(Box::new_uninit(), async move {
            let held = &mut slot.get_or_insert_with(|| HeldConnection(None)).0;
            self.0
                .answer(request, sink, ConnectionMode::Held(&mut *held), None)
                .await;
            // The request's head buffers go back to the connection.
            if let Some((target, headers)) = held.as_deref().and_then(engine::head_buffers) {
                slot.give_back_head(target, headers);
            }
        });
        Box::into_pin(future)
    }

    fn connection_closed(&self, remote_addr: SocketAddr, local_addr: SocketAddr) {
        self.0.connection_closed((remote_addr, local_addr));
    }

    /// Modules read the body as it arrives, as from HTTP.sys.
    fn streams_body(&self) -> bool {
        true
    }
}

/// A running [`Host::serve`]: its address, and shutdown.
pub struct ServeHandle {
    handle: ServerHandle,
}

impl fmt::Debug for ServeHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServeHandle")
            .field("local_addr", &self.local_addr())
            .finish()
    }
}

impl ServeHandle {
    /// The address the server listens on (with the port picked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.handle.local_addr()
    }

    /// The number of client connections open now (idle keep-alive ones
    /// included).
    pub fn active_connections(&self) -> usize {
        self.handle.active_connections()
    }

    /// Stops accepting connections and waits for the open ones to finish
    /// their current request. The host keeps its modules: call
    /// [`Host::shutdown`] (or drop it) for `StopListening`, `ApplicationStop`
    /// and `Terminate`.
    ///
    /// # Errors
    ///
    /// If the accept thread panicked.
    pub fn shutdown(self) -> io::Result<()> {
        self.handle.shutdown_and_join()
    }

    /// Starts the shutdown from a shared reference and returns at once (as
    /// from a signal handler); [`shutdown`](Self::shutdown) or drop waits.
    pub fn begin_shutdown(&self) {
        self.handle.shutdown();
    }

    /// Waits until the server stopped (after [`begin_shutdown`](Self::begin_shutdown)
    /// from another thread).
    ///
    /// # Errors
    ///
    /// If the accept thread panicked.
    pub fn join(self) -> io::Result<()> {
        self.handle.join()
    }
}

impl Host {
    /// Serves HTTP/1.1 on `addr` (e.g. `127.0.0.1:0`): each connection is a
    /// task on the host's worker pool (an idle one holds no thread), every
    /// request goes through the pipeline; the limits are
    /// [`HostConfig::server`](crate::HostConfig::server) (oversized bodies get `413`,
    /// malformed requests `400`, from the connection layer, before any module runs).
    ///
    /// # Errors
    ///
    /// If the address cannot be bound; an address in use keeps its
    /// [`io::ErrorKind::AddrInUse`] and says what to do about it.
    pub fn serve(self: &Arc<Self>, addr: impl ToSocketAddrs) -> io::Result<ServeHandle> {
        let handler = Arc::new(PipelineHandler(Arc::clone(self)));
        let server = Server::bind_shared(
            self.pool_handle(),
            addr,
            self.config().server.clone(),
            handler,
        )
        .map_err(|error| {
            if error.kind() == io::ErrorKind::AddrInUse {
                io::Error::new(
                    io::ErrorKind::AddrInUse,
                    format!(
                        "{error}: another program is listening on that port; \
                             stop it, or choose another address (port 0 picks a free one)"
                    ),
                )
            } else {
                error
            }
        })?;
        Ok(ServeHandle {
            handle: server.spawn()?,
        })
    }
}
