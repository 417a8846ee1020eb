//! The typed providers of global notifications.

use crate::ffi;
use crate::glue::provider::{GlobalProvider, ModuleEnv, Provider, provider};
use crate::server::{
    CacheKey, CacheOperationKind, CacheRecord, HttpApplication, TraceContext, TraceEventData,
};
use crate::{Error, HttpContext, Result};
use core::marker::PhantomData;
use core::ptr::NonNull;
use iis_sys::*;

/// `iface()`, the typed handle of the providers built by `from_raw` with
/// an environment.
macro_rules! global_iface {
    ($($name:ident => $raw:ident),* $(,)?) => {$(
        impl $name {
            /// The provider, live for the notification (`from_raw`'s
            /// contract).
            #[inline(always)]
            fn iface(&self) -> Ref<'_, $raw> {
                // SAFETY: `from_raw`'s contract: the provider is live for
                // the notification, which outlives the view and this borrow.
                unsafe { Ref::from_non_null(self.raw) }
            }
        }
    )*};
}

global_iface! {
    ResolveModules => IHttpApplicationResolveModulesProvider,
    TraceEvent => IGlobalTraceEventProvider,
    ThreadCleanup => IGlobalThreadCleanupProvider,
    PreBeginRequest => IPreBeginRequestProvider,
    ApplicationEvent => IHttpApplicationProvider,
}

provider! {
    /// `IGlobalStopListeningProvider`: the server stops listening.
    StopListening => IGlobalStopListeningProvider
}

impl StopListening {
    /// Whether IIS lets in-flight requests drain.
    #[doc(alias = "DrainRequestsGracefully")]
    pub fn drain_gracefully(&self) -> bool {
        self.iface().DrainRequestsGracefully().as_bool()
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
        self.iface().GetCacheOperation()
    }

    /// The operation, typed.
    #[doc(alias = "GetCacheOperation")]
    pub fn kind(&self) -> CacheOperationKind {
        CacheOperationKind::from_raw(self.operation())
    }

    /// The key the operation is about.
    #[doc(alias = "GetCacheKey")]
    pub fn key(&self) -> Option<CacheKey<'_>> {
        self.iface().GetCacheKey().map(CacheKey::new)
    }

    /// The record the operation is about, if there is one yet.
    #[doc(alias = "GetCacheRecord")]
    pub fn record(&self) -> Option<CacheRecord<'_>> {
        self.iface().GetCacheRecord().map(CacheRecord::new)
    }

    /// The trace context of the operation.
    #[doc(alias = "GetTraceContext")]
    pub fn trace_context(&self) -> Option<TraceContext<'_>> {
        self.iface().GetTraceContext().map(TraceContext::new)
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
        let path = self.iface().GetChangePath();
        Ok(ffi::wstr_to_string(path, "change path")?.unwrap_or_default())
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
        let name = self.iface().GetFileName();
        Ok(ffi::wstr_to_string(name, "file name")?.unwrap_or_default())
    }
}

/// `IHttpApplicationResolveModulesProvider`: an application resolves its
/// modules (raw access for `RegisterModule`).
#[derive(Debug)]
pub struct ResolveModules {
    raw: NonNull<IHttpApplicationResolveModulesProvider>,
    env: ModuleEnv,
    _not_send: PhantomData<*mut ()>,
}

impl GlobalProvider for ResolveModules {
    type Raw = IHttpApplicationResolveModulesProvider;
    unsafe fn from_raw(raw: NonNull<Self::Raw>, env: ModuleEnv) -> Self {
        Self {
            raw,
            env,
            _not_send: PhantomData,
        }
    }
}

impl ResolveModules {
    /// The raw provider.
    pub fn as_raw(&self) -> *mut IHttpApplicationResolveModulesProvider {
        self.raw.as_ptr()
    }

    /// The application whose modules are resolved.
    ///
    /// # Errors
    /// [`Error::NullPointer`].
    #[doc(alias = "GetApplication")]
    pub fn application(&self) -> Result<HttpApplication<'_>> {
        // Derived from IHttpApplicationProvider (`Deref`).
        let app = self.iface().GetApplication();
        application(
            app,
            self.env,
            "IHttpApplicationResolveModulesProvider::GetApplication",
        )
    }
}

/// The view of an application a provider returned.
fn application<'a>(
    app: Option<Ref<'a, IHttpApplication>>,
    env: ModuleEnv,
    operation: &'static str,
) -> Result<HttpApplication<'a>> {
    let app = app.ok_or(Error::NullPointer { operation })?;
    Ok(HttpApplication::new(app, env.module_id))
}

provider! {
    /// `IGlobalRSCAQueryProvider`: a runtime status and control query.
    RscaQuery => IGlobalRSCAQueryProvider
}

impl RscaQuery {
    /// Answers the query: copies `output` into the buffer IIS provides
    /// (`GetOutputBuffer`) and reports its length and `result`
    /// (`SetResult`).
    ///
    /// # Errors
    /// [`Error::TooLong`] over 4 GiB; [`Error::Server`];
    /// [`Error::NullPointer`].
    #[doc(alias = "GetOutputBuffer")]
    #[doc(alias = "SetResult")]
    pub fn respond(&mut self, output: &[u8], result: windows_core::HRESULT) -> Result<()> {
        let len = u32::try_from(output.len()).map_err(|_| Error::TooLong {
            what: "RSCA output",
            len: output.len(),
            max: u32::MAX as usize,
        })?;
        let mut buffer: *mut u8 = core::ptr::null_mut();
        let hr = self.iface().GetOutputBuffer(len, &mut buffer);
        Error::check("IGlobalRSCAQueryProvider::GetOutputBuffer", hr)?;
        if !output.is_empty() {
            if buffer.is_null() {
                return Err(Error::NullPointer {
                    operation: "IGlobalRSCAQueryProvider::GetOutputBuffer",
                });
            }
            // SAFETY: IIS returned a buffer of at least `len` bytes, valid
            // for the notification and distinct from `output`.
            unsafe { core::ptr::copy_nonoverlapping(output.as_ptr(), buffer, output.len()) };
        }
        self.iface().SetResult(len, result);
        Ok(())
    }

    /// The queried function.
    ///
    /// # Errors
    /// [`Error::Encoding`].
    #[doc(alias = "GetFunctionName")]
    pub fn function_name(&self) -> Result<String> {
        let name = self.iface().GetFunctionName();
        Ok(ffi::wstr_to_string(name, "function name")?.unwrap_or_default())
    }

    /// The query's parameters.
    ///
    /// # Errors
    /// [`Error::Encoding`].
    #[doc(alias = "GetFunctionParameters")]
    pub fn parameters(&self) -> Result<String> {
        let params = self.iface().GetFunctionParameters();
        Ok(ffi::wstr_to_string(params, "function parameters")?.unwrap_or_default())
    }
}

/// `IGlobalTraceEventProvider`: a trace event was raised.
#[derive(Debug)]
pub struct TraceEvent {
    raw: NonNull<IGlobalTraceEventProvider>,
    env: ModuleEnv,
    _not_send: PhantomData<*mut ()>,
}

impl GlobalProvider for TraceEvent {
    type Raw = IGlobalTraceEventProvider;
    unsafe fn from_raw(raw: NonNull<Self::Raw>, env: ModuleEnv) -> Self {
        Self {
            raw,
            env,
            _not_send: PhantomData,
        }
    }
}

impl TraceEvent {
    /// The raw provider.
    pub fn as_raw(&self) -> *mut IGlobalTraceEventProvider {
        self.raw.as_ptr()
    }

    /// Whether this module enabled the event's provider (with
    /// [`TraceContext::set_configuration`](TraceContext::set_configuration)).
    #[doc(alias = "CheckSubscription")]
    pub fn is_subscribed(&self) -> bool {
        self.iface().CheckSubscription(self.env.module_id).as_bool()
    }

    /// A copy of the event.
    ///
    /// # Errors
    /// [`Error::Server`]; [`Error::NullPointer`]; [`Error::Encoding`].
    #[doc(alias = "GetTraceEvent")]
    pub fn event(&self) -> Result<TraceEventData> {
        let mut event: *mut HTTP_TRACE_EVENT = core::ptr::null_mut();
        let hr = self.iface().GetTraceEvent(&mut event);
        Error::check("IGlobalTraceEventProvider::GetTraceEvent", hr)?;
        let event = NonNull::new(event).ok_or(Error::NullPointer {
            operation: "IGlobalTraceEventProvider::GetTraceEvent",
        })?;
        // SAFETY: IIS's event, valid for the notification.
        unsafe { TraceEventData::from_raw(event) }
    }

    /// Runs `f` with the request the event was raised in (borrowed for the
    /// call only), or returns `None` if it was raised outside a request.
    ///
    /// # Errors
    /// [`Error::NullPointer`].
    #[doc(alias = "GetCurrentHttpRequestContext")]
    pub fn with_request_context<R>(
        &mut self,
        f: impl FnOnce(&mut HttpContext) -> R,
    ) -> Result<Option<R>> {
        let mut cx: *mut IHttpContext = core::ptr::null_mut();
        let hr = self.iface().GetCurrentHttpRequestContext(&mut cx);
        if hr.is_err() || cx.is_null() {
            return Ok(None);
        }
        // SAFETY: the context is live for the notification; the view is
        // dropped before this method returns.
        let mut cx = unsafe { HttpContext::from_raw(cx, self.env.server, self.env.module_id) }?;
        Ok(Some(f(&mut cx)))
    }
}

/// `IGlobalThreadCleanupProvider`: a worker thread returns to the pool.
#[derive(Debug)]
pub struct ThreadCleanup {
    raw: NonNull<IGlobalThreadCleanupProvider>,
    env: ModuleEnv,
    _not_send: PhantomData<*mut ()>,
}

impl GlobalProvider for ThreadCleanup {
    type Raw = IGlobalThreadCleanupProvider;
    unsafe fn from_raw(raw: NonNull<Self::Raw>, env: ModuleEnv) -> Self {
        Self {
            raw,
            env,
            _not_send: PhantomData,
        }
    }
}

impl ThreadCleanup {
    /// The raw provider.
    pub fn as_raw(&self) -> *mut IGlobalThreadCleanupProvider {
        self.raw.as_ptr()
    }

    /// The application the thread worked for.
    ///
    /// # Errors
    /// [`Error::NullPointer`].
    #[doc(alias = "GetApplication")]
    pub fn application(&self) -> Result<HttpApplication<'_>> {
        let app = self.iface().GetApplication();
        application(
            app,
            self.env,
            "IGlobalThreadCleanupProvider::GetApplication",
        )
    }
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
        let cx = self.iface().GetHttpContext();
        // SAFETY: the context is live for the notification; the view is
        // dropped before this method returns.
        let mut cx = unsafe { HttpContext::from_raw(cx, self.env.server, self.env.module_id) }?;
        Ok(f(&mut cx))
    }

    /// Reports an error for this notification.
    #[doc(alias = "SetErrorStatus")]
    pub fn set_error_status(&mut self, error: windows_core::HRESULT) {
        // Derived from IHttpEventProvider (`Deref`).
        self.iface().SetErrorStatus(error)
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
    pub fn application(&self) -> Result<HttpApplication<'_>> {
        let app = self.iface().GetApplication();
        application(app, self.env, "IHttpApplicationProvider::GetApplication")
    }
}
