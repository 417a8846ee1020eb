//! The data the ABI objects carry (containers, pools, the trace, cache and
//! file records, perf counters, script maps, registration info): plain data
//! and locks. The objects' slots, in `objects`, read and change it.

use std::alloc::{Layout, alloc_zeroed, dealloc};
use std::collections::HashMap;
use std::ffi::c_void;
use std::ptr::null_mut;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize};
use std::time::{Instant, SystemTime};

use iis_sys::{FILETIME, GUID, HTTP_CACHE_POLICY, IHttpStoredContext};

use crate::config::HandlerMapping;
use crate::ffi::{Foreign, WideStr, lock};
use crate::loader::Registered;
use crate::state::host::HostCore;
use crate::state::object::{Back, Obj};
use crate::state::request_core::RequestCore;

/// The alignment of every block, `MEMORY_ALLOCATION_ALIGNMENT` on x64.
pub(crate) const ALIGN: usize = 16;

/// Zeroed blocks freed together when the pool is dropped.
#[derive(Debug, Default)]
pub(crate) struct Pool {
    blocks: Mutex<Vec<(usize, Layout)>>,
}

impl Pool {
    /// A zeroed block of `size` bytes (at least 1), 16-byte aligned; null if
    /// the size is unrepresentable or memory is exhausted.
    pub(crate) fn allocate(&self, size: u32) -> *mut c_void {
        let Ok(layout) = Layout::from_size_align((size as usize).max(1), ALIGN) else {
            return null_mut();
        };
        // SAFETY: the layout has a non-zero size.
        let p = unsafe { alloc_zeroed(layout) };
        if !p.is_null() {
            lock(&self.blocks).push((p as usize, layout));
        }
        p.cast()
    }

    /// How many blocks are live.
    #[cfg(test)]
    pub(crate) fn blocks(&self) -> usize {
        lock(&self.blocks).len()
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        for (p, layout) in self
            .blocks
            .get_mut()
            .map(std::mem::take)
            .unwrap_or_default()
        {
            // SAFETY: `p` was returned by `alloc_zeroed(layout)` and is freed once.
            unsafe { dealloc(p as *mut u8, layout) };
        }
    }
}

/// What lives as long as a client connection.
pub(crate) struct ConnectionShared {
    /// `IHttpConnectionModuleContextContainer`.
    pub(crate) container: Obj<ContainerData>,
    /// `IHttpConnection::AllocateMemory` blocks.
    pub(crate) memory: Pool,
    /// Cleared when the connection ends.
    pub(crate) connected: AtomicBool,
    /// Requests running on it now.
    pub(crate) in_use: AtomicUsize,
    /// When its last request ended.
    pub(crate) last_used: Mutex<Instant>,
}

/// The cache-policy settings of one response.
#[derive(Debug, Default)]
pub(crate) struct CacheState {
    /// `GetKernelCachePolicy`, kept in the request's arena once a module asks.
    pub(crate) kernel: Option<Foreign<HTTP_CACHE_POLICY>>,
    /// `GetUserCachePolicy`, likewise.
    pub(crate) user: Option<Foreign<HTTP_CACHE_POLICY>>,
    pub(crate) vary_headers: Vec<u8>,
    pub(crate) vary_query: Vec<u8>,
    pub(crate) vary_value: Vec<u8>,
    pub(crate) user_cache: bool,
    pub(crate) cached: bool,
    pub(crate) invalidator: bool,
    pub(crate) force_update: bool,
}

/// One stored context.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    pub(crate) id: usize,
    pub(crate) context: Foreign<IHttpStoredContext>,
    /// Stored with `SetConnectionModuleContext`: also gets `NotifyDisconnect`.
    pub(crate) connection: bool,
}

/// The contexts of one container.
#[derive(Debug, Default)]
pub(crate) struct ContainerData {
    pub(crate) entries: Mutex<Vec<Entry>>,
}

/// The contexts of an `INamedContextContainer`.
#[derive(Debug, Default)]
pub(crate) struct NamedData {
    pub(crate) entries: Mutex<Vec<(Vec<u16>, Foreign<IHttpStoredContext>)>>,
}

/// Whose trace context it is.
pub(crate) enum TraceOwner {
    /// A request's.
    Request(Back<RequestCore>),
    /// The server's.
    Host(Back<HostCore>),
}

/// One module's `SetTraceConfiguration` entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Subscription {
    pub(crate) module: usize,
    pub(crate) provider: GUID,
    pub(crate) areas: u32,
    pub(crate) verbosity: u32,
    pub(crate) enabled: bool,
}

/// The trace subscriptions of the host's modules.
#[derive(Debug, Default)]
pub(crate) struct Subscriptions(pub(crate) Mutex<Vec<Subscription>>);

/// The data of a perf-counter object: iis-host publishes no counters, it
/// records each change as an [`ApiCall::PerfCounter`](crate::ApiCall::PerfCounter).
pub(crate) struct PerfCounters {
    /// `"server"` or `"site"`.
    pub(crate) scope: &'static str,
    pub(crate) host: Back<HostCore>,
}

/// The data of a cache key.
pub(crate) struct KeyData {
    pub(crate) name: WideStr,
    pub(crate) text: String,
    pub(crate) hash: u32,
}

/// The first field of every record's data: its key and cache state.
#[repr(C)]
pub(crate) struct RecordBase {
    pub(crate) key: Box<Obj<KeyData>>,
    pub(crate) flushed: AtomicBool,
    pub(crate) references: AtomicU32,
}

/// A file record.
#[repr(C)]
pub(crate) struct FileData {
    pub(crate) base: RecordBase,
    pub(crate) path: Box<[u16]>,
    pub(crate) vr_path: Box<[u16]>,
    pub(crate) etag: Box<[u8]>,
    pub(crate) last_modified: Box<[u8]>,
    pub(crate) filetime: FILETIME,
    pub(crate) modified: SystemTime,
    pub(crate) size: u64,
    pub(crate) attributes: u32,
    pub(crate) buffer: Option<Box<[u8]>>,
    pub(crate) container: Obj<ContainerData>,
}

/// The file cache: records by path, kept for the host's life.
#[derive(Default)]
pub(crate) struct FileCache {
    pub(crate) current: Mutex<HashMap<String, usize>>,
    /// Boxed: records are handed out by address while the list grows.
    #[allow(clippy::vec_box)]
    pub(crate) records: Mutex<Vec<Box<Obj<FileData>>>>,
}

/// One mapping as `IScriptMapInfo` returns it.
pub(crate) struct MapData {
    pub(crate) mapping: HandlerMapping,
    pub(crate) name: WideStr,
    pub(crate) path: WideStr,
    pub(crate) verbs: Box<[u8]>,
    pub(crate) modules: WideStr,
    pub(crate) script_processor: WideStr,
    pub(crate) managed_type: WideStr,
}

/// The data of a registration-info object.
#[derive(Debug)]
pub(crate) struct RegistrationData {
    /// The module name, NUL-terminated UTF-16.
    pub(crate) name: Box<[u16]>,
    /// What the module registered.
    pub(crate) state: Mutex<Registered>,
    /// What a second `SetRequestNotifications`/`SetGlobalNotifications`
    /// replaced (a factory, a global module), for the host to terminate.
    pub(crate) replaced: Mutex<Vec<Registered>>,
    /// `RegisterModule` is running.
    pub(crate) open: AtomicBool,
}
