//! `IHttpUser`, `IHttpSite` and `IHttpApplication`: who made the request
//! and where it runs.

use super::stored;
use crate::ffi::{self, vcall};
use crate::{Error, Result};
use core::marker::PhantomData;
use core::ptr::NonNull;
use iis_sys::{HTTP_MODULE_ID, IHttpApplication, IHttpSite, IHttpUser};

/// The authenticated (or anonymous) user of a request (`IHttpUser`).
#[derive(Debug)]
pub struct HttpUser<'a> {
    raw: NonNull<IHttpUser>,
    _cx: PhantomData<&'a ()>,
}

impl HttpUser<'_> {
    /// # Safety
    /// `raw` is live for `'a`.
    pub(crate) unsafe fn new(raw: NonNull<IHttpUser>) -> Self {
        Self {
            raw,
            _cx: PhantomData,
        }
    }

    /// The raw `IHttpUser`.
    pub fn as_raw(&self) -> *mut IHttpUser {
        self.raw.as_ptr()
    }

    /// The user name (empty for anonymous requests).
    ///
    /// # Errors
    /// [`Error::Encoding`].
    #[doc(alias = "GetUserName")]
    pub fn name(&self) -> Result<String> {
        // SAFETY: live user; no arguments.
        let name = unsafe { vcall!(self.as_raw(), GetUserName()) };
        // SAFETY: NUL-terminated or null.
        Ok(unsafe { ffi::wide_to_string(name, "user name") }?.unwrap_or_default())
    }

    /// The name the client authenticated as (`REMOTE_USER`).
    ///
    /// # Errors
    /// [`Error::Encoding`].
    #[doc(alias = "GetRemoteUserName")]
    pub fn remote_name(&self) -> Result<String> {
        // SAFETY: live user; no arguments.
        let name = unsafe { vcall!(self.as_raw(), GetRemoteUserName()) };
        // SAFETY: NUL-terminated or null.
        Ok(unsafe { ffi::wide_to_string(name, "remote user name") }?.unwrap_or_default())
    }

    /// The authentication scheme (`Basic`, `Negotiate`, … or empty).
    ///
    /// # Errors
    /// [`Error::Encoding`].
    #[doc(alias = "GetAuthenticationType")]
    pub fn authentication_type(&self) -> Result<String> {
        // SAFETY: live user; no arguments.
        let kind = unsafe { vcall!(self.as_raw(), GetAuthenticationType()) };
        // SAFETY: NUL-terminated or null.
        Ok(unsafe { ffi::wide_to_string(kind, "authentication type") }?.unwrap_or_default())
    }
}

/// The IIS site of a request (`IHttpSite`).
#[derive(Debug)]
pub struct HttpSite<'a> {
    raw: NonNull<IHttpSite>,
    _cx: PhantomData<&'a ()>,
}

impl HttpSite<'_> {
    /// # Safety
    /// `raw` is live for `'a`.
    pub(crate) unsafe fn new(raw: NonNull<IHttpSite>) -> Self {
        Self {
            raw,
            _cx: PhantomData,
        }
    }

    /// The raw `IHttpSite`.
    pub fn as_raw(&self) -> *mut IHttpSite {
        self.raw.as_ptr()
    }

    /// The site id.
    #[doc(alias = "GetSiteId")]
    pub fn id(&self) -> u32 {
        // SAFETY: live site; no arguments.
        unsafe { vcall!(self.as_raw(), GetSiteId()) }
    }

    /// The site name (`Default Web Site`).
    ///
    /// # Errors
    /// [`Error::Encoding`].
    #[doc(alias = "GetSiteName")]
    pub fn name(&self) -> Result<String> {
        // SAFETY: live site; no arguments.
        let name = unsafe { vcall!(self.as_raw(), GetSiteName()) };
        // SAFETY: NUL-terminated or null.
        Ok(unsafe { ffi::wide_to_string(name, "site name") }?.unwrap_or_default())
    }
}

/// The application a request belongs to (`IHttpApplication`).
#[derive(Debug)]
pub struct HttpApplication<'a> {
    raw: NonNull<IHttpApplication>,
    module: HTTP_MODULE_ID,
    _cx: PhantomData<&'a ()>,
}

impl<'a> HttpApplication<'a> {
    /// # Safety
    /// `raw` is live for `'a`; `module` is this module's id.
    pub(crate) unsafe fn new(raw: NonNull<IHttpApplication>, module: HTTP_MODULE_ID) -> Self {
        Self {
            raw,
            module,
            _cx: PhantomData,
        }
    }

    /// The raw `IHttpApplication`.
    pub fn as_raw(&self) -> *mut IHttpApplication {
        self.raw.as_ptr()
    }

    /// The application id (`/LM/W3SVC/1/ROOT`).
    ///
    /// # Errors
    /// [`Error::Encoding`].
    #[doc(alias = "GetApplicationId")]
    pub fn id(&self) -> Result<String> {
        // SAFETY: live application; no arguments.
        let id = unsafe { vcall!(self.as_raw(), GetApplicationId()) };
        // SAFETY: NUL-terminated or null.
        Ok(unsafe { ffi::wide_to_string(id, "application id") }?.unwrap_or_default())
    }

    /// The application's physical root directory.
    ///
    /// # Errors
    /// [`Error::Encoding`].
    #[doc(alias = "GetApplicationPhysicalPath")]
    pub fn physical_path(&self) -> Result<String> {
        // SAFETY: live application; no arguments.
        let path = unsafe { vcall!(self.as_raw(), GetApplicationPhysicalPath()) };
        // SAFETY: NUL-terminated or null.
        Ok(unsafe { ffi::wide_to_string(path, "physical path") }?.unwrap_or_default())
    }

    /// The configuration path (`MACHINE/WEBROOT/APPHOST/Default Web Site`).
    ///
    /// # Errors
    /// [`Error::Encoding`].
    #[doc(alias = "GetAppConfigPath")]
    pub fn config_path(&self) -> Result<String> {
        // SAFETY: live application; no arguments.
        let path = unsafe { vcall!(self.as_raw(), GetAppConfigPath()) };
        // SAFETY: NUL-terminated or null.
        Ok(unsafe { ffi::wide_to_string(path, "configuration path") }?.unwrap_or_default())
    }

    /// This module's value for the whole application, created by `init` on
    /// first use (shared by every request, hence `Send + Sync`).
    ///
    /// # Errors
    /// [`Error::ContextType`] if a different type is stored;
    /// [`Error::NullPointer`]; [`Error::Server`].
    #[doc(alias = "GetModuleContextContainer")]
    pub fn context_or_insert_with<T: Send + Sync + 'static>(
        &self,
        init: impl FnOnce() -> T,
    ) -> Result<&'a T> {
        // SAFETY: live application; no arguments.
        let container = unsafe { vcall!(self.as_raw(), GetModuleContextContainer()) };
        let container = NonNull::new(container).ok_or(Error::NullPointer {
            operation: "IHttpApplication::GetModuleContextContainer",
        })?;
        // SAFETY: the container and what it stores live as long as the
        // application, which outlives `'a`; T is Sync so `&T` may be shared.
        unsafe {
            if let Some(value) = stored::get::<T>(container, self.module)? {
                return Ok(value.as_ref());
            }
            stored::store(container, self.module, init())?;
            stored::get::<T>(container, self.module)?
                .map(|v| v.as_ref())
                .ok_or(Error::NullPointer {
                    operation: "IHttpModuleContextContainer::GetModuleContext",
                })
        }
    }
}
