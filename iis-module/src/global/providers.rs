//! The typed providers of global notifications.

use crate::ffi::{self, vcall};
use crate::module::providers::{Provider, provider};
use crate::{Error, HttpContext, Result};
use core::marker::PhantomData;
use core::ptr::NonNull;
use iis_sys::*;

pub use crate::module::providers::CustomNotification;

/// Who a global module is: what its providers need to build views.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ModuleEnv {
    pub(crate) server: Option<NonNull<IHttpServer>>,
    pub(crate) module_id: HTTP_MODULE_ID,
}

/// A global provider view built from the raw pointer IIS passed.
pub(crate) trait GlobalProvider: Sized {
    /// The C++ provider interface (or pointer slot).
    type Raw;
    /// # Safety
    /// `raw` is live for the notification.
    unsafe fn from_raw(raw: NonNull<Self::Raw>, env: ModuleEnv) -> Self;
}

impl<P: Provider> GlobalProvider for P {
    type Raw = P::Raw;
    unsafe fn from_raw(raw: NonNull<Self::Raw>, _: ModuleEnv) -> Self {
        // SAFETY: same contract.
        unsafe { P::from_raw(raw) }
    }
}

provider! {
    /// `IGlobalStopListeningProvider`: the server stops listening.
    StopListening => IGlobalStopListeningProvider
}

impl StopListening {
    /// Whether IIS lets in-flight requests drain.
    #[doc(alias = "DrainRequestsGracefully")]
    pub fn drain_gracefully(&self) -> bool {
        // SAFETY: live provider; no arguments.
        unsafe { vcall!(self.as_raw(), DrainRequestsGracefully()) }.as_bool()
    }
}

provider! {
    /// `ICacheProvider`: a cache operation (raw access for the cache key and
    /// record).
    CacheOperation => ICacheProvider
}

impl CacheOperation {
    /// The operation (`CACHE_OPERATION_*`).
    #[doc(alias = "GetCacheOperation")]
    pub fn operation(&self) -> CACHE_OPERATION {
        // SAFETY: live provider; no arguments.
        unsafe { vcall!(self.as_raw(), GetCacheOperation()) }
    }
}

provider! {
    /// `IGlobalConfigurationChangeProvider`: configuration changed.
    ConfigurationChange => IGlobalConfigurationChangeProvider
}

impl ConfigurationChange {
    /// The configuration path that changed.
    ///
    /// # Errors
    /// [`Error::Encoding`].
    #[doc(alias = "GetChangePath")]
    pub fn path(&self) -> Result<String> {
        // SAFETY: live provider; no arguments.
        let path = unsafe { vcall!(self.as_raw(), GetChangePath()) };
        // SAFETY: NUL-terminated or null.
        Ok(unsafe { ffi::wide_to_string(path, "change path") }?.unwrap_or_default())
    }
}

provider! {
    /// `IGlobalFileChangeProvider`: a monitored file changed.
    FileChange => IGlobalFileChangeProvider
}

impl FileChange {
    /// The file that changed.
    ///
    /// # Errors
    /// [`Error::Encoding`].
    #[doc(alias = "GetFileName")]
    pub fn file_name(&self) -> Result<String> {
        // SAFETY: live provider; no arguments.
        let name = unsafe { vcall!(self.as_raw(), GetFileName()) };
        // SAFETY: NUL-terminated or null.
        Ok(unsafe { ffi::wide_to_string(name, "file name") }?.unwrap_or_default())
    }
}

provider! {
    /// `IHttpApplicationResolveModulesProvider` (raw access).
    ResolveModules => IHttpApplicationResolveModulesProvider
}

provider! {
    /// `IGlobalRSCAQueryProvider`: a runtime status and control query.
    RscaQuery => IGlobalRSCAQueryProvider
}

impl RscaQuery {
    /// The queried function.
    ///
    /// # Errors
    /// [`Error::Encoding`].
    #[doc(alias = "GetFunctionName")]
    pub fn function_name(&self) -> Result<String> {
        // SAFETY: live provider; no arguments.
        let name = unsafe { vcall!(self.as_raw(), GetFunctionName()) };
        // SAFETY: NUL-terminated or null.
        Ok(unsafe { ffi::wide_to_string(name, "function name") }?.unwrap_or_default())
    }

    /// The query's parameters.
    ///
    /// # Errors
    /// [`Error::Encoding`].
    #[doc(alias = "GetFunctionParameters")]
    pub fn parameters(&self) -> Result<String> {
        // SAFETY: live provider; no arguments.
        let params = unsafe { vcall!(self.as_raw(), GetFunctionParameters()) };
        // SAFETY: NUL-terminated or null.
        Ok(unsafe { ffi::wide_to_string(params, "function parameters") }?.unwrap_or_default())
    }
}

provider! {
    /// `IGlobalTraceEventProvider` (raw access to the trace event).
    TraceEvent => IGlobalTraceEventProvider
}

provider! {
    /// `IGlobalThreadCleanupProvider`: a worker thread ends.
    ThreadCleanup => IGlobalThreadCleanupProvider
}

provider! {
    /// `IGlobalApplicationPreloadProvider`: an application is preloaded
    /// (raw access to create and execute preload requests).
    ApplicationPreload => IGlobalApplicationPreloadProvider
}

/// The callback slot of `OnSuspendProcess` (`IGlobalSuspendProcessCallback
/// **`): raw access only.
#[derive(Debug)]
pub struct SuspendProcess {
    slot: NonNull<*mut IGlobalSuspendProcessCallback>,
    _not_send: PhantomData<*mut ()>,
}

impl SuspendProcess {
    /// Where the module may store a callback IIS calls on resume.
    pub fn as_raw(&self) -> *mut *mut IGlobalSuspendProcessCallback {
        self.slot.as_ptr()
    }
}

impl GlobalProvider for SuspendProcess {
    type Raw = *mut IGlobalSuspendProcessCallback;
    unsafe fn from_raw(raw: NonNull<Self::Raw>, _: ModuleEnv) -> Self {
        Self {
            slot: raw,
            _not_send: PhantomData,
        }
    }
}

/// `IPreBeginRequestProvider`: a request arrives, before the pipeline.
#[derive(Debug)]
pub struct PreBeginRequest {
    raw: NonNull<IPreBeginRequestProvider>,
    env: ModuleEnv,
    _not_send: PhantomData<*mut ()>,
}

impl GlobalProvider for PreBeginRequest {
    type Raw = IPreBeginRequestProvider;
    unsafe fn from_raw(raw: NonNull<Self::Raw>, env: ModuleEnv) -> Self {
        Self {
            raw,
            env,
            _not_send: PhantomData,
        }
    }
}

impl PreBeginRequest {
    /// The raw provider.
    pub fn as_raw(&self) -> *mut IPreBeginRequestProvider {
        self.raw.as_ptr()
    }

    /// Runs `f` with the arriving request (borrowed for the call only, so
    /// the view cannot outlive the notification).
    ///
    /// # Errors
    /// [`Error::NullPointer`].
    #[doc(alias = "GetHttpContext")]
    pub fn with_context<R>(&mut self, f: impl FnOnce(&mut HttpContext) -> R) -> Result<R> {
        // SAFETY: live provider; no arguments.
        let cx = unsafe { vcall!(self.as_raw(), GetHttpContext()) };
        // SAFETY: the context is live for the notification; the view is
        // dropped before this method returns.
        let mut cx = unsafe { HttpContext::from_raw(cx, self.env.server, self.env.module_id) }?;
        Ok(f(&mut cx))
    }

    /// Reports an error for this notification.
    #[doc(alias = "SetErrorStatus")]
    pub fn set_error_status(&mut self, error: windows_core::HRESULT) {
        // SAFETY: live provider, derived from IHttpEventProvider.
        unsafe {
            vcall!(
                self.as_raw().cast::<IHttpEventProvider>(),
                SetErrorStatus(error)
            )
        }
    }
}

/// `IHttpApplicationProvider`: an application starts or stops.
#[derive(Debug)]
pub struct ApplicationEvent {
    raw: NonNull<IHttpApplicationProvider>,
    env: ModuleEnv,
    _not_send: PhantomData<*mut ()>,
}

impl GlobalProvider for ApplicationEvent {
    type Raw = IHttpApplicationProvider;
    unsafe fn from_raw(raw: NonNull<Self::Raw>, env: ModuleEnv) -> Self {
        Self {
            raw,
            env,
            _not_send: PhantomData,
        }
    }
}

impl ApplicationEvent {
    /// The raw provider.
    pub fn as_raw(&self) -> *mut IHttpApplicationProvider {
        self.raw.as_ptr()
    }

    /// The application.
    ///
    /// # Errors
    /// [`Error::NullPointer`].
    #[doc(alias = "GetApplication")]
    pub fn application(&self) -> Result<crate::HttpApplication<'_>> {
        // SAFETY: live provider; no arguments.
        let app = unsafe { vcall!(self.as_raw(), GetApplication()) };
        let app = NonNull::new(app).ok_or(Error::NullPointer {
            operation: "IHttpApplicationProvider::GetApplication",
        })?;
        // SAFETY: the application outlives the notification.
        Ok(unsafe { crate::HttpApplication::new(app, self.env.module_id) })
    }
}
