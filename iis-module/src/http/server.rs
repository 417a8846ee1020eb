//! `IHttpServer`: the worker process, and the lookup of newer interfaces.

use crate::ffi::{self, vcall};
use crate::{Error, Result};
use core::ffi::c_void;
use core::ptr::NonNull;
use iis_sys::{HTTP_SERVER_INTERFACE_V2, IHttpServer, IHttpServer2, Interface};
use windows_core::HRESULT;

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

    /// The application pool this worker process serves.
    ///
    /// # Errors
    /// [`Error::Encoding`] for invalid UTF-16; [`Error::NullPointer`].
    #[doc(alias = "GetAppPoolName")]
    pub fn app_pool_name(&self) -> Result<String> {
        // SAFETY: live server; no arguments.
        let name = unsafe { vcall!(self.as_raw(), GetAppPoolName()) };
        // SAFETY: IIS returns a NUL-terminated string or null.
        unsafe { ffi::wide_to_string(name, "application pool name") }?.ok_or(Error::NullPointer {
            operation: "IHttpServer::GetAppPoolName",
        })
    }

    /// Whether the process runs from the command line (IIS Express, a host
    /// like iis-host) rather than as a WAS-managed worker.
    #[doc(alias = "IsCommandLineLaunch")]
    pub fn is_command_line_launch(&self) -> bool {
        // SAFETY: live server; no arguments.
        unsafe { vcall!(self.as_raw(), IsCommandLineLaunch()) }.as_bool()
    }

    /// Tells WAS this worker process is unhealthy (it will be recycled).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a reason with NUL.
    #[doc(alias = "ReportUnhealthy")]
    pub fn report_unhealthy(&self, reason: &str, error: HRESULT) -> Result<()> {
        let reason = ffi::WideBuf::<512>::new(reason, "unhealthy reason")?;
        // SAFETY: live server; NUL-terminated UTF-16 living across the call.
        unsafe { vcall!(self.as_raw(), ReportUnhealthy(reason.as_pcwstr(), error)) };
        Ok(())
    }

    /// Asks WAS to recycle this worker process.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a reason with NUL.
    #[doc(alias = "RecycleProcess")]
    pub fn recycle_process(&self, reason: &str) -> Result<()> {
        let reason = ffi::WideBuf::<512>::new(reason, "recycle reason")?;
        // SAFETY: live server; NUL-terminated UTF-16 living across the call.
        unsafe { vcall!(self.as_raw(), RecycleProcess(reason.as_pcwstr())) };
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
        // SAFETY: live server; NUL-terminated UTF-16 living across the call.
        unsafe { vcall!(self.as_raw(), RecycleApplication(path.as_pcwstr())) };
        Ok(())
    }

    /// `IHttpServer2`, or `None` before IIS 7.5.
    #[doc(alias = "GetExtendedInterface")]
    pub fn server2(&self) -> Option<NonNull<IHttpServer2>> {
        let mut out: *mut c_void = core::ptr::null_mut();
        // SAFETY: live server; valid out-pointer.
        let hr = unsafe {
            vcall!(
                self.as_raw(),
                GetExtendedInterface(HTTP_SERVER_INTERFACE_V2, &mut out)
            )
        };
        if hr.is_err() {
            return None;
        }
        NonNull::new(out.cast())
    }
}

/// The `HttpGetExtendedInterface` pattern: asks `IHttpServer2` for the
/// newer interface `To` of the object `input` (of interface `From`).
///
/// # Safety
/// `server` is live and `input` is a live object of interface `From`.
pub(crate) unsafe fn extended_interface<From: Interface, To: Interface>(
    server: NonNull<IHttpServer>,
    input: *mut From,
) -> Option<NonNull<To>> {
    // SAFETY: the caller guarantees a live server.
    let server2 = unsafe { HttpServer::from_raw(server) }.server2()?;
    let mut out: *mut c_void = core::ptr::null_mut();
    // SAFETY: live IHttpServer2; the GUIDs are statics; valid out-pointer.
    let hr = unsafe {
        vcall!(
            server2.as_ptr(),
            GetExtendedInterface2(&From::IID, input.cast(), &To::IID, &mut out)
        )
    };
    if hr.is_err() {
        return None;
    }
    NonNull::new(out.cast())
}
