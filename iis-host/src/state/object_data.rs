//! The data the ABI objects carry (containers, pools, the trace, cache and
//! file records, perf counters, script maps, registration info): plain data
//! and locks. The objects' slots, in `objects`, read and change it.

use std::alloc::{Layout, alloc_zeroed, dealloc};
use std::cell::UnsafeCell;
use std::collections::HashMap;
use std::ffi::c_void;
use std::ptr::null_mut;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize};
use std::time::{Instant, SystemTime};

use iis_sys::{FILETIME, GUID, HTTP_CACHE_POLICY, HTTP_MODULE_ID, IHttpStoredContext};

use crate::config::HandlerMapping;
use crate::ffi::{Foreign, WideStr, lock};
use crate::loader::Registered;
use crate::state::host::HostCore;
use crate::state::object::{Back, Obj};
use crate::state::request::Spare;
use crate::state::request_core::RequestCore;

/// The alignment of every block, `MEMORY_ALLOCATION_ALIGNMENT` on x64.
pub(crate) const ALIGN: usize = 16;

/// The bytes a [`Pool`] hands out from its own storage before it asks the
/// system: a request's module instances, typically.
const INLINE: usize = 512;

/// Zeroed blocks freed together when the pool is dropped: the first ones
/// carved out of the pool's own storage (one bump per block, as from IIS's
/// request pool), the rest from the system.
///
/// A pool lives where it does not move (the request's box, the
/// connection's `Arc`): the blocks it hands out stay valid until it drops.
pub(crate) struct Pool {
    /// Storage for the first blocks: zeroed, and no range of it handed out twice.
    inline: Inline,
    blocks: Mutex<Blocks>,
}

/// A [`Pool`]'s own storage, aligned as its blocks are.
#[repr(C, align(16))]
struct Inline(UnsafeCell<[u8; INLINE]>);

/// What a [`Pool`] handed out.
#[derive(Debug, Default)]
struct Blocks {
    /// Bytes of the pool's own storage handed out (a multiple of [`ALIGN`]).
    inline_used: usize,
    /// Blocks handed out from the pool's own storage.
    inline_count: usize,
    /// Blocks from the system: address and layout.
    system: Vec<(usize, Layout)>,
}

// SAFETY: the pool never reads or writes its `inline` storage after creating
// it: it only hands out disjoint ranges of it (under the `blocks` lock), and
// what a module does through them is the module's business, as for the blocks
// from the system.
unsafe impl Sync for Pool {}

impl Default for Pool {
    fn default() -> Self {
        Pool {
            inline: Inline(UnsafeCell::new([0; INLINE])),
            blocks: Mutex::default(),
        }
    }
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool")
            .field("blocks", &self.blocks)
            .finish()
    }
}

impl Pool {
    /// A zeroed block of `size` bytes (at least 1), 16-byte aligned; null if
    /// the size is unrepresentable or memory is exhausted.
    pub(crate) fn allocate(&self, size: u32) -> *mut c_void {
        let size = (size as usize).max(1);
        let mut blocks = lock(&self.blocks);
        let start = blocks.inline_used;
        if size <= INLINE - start {
            blocks.inline_used = (start + size).next_multiple_of(ALIGN);
            blocks.inline_count += 1;
            // SAFETY: `start + size <= INLINE`: the range is inside the
            // storage, and past every range handed out before.
            return unsafe { self.inline.0.get().cast::<u8>().add(start) }.cast();
        }
        let Ok(layout) = Layout::from_size_align(size, ALIGN) else {
            return null_mut();
        };
        // SAFETY: the layout has a non-zero size.
        let p = unsafe { alloc_zeroed(layout) };
        if !p.is_null() {
            blocks.system.push((p as usize, layout));
        }
        p.cast()
    }

    /// How many blocks are live.
    #[cfg(test)]
    pub(crate) fn blocks(&self) -> usize {
        let blocks = lock(&self.blocks);
        blocks.inline_count + blocks.system.len()
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        for (p, layout) in self
            .blocks
            .get_mut()
            .map(|blocks| std::mem::take(&mut blocks.system))
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
    /// What its last request left to the next
    /// ([`RequestState::spare`](crate::state::request::RequestState::spare)).
    pub(crate) spare: Mutex<Spare>,
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
    pub(crate) id: HTTP_MODULE_ID,
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
    pub(crate) module: HTTP_MODULE_ID,
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
