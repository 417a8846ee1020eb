//! [`RequestCore`]: one request's host objects (the `IHttpContext`, its
//! request, response, connection, containers…) and its state, at a stable
//! address for as long as modules may call them.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use iis_sys::{
    ADDRESS_FAMILY, GUID, IHttpContext, IHttpRequest, IHttpResponse, IHttpUser, IN_ADDR, IN_ADDR_0,
    IN6_ADDR, IN6_ADDR_0, SOCKADDR, SOCKADDR_IN, SOCKADDR_IN6, SOCKADDR_IN6_LH_0,
};

use crate::ffi::{Arena, lock};
use crate::host::HostCore;
use crate::http::Request;
use crate::loader::ModuleInfo;
use crate::objects::allocator::{ALLOCATOR_VTBL, Pool};
use crate::objects::cache_policy::{CACHE_POLICY_VTBL, CacheState};
use crate::objects::connection::{CONNECTION_VTBL, ConnectionShared};
use crate::objects::containers::{ContainerData, NAMED_VTBL, NamedData, container};
use crate::objects::context::{CONTEXT_VTBL, METADATA_VTBL, URL_INFO_VTBL};
use crate::objects::request::REQUEST_VTBL;
use crate::objects::response::RESPONSE_VTBL;
use crate::objects::trace::{TRACE_VTBL, TraceOwner};
use crate::objects::{Back, Foreign, Obj};
use crate::pipeline::request_state::RequestState;
use crate::transcript::{ApiCall, HostEvent};

/// One request's objects and state.
pub(crate) struct RequestCore {
    host: Back<HostCore>,
    /// The modules of the host when the request started.
    pub(crate) modules: Arc<[ModuleInfo]>,
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
    /// `GetRemoteAddress`.
    pub(crate) remote_sockaddr: Foreign<SOCKADDR>,
    /// `GetLocalAddress`.
    pub(crate) local_sockaddr: Foreign<SOCKADDR>,
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
    /// Creates the request's objects and binds them to it; the pointer stays
    /// valid until [`destroy`](Self::destroy).
    pub(crate) fn create(
        host: &HostCore,
        request: Request,
        connection: Arc<ConnectionShared>,
    ) -> *mut RequestCore {
        let modules = host.modules();
        let id = host.next_request_id();
        let arena = Arena::default();
        let remote_sockaddr = Foreign(sockaddr(&arena, request.remote_addr));
        let local_sockaddr = Foreign(sockaddr(&arena, request.local_addr));
        let unbound = || Back::unbound();
        let boxed = Box::new(RequestCore {
            host: Back(host),
            state: Mutex::new(RequestState::new(request, modules.len())),
            modules,
            id,
            started: Instant::now(),
            activity_id: GUID::from_u128(
                0x1157_0000_0000_4000_8000_0000_0000_0000 | u128::from(id),
            ),
            creating: Mutex::new(()),
            cache: Mutex::new(CacheState::new(&arena)),
            arena,
            memory: Pool::default(),
            connection,
            remote_sockaddr,
            local_sockaddr,
            context: Obj::new(&CONTEXT_VTBL, unbound()),
            request: Obj::new(&REQUEST_VTBL, unbound()),
            response: Obj::new(&RESPONSE_VTBL, unbound()),
            connection_obj: Obj::new(&CONNECTION_VTBL, unbound()),
            trace: Obj::new(&TRACE_VTBL, TraceOwner::Request(unbound())),
            url_info: Obj::new(&URL_INFO_VTBL, unbound()),
            metadata: Obj::new(&METADATA_VTBL, unbound()),
            allocator: Obj::new(&ALLOCATOR_VTBL, unbound()),
            cache_policy: Obj::new(&CACHE_POLICY_VTBL, unbound()),
            container: container(),
            url_container: container(),
            metadata_container: container(),
            named: Obj::new(&NAMED_VTBL, NamedData::default()),
        });
        let raw = Box::into_raw(boxed);
        let bound = raw.cast_const();
        let back = || Back(bound);
        // SAFETY: `raw` is the only pointer to the new allocation; nothing has
        // been handed out yet, so these writes race with nothing.
        unsafe {
            (*raw).context.data = back();
            (*raw).request.data = back();
            (*raw).response.data = back();
            (*raw).connection_obj.data = back();
            (*raw).trace.data = TraceOwner::Request(back());
            (*raw).url_info.data = back();
            (*raw).metadata.data = back();
            (*raw).allocator.data = back();
            (*raw).cache_policy.data = back();
        }
        raw
    }

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

    /// The module user, taken at request end.
    pub(crate) fn take_user(&self) -> Foreign<IHttpUser> {
        self.with_state(|s| std::mem::replace(&mut s.req.user, Foreign(std::ptr::null_mut())))
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

/// A Windows-layout `SOCKADDR_IN`/`SOCKADDR_IN6` for `addr`, kept in `arena`.
fn sockaddr(arena: &Arena, addr: SocketAddr) -> *mut SOCKADDR {
    match addr {
        SocketAddr::V4(v4) => {
            let value = SOCKADDR_IN {
                sin_family: ADDRESS_FAMILY(iis_sys::AF_INET as u16),
                sin_port: v4.port().to_be(),
                sin_addr: IN_ADDR {
                    S_un: IN_ADDR_0 {
                        S_addr: u32::from_ne_bytes(v4.ip().octets()),
                    },
                },
                sin_zero: [0; 8],
            };
            arena.keep(value).cast()
        }
        SocketAddr::V6(v6) => {
            let value = SOCKADDR_IN6 {
                sin6_family: ADDRESS_FAMILY(iis_sys::AF_INET6 as u16),
                sin6_port: v6.port().to_be(),
                sin6_flowinfo: v6.flowinfo().to_be(),
                sin6_addr: IN6_ADDR {
                    u: IN6_ADDR_0 {
                        Byte: v6.ip().octets(),
                    },
                },
                Anonymous: SOCKADDR_IN6_LH_0 {
                    sin6_scope_id: v6.scope_id(),
                },
            };
            arena.keep(value).cast()
        }
    }
}
