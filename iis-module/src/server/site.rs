//! `IHttpUser`, `IHttpSite` and `IHttpApplication`: who made the request
//! and where it runs.

use super::token::Sid;
use crate::ffi;
use crate::request::stored;
use crate::{Error, Result};
use core::marker::PhantomData;
use iis_sys::Ref;
use iis_sys::{
    HANDLE, HTTP_MODULE_ID, IHttpApplication, IHttpPerfCounterInfo, IHttpSite, IHttpUser, PSID,
};
use std::ffi::CString;
use windows_core::BOOL;

/// The authenticated (or anonymous) user of a request (`IHttpUser`).
#[derive(Debug)]
pub struct HttpUser<'a> {
    raw: Ref<'a, IHttpUser>,
    _cx: PhantomData<&'a ()>,
}

impl<'a> HttpUser<'a> {
    pub(crate) fn new(raw: Ref<'a, IHttpUser>) -> Self {
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
        let name = self.raw.GetUserName();
        Ok(ffi::wstr_to_string(name, "user name")?.unwrap_or_default())
    }

    /// The name the client authenticated as (`REMOTE_USER`).
    ///
    /// # Errors
    /// [`Error::Encoding`].
    #[doc(alias = "GetRemoteUserName")]
    pub fn remote_name(&self) -> Result<String> {
        let name = self.raw.GetRemoteUserName();
        Ok(ffi::wstr_to_string(name, "remote user name")?.unwrap_or_default())
    }

    /// The authentication scheme (`Basic`, `Negotiate`, … or empty).
    ///
    /// # Errors
    /// [`Error::Encoding`].
    #[doc(alias = "GetAuthenticationType")]
    pub fn authentication_type(&self) -> Result<String> {
        let kind = self.raw.GetAuthenticationType();
        Ok(ffi::wstr_to_string(kind, "authentication type")?.unwrap_or_default())
    }
}

impl<'a> HttpUser<'a> {
    /// The password the user authenticated with (Basic authentication),
    /// empty otherwise.
    ///
    /// # Errors
    /// [`Error::Encoding`].
    #[doc(alias = "GetPassword")]
    pub fn password(&self) -> Result<String> {
        let password = self.raw.GetPassword();
        Ok(ffi::wstr_to_string(password, "password")?.unwrap_or_default())
    }

    /// The impersonation token (null for the anonymous user in iis-host;
    /// see [`HandleState`](crate::server::HandleState)).
    #[doc(alias = "GetImpersonationToken")]
    pub fn impersonation_token(&self) -> HANDLE {
        self.raw.GetImpersonationToken()
    }

    /// The primary token.
    #[doc(alias = "GetPrimaryToken")]
    pub fn primary_token(&self) -> HANDLE {
        self.raw.GetPrimaryToken()
    }

    /// A duplicate of the [impersonation token](Self::impersonation_token)
    /// that the caller owns: usable after the request (IIS's own handle is
    /// valid only during it), closed when dropped. `None` if IIS has no
    /// token for the user (anonymous requests).
    ///
    /// # Errors
    /// `DuplicateHandle`'s.
    #[cfg(windows)]
    pub fn impersonation_token_owned(
        &self,
    ) -> Option<std::io::Result<std::os::windows::io::OwnedHandle>> {
        let token = self.impersonation_token();
        if token.0.is_null() {
            return None;
        }
        // SAFETY: IIS's token handle, open for the request, which the user
        // object borrows; it is only duplicated here.
        let borrowed = unsafe { std::os::windows::io::BorrowedHandle::borrow_raw(token.0) };
        Some(borrowed.try_clone_to_owned())
    }

    /// Whether [`is_in_role`](Self::is_in_role) is supported.
    #[doc(alias = "SupportsIsInRole")]
    pub fn supports_is_in_role(&self) -> bool {
        self.raw.SupportsIsInRole().as_bool()
    }

    /// Whether the user is in `role`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for NUL; [`Error::Server`] (e.g. `E_NOTIMPL`
    /// when roles are not supported).
    #[doc(alias = "IsInRole")]
    pub fn is_in_role(&self, role: &str) -> Result<bool> {
        let role = ffi::WideBuf::<512>::new(role, "role")?;
        let mut member = BOOL(0);
        let hr = self.raw.IsInRole(role.as_wstr(), &mut member);
        Error::check("IHttpUser::IsInRole", hr)?;
        Ok(member.as_bool())
    }

    /// The raw value of a user variable (`HTTP_USER_VARIABLE_SID`,
    /// `…_CTXT_HANDLE`, `…_CRED_HANDLE`), as a pointer value the SDK never
    /// dereferences: null when the user has none.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a name with NUL.
    #[doc(alias = "GetUserVariable")]
    pub fn user_variable(&self, name: &str) -> Result<*mut core::ffi::c_void> {
        if name.contains('\0') {
            return Err(Error::InvalidInput {
                what: "user variable",
                reason: "contains NUL",
            });
        }
        let name = CString::new(name).map_err(|_| Error::InvalidInput {
            what: "user variable",
            reason: "contains NUL",
        })?;
        Ok(self.raw.GetUserVariable(&name))
    }

    /// The user's SID (`GetUserVariable(HTTP_USER_VARIABLE_SID)`): `None`
    /// when the user has none, `Some(None)` if it is not a valid SID.
    #[doc(alias = "GetUserVariable")]
    pub fn sid(&self) -> Option<Option<Sid>> {
        let sid = self.raw.GetUserVariable(iis_sys::HTTP_USER_VARIABLE_SID);
        if sid.is_null() {
            return None;
        }
        // SAFETY: IIS returns the user's SID, valid while the user lives.
        Some(unsafe { Sid::copy(PSID(sid)) })
    }

    /// Takes a reference on the user (`ReferenceUser`), released when the
    /// returned guard drops (`DereferenceUser`).
    #[doc(alias = "ReferenceUser")]
    #[doc(alias = "DereferenceUser")]
    pub fn reference(&self) -> UserReference<'a> {
        self.raw.ReferenceUser();
        UserReference {
            raw: self.raw,
            _cx: PhantomData,
        }
    }
}

/// A reference on a user ([`HttpUser::reference`]), released on drop.
#[derive(Debug)]
pub struct UserReference<'a> {
    raw: Ref<'a, IHttpUser>,
    _cx: PhantomData<&'a ()>,
}

impl Drop for UserReference<'_> {
    fn drop(&mut self) {
        // SAFETY: the user this guard referenced, released exactly once; the
        // guard is gone after.
        unsafe { self.raw.DereferenceUser() }
    }
}

/// The IIS site of a request (`IHttpSite`).
#[derive(Debug)]
pub struct HttpSite<'a> {
    raw: Ref<'a, IHttpSite>,
    _cx: PhantomData<&'a ()>,
}

impl<'a> HttpSite<'a> {
    pub(crate) fn new(raw: Ref<'a, IHttpSite>) -> Self {
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
        self.raw.GetSiteId()
    }

    /// The site's performance counters.
    #[doc(alias = "GetPerfCounterInfo")]
    pub fn perf_counters(&self) -> Option<PerfCounters<'_>> {
        self.raw.GetPerfCounterInfo().map(PerfCounters::new)
    }

    /// The site name (`Default Web Site`).
    ///
    /// # Errors
    /// [`Error::Encoding`].
    #[doc(alias = "GetSiteName")]
    pub fn name(&self) -> Result<String> {
        let name = self.raw.GetSiteName();
        Ok(ffi::wstr_to_string(name, "site name")?.unwrap_or_default())
    }
}

/// Performance counters of the server or a site (`IHttpPerfCounterInfo`).
#[derive(Debug)]
pub struct PerfCounters<'a> {
    raw: Ref<'a, IHttpPerfCounterInfo>,
    _owner: PhantomData<&'a ()>,
}

impl<'a> PerfCounters<'a> {
    pub(crate) fn new(raw: Ref<'a, IHttpPerfCounterInfo>) -> Self {
        Self {
            raw,
            _owner: PhantomData,
        }
    }

    /// The raw `IHttpPerfCounterInfo`.
    pub fn as_raw(&self) -> *mut IHttpPerfCounterInfo {
        self.raw.as_ptr()
    }

    /// Adds `value` to counter `counter`.
    #[doc(alias = "IncrementCounter")]
    pub fn increment(&self, counter: u32, value: u32) {
        self.raw.IncrementCounter(counter, value)
    }

    /// Subtracts `value` from counter `counter`.
    #[doc(alias = "DecrementCounter")]
    pub fn decrement(&self, counter: u32, value: u32) {
        self.raw.DecrementCounter(counter, value)
    }
}

/// The application a request belongs to (`IHttpApplication`).
#[derive(Debug)]
pub struct HttpApplication<'a> {
    raw: Ref<'a, IHttpApplication>,
    module: HTTP_MODULE_ID,
    _cx: PhantomData<&'a ()>,
}

impl<'a> HttpApplication<'a> {
    pub(crate) fn new(raw: Ref<'a, IHttpApplication>, module: HTTP_MODULE_ID) -> Self {
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
        let id = self.raw.GetApplicationId();
        Ok(ffi::wstr_to_string(id, "application id")?.unwrap_or_default())
    }

    /// The application's physical root directory.
    ///
    /// # Errors
    /// [`Error::Encoding`].
    #[doc(alias = "GetApplicationPhysicalPath")]
    pub fn physical_path(&self) -> Result<String> {
        let path = self.raw.GetApplicationPhysicalPath();
        Ok(ffi::wstr_to_string(path, "physical path")?.unwrap_or_default())
    }

    /// The configuration path (`MACHINE/WEBROOT/APPHOST/Default Web Site`).
    ///
    /// # Errors
    /// [`Error::Encoding`].
    #[doc(alias = "GetAppConfigPath")]
    pub fn config_path(&self) -> Result<String> {
        let path = self.raw.GetAppConfigPath();
        Ok(ffi::wstr_to_string(path, "configuration path")?.unwrap_or_default())
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
        let container = self.raw.GetModuleContextContainer();
        let container = container.ok_or(Error::NullPointer {
            operation: "IHttpApplication::GetModuleContextContainer",
        })?;
        let value = stored::get_or_insert_with(container, crate::ModuleId(self.module), init)?;
        // SAFETY: the container and what it stores live as long as the
        // application, which outlives `'a`; the value is only ever shared
        // (`T: Sync`).
        Ok(unsafe { value.as_ref() })
    }
}
