//! `IMetadataInfo`: the configuration a request runs under (its metabase
//! path and virtual directory).

use crate::Result;
use crate::ffi::{self, vcall};
use crate::server::TokenEntry;
use core::marker::PhantomData;
use core::ptr::NonNull;
use iis_sys::IMetadataInfo;

/// The metadata of a request (`IHttpContext::GetMetadata`).
#[derive(Debug)]
pub struct Metadata<'a> {
    raw: NonNull<IMetadataInfo>,
    _owner: PhantomData<(&'a (), *mut ())>,
}

impl Metadata<'_> {
    /// # Safety
    /// `raw` is live for `'a`.
    pub(crate) unsafe fn new(raw: NonNull<IMetadataInfo>) -> Self {
        Self {
            raw,
            _owner: PhantomData,
        }
    }

    /// The raw `IMetadataInfo`.
    pub fn as_raw(&self) -> *mut IMetadataInfo {
        self.raw.as_ptr()
    }

    /// The configuration path (`MACHINE/WEBROOT/APPHOST/Default Web Site/…`).
    ///
    /// # Errors
    /// [`Error::Encoding`](crate::Error::Encoding).
    #[doc(alias = "GetMetaPath")]
    pub fn meta_path(&self) -> Result<Option<String>> {
        // SAFETY: live metadata; no arguments.
        let path = unsafe { vcall!(self.as_raw(), GetMetaPath()) };
        // SAFETY: NUL-terminated or null, valid for the request.
        unsafe { ffi::wide_to_string(path, "metadata path") }
    }

    /// The physical path of the request's virtual directory.
    ///
    /// # Errors
    /// [`Error::Encoding`](crate::Error::Encoding).
    #[doc(alias = "GetVrPath")]
    pub fn vr_path(&self) -> Result<Option<String>> {
        // SAFETY: live metadata; no arguments.
        let path = unsafe { vcall!(self.as_raw(), GetVrPath()) };
        // SAFETY: NUL-terminated or null, valid for the request.
        unsafe { ffi::wide_to_string(path, "virtual directory path") }
    }

    /// The virtual directory's configured user (UNC or pass-through
    /// identity), if it has one.
    #[doc(alias = "GetVrToken")]
    pub fn vr_token(&self) -> Option<TokenEntry<'_>> {
        // SAFETY: live metadata; the entry lives as long as the metadata.
        let entry = unsafe { vcall!(self.as_raw(), GetVrToken()) };
        // SAFETY: as above.
        NonNull::new(entry).map(|e| unsafe { TokenEntry::new(e) })
    }
}

impl crate::HttpContext {
    /// The configuration the request runs under (metabase path, virtual
    /// directory).
    #[doc(alias = "GetMetadata")]
    pub fn metadata(&self) -> Option<Metadata<'_>> {
        // SAFETY: live context; the metadata lives as long as the request.
        let raw = unsafe { vcall!(self.as_raw(), GetMetadata()) };
        // SAFETY: as above.
        NonNull::new(raw).map(|raw| unsafe { Metadata::new(raw) })
    }
}
