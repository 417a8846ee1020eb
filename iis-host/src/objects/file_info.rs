//! `IHttpFileInfo`: the file cache's record of a real file under the
//! application's physical path (`HostConfig::physical_path`), for
//! `IHttpContext::GetFileInfo` (the file the request maps to) and
//! `IHttpServer::GetFileInfo`.
//!
//! What iis-host reports, where Windows and NTFS would differ:
//! * attributes: `FILE_ATTRIBUTE_ARCHIVE` (NTFS's default for a written
//!   file), plus `READONLY` when the file is not writable; never `HIDDEN`;
//! * the ETag IIS computes, `"<hex last-write FILETIME>:0"`, and the RFC 1123
//!   `Last-Modified` string;
//! * the content buffer for files up to 256 KiB (IIS's default file-cache
//!   limit), no Windows handle (`GetFileHandle` is `INVALID_HANDLE_VALUE`),
//!   no virtual-directory token;
//! * `AccessCheck` succeeds when the host can read the file
//!   (`E_ACCESSDENIED` otherwise); `CheckIfFileHasChanged` compares the
//!   file's size and modification time with the cached ones;
//! * `GetHttpCacheAllowed` is `TRUE` with 0 seconds (no `clientCache`
//!   configuration).
//!
//! Records live as long as the host; a changed file gets a new record.

use std::time::{SystemTime, UNIX_EPOCH};

use iis_sys::{
    BOOL, FILETIME, HANDLE, HRESULT, IHttpFileInfo, IHttpFileInfoVtbl, IHttpModuleContextContainer,
    PCSTR, PCWSTR, PSID, define_member_fn,
};

use crate::ffi::{E_INVALIDARG, FALSE, S_OK, TRUE, lock, put, to_wide};
use crate::handlers::static_file::{etag as file_etag, filetime};
use crate::objects::cache::{self, RECORD_BASE};
use crate::objects::containers::container;
use crate::objects::{Obj, with_data};
use crate::state::host::HostCore;
use crate::state::object_data::{FileCache, FileData, RecordBase};
use iis_sys::E_ACCESSDENIED;

/// The largest file whose content the cache keeps (IIS's default).
const MAX_BUFFERED: u64 = 256 * 1024;
fn nul_wide(s: &str) -> Box<[u16]> {
    to_wide(s).into_iter().chain([0]).collect()
}

fn nul_bytes(s: &str) -> Box<[u8]> {
    s.bytes().chain([0]).collect()
}

/// `Sun, 06 Nov 1994 08:49:37 GMT`.
pub(crate) fn rfc1123(time: SystemTime) -> String {
    let secs = time
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let days = secs / 86_400;
    let (h, m, s) = (secs % 86_400 / 3600, secs % 3600 / 60, secs % 60);
    // Howard Hinnant's civil-from-days.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{}, {day:02} {} {year} {h:02}:{m:02}:{s:02} GMT",
        WEEKDAYS[(days % 7) as usize],
        MONTHS[(month - 1) as usize]
    )
}

impl FileData {
    fn load(root: &str, path: &str) -> Option<Self> {
        let meta = std::fs::metadata(path).ok()?;
        if !meta.is_file() {
            return None;
        }
        let modified = meta.modified().unwrap_or(UNIX_EPOCH);
        let ticks = filetime(modified);
        let size = meta.len();
        let buffer = (size <= MAX_BUFFERED)
            .then(|| std::fs::read(path).ok().map(Vec::into_boxed_slice))
            .flatten();
        let mut attributes = 0x20; // FILE_ATTRIBUTE_ARCHIVE
        if meta.permissions().readonly() {
            attributes |= 0x01; // FILE_ATTRIBUTE_READONLY
        }
        Some(FileData {
            base: RecordBase::new(cache::key("FILE", path)),
            path: nul_wide(path),
            vr_path: nul_wide(root),
            etag: nul_bytes(&file_etag(modified)),
            last_modified: nul_bytes(&rfc1123(modified)),
            filetime: FILETIME {
                dwLowDateTime: ticks as u32,
                dwHighDateTime: (ticks >> 32) as u32,
            },
            modified,
            size,
            attributes,
            buffer,
            container: container(),
        })
    }

    fn path_text(&self) -> String {
        crate::ffi::from_wide(&self.path[..self.path.len() - 1])
    }

    fn changed(&self) -> bool {
        match std::fs::metadata(self.path_text()) {
            Ok(meta) => meta.len() != self.size || meta.modified().ok() != Some(self.modified),
            Err(_) => true,
        }
    }
}

define_member_fn! {
    unsafe fn attributes(this: *mut IHttpFileInfo) -> u32 {
        with_data!(this, 0, |f: FileData| f.attributes)
    }
    unsafe fn size(this: *mut IHttpFileInfo, out: *mut u64) {
        // SAFETY: null or writable (`ULARGE_INTEGER*`).
        with_data!(this, (), |f: FileData| unsafe { put(out, f.size) })
    }
    unsafe fn buffer(this: *mut IHttpFileInfo) -> *const u8 {
        with_data!(this, std::ptr::null(), |f: FileData| f.buffer.as_ref().map_or(std::ptr::null(), |b| b.as_ptr()))
    }
    /// `GetFileHandle`: no Windows handle here.
    unsafe fn handle(_this: *mut IHttpFileInfo) -> HANDLE {
        HANDLE(-1isize as *mut _)
    }
    unsafe fn path(this: *mut IHttpFileInfo) -> PCWSTR {
        with_data!(this, PCWSTR::null(), |f: FileData| PCWSTR(f.path.as_ptr()))
    }
    unsafe fn etag(this: *mut IHttpFileInfo, len: *mut u16) -> PCSTR {
        with_data!(this, PCSTR::null(), |f: FileData| {
            // SAFETY: null or writable.
            unsafe { put(len, (f.etag.len() - 1) as u16) };
            PCSTR(f.etag.as_ptr())
        })
    }
    unsafe fn last_modified_time(this: *mut IHttpFileInfo, out: *mut FILETIME) {
        // SAFETY: null or writable.
        with_data!(this, (), |f: FileData| unsafe { put(out, f.filetime) })
    }
    unsafe fn last_modified_string(this: *mut IHttpFileInfo) -> PCSTR {
        with_data!(this, PCSTR::null(), |f: FileData| PCSTR(f.last_modified.as_ptr()))
    }
    /// `GetHttpCacheAllowed(pSecondsToLive)`: allowed, 0 seconds.
    unsafe fn cache_allowed(_this: *mut IHttpFileInfo, seconds: *mut u32) -> BOOL {
        // SAFETY: null or writable.
        unsafe { put(seconds, 0) };
        TRUE
    }
    /// `AccessCheck`: whether the host can read the file.
    unsafe fn access_check(this: *mut IHttpFileInfo, _token: HANDLE, _sid: PSID) -> HRESULT {
        with_data!(this, E_INVALIDARG, |f: FileData| {
            if std::fs::File::open(f.path_text()).is_ok() { S_OK } else { E_ACCESSDENIED }
        })
    }
    /// `GetVrToken`: no virtual-directory user.
    unsafe fn vr_token(_this: *mut IHttpFileInfo) -> HANDLE {
        HANDLE(std::ptr::null_mut())
    }
    unsafe fn vr_path(this: *mut IHttpFileInfo) -> PCWSTR {
        with_data!(this, PCWSTR::null(), |f: FileData| PCWSTR(f.vr_path.as_ptr()))
    }
    unsafe fn file_container(this: *mut IHttpFileInfo) -> *mut IHttpModuleContextContainer {
        with_data!(this, std::ptr::null_mut(), |f: FileData| f.container.iface())
    }
    /// `CheckIfFileHasChanged`: size or modification time differ.
    unsafe fn has_changed(this: *mut IHttpFileInfo, _token: HANDLE) -> BOOL {
        with_data!(this, FALSE, |f: FileData| f.changed().into())
    }
}

static FILE_INFO_VTBL: IHttpFileInfoVtbl = IHttpFileInfoVtbl {
    base: RECORD_BASE,
    GetAttributes: attributes,
    GetSize: size,
    GetFileBuffer: buffer,
    GetFileHandle: handle,
    GetFilePath: path,
    GetETag: etag,
    GetLastModifiedTime: last_modified_time,
    GetLastModifiedString: last_modified_string,
    GetHttpCacheAllowed: cache_allowed,
    AccessCheck: access_check,
    GetVrToken: vr_token,
    GetVrPath: vr_path,
    GetModuleContextContainer: file_container,
    CheckIfFileHasChanged: has_changed,
};

impl FileCache {
    /// The record of the file at `path`, looked up as IIS's file cache
    /// does: `GL_CACHE_OPERATION` RETRIEVE, then ADD when it was not cached
    /// (or changed). `None` if there is no such file.
    pub(crate) fn open(&self, host: &HostCore, path: &str) -> Option<*mut IHttpFileInfo> {
        self.lookup(host, path, true)
    }

    /// The record of the file at `path`, cached or loaded without raising
    /// cache operations (for [`Host::notify_cache_operation`](crate::Host::notify_cache_operation)).
    pub(crate) fn quiet(&self, host: &HostCore, path: &str) -> Option<*mut IHttpFileInfo> {
        self.lookup(host, path, false)
    }

    fn lookup(&self, host: &HostCore, path: &str, notify: bool) -> Option<*mut IHttpFileInfo> {
        let cached = self.cached(path);
        if !notify {
            if cached.is_some() {
                return cached;
            }
            return self.insert(host, path).map(|(info, _)| info);
        }
        let key = cached.map_or_else(
            || host.cache_arena.keep(*cache::key("FILE", path)).cast(),
            // SAFETY: a live record of this cache.
            |info| unsafe { cache::record_key(info.cast()) },
        );
        cache::notify(
            host,
            iis_sys::CACHE_OPERATION_RETRIEVE,
            key,
            cached.unwrap_or(std::ptr::null_mut()).cast(),
        );
        if let Some(info) = cached {
            return Some(info);
        }
        let (info, key) = self.insert(host, path)?;
        cache::notify(host, iis_sys::CACHE_OPERATION_ADD, key, info.cast());
        Some(info)
    }

    /// Loads and caches the record of `path`: the record and its key.
    fn insert(
        &self,
        host: &HostCore,
        path: &str,
    ) -> Option<(*mut IHttpFileInfo, *mut iis_sys::IHttpCacheKey)> {
        let data = FileData::load(&host.config.physical_path, path)?;
        let record = Box::new(Obj::new(&FILE_INFO_VTBL, data));
        let info: *mut IHttpFileInfo = record.iface();
        let key = record.data.base.key_ptr();
        let mut records = lock(&self.records);
        lock(&self.current).insert(path.to_owned(), records.len());
        records.push(record);
        Some((info, key))
    }

    /// The cached, unchanged record of `path`.
    fn cached(&self, path: &str) -> Option<*mut IHttpFileInfo> {
        let index = *lock(&self.current).get(path)?;
        let records = lock(&self.records);
        let record = &records[index];
        if record.data.changed() {
            record.data.base.flush();
            drop(records);
            lock(&self.current).remove(path);
            return None;
        }
        Some(record.iface())
    }

    /// The cached record of `path`, if any, without a cache operation.
    pub(crate) fn peek(&self, path: &str) -> Option<*mut IHttpFileInfo> {
        let index = *lock(&self.current).get(path)?;
        Some(lock(&self.records)[index].iface())
    }

    /// Cleans up the module contexts of every record (at shutdown).
    pub(crate) fn cleanup(&self) {
        for record in lock(&self.records).iter() {
            record.data.container.data.cleanup();
        }
    }
}

/// `IHttpContext::GetFileInfo` when no MapRequestHandler module set one:
/// the file the request's URL maps to, if it is a file.
pub(crate) fn for_request(core: &crate::state::RequestCore) -> *mut IHttpFileInfo {
    let path = crate::ffi::from_wide(&crate::objects::context::physical(core));
    core.host()
        .file_cache
        .open(core.host(), &path)
        .unwrap_or(std::ptr::null_mut())
}
