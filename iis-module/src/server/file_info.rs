//! `IHttpFileInfo`: what IIS's file cache knows of a file (path, size,
//! attributes, ETag, last-modified time, content buffer), for the file a
//! request maps to ([`HttpContext::file_info`](crate::HttpContext::file_info))
//! or any file ([`HttpServer::file_info`](crate::HttpServer::file_info)).

use super::HttpServer;
use super::cache::CacheRecord;
use crate::ffi;
use crate::{Error, HttpContext, Result};
use core::marker::PhantomData;
use core::ops::Deref;
use core::ptr::NonNull;
use iis_sys::Ref;
use iis_sys::{FILETIME, HANDLE, IHttpFileInfo, PSID};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use windows_core::{BOOL, PCSTR};

/// Seconds from 1601-01-01 (the `FILETIME` epoch) to 1970-01-01.
const FILETIME_UNIX_OFFSET: u64 = 11_644_473_600;

/// A `FILETIME` (100 ns ticks since 1601) as a `SystemTime`, or `None`
/// before 1970.
pub fn filetime_to_system_time(time: FILETIME) -> Option<SystemTime> {
    let ticks = (u64::from(time.dwHighDateTime) << 32) | u64::from(time.dwLowDateTime);
    let since_1601 = Duration::from_nanos(ticks.checked_mul(100)?);
    let since_1970 = since_1601.checked_sub(Duration::from_secs(FILETIME_UNIX_OFFSET))?;
    Some(UNIX_EPOCH + since_1970)
}

/// A file of IIS's file cache (`IHttpFileInfo`), borrowed for `'a`.
#[derive(Debug)]
pub struct FileInfo<'a> {
    raw: Ref<'a, IHttpFileInfo>,
    _owner: PhantomData<(&'a (), *mut ())>,
}

impl<'a> FileInfo<'a> {
    /// `FILE_ATTRIBUTE_READONLY`.
    pub const READONLY: u32 = 0x01;
    /// `FILE_ATTRIBUTE_HIDDEN`.
    pub const HIDDEN: u32 = 0x02;
    /// `FILE_ATTRIBUTE_DIRECTORY`.
    pub const DIRECTORY: u32 = 0x10;
    /// `FILE_ATTRIBUTE_ARCHIVE`.
    pub const ARCHIVE: u32 = 0x20;

    pub(crate) fn new(raw: Ref<'a, IHttpFileInfo>) -> Self {
        Self {
            raw,
            _owner: PhantomData,
        }
    }

    /// The raw `IHttpFileInfo`.
    pub fn as_raw(&self) -> *mut IHttpFileInfo {
        self.raw.as_ptr()
    }

    /// The file as a cache record (its key, flushed flag, references).
    pub fn as_cache_record(&self) -> CacheRecord<'_> {
        // IHttpFileInfo derives from IHttpCacheSpecificData (`Deref`).
        CacheRecord::new(*self.raw)
    }

    /// The Windows attributes (`FILE_ATTRIBUTE_*`, see the constants).
    #[doc(alias = "GetAttributes")]
    pub fn attributes(&self) -> u32 {
        self.raw.GetAttributes()
    }

    /// The size in bytes.
    #[doc(alias = "GetSize")]
    pub fn size(&self) -> u64 {
        let mut size = 0u64;
        self.raw.GetSize(&mut size);
        size
    }

    /// The file's content, when IIS keeps it in memory (small files).
    #[doc(alias = "GetFileBuffer")]
    pub fn file_buffer(&self) -> Option<&[u8]> {
        let buffer = self.raw.GetFileBuffer();
        let size = usize::try_from(self.size()).ok()?;
        // SAFETY: a non-null buffer holds the whole file (`size` bytes) for
        // as long as the file info lives.
        unsafe { ffi::bytes(PCSTR(buffer), size) }
    }

    /// The handle IIS opened the file with (see
    /// [`HandleState`](crate::server::HandleState)).
    #[doc(alias = "GetFileHandle")]
    pub fn file_handle(&self) -> HANDLE {
        self.raw.GetFileHandle()
    }

    /// The physical path.
    ///
    /// # Errors
    /// [`Error::Encoding`].
    #[doc(alias = "GetFilePath")]
    pub fn path(&self) -> Result<Option<String>> {
        let path = self.raw.GetFilePath();
        ffi::wstr_to_string(path, "file path")
    }

    /// The ETag IIS sends for the file (with its quotes).
    ///
    /// # Errors
    /// [`Error::Encoding`].
    #[doc(alias = "GetETag")]
    pub fn etag(&self) -> Result<Option<String>> {
        match self.raw.GetETag() {
            Some(bytes) => Ok(Some(ffi::utf8(bytes, "ETag")?.to_owned())),
            None => Ok(None),
        }
    }

    /// The last-write time (`FILETIME`).
    #[doc(alias = "GetLastModifiedTime")]
    pub fn last_modified_filetime(&self) -> FILETIME {
        let mut time = FILETIME::default();
        self.raw.GetLastModifiedTime(&mut time);
        time
    }

    /// The last-write time, or `None` before 1970.
    #[doc(alias = "GetLastModifiedTime")]
    pub fn last_modified(&self) -> Option<SystemTime> {
        filetime_to_system_time(self.last_modified_filetime())
    }

    /// The `Last-Modified` header value IIS sends (RFC 1123).
    ///
    /// # Errors
    /// [`Error::Encoding`].
    #[doc(alias = "GetLastModifiedString")]
    pub fn last_modified_string(&self) -> Result<Option<String>> {
        let text = self.raw.GetLastModifiedString();
        match text.map(core::ffi::CStr::to_bytes) {
            Some(bytes) => Ok(Some(ffi::utf8(bytes, "last-modified")?.to_owned())),
            None => Ok(None),
        }
    }

    /// Whether HTTP caches may keep the file, and for how many seconds.
    #[doc(alias = "GetHttpCacheAllowed")]
    pub fn http_cache_allowed(&self) -> (bool, u32) {
        let mut seconds = 0u32;
        let allowed = self.raw.GetHttpCacheAllowed(&mut seconds);
        (allowed.as_bool(), seconds)
    }

    /// Whether the user of `token` may read the file.
    ///
    /// # Errors
    /// [`Error::Server`] with the access check's HRESULT (e.g.
    /// `E_ACCESSDENIED`).
    #[doc(alias = "AccessCheck")]
    pub fn access_check(&self, token: HANDLE) -> Result<()> {
        // SAFETY: a null SID means "the token's user".
        let hr = unsafe { self.raw.AccessCheck(token, PSID(core::ptr::null_mut())) };
        Error::check("IHttpFileInfo::AccessCheck", hr)
    }

    /// The token of the virtual directory's configured user.
    #[doc(alias = "GetVrToken")]
    pub fn vr_token(&self) -> HANDLE {
        self.raw.GetVrToken()
    }

    /// The physical path of the file's virtual directory.
    ///
    /// # Errors
    /// [`Error::Encoding`].
    #[doc(alias = "GetVrPath")]
    pub fn vr_path(&self) -> Result<Option<String>> {
        let path = self.raw.GetVrPath();
        ffi::wstr_to_string(path, "virtual directory path")
    }

    /// Whether the file info has a module context container.
    #[doc(alias = "GetModuleContextContainer")]
    pub fn has_context_container(&self) -> bool {
        !self.raw.GetModuleContextContainer().is_null()
    }

    /// Whether the file changed since IIS cached it (checked as the user of
    /// `token`).
    #[doc(alias = "CheckIfFileHasChanged")]
    pub fn has_changed(&self, token: HANDLE) -> bool {
        let changed: BOOL = self.raw.CheckIfFileHasChanged(token);
        changed.as_bool()
    }
}

impl HttpContext {
    /// The file the request maps to, if IIS has one (a static file).
    #[doc(alias = "GetFileInfo")]
    pub fn file_info(&self) -> Option<FileInfo<'_>> {
        // SAFETY: the file info lives as long as the request, and so `&self`.
        unsafe { Ref::from_raw(self.iface().GetFileInfo()) }.map(FileInfo::new)
    }
}

/// A file info the module holds a reference on
/// ([`HttpServer::file_info`]): released (`DereferenceCacheData`) on drop.
#[derive(Debug)]
pub struct FileInfoRef {
    info: FileInfo<'static>,
}

impl FileInfoRef {
    /// The file info with the reference this value held, which the caller
    /// now owns (e.g. to hand it to IIS).
    pub(crate) fn into_raw(self) -> NonNull<IHttpFileInfo> {
        let this = core::mem::ManuallyDrop::new(self);
        this.info.raw.as_non_null()
    }
}

impl Deref for FileInfoRef {
    type Target = FileInfo<'static>;
    fn deref(&self) -> &Self::Target {
        &self.info
    }
}

impl Drop for FileInfoRef {
    fn drop(&mut self) {
        // SAFETY: IIS handed out this reference, released exactly once
        // here; nothing uses the entry after.
        unsafe { self.info.raw.DereferenceCacheData() }
    }
}

impl HttpServer {
    /// The file-cache entry of the file at `physical_path` (opening and
    /// caching it if needed); `url` is the virtual path it was mapped from,
    /// if any.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for NUL; [`Error::Server`] (e.g.
    /// `HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND)`); [`Error::NullPointer`].
    #[doc(alias = "GetFileInfo")]
    pub fn file_info(&self, physical_path: &str, url: Option<&str>) -> Result<FileInfoRef> {
        let path = ffi::WideBuf::<2048>::new(physical_path, "file path")?;
        let url = url
            .map(|u| ffi::WideBuf::<2048>::new(u, "virtual path"))
            .transpose()?;
        let mut info: *mut IHttpFileInfo = core::ptr::null_mut();
        let null_handle = HANDLE(core::ptr::null_mut());
        // SAFETY: NUL-terminated strings living across the call; null
        // tokens, SID, URL and trace context are allowed.
        let hr = unsafe {
            self.iface().GetFileInfo(
                path.as_pcwstr(),
                null_handle,
                PSID(core::ptr::null_mut()),
                url.as_ref()
                    .map_or(windows_core::PCWSTR::null(), |u| u.as_pcwstr()),
                null_handle,
                BOOL(1),
                &mut info,
                core::ptr::null_mut(),
            )
        };
        Error::check("IHttpServer::GetFileInfo", hr)?;
        // SAFETY: IIS returned a referenced entry; it lives until the
        // reference is released (on drop).
        let info = unsafe { Ref::from_raw(info) }.ok_or(Error::NullPointer {
            operation: "IHttpServer::GetFileInfo",
        })?;
        Ok(FileInfoRef {
            info: FileInfo::new(info),
        })
    }
}
