//! The server caches as modules see them: cache keys (`IHttpCacheKey`),
//! records (`IHttpCacheSpecificData`, `IHttpTokenEntry`; file records are
//! `objects::file_info`), and `GL_CACHE_OPERATION` with its
//! `ICacheProvider`.
//!
//! In IIS the file, URI and token caches are themselves global modules
//! that handle `GL_CACHE_OPERATION`; iis-host emulates what they show to
//! other modules: a cache operation is raised for file-cache lookups
//! (`GetFileInfo`: RETRIEVE, then ADD on a miss), for
//! `IHttpServer::DoCacheOperation`, and for
//! [`Host::notify_cache_operation`](crate::Host::notify_cache_operation).
//! Keys are named as httpcach.h names them (`FILE`, `URI`, `TOKEN`); the
//! key interfaces of httpcach.h beyond `IHttpCacheKey` (`IFileKey`, …) are
//! not implemented (their slot order is not public), nor is `Enum`.
//! Keys and records live as long as the host.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use iis_sys::{
    BOOL, CACHE_OPERATION, HANDLE, ICacheProvider, ICacheProviderVtbl, IHttpCacheKey,
    IHttpCacheKeyVtbl, IHttpCacheSpecificData, IHttpCacheSpecificDataVtbl, IHttpTokenEntry,
    IHttpTokenEntryVtbl, IHttpTraceContext, PCWSTR, PSID, define_member_fn,
};

use crate::engine::api::notify_global;
use crate::ffi::{FALSE, WideStr, lock, put};
use crate::objects::providers::{EVENT_VTBL, ProviderBase};
use crate::objects::{Foreign, Obj, has_vtable, with_data};
use crate::state::current::with_current;
use crate::state::host::HostCore;
use crate::state::object_data::{KeyData, RecordBase};
use crate::transcript::GlobalNotification;

/// A cache operation (`CACHE_OPERATION`), for
/// [`Host::notify_cache_operation`](crate::Host::notify_cache_operation).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CacheOp {
    /// `CACHE_OPERATION_RETRIEVE`.
    Retrieve,
    /// `CACHE_OPERATION_ADD`.
    Add,
    /// `CACHE_OPERATION_DELETE`.
    Delete,
    /// `CACHE_OPERATION_FLUSH_PREFIX`.
    FlushPrefix,
    /// `CACHE_OPERATION_ENUM`.
    Enum,
}

impl CacheOp {
    pub(crate) fn raw(self) -> CACHE_OPERATION {
        CACHE_OPERATION(match self {
            CacheOp::Retrieve => 0,
            CacheOp::Add => 1,
            CacheOp::Delete => 2,
            CacheOp::FlushPrefix => 3,
            CacheOp::Enum => 4,
        })
    }
}

/// What a cache operation is about, for
/// [`Host::notify_cache_operation`](crate::Host::notify_cache_operation).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheItem {
    /// A file of the file cache (`FILE` key); its record is the file's
    /// `IHttpFileInfo` when the file exists.
    File(String),
    /// A URL of the URI cache (`URI` key, plain record).
    Uri(String),
    /// A logged-on user of the token cache (`TOKEN` key); its record is an
    /// `IHttpTokenEntry` with null tokens (no Windows logon here) and `sid`
    /// (`S-1-5-21-…`).
    Token {
        /// The user name.
        user: String,
        /// The user's SID, in string form.
        sid: String,
    },
}

/// FNV-1a of the key's cache name and text (case-insensitive, as Windows
/// paths are).
fn hash(name: &str, text: &str) -> u32 {
    name.bytes()
        .chain([0])
        .chain(text.to_lowercase().bytes())
        .fold(0x811c_9dc5, |h, b| {
            (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
        })
}

/// A key of the cache `name` (`FILE`, `URI`, `TOKEN`) for `text`.
pub(crate) fn key(name: &str, text: &str) -> Box<Obj<KeyData>> {
    Box::new(Obj::new(
        &KEY_VTBL,
        KeyData {
            name: WideStr::new(name),
            text: text.to_owned(),
            hash: hash(name, text),
        },
    ))
}

/// The data behind another key, if it is one of the host's.
fn other_key<'a>(other: *mut IHttpCacheKey) -> Option<&'a KeyData> {
    // SAFETY: a module passes a cache key; only the host's are read.
    if !unsafe { has_vtable(other.cast(), (&KEY_VTBL as *const IHttpCacheKeyVtbl).cast()) } {
        return None;
    }
    // SAFETY: checked above: an `Obj<KeyData>`, alive as long as the host.
    unsafe { Obj::<KeyData>::data(other.cast()) }
}

define_member_fn! {
    unsafe fn key_hash(this: *mut IHttpCacheKey) -> u32 {
        with_data!(this, 0, |key: KeyData| key.hash)
    }
    unsafe fn key_name(this: *mut IHttpCacheKey) -> PCWSTR {
        with_data!(this, PCWSTR::null(), |key: KeyData| key.name.ptr())
    }
    /// `GetIsEqual`: same cache, same text (case-insensitive).
    unsafe fn key_equal(this: *mut IHttpCacheKey, other: *mut IHttpCacheKey) -> bool {
        with_data!(this, false, |key: KeyData| other_key(other).is_some_and(|o| {
            o.name.units() == key.name.units() && o.text.eq_ignore_ascii_case(&key.text)
        }))
    }
    /// `GetIsPrefix`: this key's text starts the other's (same cache).
    unsafe fn key_prefix(this: *mut IHttpCacheKey, other: *mut IHttpCacheKey) -> bool {
        with_data!(this, false, |key: KeyData| other_key(other).is_some_and(|o| {
            o.name.units() == key.name.units()
                && o.text.to_lowercase().starts_with(&key.text.to_lowercase())
        }))
    }
    /// `Enum`: not emulated (no-op).
    unsafe fn key_enum(_this: *mut IHttpCacheKey, _data: *mut IHttpCacheSpecificData) {}
}

static KEY_VTBL: IHttpCacheKeyVtbl = IHttpCacheKeyVtbl {
    GetHash: key_hash,
    GetCacheName: key_name,
    GetIsEqual: key_equal,
    GetIsPrefix: key_prefix,
    Enum: key_enum,
};

impl RecordBase {
    pub(crate) fn new(key: Box<Obj<KeyData>>) -> Self {
        RecordBase {
            key,
            flushed: AtomicBool::new(false),
            references: AtomicU32::new(1),
        }
    }

    /// The record's key.
    pub(crate) fn key_ptr(&self) -> *mut IHttpCacheKey {
        self.key.iface()
    }

    /// Marks the record flushed (its file changed).
    pub(crate) fn flush(&self) {
        self.flushed.store(true, Ordering::SeqCst);
    }
}

define_member_fn! {
    pub(crate) unsafe fn record_key(this: *mut IHttpCacheSpecificData) -> *mut IHttpCacheKey {
        with_data!(this, std::ptr::null_mut(), |base: RecordBase| base.key_ptr())
    }
    /// `ReferenceCacheData`: counted (records live as long as the host).
    pub(crate) unsafe fn record_reference(this: *mut IHttpCacheSpecificData) {
        with_data!(this, (), |base: RecordBase| { base.references.fetch_add(1, Ordering::SeqCst); })
    }
    /// `DereferenceCacheData`: counted.
    pub(crate) unsafe fn record_dereference(this: *mut IHttpCacheSpecificData) {
        with_data!(this, (), |base: RecordBase| {
            let _ = base.references.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
        })
    }
    /// `ResetTTL`: no expiry here.
    pub(crate) unsafe fn record_reset_ttl(_this: *mut IHttpCacheSpecificData) {}
    /// `DecrementTTL(pfTTLExpired)`: never expires.
    pub(crate) unsafe fn record_decrement_ttl(_this: *mut IHttpCacheSpecificData, expired: *mut BOOL) {
        // SAFETY: null or writable.
        unsafe { put(expired, FALSE) };
    }
    pub(crate) unsafe fn record_set_flushed(this: *mut IHttpCacheSpecificData) {
        with_data!(this, (), |base: RecordBase| base.flush())
    }
    pub(crate) unsafe fn record_flushed(this: *mut IHttpCacheSpecificData) -> BOOL {
        with_data!(this, FALSE, |base: RecordBase| base.flushed.load(Ordering::SeqCst).into())
    }
}

/// The `IHttpCacheSpecificData` slots every record shares.
pub(crate) const RECORD_BASE: IHttpCacheSpecificDataVtbl = IHttpCacheSpecificDataVtbl {
    GetCacheKey: record_key,
    ReferenceCacheData: record_reference,
    DereferenceCacheData: record_dereference,
    ResetTTL: record_reset_ttl,
    DecrementTTL: record_decrement_ttl,
    SetFlushed: record_set_flushed,
    GetFlushed: record_flushed,
};

/// A URI-cache record (`IHttpCacheSpecificData`).
static URI_RECORD_VTBL: IHttpCacheSpecificDataVtbl = RECORD_BASE;

/// A token-cache record.
#[repr(C)]
pub(crate) struct TokenData {
    base: RecordBase,
    sid: Box<[u8]>,
}

define_member_fn! {
    /// `GetImpersonationToken`/`GetPrimaryToken`: no Windows logon here.
    unsafe fn token_handle(_this: *mut IHttpTokenEntry) -> HANDLE {
        HANDLE(std::ptr::null_mut())
    }
    unsafe fn token_sid(this: *mut IHttpTokenEntry) -> PSID {
        with_data!(this, PSID(std::ptr::null_mut()), |token: TokenData| {
            if token.sid.is_empty() {
                PSID(std::ptr::null_mut())
            } else {
                PSID(token.sid.as_ptr().cast_mut().cast())
            }
        })
    }
}

static TOKEN_VTBL: IHttpTokenEntryVtbl = IHttpTokenEntryVtbl {
    base: RECORD_BASE,
    GetImpersonationToken: token_handle,
    GetPrimaryToken: token_handle,
    GetSid: token_sid,
};

/// A SID in string form (`S-1-5-21-…`) in binary form; empty if malformed.
fn parse_sid(text: &str) -> Vec<u8> {
    let parts: Vec<&str> = text.split('-').collect();
    let (Some(&"S"), Some(Ok(revision)), Some(Ok(authority))) = (
        parts.first(),
        parts.get(1).map(|p| p.parse::<u8>()),
        parts.get(2).map(|p| p.parse::<u64>()),
    ) else {
        return Vec::new();
    };
    let Ok(subs) = parts[3..]
        .iter()
        .map(|p| p.parse::<u32>())
        .collect::<Result<Vec<_>, _>>()
    else {
        return Vec::new();
    };
    if subs.len() > 15 {
        return Vec::new();
    }
    let mut sid = vec![revision, subs.len() as u8];
    sid.extend_from_slice(&authority.to_be_bytes()[2..]);
    for sub in subs {
        sid.extend_from_slice(&sub.to_le_bytes());
    }
    sid
}

/// The objects of a [`CacheItem`]: its key and its record (null for a file
/// that does not exist).
pub(crate) fn item_objects(
    host: &HostCore,
    item: &CacheItem,
) -> (*mut IHttpCacheKey, *mut IHttpCacheSpecificData) {
    match item {
        CacheItem::File(path) => match host.file_cache.quiet(host, path) {
            Some(info) => {
                // SAFETY: a live file record of the host.
                let key = unsafe { record_key(info.cast()) };
                (key, info.cast())
            }
            None => (
                host.cache_arena.keep(*key("FILE", path)).cast(),
                std::ptr::null_mut(),
            ),
        },
        CacheItem::Uri(url) => {
            let record = host
                .cache_arena
                .keep(Obj::new(&URI_RECORD_VTBL, RecordBase::new(key("URI", url))));
            // SAFETY: just made, kept for the host's life.
            (unsafe { &*record }.data.key_ptr(), record.cast())
        }
        CacheItem::Token { user, sid } => {
            let record = host.cache_arena.keep(Obj::new(
                &TOKEN_VTBL,
                TokenData {
                    base: RecordBase::new(key("TOKEN", user)),
                    sid: parse_sid(sid).into_boxed_slice(),
                },
            ));
            // SAFETY: just made, kept for the host's life.
            (unsafe { &*record }.data.base.key_ptr(), record.cast())
        }
    }
}

/// `ICacheProvider` data.
#[repr(C)]
pub(crate) struct ProviderData {
    base: ProviderBase,
    operation: CACHE_OPERATION,
    key: Foreign<IHttpCacheKey>,
    record: Mutex<Foreign<IHttpCacheSpecificData>>,
    trace: Foreign<IHttpTraceContext>,
}

define_member_fn! {
    unsafe fn provider_operation(this: *mut ICacheProvider) -> CACHE_OPERATION {
        with_data!(this, CACHE_OPERATION(0), |data: ProviderData| data.operation)
    }
    unsafe fn provider_key(this: *mut ICacheProvider) -> *mut IHttpCacheKey {
        with_data!(this, std::ptr::null_mut(), |data: ProviderData| data.key.0)
    }
    unsafe fn provider_record(this: *mut ICacheProvider) -> *mut IHttpCacheSpecificData {
        with_data!(this, std::ptr::null_mut(), |data: ProviderData| lock(&data.record).0)
    }
    /// `SetCacheRecord`: what the operation hands back (a cache module's
    /// answer to RETRIEVE).
    unsafe fn provider_set_record(this: *mut ICacheProvider, record: *mut IHttpCacheSpecificData) {
        with_data!(this, (), |data: ProviderData| *lock(&data.record) = Foreign(record))
    }
    unsafe fn provider_trace(this: *mut ICacheProvider) -> *mut IHttpTraceContext {
        with_data!(this, std::ptr::null_mut(), |data: ProviderData| data.trace.0)
    }
}

static PROVIDER_VTBL: ICacheProviderVtbl = ICacheProviderVtbl {
    base: EVENT_VTBL,
    GetCacheOperation: provider_operation,
    GetCacheKey: provider_key,
    GetCacheRecord: provider_record,
    SetCacheRecord: provider_set_record,
    GetTraceContext: provider_trace,
};

/// Raises `GL_CACHE_OPERATION`; returns whether a module handled it and the
/// record after the notification.
pub(crate) fn notify(
    host: &HostCore,
    operation: CACHE_OPERATION,
    key: *mut IHttpCacheKey,
    record: *mut IHttpCacheSpecificData,
) -> (bool, *mut IHttpCacheSpecificData) {
    let base = match with_current(ProviderBase::request) {
        Some(base) => base,
        None => ProviderBase::global(host),
    };
    let trace = with_current(|core| core.trace.iface()).unwrap_or_else(|| host.trace.iface());
    let provider = Obj::new(
        &PROVIDER_VTBL,
        ProviderData {
            base,
            operation,
            key: Foreign(key),
            record: Mutex::new(Foreign(record)),
            trace: Foreign(trace),
        },
    );
    let handled = notify_global(
        host,
        GlobalNotification::CacheOperation,
        provider.iface(),
        None,
    );
    let record = lock(&provider.data.record).0;
    (handled, record)
}

/// The cache name and text of one of the host's keys.
pub(crate) fn key_parts(key: *mut IHttpCacheKey) -> Option<(String, String)> {
    other_key(key).map(|k| (crate::ffi::from_wide(k.name.units()), k.text.clone()))
}
