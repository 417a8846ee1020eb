//! [`RequestCore::create`]: a request's objects, created with their vtables
//! and bound to its core.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use iis_sys::{
    ADDRESS_FAMILY, GUID, IN_ADDR, IN_ADDR_0, IN6_ADDR, IN6_ADDR_0, SOCKADDR, SOCKADDR_IN,
    SOCKADDR_IN6, SOCKADDR_IN6_LH_0,
};

use crate::ffi::{Arena, lock};
use crate::message::Request;
use crate::objects::allocator::ALLOCATOR_VTBL;
use crate::objects::cache_policy::CACHE_POLICY_VTBL;
use crate::objects::connection::CONNECTION_VTBL;
use crate::objects::containers::{NAMED_VTBL, container};
use crate::objects::context::{CONTEXT_VTBL, METADATA_VTBL, URL_INFO_VTBL};
use crate::objects::request::REQUEST_VTBL;
use crate::objects::response::RESPONSE_VTBL;
use crate::objects::trace::TRACE_VTBL;
use crate::objects::{Back, Foreign, Obj};
use crate::state::host::HostCore;
use crate::state::object_data::{CacheState, ConnectionShared, NamedData, Pool, TraceOwner};
use crate::state::request::RequestState;
use crate::state::request_core::RequestCore;

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
        let (remote_addr, local_addr) = (request.remote_addr, request.local_addr);
        let mut spare = std::mem::take(&mut *lock(&connection.spare));
        // The allocation of the connection's request before, if any.
        let allocation = spare.core.take().unwrap_or_else(Box::new_uninit);
        let unbound = || Back::unbound();
        // Built in its box (`Box::new` would build it beside and copy it in).
        let boxed = Box::write(
            allocation,
            RequestCore {
                host: Back(host),
                state: Mutex::new(RequestState::new(request, modules.len(), spare)),
                modules,
                id,
                started: Instant::now(),
                activity_id: GUID::from_u128(
                    0x1157_0000_0000_4000_8000_0000_0000_0000 | u128::from(id),
                ),
                creating: Mutex::new(()),
                cache: Mutex::new(CacheState::default()),
                arena,
                memory: Pool::default(),
                connection,
                remote_addr,
                local_addr,
                remote_sockaddr: OnceLock::new(),
                local_sockaddr: OnceLock::new(),
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
            },
        );
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

    /// `GetRemoteAddress`: the client's address in Windows layout, built
    /// (in the request's arena) when a module first asks.
    pub(crate) fn remote_address(&self) -> *mut SOCKADDR {
        let kept = || Foreign(sockaddr(&self.arena, self.remote_addr));
        self.remote_sockaddr.get_or_init(kept).0
    }

    /// `GetLocalAddress`: the server's address, as [`remote_address`](Self::remote_address).
    pub(crate) fn local_address(&self) -> *mut SOCKADDR {
        let kept = || Foreign(sockaddr(&self.arena, self.local_addr));
        self.local_sockaddr.get_or_init(kept).0
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
