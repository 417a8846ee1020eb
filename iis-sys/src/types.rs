//! Scalar, enum, struct and opaque types that httpserv.h declares or uses,
//! including the httptrace.h structs of `IHttpTraceContext`.

use crate::{
    BOOL, GUID, HRESULT, IHttpCompletionInfo2, IHttpContext3, IHttpModuleRegistrationInfo,
    IHttpServer, PCWSTR,
};
use core::ffi::c_void;

/// `HTTP_REQUEST`: http.h maps it to `HTTP_REQUEST_V2` for every Windows
/// version IIS 7 and later run on.
pub type HTTP_REQUEST = crate::HTTP_REQUEST_V2;
/// `HTTP_RESPONSE`: http.h maps it to `HTTP_RESPONSE_V2`.
pub type HTTP_RESPONSE = crate::HTTP_RESPONSE_V2;

/// `HTTP_MODULE_ID`: an opaque module identity handed out by IIS at
/// registration (`IHttpModuleRegistrationInfo::GetId`) and used as the key
/// of module context storage.
///
/// IIS may follow the id as a pointer, so only ids it issued may be passed
/// back: safe code gets one only from `GetId` (or a copy), which is why the
/// generated methods taking one are safe. `repr(transparent)`: passed
/// exactly as httpserv.h's `VOID *`.
#[repr(transparent)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HTTP_MODULE_ID(*mut c_void);

// SAFETY: an opaque key, never dereferenced on this side; IIS takes it from
// any thread.
unsafe impl Send for HTTP_MODULE_ID {}
// SAFETY: as above.
unsafe impl Sync for HTTP_MODULE_ID {}

impl HTTP_MODULE_ID {
    /// The id `raw`, as a server hands it out.
    ///
    /// # Safety
    /// `raw` is an id the server issued (for a host: one it will recognise
    /// in every call that takes an id).
    pub const unsafe fn from_raw(raw: *mut c_void) -> Self {
        Self(raw)
    }

    /// The raw value, for comparison and for calls across other ABIs.
    pub const fn as_raw(self) -> *mut c_void {
        self.0
    }

    /// Whether this is the null id (what a caller with no id passes).
    pub fn is_null(self) -> bool {
        self.0.is_null()
    }
}

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

/// For the other modules' opaque types (ahadmin.h's too).
pub(crate) use opaque;

opaque! {
    /// `IWpfSettings`: worker process settings (declared outside httpserv.h).
    IWpfSettings,
    /// `IWorkerProcessFramework` (declared outside httpserv.h).
    IWorkerProcessFramework,
}

// httptrace.h: the structs of `IHttpTraceContext` and
// `IGlobalTraceEventProvider`. It is an IIS header, not part of the Windows
// metadata the http.h types are generated from, so these are declared by
// hand, field for field as the header has them.

c_enum! {
    /// `HTTP_TRACE_TYPE` (httptrace.h): the type of an
    /// [`HTTP_TRACE_EVENT_ITEM`]'s data.
    HTTP_TRACE_TYPE {
        /// `BYTE`.
        HTTP_TRACE_TYPE_BYTE = 17,
        /// `USHORT`.
        HTTP_TRACE_TYPE_USHORT = 18,
        /// `ULONG`.
        HTTP_TRACE_TYPE_ULONG = 19,
        /// `ULONGLONG`.
        HTTP_TRACE_TYPE_ULONGLONG = 21,
        /// `CHAR`.
        HTTP_TRACE_TYPE_CHAR = 16,
        /// `SHORT`.
        HTTP_TRACE_TYPE_SHORT = 2,
        /// `LONG`.
        HTTP_TRACE_TYPE_LONG = 3,
        /// `LONGLONG`.
        HTTP_TRACE_TYPE_LONGLONG = 20,
        /// `LPCWSTR`: a NUL-terminated UTF-16 string.
        HTTP_TRACE_TYPE_LPCWSTR = 31,
        /// `LPCSTR`: a NUL-terminated narrow string.
        HTTP_TRACE_TYPE_LPCSTR = 30,
        /// `LPCGUID`: a `GUID`.
        HTTP_TRACE_TYPE_LPCGUID = 72,
        /// `BOOL`.
        HTTP_TRACE_TYPE_BOOL = 11,
    }
}

/// `HTTP_TRACE_EVENT_ITEM` (httptrace.h): one named, typed value of an
/// [`HTTP_TRACE_EVENT`].
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct HTTP_TRACE_EVENT_ITEM {
    /// The item's name.
    pub pszName: PCWSTR,
    /// The type of the data.
    pub dwDataType: HTTP_TRACE_TYPE,
    /// The data, `cbData` bytes.
    pub pbData: *mut u8,
    /// The length of `pbData` in bytes.
    pub cbData: u32,
    /// A description of the data.
    pub pszDataDescription: PCWSTR,
}

/// `HTTP_TRACE_EVENT` (httptrace.h): the event of
/// `IHttpTraceContext::RaiseTraceEvent` and
/// `IGlobalTraceEventProvider::GetTraceEvent`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct HTTP_TRACE_EVENT {
    /// The trace provider.
    pub pProviderGuid: *const GUID,
    /// The area within the provider, a bit of its area mask.
    pub dwArea: u32,
    /// The area's GUID.
    pub pAreaGuid: *const GUID,
    /// The event's number.
    pub dwEvent: u32,
    /// The event's name.
    pub pszEventName: PCWSTR,
    /// The event's version.
    pub dwEventVersion: u32,
    /// The event's verbosity (`TRACE_LEVEL_*`, 0–5).
    pub dwVerbosity: u32,
    /// The activity the event belongs to (may be null).
    pub pActivityGuid: *const GUID,
    /// A related activity (may be null).
    pub pRelatedActivityGuid: *const GUID,
    /// A timestamp.
    pub dwTimeStamp: u32,
    /// `HTTP_TRACE_EVENT_FLAG_*` flags.
    pub dwFlags: u32,
    /// The number of items at `pEventItems`.
    pub cEventItems: u32,
    /// The event's items, `cEventItems` of them.
    pub pEventItems: *mut HTTP_TRACE_EVENT_ITEM,
}

/// `HTTP_TRACE_EVENT_FLAG_STATIC_DESCRIPTIVE_FIELDS` (httptrace.h): the
/// names and descriptions of an [`HTTP_TRACE_EVENT`] and its items are
/// static strings.
pub const HTTP_TRACE_EVENT_FLAG_STATIC_DESCRIPTIVE_FIELDS: u32 = 0x01;

/// `HTTP_TRACE_CONFIGURATION` (httptrace.h): how a trace provider is
/// configured (`IHttpTraceContext::GetTraceConfiguration`, where
/// `pProviderGuid` is the input) or is to be
/// (`IHttpTraceContext::SetTraceConfiguration`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct HTTP_TRACE_CONFIGURATION {
    /// The trace provider.
    pub pProviderGuid: *const GUID,
    /// The enabled areas, a bit mask.
    pub dwAreas: u32,
    /// The highest verbosity enabled (`TRACE_LEVEL_*`, 0–5).
    pub dwVerbosity: u32,
    /// Whether the provider is enabled.
    pub fProviderEnabled: BOOL,
}
