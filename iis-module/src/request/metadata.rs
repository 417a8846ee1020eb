//! `IMetadataInfo`: the configuration a request runs under (its metabase
//! path and virtual directory).

use crate::Result;
use crate::ffi;
use crate::server::TokenEntry;
use core::marker::PhantomData;
use iis_sys::IMetadataInfo;
use iis_sys::Ref;

/// The metadata of a request (`IHttpContext::GetMetadata`).
#[derive(Debug)]
pub struct Metadata<'a> {
    raw: Ref<'a, IMetadataInfo>,
    _owner: PhantomData<(&'a (), *mut ())>,
}

impl<'a> Metadata<'a> {
    pub(crate) fn new(raw: Ref<'a, IMetadataInfo>) -> Self {
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
        let path = self.raw.GetMetaPath();
        ffi::wstr_to_string(path, "metadata path")
    }

    /// The physical path of the request's virtual directory.
    ///
    /// # Errors
    /// [`Error::Encoding`](crate::Error::Encoding).
    #[doc(alias = "GetVrPath")]
    pub fn vr_path(&self) -> Result<Option<String>> {
        let path = self.raw.GetVrPath();
        ffi::wstr_to_string(path, "virtual directory path")
    }

    /// The virtual directory's configured user (UNC or pass-through
    /// identity), if it has one.
    #[doc(alias = "GetVrToken")]
    pub fn vr_token(&self) -> Option<TokenEntry<'_>> {
        self.raw.GetVrToken().map(TokenEntry::new)
    }
}

impl crate::HttpContext {
    /// The configuration the request runs under (metabase path, virtual
    /// directory).
    #[doc(alias = "GetMetadata")]
    pub fn metadata(&self) -> Option<Metadata<'_>> {
        // SAFETY: the metadata lives as long as the request, and so `&self`.
        unsafe { Ref::from_raw(self.iface().GetMetadata()) }.map(Metadata::new)
    }
}
