//! `IHttpCachePolicy`: the output-cache settings of a response (kernel and
//! user-mode caches, what the cached entry varies by).

use crate::ffi::{self};
use crate::{Error, HttpResponse, Result};
use core::marker::PhantomData;
use iis_sys::Ref;
use iis_sys::{HTTP_CACHE_POLICY, IHttpCachePolicy};

/// How a cache keeps a response (`HTTP_CACHE_POLICY_TYPE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CachePolicyKind {
    /// `HttpCachePolicyNocache`: not cached.
    NoCache,
    /// `HttpCachePolicyUserInvalidates`: cached until flushed.
    UserInvalidates,
    /// `HttpCachePolicyTimeToLive`: cached for the seconds to live.
    TimeToLive,
    /// `HttpCachePolicyMaximum`.
    Maximum,
    /// A value outside the enum.
    Other(i32),
}

impl CachePolicyKind {
    fn from_raw(raw: i32) -> Self {
        match raw {
            0 => CachePolicyKind::NoCache,
            1 => CachePolicyKind::UserInvalidates,
            2 => CachePolicyKind::TimeToLive,
            3 => CachePolicyKind::Maximum,
            other => CachePolicyKind::Other(other),
        }
    }

    fn raw(self) -> i32 {
        match self {
            CachePolicyKind::NoCache => 0,
            CachePolicyKind::UserInvalidates => 1,
            CachePolicyKind::TimeToLive => 2,
            CachePolicyKind::Maximum => 3,
            CachePolicyKind::Other(v) => v,
        }
    }

    /// The C++ name (`HttpCachePolicyTimeToLive`), or `None` outside the enum.
    pub fn name(self) -> Option<&'static str> {
        Some(match self {
            CachePolicyKind::NoCache => "HttpCachePolicyNocache",
            CachePolicyKind::UserInvalidates => "HttpCachePolicyUserInvalidates",
            CachePolicyKind::TimeToLive => "HttpCachePolicyTimeToLive",
            CachePolicyKind::Maximum => "HttpCachePolicyMaximum",
            CachePolicyKind::Other(_) => return None,
        })
    }
}

/// One cache's policy (`HTTP_CACHE_POLICY`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CacheSetting {
    /// `Policy`.
    pub kind: CachePolicyKind,
    /// `SecondsToLive`.
    pub seconds_to_live: u32,
}

/// The output-cache policy of a response (`IHttpResponse::GetCachePolicy`),
/// borrowed from the response for one notification.
#[derive(Debug)]
pub struct CachePolicy<'a> {
    raw: Ref<'a, IHttpCachePolicy>,
    _response: PhantomData<&'a mut HttpResponse>,
}

impl HttpResponse {
    /// The response's output-cache policy.
    #[doc(alias = "GetCachePolicy")]
    pub fn cache_policy(&mut self) -> Option<CachePolicy<'_>> {
        self.iface().GetCachePolicy().map(|raw| CachePolicy {
            raw,
            _response: PhantomData,
        })
    }
}

/// Reads one of IIS's policy structs.
fn read(policy: *mut HTTP_CACHE_POLICY) -> Option<CacheSetting> {
    // SAFETY: IIS returns null or its policy struct, valid for the request.
    unsafe { policy.as_ref() }.map(|p| CacheSetting {
        kind: CachePolicyKind::from_raw(p.Policy),
        seconds_to_live: p.SecondsToLive,
    })
}

/// Writes one of IIS's policy structs.
fn write(
    policy: *mut HTTP_CACHE_POLICY,
    setting: CacheSetting,
    operation: &'static str,
) -> Result<()> {
    // SAFETY: IIS returns null or its policy struct, which the module may
    // change for the request (that is how the API sets the policy); the
    // `&mut` borrow of the response makes this the only access.
    let policy = unsafe { policy.as_mut() }.ok_or(Error::NullPointer { operation })?;
    policy.Policy = setting.kind.raw();
    policy.SecondsToLive = setting.seconds_to_live;
    Ok(())
}

/// A comma-separated list IIS returns, or `None`.
fn list(value: windows_core::PCSTR, what: &'static str) -> Result<Option<String>> {
    // SAFETY: NUL-terminated or null, valid for the request.
    match unsafe { ffi::c_bytes(value) } {
        Some(bytes) => ffi::utf8(bytes, what).map(|s| Some(s.to_owned())),
        None => Ok(None),
    }
}

impl<'a> CachePolicy<'a> {
    /// The raw `IHttpCachePolicy`.
    pub fn as_raw(&self) -> *mut IHttpCachePolicy {
        self.raw.as_ptr()
    }

    /// The HTTP.sys (kernel) cache policy.
    #[doc(alias = "GetKernelCachePolicy")]
    pub fn kernel_policy(&self) -> Option<CacheSetting> {
        read(self.raw.GetKernelCachePolicy())
    }

    /// Sets the kernel cache policy.
    ///
    /// # Errors
    /// [`Error::NullPointer`] if IIS has no kernel policy.
    #[doc(alias = "GetKernelCachePolicy")]
    pub fn set_kernel_policy(&mut self, setting: CacheSetting) -> Result<()> {
        let policy = self.raw.GetKernelCachePolicy();
        write(policy, setting, "IHttpCachePolicy::GetKernelCachePolicy")
    }

    /// The user-mode (IIS output) cache policy.
    #[doc(alias = "GetUserCachePolicy")]
    pub fn user_policy(&self) -> Option<CacheSetting> {
        read(self.raw.GetUserCachePolicy())
    }

    /// Sets the user-mode cache policy.
    ///
    /// # Errors
    /// [`Error::NullPointer`] if IIS has no user policy.
    #[doc(alias = "GetUserCachePolicy")]
    pub fn set_user_policy(&mut self, setting: CacheSetting) -> Result<()> {
        let policy = self.raw.GetUserCachePolicy();
        write(policy, setting, "IHttpCachePolicy::GetUserCachePolicy")
    }

    /// Adds a request header the cached entry varies by.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for NUL; [`Error::Server`].
    #[doc(alias = "AppendVaryByHeader")]
    pub fn append_vary_by_header(&mut self, header: &str) -> Result<()> {
        let header = c_string(header, "vary-by header")?;
        let hr = self.raw.AppendVaryByHeader(&header);
        Error::check("IHttpCachePolicy::AppendVaryByHeader", hr)
    }

    /// The headers the entry varies by (comma-separated), if any.
    ///
    /// # Errors
    /// [`Error::Encoding`].
    #[doc(alias = "GetVaryByHeaders")]
    pub fn vary_by_headers(&self) -> Result<Option<String>> {
        list(self.raw.GetVaryByHeaders(), "vary-by headers")
    }

    /// Adds a query-string parameter the cached entry varies by.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for NUL; [`Error::Server`].
    #[doc(alias = "AppendVaryByQueryString")]
    pub fn append_vary_by_query_string(&mut self, parameter: &str) -> Result<()> {
        let parameter = c_string(parameter, "vary-by query string")?;
        let hr = self.raw.AppendVaryByQueryString(&parameter);
        Error::check("IHttpCachePolicy::AppendVaryByQueryString", hr)
    }

    /// The query-string parameters the entry varies by, if any.
    ///
    /// # Errors
    /// [`Error::Encoding`].
    #[doc(alias = "GetVaryByQueryStrings")]
    pub fn vary_by_query_strings(&self) -> Result<Option<String>> {
        list(self.raw.GetVaryByQueryStrings(), "vary-by query strings")
    }

    /// Sets the custom value the entry varies by.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for NUL; [`Error::Server`].
    #[doc(alias = "SetVaryByValue")]
    pub fn set_vary_by_value(&mut self, value: &str) -> Result<()> {
        let value = c_string(value, "vary-by value")?;
        let hr = self.raw.SetVaryByValue(&value);
        Error::check("IHttpCachePolicy::SetVaryByValue", hr)
    }

    /// The custom value the entry varies by, if any.
    ///
    /// # Errors
    /// [`Error::Encoding`].
    #[doc(alias = "GetVaryByValue")]
    pub fn vary_by_value(&self) -> Result<Option<String>> {
        list(self.raw.GetVaryByValue(), "vary-by value")
    }

    /// Whether the user-mode cache may keep the response.
    #[doc(alias = "IsUserCacheEnabled")]
    pub fn is_user_cache_enabled(&self) -> bool {
        self.raw.IsUserCacheEnabled().as_bool()
    }

    /// Keeps the response out of the user-mode cache.
    #[doc(alias = "DisableUserCache")]
    pub fn disable_user_cache(&mut self) {
        self.raw.DisableUserCache()
    }

    /// Whether the response is to be cached.
    #[doc(alias = "IsCached")]
    pub fn is_cached(&self) -> bool {
        self.raw.IsCached().as_bool()
    }

    /// Marks the response as to be cached.
    #[doc(alias = "SetIsCached")]
    pub fn set_is_cached(&mut self) {
        self.raw.SetIsCached()
    }

    /// Lets the kernel cache entry be invalidated by the module.
    #[doc(alias = "SetKernelCacheInvalidatorSet")]
    pub fn set_kernel_cache_invalidator(&mut self) {
        self.raw.SetKernelCacheInvalidatorSet()
    }

    /// Whether a kernel cache invalidator is set.
    #[doc(alias = "GetKernelCacheInvalidatorSet")]
    pub fn kernel_cache_invalidator_set(&self) -> bool {
        self.raw.GetKernelCacheInvalidatorSet().as_bool()
    }
}

/// A NUL-terminated copy, or an error for an interior NUL.
fn c_string(s: &str, what: &'static str) -> Result<std::ffi::CString> {
    std::ffi::CString::new(s).map_err(|_| Error::InvalidInput {
        what,
        reason: "contains NUL",
    })
}
