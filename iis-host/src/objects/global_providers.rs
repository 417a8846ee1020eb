//! The providers of the global notifications iis-host raises beyond the
//! request pipeline: `GL_APPLICATION_RESOLVE_MODULES`
//! (`IHttpApplicationResolveModulesProvider`), `GL_THREAD_CLEANUP`
//! (`IGlobalThreadCleanupProvider`) and `GL_RSCA_QUERY`
//! (`IGlobalRSCAQueryProvider`). Like every provider, each data starts with
//! a [`ProviderBase`], so `SetErrorStatus` is the shared, recording slot.

use std::sync::Mutex;

use iis_sys::{
    HRESULT, HTTP_MODULE_ID, IGlobalRSCAQueryProvider, IGlobalRSCAQueryProviderVtbl,
    IGlobalThreadCleanupProvider, IGlobalThreadCleanupProviderVtbl, IHttpApplication,
    IHttpApplicationProvider, IHttpApplicationProviderVtbl, IHttpApplicationResolveModulesProvider,
    IHttpApplicationResolveModulesProviderVtbl, IHttpModuleFactory, PCWSTR, define_member_fn,
};

use crate::ffi::{E_INVALIDARG, E_NOTIMPL, S_OK, lock, put};
use crate::objects::providers::{EVENT_VTBL, ProviderBase};
use crate::objects::{Obj, with_data};
use crate::state::host::HostCore;

define_member_fn! {
    /// `GetApplication` of the application and thread-cleanup providers:
    /// the one emulated application.
    unsafe fn provider_application(this: *mut IHttpApplicationProvider) -> *mut IHttpApplication {
        with_data!(this, std::ptr::null_mut(), |base: ProviderBase| {
            // SAFETY: the host outlives every notification.
            unsafe { &*base.host.0 }.application_ptr()
        })
    }

    /// `IGlobalThreadCleanupProvider::GetApplication`.
    unsafe fn thread_application(this: *mut IGlobalThreadCleanupProvider) -> *mut IHttpApplication {
        with_data!(this, std::ptr::null_mut(), |base: ProviderBase| {
            // SAFETY: the host outlives every notification.
            unsafe { &*base.host.0 }.application_ptr()
        })
    }

    /// `IHttpApplicationResolveModulesProvider::RegisterModule`: iis-host
    /// has no per-application module list to add to.
    unsafe fn resolve_register(_this: *mut IHttpApplicationResolveModulesProvider, _id: HTTP_MODULE_ID, _factory: *mut IHttpModuleFactory, _name: PCWSTR, _image: PCWSTR, _precondition: PCWSTR, _request: u32, _post: u32) -> HRESULT {
        E_NOTIMPL
    }

    /// `IHttpApplicationResolveModulesProvider::SetPriorityForRequestNotification`.
    unsafe fn resolve_priority(_this: *mut IHttpApplicationResolveModulesProvider, _name: PCWSTR, _notification: u32, _priority: PCWSTR) -> HRESULT {
        E_NOTIMPL
    }
}

/// `IHttpApplicationResolveModulesProvider` (GL_APPLICATION_RESOLVE_MODULES).
static RESOLVE_MODULES_VTBL: IHttpApplicationResolveModulesProviderVtbl =
    IHttpApplicationResolveModulesProviderVtbl {
        base: IHttpApplicationProviderVtbl {
            base: EVENT_VTBL,
            GetApplication: provider_application,
        },
        RegisterModule: resolve_register,
        SetPriorityForRequestNotification: resolve_priority,
    };

/// `IGlobalThreadCleanupProvider` (GL_THREAD_CLEANUP).
static THREAD_CLEANUP_VTBL: IGlobalThreadCleanupProviderVtbl = IGlobalThreadCleanupProviderVtbl {
    base: EVENT_VTBL,
    GetApplication: thread_application,
};

/// A ResolveModules provider.
pub(crate) fn resolve_modules(host: &HostCore) -> Obj<ProviderBase> {
    Obj::new(&RESOLVE_MODULES_VTBL, ProviderBase::global(host))
}

/// A ThreadCleanup provider.
pub(crate) fn thread_cleanup(host: &HostCore) -> Obj<ProviderBase> {
    Obj::new(&THREAD_CLEANUP_VTBL, ProviderBase::global(host))
}

/// What the modules answered to an RSCA query
/// ([`Host::notify_rsca_query`](crate::Host::notify_rsca_query)).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct RscaResult {
    /// Whether a module returned `GL_NOTIFICATION_HANDLED`.
    pub handled: bool,
    /// The output buffer's first `SetResult` bytes (all of it if no module
    /// called `SetResult`).
    pub output: Vec<u8>,
    /// The HRESULT of the last `SetResult`, if any.
    pub result: Option<HRESULT>,
}

/// `IGlobalRSCAQueryProvider` data.
#[repr(C)]
pub(crate) struct RscaData {
    base: ProviderBase,
    function: Box<[u16]>,
    parameters: Box<[u16]>,
    /// The output buffer; its heap block moves only on `ResizeOutputBuffer`.
    output: Mutex<Vec<u8>>,
    result: Mutex<Option<(u32, HRESULT)>>,
}

impl RscaData {
    /// The answer after the notification.
    pub(crate) fn result(&self, handled: bool) -> RscaResult {
        let output = lock(&self.output);
        let result = *lock(&self.result);
        let len = result.map_or(output.len(), |(n, _)| (n as usize).min(output.len()));
        RscaResult {
            handled,
            output: output[..len].to_vec(),
            result: result.map(|(_, hr)| hr),
        }
    }
}

fn terminated(units: &[u16]) -> Box<[u16]> {
    units.iter().copied().chain([0]).collect()
}

define_member_fn! {
    /// `GetFunctionName`.
    unsafe fn rsca_function(this: *mut IGlobalRSCAQueryProvider) -> PCWSTR {
        with_data!(this, PCWSTR::null(), |data: RscaData| PCWSTR(data.function.as_ptr()))
    }

    /// `GetFunctionParameters`.
    unsafe fn rsca_parameters(this: *mut IGlobalRSCAQueryProvider) -> PCWSTR {
        with_data!(this, PCWSTR::null(), |data: RscaData| PCWSTR(data.parameters.as_ptr()))
    }

    /// `GetOutputBuffer(cbBuffer, ppbBuffer)`: a zeroed buffer of `cbBuffer`
    /// bytes, valid for the notification.
    unsafe fn rsca_output(this: *mut IGlobalRSCAQueryProvider, size: u32, buffer: *mut *mut u8) -> HRESULT {
        with_data!(this, E_INVALIDARG, |data: RscaData| {
            if buffer.is_null() {
                return E_INVALIDARG;
            }
            let mut output = lock(&data.output);
            *output = vec![0; size as usize];
            // SAFETY: `buffer` is non-null and writable.
            unsafe { put(buffer, output.as_mut_ptr()) };
            S_OK
        })
    }

    /// `ResizeOutputBuffer(cbNewBuffer, cbBytesToCopy, ppbBuffer)`.
    unsafe fn rsca_resize(this: *mut IGlobalRSCAQueryProvider, size: u32, copy: u32, buffer: *mut *mut u8) -> HRESULT {
        with_data!(this, E_INVALIDARG, |data: RscaData| {
            if buffer.is_null() || copy > size {
                return E_INVALIDARG;
            }
            let mut output = lock(&data.output);
            let mut resized = vec![0; size as usize];
            let keep = (copy as usize).min(output.len());
            resized[..keep].copy_from_slice(&output[..keep]);
            *output = resized;
            // SAFETY: `buffer` is non-null and writable.
            unsafe { put(buffer, output.as_mut_ptr()) };
            S_OK
        })
    }

    /// `SetResult(cbData, hr)`.
    unsafe fn rsca_set_result(this: *mut IGlobalRSCAQueryProvider, size: u32, hr: HRESULT) {
        with_data!(this, (), |data: RscaData| *lock(&data.result) = Some((size, hr)))
    }
}

/// `IGlobalRSCAQueryProvider` (GL_RSCA_QUERY).
static RSCA_VTBL: IGlobalRSCAQueryProviderVtbl = IGlobalRSCAQueryProviderVtbl {
    base: EVENT_VTBL,
    GetFunctionName: rsca_function,
    GetFunctionParameters: rsca_parameters,
    GetOutputBuffer: rsca_output,
    ResizeOutputBuffer: rsca_resize,
    SetResult: rsca_set_result,
};

/// An RSCA query provider.
pub(crate) fn rsca_query(host: &HostCore, function: &[u16], parameters: &[u16]) -> Obj<RscaData> {
    Obj::new(
        &RSCA_VTBL,
        RscaData {
            base: ProviderBase::global(host),
            function: terminated(function),
            parameters: terminated(parameters),
            output: Mutex::new(Vec::new()),
            result: Mutex::new(None),
        },
    )
}
