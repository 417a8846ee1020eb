//! IIS's server caches as a module sees them: cache keys
//! (`IHttpCacheKey`), cache records (`IHttpCacheSpecificData`) and what a
//! record is, by the cache its key belongs to (httpcach.h's cache names:
//! `FILE` records are `IHttpFileInfo`, `TOKEN` records `IHttpTokenEntry`).
//!
//! The key interfaces of httpcach.h (`IFileKey`, `IUriKey`,
//! `IHttpTokenKey`) are not in httpserv.h and their slot order is not in
//! the project's ABI table, so the SDK calls only what `IHttpCacheKey`
//! declares.

use super::HttpServer;
use super::file_info::FileInfo;
use super::token::TokenEntry;
use crate::ffi;
use crate::{Error, Result};
use core::marker::PhantomData;
use iis_sys::Ref;
use iis_sys::{
    CACHE_OPERATION, IHttpCacheKey, IHttpCacheSpecificData, IHttpFileInfo, IHttpTokenEntry,
};

/// What a cache operation does (`CACHE_OPERATION`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CacheOperationKind {
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
    /// A value outside the enum.
    Other(i32),
}

impl CacheOperationKind {
    /// Classifies a raw `CACHE_OPERATION`.
    pub fn from_raw(raw: CACHE_OPERATION) -> Self {
        match raw.0 {
            0 => CacheOperationKind::Retrieve,
            1 => CacheOperationKind::Add,
            2 => CacheOperationKind::Delete,
            3 => CacheOperationKind::FlushPrefix,
            4 => CacheOperationKind::Enum,
            other => CacheOperationKind::Other(other),
        }
    }

    /// The raw `CACHE_OPERATION`.
    pub fn raw(self) -> CACHE_OPERATION {
        CACHE_OPERATION(match self {
            CacheOperationKind::Retrieve => 0,
            CacheOperationKind::Add => 1,
            CacheOperationKind::Delete => 2,
            CacheOperationKind::FlushPrefix => 3,
            CacheOperationKind::Enum => 4,
            CacheOperationKind::Other(v) => v,
        })
    }

    /// The C++ name (`CACHE_OPERATION_RETRIEVE`), or `None` outside the enum.
    pub fn name(self) -> Option<&'static str> {
        Some(match self {
            CacheOperationKind::Retrieve => "CACHE_OPERATION_RETRIEVE",
            CacheOperationKind::Add => "CACHE_OPERATION_ADD",
            CacheOperationKind::Delete => "CACHE_OPERATION_DELETE",
            CacheOperationKind::FlushPrefix => "CACHE_OPERATION_FLUSH_PREFIX",
            CacheOperationKind::Enum => "CACHE_OPERATION_ENUM",
            CacheOperationKind::Other(_) => return None,
        })
    }
}

/// httpcach.h's `FILE_CACHE_NAME`: keys of IIS's file cache.
pub const FILE_CACHE_NAME: &str = "FILE";
/// httpcach.h's `TOKEN_CACHE_NAME`: keys of IIS's token cache.
pub const TOKEN_CACHE_NAME: &str = "TOKEN";
/// httpcach.h's `URI_CACHE_NAME`: keys of IIS's URI cache.
pub const URI_CACHE_NAME: &str = "URI";

/// A key of one of IIS's caches (`IHttpCacheKey`).
#[derive(Debug)]
pub struct CacheKey<'a> {
    raw: Ref<'a, IHttpCacheKey>,
    _owner: PhantomData<(&'a (), *mut ())>,
}

impl<'a> CacheKey<'a> {
    pub(crate) fn new(raw: Ref<'a, IHttpCacheKey>) -> Self {
        Self {
            raw,
            _owner: PhantomData,
        }
    }

    /// The raw `IHttpCacheKey`.
    pub fn as_raw(&self) -> *mut IHttpCacheKey {
        self.raw.as_ptr()
    }

    /// The key's hash.
    #[doc(alias = "GetHash")]
    pub fn hash(&self) -> u32 {
        self.raw.GetHash()
    }

    /// The name of the cache the key belongs to ([`FILE_CACHE_NAME`], …).
    ///
    /// # Errors
    /// [`Error::Encoding`].
    #[doc(alias = "GetCacheName")]
    pub fn cache_name(&self) -> Result<String> {
        let name = self.raw.GetCacheName();
        Ok(ffi::wstr_to_string(name, "cache name")?.unwrap_or_default())
    }

    /// Whether `other` is the same key.
    #[doc(alias = "GetIsEqual")]
    pub fn is_equal(&self, other: &CacheKey<'_>) -> bool {
        self.raw.GetIsEqual(other.raw)
    }

    /// Whether this key is a prefix of `other` (for `FLUSH_PREFIX`).
    #[doc(alias = "GetIsPrefix")]
    pub fn is_prefix(&self, other: &CacheKey<'_>) -> bool {
        self.raw.GetIsPrefix(other.raw)
    }
}

/// What a cache record is, by the cache of its key.
#[derive(Debug)]
#[non_exhaustive]
pub enum CacheEntry<'a> {
    /// A record of the file cache.
    File(FileInfo<'a>),
    /// A record of the token cache.
    Token(TokenEntry<'a>),
    /// A record of another cache (the URI cache, a module's own).
    Other,
}

/// A record of one of IIS's caches (`IHttpCacheSpecificData`).
#[derive(Debug)]
pub struct CacheRecord<'a> {
    raw: Ref<'a, IHttpCacheSpecificData>,
    _owner: PhantomData<(&'a (), *mut ())>,
}

impl<'a> CacheRecord<'a> {
    pub(crate) fn new(raw: Ref<'a, IHttpCacheSpecificData>) -> Self {
        Self {
            raw,
            _owner: PhantomData,
        }
    }

    /// The raw `IHttpCacheSpecificData`.
    pub fn as_raw(&self) -> *mut IHttpCacheSpecificData {
        self.raw.as_ptr()
    }

    /// The record's key.
    #[doc(alias = "GetCacheKey")]
    pub fn key(&self) -> Option<CacheKey<'a>> {
        self.raw.GetCacheKey().map(CacheKey::new)
    }

    /// Whether the record was flushed from its cache.
    #[doc(alias = "GetFlushed")]
    pub fn is_flushed(&self) -> bool {
        self.raw.GetFlushed().as_bool()
    }

    /// Takes a reference on the record (`ReferenceCacheData`), released
    /// when the guard drops (`DereferenceCacheData`).
    #[doc(alias = "ReferenceCacheData")]
    #[doc(alias = "DereferenceCacheData")]
    pub fn reference(&self) -> CacheRecordReference<'a> {
        self.raw.ReferenceCacheData();
        CacheRecordReference {
            raw: self.raw,
            _owner: PhantomData,
        }
    }

    /// What the record is, by the name of its key's cache: a `FILE` record
    /// is an `IHttpFileInfo`, a `TOKEN` record an `IHttpTokenEntry` (the
    /// downcast httpcach.h documents).
    ///
    /// # Errors
    /// [`Error::Encoding`].
    pub fn entry(&self) -> Result<CacheEntry<'a>> {
        let Some(key) = self.key() else {
            return Ok(CacheEntry::Other);
        };
        let name = key.cache_name()?;
        let raw = self.raw;
        Ok(match name.as_str() {
            FILE_CACHE_NAME => {
                // SAFETY: a FILE record is an IHttpFileInfo, which derives
                // singly from IHttpCacheSpecificData (same address, base
                // vtable first); it lives as long as the record.
                let file = FileInfo::new(unsafe { raw.cast::<IHttpFileInfo>() });
                CacheEntry::File(file)
            }
            TOKEN_CACHE_NAME => {
                // SAFETY: likewise, a TOKEN record is an IHttpTokenEntry.
                let token = TokenEntry::new(unsafe { raw.cast::<IHttpTokenEntry>() });
                CacheEntry::Token(token)
            }
            _ => CacheEntry::Other,
        })
    }
}

/// A reference on a cache record ([`CacheRecord::reference`]).
#[derive(Debug)]
pub struct CacheRecordReference<'a> {
    raw: Ref<'a, IHttpCacheSpecificData>,
    _owner: PhantomData<(&'a (), *mut ())>,
}

impl Drop for CacheRecordReference<'_> {
    fn drop(&mut self) {
        // SAFETY: the record this guard referenced, released exactly once;
        // the guard is gone after.
        unsafe { self.raw.DereferenceCacheData() }
    }
}

impl HttpServer {
    /// Performs a cache operation on the cache of `key` (IIS raises
    /// `GL_CACHE_OPERATION` for it); returns whether it succeeded.
    ///
    /// # Errors
    /// [`Error::Server`].
    #[doc(alias = "DoCacheOperation")]
    pub fn do_cache_operation(
        &self,
        operation: CacheOperationKind,
        key: &CacheKey<'_>,
    ) -> Result<()> {
        let mut record: *mut IHttpCacheSpecificData = core::ptr::null_mut();
        let hr = self
            .iface()
            .DoCacheOperation(operation.raw(), key.raw, &mut record, None);
        // A record handed back is not kept: the SDK takes no reference on
        // it (leaving a possible reference is safe; releasing one IIS did
        // not give would not be).
        let _ = record;
        Error::check("IHttpServer::DoCacheOperation", hr)
    }
}
