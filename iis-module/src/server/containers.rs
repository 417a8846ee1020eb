//! `IHttpServer::DispenseContainer`: a module context container the module
//! owns, for state that belongs to no request, site or application.

use crate::request::stored;
use crate::{ModuleId, Result};
use iis_sys::Ref;
use iis_sys::{HTTP_MODULE_ID, IDispensedHttpModuleContextContainer};

/// A dispensed context container: values stored in it live until it is
/// dropped, which releases it (`ReleaseContainer`; IIS then calls each
/// stored context's `CleanupStoredContext`, which drops the value).
#[derive(Debug)]
pub struct DispensedContainer {
    /// `'static` stands for "until `self` drops", when it is released.
    raw: Ref<'static, IDispensedHttpModuleContextContainer>,
    module: HTTP_MODULE_ID,
}

// SAFETY: the container belongs to this value alone; IIS containers may be
// used from any thread, and the values stored are `Send + Sync`.
unsafe impl Send for DispensedContainer {}
// SAFETY: as above; shared access only reads or inserts through IIS's own
// synchronised container.
unsafe impl Sync for DispensedContainer {}

impl DispensedContainer {
    /// # Safety
    /// `raw` is a fresh dispensed container owned by the new value, live
    /// until it releases it.
    pub(crate) unsafe fn new(
        raw: Ref<'static, IDispensedHttpModuleContextContainer>,
        module: HTTP_MODULE_ID,
    ) -> Self {
        Self { raw, module }
    }

    /// The raw container.
    pub fn as_raw(&self) -> *mut IDispensedHttpModuleContextContainer {
        self.raw.as_ptr()
    }

    /// The container, live until `self` drops (`new`'s contract).
    fn iface(&self) -> Ref<'_, IDispensedHttpModuleContextContainer> {
        self.raw
    }

    /// This module's value in the container, created by `init` on first use.
    ///
    /// # Errors
    /// [`Error::ContextType`](crate::Error::ContextType) if a different type
    /// is stored; [`Error::Server`](crate::Error::Server);
    /// [`Error::NullPointer`](crate::Error::NullPointer).
    #[doc(alias = "GetModuleContext")]
    #[doc(alias = "SetModuleContext")]
    pub fn context_or_insert_with<T: Send + Sync + 'static>(
        &self,
        init: impl FnOnce() -> T,
    ) -> Result<&T> {
        let value = stored::get_or_insert_with(*self.iface(), ModuleId(self.module), init)?;
        // SAFETY: the container is live until `self` drops, and what it
        // stores lives as long; the value is only ever shared (`T: Sync`).
        Ok(unsafe { value.as_ref() })
    }

    /// This module's value, if one of type `T` was stored.
    ///
    /// # Errors
    /// [`Error::ContextType`](crate::Error::ContextType) if a different type
    /// is stored.
    #[doc(alias = "GetModuleContext")]
    pub fn context<T: Send + Sync + 'static>(&self) -> Result<Option<&T>> {
        let value = stored::get::<T>(*self.iface(), ModuleId(self.module))?;
        // SAFETY: as in `context_or_insert_with`.
        Ok(value.map(|value| unsafe { value.as_ref() }))
    }
}

impl Drop for DispensedContainer {
    fn drop(&mut self) {
        // SAFETY: the container is ours and released exactly once, here;
        // nothing uses it after.
        unsafe { self.iface().ReleaseContainer() }
    }
}
