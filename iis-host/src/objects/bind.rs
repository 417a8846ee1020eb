//! [`RequestCore::create`]: a request's objects, created with their vtables
//! and bound to its core.

use std::net::SocketAddr;
use std::ptr::addr_of_mut;
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
        let (remote_addr, local_addr) = (request.remote_addr, request.local_addr);
        let mut spare = std::mem::take(&mut *lock(&connection.spare));
        // The allocation of the connection's request before, if any.
        let mut allocation = spare.core.take().unwrap_or_else(Box::new_uninit);
        let raw: *mut RequestCore = allocation.as_mut_ptr();
        // The objects are bound to the request's address from the start.
        let bound = raw.cast_const();
        let back = || Back(bound);
        // Written field by field where it lives: a struct built beside its
        // allocation would be copied in (a reused allocation is not one
        // the compiler builds in place).
        // SAFETY: `raw` is the allocation of a `RequestCore` that nothing
        // else uses yet; each field is written once, every one of them
        // (`fields_of` below lists them; it stops compiling when one is
        // added), so the allocation holds a `RequestCore` afterwards.
        unsafe {
            addr_of_mut!((*raw).host).write(Back(host));
            addr_of_mut!((*raw).state).write(Mutex::new(RequestState::new(
                request,
                modules.len(),
                spare,
            )));
            addr_of_mut!((*raw).modules).write(modules);
            addr_of_mut!((*raw).id).write(id);
            addr_of_mut!((*raw).started).write(Instant::now());
            addr_of_mut!((*raw).activity_id).write(GUID::from_u128(
                0x1157_0000_0000_4000_8000_0000_0000_0000 | u128::from(id),
            ));
            addr_of_mut!((*raw).creating).write(Mutex::new(()));
            addr_of_mut!((*raw).cache).write(Mutex::new(CacheState::default()));
            addr_of_mut!((*raw).arena).write(Arena::default());
            addr_of_mut!((*raw).memory).write(Pool::default());
            addr_of_mut!((*raw).connection).write(connection);
            addr_of_mut!((*raw).remote_addr).write(remote_addr);
            addr_of_mut!((*raw).local_addr).write(local_addr);
            addr_of_mut!((*raw).remote_sockaddr).write(OnceLock::new());
            addr_of_mut!((*raw).local_sockaddr).write(OnceLock::new());
            addr_of_mut!((*raw).context).write(Obj::new(&CONTEXT_VTBL, back()));
            addr_of_mut!((*raw).request).write(Obj::new(&REQUEST_VTBL, back()));
            addr_of_mut!((*raw).response).write(Obj::new(&RESPONSE_VTBL, back()));
            addr_of_mut!((*raw).connection_obj).write(Obj::new(&CONNECTION_VTBL, back()));
            addr_of_mut!((*raw).trace).write(Obj::new(&TRACE_VTBL, TraceOwner::Request(back())));
            addr_of_mut!((*raw).url_info).write(Obj::new(&URL_INFO_VTBL, back()));
            addr_of_mut!((*raw).metadata).write(Obj::new(&METADATA_VTBL, back()));
            addr_of_mut!((*raw).allocator).write(Obj::new(&ALLOCATOR_VTBL, back()));
            addr_of_mut!((*raw).cache_policy).write(Obj::new(&CACHE_POLICY_VTBL, back()));
            addr_of_mut!((*raw).container).write(container());
            addr_of_mut!((*raw).url_container).write(container());
            addr_of_mut!((*raw).metadata_container).write(container());
            addr_of_mut!((*raw).named).write(Obj::new(&NAMED_VTBL, NamedData::default()));
            Box::into_raw(allocation.assume_init())
        }
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

/// Every field of a `RequestCore`, named: stops compiling when a field is
/// added that [`RequestCore::create`] does not write.
#[allow(dead_code)]
fn fields_of(core: RequestCore) {
    let RequestCore {
        host: _,
        modules: _,
        id: _,
        started: _,
        activity_id: _,
        state: _,
        creating: _,
        arena: _,
        memory: _,
        connection: _,
        cache: _,
        remote_addr: _,
        local_addr: _,
        remote_sockaddr: _,
        local_sockaddr: _,
        context: _,
        request: _,
        response: _,
        connection_obj: _,
        trace: _,
        url_info: _,
        metadata: _,
        allocator: _,
        cache_policy: _,
        container: _,
        url_container: _,
        metadata_container: _,
        named: _,
    } = core;
}
