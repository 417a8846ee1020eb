//! [`RequestCore`]: one request's host objects (the `IHttpContext`, its
//! request, response, connection, containers…) and its state, at a stable
//! address for as long as modules may call them. The objects are created
//! and bound in `objects` ([`RequestCore::create`]).

use std::mem::MaybeUninit;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use iis_sys::{GUID, IHttpContext, IHttpRequest, IHttpResponse, IHttpUser, SOCKADDR};

use crate::ffi::{Arena, Foreign, lock};
use crate::loader::ModuleSet;
use crate::state::host::HostCore;
use crate::state::object::{Back, Obj};
use crate::state::object_data::{
    CacheState, ConnectionShared, ContainerData, NamedData, Pool, TraceOwner,
};
use crate::state::request::RequestState;
use crate::transcript::{ApiCall, HostEvent};

/// One request's objects and state.
pub(crate) struct RequestCore {
    /// The host running the request.
    pub(crate) host: Back<HostCore>,
    /// The modules of the host when the request started.
    pub(crate) modules: Arc<ModuleSet>,
    /// A host-unique request number (`HTTP_REQUEST_ID`).
    pub(crate) id: u64,
    /// When the request started.
    pub(crate) started: Instant,
    /// `IHttpTraceContext::GetTraceActivityId`.
    pub(crate) activity_id: GUID,
    /// The mutable state.
    pub(crate) state: Mutex<RequestState>,
    /// Serializes the lazy creation of module instances.
    pub(crate) creating: Mutex<()>,
    /// Strings and structs handed to modules.
    pub(crate) arena: Arena,
    /// Request-pool memory.
    pub(crate) memory: Pool,
    /// The client connection.
    pub(crate) connection: Arc<ConnectionShared>,
    /// `IHttpResponse::GetCachePolicy` state.
    pub(crate) cache: Mutex<CacheState>,
    /// The client's address.
    pub(crate) remote_addr: SocketAddr,
    /// The server's address.
    pub(crate) local_addr: SocketAddr,
    /// `GetRemoteAddress`, built when a module first asks
    /// ([`RequestCore::remote_address`]).
    pub(crate) remote_sockaddr: OnceLock<Foreign<SOCKADDR>>,
    /// `GetLocalAddress`, built when a module first asks
    /// ([`RequestCore::local_address`]).
    pub(crate) local_sockaddr: OnceLock<Foreign<SOCKADDR>>,
    /// `IHttpContext4`.
    pub(crate) context: Obj<Back<RequestCore>>,
    /// `IHttpRequest4`.
    pub(crate) request: Obj<Back<RequestCore>>,
    /// `IHttpResponse4`.
    pub(crate) response: Obj<Back<RequestCore>>,
    /// `IHttpConnection`.
    pub(crate) connection_obj: Obj<Back<RequestCore>>,
    /// `IHttpTraceContext`.
    pub(crate) trace: Obj<TraceOwner>,
    /// `IHttpUrlInfo`.
    pub(crate) url_info: Obj<Back<RequestCore>>,
    /// `IMetadataInfo`.
    pub(crate) metadata: Obj<Back<RequestCore>>,
    /// `IModuleAllocator` for `GetHttpModule`.
    pub(crate) allocator: Obj<Back<RequestCore>>,
    /// `IHttpCachePolicy2`.
    pub(crate) cache_policy: Obj<Back<RequestCore>>,
    /// The request's `IHttpModuleContextContainer`.
    pub(crate) container: Obj<ContainerData>,
    /// The URL info's container.
    pub(crate) url_container: Obj<ContainerData>,
    /// The metadata's container.
    pub(crate) metadata_container: Obj<ContainerData>,
    /// `INamedContextContainer`.
    pub(crate) named: Obj<NamedData>,
}

impl RequestCore {
    /// Frees the request's objects, memory and arena.
    ///
    /// # Safety
    ///
    /// `raw` came from [`create`](Self::create), is destroyed once, and no
    /// module will call its objects again.
    pub(crate) unsafe fn destroy(raw: *mut RequestCore) {
        // SAFETY: forwarded contract: `raw` is the `Box` leaked by `create`.
        drop(unsafe { Box::from_raw(raw) });
    }

    /// Drops the request's objects, memory and arena as
    /// [`destroy`](Self::destroy) does, and gives back its allocation for
    /// the next request on the connection.
    ///
    /// # Safety
    ///
    /// As for [`destroy`](Self::destroy).
    pub(crate) unsafe fn destroy_keeping(raw: *mut RequestCore) -> Box<MaybeUninit<RequestCore>> {
        // SAFETY: forwarded contract: `raw` is the live `Box` leaked by
        // `create`, dropped in place once; its allocation, of the same
        // layout as a `MaybeUninit<RequestCore>`, is then owned again.
        unsafe {
            std::ptr::drop_in_place(raw);
            Box::from_raw(raw.cast::<MaybeUninit<RequestCore>>())
        }
    }

    /// The host.
    pub(crate) fn host(&self) -> &HostCore {
        // SAFETY: the host outlives its requests (a request is run through
        // `&Host`, and a timed-out request's leaked core is never used by
        // the host again).
        unsafe { &*self.host.0 }
    }

    /// Runs `f` on the locked state. Never call a module from inside `f`.
    pub(crate) fn with_state<R>(&self, f: impl FnOnce(&mut RequestState) -> R) -> R {
        f(&mut lock(&self.state))
    }

    /// Resumes the request if it is parked (a completion arrived, or output
    /// was queued from another thread): the pool polls it again.
    pub(crate) fn wake(&self) {
        if let Some(waker) = self.with_state(|s| s.flow.waker.take()) {
            waker.wake();
        }
    }

    /// Records a module→host call.
    pub(crate) fn record(&self, call: ApiCall) {
        self.with_state(|s| s.log.call(call));
    }

    /// Records a lifecycle event.
    pub(crate) fn event(&self, event: HostEvent) {
        self.with_state(|s| s.log.event(event));
    }

    /// `IHttpContext*` of this request.
    pub(crate) fn context_ptr(&self) -> *mut IHttpContext {
        self.context.iface()
    }

    /// `IHttpRequest*` of this request.
    pub(crate) fn request_ptr(&self) -> *mut IHttpRequest {
        self.request.iface()
    }

    /// `IHttpResponse*` of this request.
    pub(crate) fn response_ptr(&self) -> *mut IHttpResponse {
        self.response.iface()
    }

    /// `IAuthenticationProvider::SetUser`: the request's user from now on;
    /// the previous module user (if any) is dereferenced.
    pub(crate) fn set_user(&self, user: *mut IHttpUser) {
        if user.is_null() {
            return;
        }
        let previous = self.with_state(|s| std::mem::replace(&mut s.req.user, Foreign(user)));
        dereference_user(previous);
    }

    /// Milliseconds since the host started (`GetTickCount`-like values).
    pub(crate) fn ticks(&self, at: Instant) -> u32 {
        at.saturating_duration_since(self.host().started)
            .as_millis() as u32
    }
}

/// Calls `DereferenceUser` on a module-supplied user.
pub(crate) fn dereference_user(user: Foreign<IHttpUser>) {
    if !user.is_null() {
        // SAFETY: a module-supplied user, alive until this reference (the
        // one `SetUser` handed over) is released.
        unsafe { ((*(*user.0).lpVtbl).DereferenceUser)(user.0) };
    }
}
