//! Scalar, enum and opaque types that httpserv.h declares or uses.

use crate::{
    HRESULT, IHttpCompletionInfo2, IHttpContext3, IHttpModuleRegistrationInfo, IHttpServer,
};
use core::ffi::c_void;

/// `HTTP_REQUEST`: http.h maps it to `HTTP_REQUEST_V2` for every Windows
/// version IIS 7 and later run on.
pub type HTTP_REQUEST = crate::HTTP_REQUEST_V2;
/// `HTTP_RESPONSE`: http.h maps it to `HTTP_RESPONSE_V2`.
pub type HTTP_RESPONSE = crate::HTTP_RESPONSE_V2;

/// `HTTP_MODULE_ID`: an opaque module identity handed out by IIS at
/// registration and used as the key of module context storage.
pub type HTTP_MODULE_ID = *mut c_void;

/// `PFN_REGISTERMODULE`: the signature of the `RegisterModule` export
/// (`WINAPI`, i.e. stdcall on x86).
pub type PFN_REGISTERMODULE = unsafe extern "system" fn(
    server_version: u32,
    module_info: *mut IHttpModuleRegistrationInfo,
    global_info: *mut IHttpServer,
) -> HRESULT;

/// `MODULE_REGISTERMODULE`: the name of the export IIS looks up.
pub const MODULE_REGISTERMODULE: &str = "RegisterModule";

/// `PFN_ASYNC_COMPLETION`: the custom completion routine of
/// `IHttpRequest3::ReadEntityBody`, `IHttpResponse2::WriteEntityChunks` and
/// `IHttpResponse2::Flush` (`WINAPI`; may be null, hence the `Option`).
pub type PFN_ASYNC_COMPLETION = Option<
    unsafe extern "system" fn(
        context: *mut IHttpContext3,
        completion_info: *mut IHttpCompletionInfo2,
        completion_context: *mut c_void,
    ) -> REQUEST_NOTIFICATION_STATUS,
>;

macro_rules! c_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $value:expr),* $(,)? }) => {
        $(#[$doc])*
        ///
        /// A C++ `enum` (4 bytes): a newtype over `i32`, so any value the
        /// other side sends is representable.
        #[repr(transparent)]
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        pub struct $name(pub i32);
        $(
            $(#[$vdoc])*
            pub const $variant: $name = $name($value);
        )*
    };
}

c_enum! {
    /// `REQUEST_NOTIFICATION_STATUS`: what a request notification returns.
    REQUEST_NOTIFICATION_STATUS {
        /// Continue with the next module / notification.
        RQ_NOTIFICATION_CONTINUE = 0,
        /// The module completes the notification asynchronously.
        RQ_NOTIFICATION_PENDING = 1,
        /// Stop processing; go to the end-of-request notifications.
        RQ_NOTIFICATION_FINISH_REQUEST = 2,
    }
}

c_enum! {
    /// `GLOBAL_NOTIFICATION_STATUS`: what a global notification returns.
    GLOBAL_NOTIFICATION_STATUS {
        /// Continue with the next global module.
        GL_NOTIFICATION_CONTINUE = 0,
        /// The notification is handled; later modules are skipped.
        GL_NOTIFICATION_HANDLED = 1,
    }
}

c_enum! {
    /// `CACHE_OPERATION`: the operation of a global cache notification.
    CACHE_OPERATION {
        /// Retrieve an entry.
        CACHE_OPERATION_RETRIEVE = 0,
        /// Add an entry.
        CACHE_OPERATION_ADD = 1,
        /// Delete an entry.
        CACHE_OPERATION_DELETE = 2,
        /// Flush entries under a prefix.
        CACHE_OPERATION_FLUSH_PREFIX = 3,
        /// Enumerate entries.
        CACHE_OPERATION_ENUM = 4,
    }
}

c_enum! {
    /// `HTTP_SERVER_INTERFACE_VERSION`: the argument of
    /// `IHttpServer::GetExtendedInterface`.
    HTTP_SERVER_INTERFACE_VERSION {
        /// Ask for `IHttpServer2`.
        HTTP_SERVER_INTERFACE_V2 = 0,
        /// Ask for `IHttpServer3`.
        HTTP_SERVER_INTERFACE_V3 = 1,
    }
}

c_enum! {
    /// `HTTP_CONTEXT_INTERFACE_VERSION`: an empty enum the header marks
    /// deprecated; it only appears as a parameter type.
    HTTP_CONTEXT_INTERFACE_VERSION {}
}

macro_rules! opaque {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        ///
        /// Opaque here: only pointers to it cross the IIS ABI.
        #[repr(C)]
        #[derive(Debug)]
        pub struct $name {
            _private: [u8; 0],
            _not_send_sync: core::marker::PhantomData<*mut u8>,
        }
    )*};
}

opaque! {
    /// `IAppHostAdminManager` (ahadmin.h): the configuration system.
    IAppHostAdminManager,
    /// `IAppHostConfigException` (ahadmin.h): a configuration error.
    IAppHostConfigException,
    /// `IWpfSettings`: worker process settings (declared outside httpserv.h).
    IWpfSettings,
    /// `IWorkerProcessFramework` (declared outside httpserv.h).
    IWorkerProcessFramework,
    /// `HTTP_TRACE_EVENT` (httptrace.h, not in the Windows metadata).
    HTTP_TRACE_EVENT,
    /// `HTTP_TRACE_CONFIGURATION` (httptrace.h, not in the Windows metadata).
    HTTP_TRACE_CONFIGURATION,
}
