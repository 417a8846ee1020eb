//! `IHttpServer`: the worker process, and the lookup of newer interfaces.

use super::containers::DispensedContainer;
use super::site::PerfCounters;
use super::trace::TraceContext;
use crate::ffi;
use crate::{Error, Result};
use core::ffi::c_void;
use core::ptr::NonNull;
use iis_sys::{
    HRESULT_ERROR_FILE_NOT_FOUND, HRESULT_ERROR_INSUFFICIENT_BUFFER, HRESULT_ERROR_NOT_FOUND,
    HTTP_DATA_CHUNK, HTTP_DATA_CHUNK_0, HTTP_DATA_CHUNK_0_0, HTTP_SERVER_INTERFACE_V2,
    HttpDataChunkFromMemory, IHttpServer, IHttpServer2, Interface, Ref,
};
use windows_core::{BOOL, HRESULT};

/// The IIS worker process (`IHttpServer`), valid for the life of the
/// process: a `Copy`, `Send` and `Sync` handle.
#[derive(Debug, Clone, Copy)]
pub struct HttpServer {
    raw: NonNull<IHttpServer>,
}

// SAFETY: IIS's server object lives as long as the worker process and its
// methods are documented as callable from any thread.
unsafe impl Send for HttpServer {}
// SAFETY: as above; the handle itself is an immutable pointer.
unsafe impl Sync for HttpServer {}

impl HttpServer {
    /// # Safety
    /// `raw` is the server IIS passed to `RegisterModule`.
    pub(crate) unsafe fn from_raw(raw: NonNull<IHttpServer>) -> Self {
        Self { raw }
    }

    /// The raw `IHttpServer`, for calls the safe API does not wrap.
    pub fn as_raw(&self) -> *mut IHttpServer {
        self.raw.as_ptr()
    }

    pub(crate) fn raw(&self) -> NonNull<IHttpServer> {
        self.raw
    }

    /// The server, live for the life of the process (`from_raw`'s contract).
    #[inline(always)]
    pub(crate) fn iface(&self) -> Ref<'static, IHttpServer> {
        // SAFETY: `from_raw`'s contract: the server IIS passed to
        // `RegisterModule`, which lives as long as the worker process.
        unsafe { Ref::from_non_null(self.raw) }
    }

    /// The application pool this worker process serves.
    ///
    /// # Errors
    /// [`Error::Encoding`] for invalid UTF-16; [`Error::NullPointer`].
    #[doc(alias = "GetAppPoolName")]
    pub fn app_pool_name(&self) -> Result<String> {
        let name = self.iface().GetAppPoolName();
        ffi::wstr_to_string(name, "application pool name")?.ok_or(Error::NullPointer {
            operation: "IHttpServer::GetAppPoolName",
        })
    }

    /// Whether the process runs from the command line (IIS Express, a host
    /// like iis-host) rather than as a WAS-managed worker.
    #[doc(alias = "IsCommandLineLaunch")]
    pub fn is_command_line_launch(&self) -> bool {
        self.iface().IsCommandLineLaunch().as_bool()
    }

    /// Tells WAS this worker process is unhealthy (it will be recycled).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a reason with NUL.
    #[doc(alias = "ReportUnhealthy")]
    pub fn report_unhealthy(&self, reason: &str, error: HRESULT) -> Result<()> {
        let reason = ffi::WideBuf::<512>::new(reason, "unhealthy reason")?;
        self.iface().ReportUnhealthy(reason.as_wstr(), error);
        Ok(())
    }

    /// Asks WAS to recycle this worker process.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a reason with NUL.
    #[doc(alias = "RecycleProcess")]
    pub fn recycle_process(&self, reason: &str) -> Result<()> {
        let reason = ffi::WideBuf::<512>::new(reason, "recycle reason")?;
        self.iface().RecycleProcess(reason.as_wstr());
        Ok(())
    }

    /// Recycles one application, by configuration path
    /// (`MACHINE/WEBROOT/APPHOST/Default Web Site/app`).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a path with NUL.
    #[doc(alias = "RecycleApplication")]
    pub fn recycle_application(&self, config_path: &str) -> Result<()> {
        let path = ffi::WideBuf::<1024>::new(config_path, "application path")?;
        self.iface().RecycleApplication(path.as_wstr());
        Ok(())
    }

    /// Tells IIS a thread is about to block, so that it adds one to its pool
    /// until [`decrement_thread_count`](Self::decrement_thread_count).
    #[doc(alias = "IncrementThreadCount")]
    pub fn increment_thread_count(&self) {
        self.iface().IncrementThreadCount()
    }

    /// Undoes [`increment_thread_count`](Self::increment_thread_count).
    #[doc(alias = "DecrementThreadCount")]
    pub fn decrement_thread_count(&self) {
        self.iface().DecrementThreadCount()
    }

    /// Removes the HTTP.sys (kernel) cache entries of URLs starting with
    /// `prefix`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a prefix with NUL; [`Error::Server`].
    #[doc(alias = "FlushKernelCache")]
    pub fn flush_kernel_cache(&self, prefix: &str) -> Result<()> {
        let prefix = ffi::WideBuf::<2048>::new(prefix, "URL prefix")?;
        let hr = self.iface().FlushKernelCache(prefix.as_wstr());
        Error::check("IHttpServer::FlushKernelCache", hr)
    }

    /// Tells IIS the configuration under `config_path`
    /// (`MACHINE/WEBROOT/APPHOST/Default Web Site`) changed: IIS flushes its
    /// configuration caches and raises `GL_CONFIGURATION_CHANGE`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a path with NUL.
    #[doc(alias = "NotifyConfigurationChange")]
    pub fn notify_configuration_change(&self, config_path: &str) -> Result<()> {
        let path = ffi::WideBuf::<2048>::new(config_path, "configuration path")?;
        self.iface().NotifyConfigurationChange(path.as_wstr());
        Ok(())
    }

    /// Tells IIS the file `path` changed: IIS invalidates its file-cache
    /// entries and raises `GL_FILE_CHANGE`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a path with NUL.
    #[doc(alias = "NotifyFileChange")]
    pub fn notify_file_change(&self, path: &str) -> Result<()> {
        let path = ffi::WideBuf::<2048>::new(path, "file path")?;
        self.iface().NotifyFileChange(path.as_wstr());
        Ok(())
    }

    /// Raises a global custom notification of type `kind`
    /// (`OnGlobalCustomNotification` of every module that subscribed; their
    /// [`CustomNotification::notification_type`](crate::request::CustomNotification::notification_type)
    /// is `kind`). Returns [`GlobalFlow::Handled`](crate::GlobalFlow) if a
    /// module handled it.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a type with NUL; [`Error::Server`] with
    /// what a handler passed to `SetErrorStatus`.
    #[doc(alias = "NotifyCustomNotification")]
    pub fn notify_custom_notification(&self, kind: &str) -> Result<crate::GlobalFlow> {
        super::custom::notify(self, kind)
    }

    /// Whether this worker process satisfies a module precondition list
    /// (`integratedMode,bitness64`), or `None` when IIS does not know a
    /// condition.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a list with NUL.
    #[doc(alias = "SatisfiesPrecondition")]
    pub fn satisfies_precondition(&self, precondition: &str) -> Result<Option<bool>> {
        let list = ffi::WideBuf::<1024>::new(precondition, "precondition")?;
        let mut unknown = BOOL(0);
        let satisfied = self
            .iface()
            .SatisfiesPrecondition(list.as_wstr(), &mut unknown);
        Ok((!unknown.as_bool()).then_some(satisfied.as_bool()))
    }

    /// The server's performance counters.
    #[doc(alias = "GetPerfCounterInfo")]
    pub fn perf_counters(&self) -> Option<PerfCounters<'static>> {
        self.iface().GetPerfCounterInfo().map(PerfCounters::new)
    }

    /// The server's trace context (not tied to a request).
    #[doc(alias = "GetTraceContext")]
    pub fn trace_context(&self) -> Option<TraceContext<'static>> {
        self.iface().GetTraceContext().map(TraceContext::new)
    }

    /// Stores `bytes` in the server's output-fragment cache under `name`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a name with NUL; [`Error::TooLong`] over
    /// 4 GiB; [`Error::Server`].
    #[doc(alias = "AddFragmentToCache")]
    pub fn add_fragment_to_cache(&self, name: &str, bytes: &[u8]) -> Result<()> {
        let name = ffi::WideBuf::<2048>::new(name, "fragment name")?;
        let len = u32::try_from(bytes.len()).map_err(|_| Error::TooLong {
            what: "fragment",
            len: bytes.len(),
            max: u32::MAX as usize,
        })?;
        let mut chunk = HTTP_DATA_CHUNK {
            DataChunkType: HttpDataChunkFromMemory,
            Anonymous: HTTP_DATA_CHUNK_0 {
                FromMemory: HTTP_DATA_CHUNK_0_0 {
                    pBuffer: bytes.as_ptr().cast_mut().cast(),
                    BufferLength: len,
                },
            },
        };
        // SAFETY: the chunk points at `len` readable bytes living across the
        // call (IIS copies the fragment).
        let hr = unsafe {
            self.iface()
                .AddFragmentToCache(&mut chunk, name.as_pcwstr())
        };
        Error::check("IHttpServer::AddFragmentToCache", hr)
    }

    /// The cached fragment `name`, or `None` if there is none.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a name with NUL; [`Error::Server`].
    #[doc(alias = "ReadFragmentFromCache")]
    pub fn read_fragment_from_cache(&self, name: &str) -> Result<Option<Vec<u8>>> {
        let name = ffi::WideBuf::<2048>::new(name, "fragment name")?;
        let mut needed = 0u32;
        // An empty buffer (null) asks for the length.
        let hr = self
            .iface()
            .ReadFragmentFromCache(name.as_wstr(), &mut [], &mut needed);
        if hr.is_ok() && needed == 0 {
            return Ok(Some(Vec::new()));
        }
        if hr == HRESULT_ERROR_NOT_FOUND || hr == HRESULT_ERROR_FILE_NOT_FOUND {
            return Ok(None);
        }
        if hr.is_err() && hr != HRESULT_ERROR_INSUFFICIENT_BUFFER {
            return Err(Error::Server {
                operation: "IHttpServer::ReadFragmentFromCache",
                hresult: hr,
            });
        }
        let mut buffer = vec![0u8; needed as usize];
        let mut copied = 0u32;
        let hr = self
            .iface()
            .ReadFragmentFromCache(name.as_wstr(), &mut buffer, &mut copied);
        Error::check("IHttpServer::ReadFragmentFromCache", hr)?;
        buffer.truncate(copied as usize);
        Ok(Some(buffer))
    }

    /// Removes the cached fragment `name`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a name with NUL; [`Error::Server`].
    #[doc(alias = "RemoveFragmentFromCache")]
    pub fn remove_fragment_from_cache(&self, name: &str) -> Result<()> {
        let name = ffi::WideBuf::<2048>::new(name, "fragment name")?;
        let hr = self.iface().RemoveFragmentFromCache(name.as_wstr());
        Error::check("IHttpServer::RemoveFragmentFromCache", hr)
    }

    /// A module context container of the module's own (for state that
    /// belongs to no request, site or application); released when the
    /// returned value drops.
    ///
    /// # Errors
    /// [`Error::NullPointer`] if IIS gives none.
    #[doc(alias = "DispenseContainer")]
    pub fn dispense_container(&self, module: crate::ModuleId) -> Result<DispensedContainer> {
        let raw = self.iface().DispenseContainer();
        let raw = NonNull::new(raw).ok_or(Error::NullPointer {
            operation: "IHttpServer::DispenseContainer",
        })?;
        // SAFETY: a fresh container (not null: checked), live until the
        // value releases it, exactly once.
        Ok(unsafe { DispensedContainer::new(Ref::from_non_null(raw), module.as_raw()) })
    }

    /// `IHttpServer2`, or `None` before IIS 7.5.
    #[doc(alias = "GetExtendedInterface")]
    pub fn server2(&self) -> Option<NonNull<IHttpServer2>> {
        let mut out: *mut c_void = core::ptr::null_mut();
        let hr = self
            .iface()
            .GetExtendedInterface(HTTP_SERVER_INTERFACE_V2, &mut out);
        if hr.is_err() {
            return None;
        }
        NonNull::new(out.cast())
    }
}

/// The `HttpGetExtendedInterface` pattern: asks `IHttpServer2` for the
/// newer interface `To` of the object `input` (of interface `From`): the same
/// object, so it lives as long as `input`.
pub(crate) fn extended_interface<'a, From: Interface, To: Interface>(
    server: HttpServer,
    input: Ref<'a, From>,
) -> Option<Ref<'a, To>> {
    // SAFETY: IIS's IHttpServer2 of the server, which lives as long as the
    // worker process.
    let server2 = unsafe { Ref::<IHttpServer2>::from_raw(server.server2()?.as_ptr()) }?;
    let mut out: *mut c_void = core::ptr::null_mut();
    // SAFETY: `input` is a live object of interface `From` (its `Ref`),
    // which is what the first IID says.
    let hr = unsafe {
        server2.GetExtendedInterface2(&From::IID, input.as_ptr().cast(), &To::IID, &mut out)
    };
    if hr.is_err() {
        return None;
    }
    // SAFETY: IIS returns `input`'s object seen as `To` (or null), which
    // lives as long as `input`.
    unsafe { Ref::from_raw(out.cast()) }
}
