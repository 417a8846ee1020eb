//! The constants of httpserv.h: notification masks, flags, priority aliases
//! and user-variable names.

use crate::handle::{WStr, wstr};
use core::ffi::CStr;

macro_rules! masks {
    ($(#[$doc:meta])* $flags:ident { $($(#[doc = $cdoc:literal])* $raw:ident / $flag:ident = $value:expr),* $(,)? }) => {
        $(
            $(#[doc = $cdoc])*
            pub const $raw: u32 = $value;
        )*
        bitflags::bitflags! {
            $(#[$doc])*
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
            pub struct $flags: u32 {
                $(
                    $(#[doc = $cdoc])*
                    const $flag = $raw;
                )*
            }
        }
    };
}

masks! {
    /// The `RQ_*` request notification mask of
    /// `IHttpModuleRegistrationInfo::SetRequestNotifications`.
    RequestNotifications {
        /// `RQ_BEGIN_REQUEST`
        RQ_BEGIN_REQUEST / BEGIN_REQUEST = 0x0000_0001,
        /// `RQ_AUTHENTICATE_REQUEST`
        RQ_AUTHENTICATE_REQUEST / AUTHENTICATE_REQUEST = 0x0000_0002,
        /// `RQ_AUTHORIZE_REQUEST`
        RQ_AUTHORIZE_REQUEST / AUTHORIZE_REQUEST = 0x0000_0004,
        /// `RQ_RESOLVE_REQUEST_CACHE`
        RQ_RESOLVE_REQUEST_CACHE / RESOLVE_REQUEST_CACHE = 0x0000_0008,
        /// `RQ_MAP_REQUEST_HANDLER`
        RQ_MAP_REQUEST_HANDLER / MAP_REQUEST_HANDLER = 0x0000_0010,
        /// `RQ_ACQUIRE_REQUEST_STATE`
        RQ_ACQUIRE_REQUEST_STATE / ACQUIRE_REQUEST_STATE = 0x0000_0020,
        /// `RQ_PRE_EXECUTE_REQUEST_HANDLER`
        RQ_PRE_EXECUTE_REQUEST_HANDLER / PRE_EXECUTE_REQUEST_HANDLER = 0x0000_0040,
        /// `RQ_EXECUTE_REQUEST_HANDLER`
        RQ_EXECUTE_REQUEST_HANDLER / EXECUTE_REQUEST_HANDLER = 0x0000_0080,
        /// `RQ_RELEASE_REQUEST_STATE`
        RQ_RELEASE_REQUEST_STATE / RELEASE_REQUEST_STATE = 0x0000_0100,
        /// `RQ_UPDATE_REQUEST_CACHE`
        RQ_UPDATE_REQUEST_CACHE / UPDATE_REQUEST_CACHE = 0x0000_0200,
        /// `RQ_LOG_REQUEST`
        RQ_LOG_REQUEST / LOG_REQUEST = 0x0000_0400,
        /// `RQ_END_REQUEST`
        RQ_END_REQUEST / END_REQUEST = 0x0000_0800,
        /// `RQ_SEND_RESPONSE_STATUS_AND_HEADERS`
        RQ_SEND_RESPONSE_STATUS_AND_HEADERS / SEND_RESPONSE_STATUS_AND_HEADERS = 0x0800_0000,
        /// `RQ_CUSTOM_NOTIFICATION`
        RQ_CUSTOM_NOTIFICATION / CUSTOM_NOTIFICATION = 0x1000_0000,
        /// `RQ_SEND_RESPONSE`
        RQ_SEND_RESPONSE / SEND_RESPONSE = 0x2000_0000,
        /// `RQ_READ_ENTITY`
        RQ_READ_ENTITY / READ_ENTITY = 0x4000_0000,
        /// `RQ_MAP_PATH`
        RQ_MAP_PATH / MAP_PATH = 0x8000_0000,
    }
}

masks! {
    /// The `GL_*` global notification mask of
    /// `IHttpModuleRegistrationInfo::SetGlobalNotifications`.
    GlobalNotifications {
        /// `GL_STOP_LISTENING`
        GL_STOP_LISTENING / STOP_LISTENING = 0x0000_0002,
        /// `GL_CACHE_CLEANUP`
        GL_CACHE_CLEANUP / CACHE_CLEANUP = 0x0000_0004,
        /// `GL_CACHE_OPERATION`
        GL_CACHE_OPERATION / CACHE_OPERATION = 0x0000_0010,
        /// `GL_HEALTH_CHECK`
        GL_HEALTH_CHECK / HEALTH_CHECK = 0x0000_0020,
        /// `GL_CONFIGURATION_CHANGE`
        GL_CONFIGURATION_CHANGE / CONFIGURATION_CHANGE = 0x0000_0040,
        /// `GL_FILE_CHANGE`
        GL_FILE_CHANGE / FILE_CHANGE = 0x0000_0080,
        /// `GL_PRE_BEGIN_REQUEST`
        GL_PRE_BEGIN_REQUEST / PRE_BEGIN_REQUEST = 0x0000_0100,
        /// `GL_APPLICATION_START`
        GL_APPLICATION_START / APPLICATION_START = 0x0000_0200,
        /// `GL_APPLICATION_RESOLVE_MODULES`
        GL_APPLICATION_RESOLVE_MODULES / APPLICATION_RESOLVE_MODULES = 0x0000_0400,
        /// `GL_APPLICATION_STOP`
        GL_APPLICATION_STOP / APPLICATION_STOP = 0x0000_0800,
        /// `GL_RSCA_QUERY`
        GL_RSCA_QUERY / RSCA_QUERY = 0x0000_1000,
        /// `GL_TRACE_EVENT`
        GL_TRACE_EVENT / TRACE_EVENT = 0x0000_2000,
        /// `GL_CUSTOM_NOTIFICATION`
        GL_CUSTOM_NOTIFICATION / CUSTOM_NOTIFICATION = 0x0000_4000,
        /// `GL_THREAD_CLEANUP`
        GL_THREAD_CLEANUP / THREAD_CLEANUP = 0x0000_8000,
        /// `GL_APPLICATION_PRELOAD`
        GL_APPLICATION_PRELOAD / APPLICATION_PRELOAD = 0x0001_0000,
        /// `GL_SUSPEND_PROCESS`
        GL_SUSPEND_PROCESS / SUSPEND_PROCESS = 0x0002_0000,
    }
}

masks! {
    /// The `CLONE_FLAG_*` flags of `IHttpContext::CloneContext`.
    CloneFlags {
        /// `CLONE_FLAG_BASICS`: URL, query string and method.
        CLONE_FLAG_BASICS / BASICS = 0x01,
        /// `CLONE_FLAG_HEADERS`: the request headers.
        CLONE_FLAG_HEADERS / HEADERS = 0x02,
        /// `CLONE_FLAG_ENTITY`: the entity body.
        CLONE_FLAG_ENTITY / ENTITY = 0x04,
        /// `CLONE_FLAG_NO_PRECONDITION`: drop `Range` and `If-*` headers.
        CLONE_FLAG_NO_PRECONDITION / NO_PRECONDITION = 0x08,
        /// `CLONE_FLAG_NO_DAV`: drop WebDAV headers.
        CLONE_FLAG_NO_DAV / NO_DAV = 0x10,
        /// `CLONE_FLAG_USER_CACHE_VARY_BY`.
        CLONE_FLAG_USER_CACHE_VARY_BY / USER_CACHE_VARY_BY = 0x20,
        /// `CLONE_FLAG_SERVER_VARIABLE`.
        CLONE_FLAG_SERVER_VARIABLE / SERVER_VARIABLE = 0x40,
    }
}

masks! {
    /// The `EXECUTE_FLAG_*` flags of `IHttpContext::ExecuteRequest`.
    ExecuteFlags {
        /// `EXECUTE_FLAG_NO_HEADERS`
        EXECUTE_FLAG_NO_HEADERS / NO_HEADERS = 0x01,
        /// `EXECUTE_FLAG_IGNORE_CURRENT_INTERCEPTOR`
        EXECUTE_FLAG_IGNORE_CURRENT_INTERCEPTOR / IGNORE_CURRENT_INTERCEPTOR = 0x02,
        /// `EXECUTE_FLAG_IGNORE_APPPOOL`
        EXECUTE_FLAG_IGNORE_APPPOOL / IGNORE_APPPOOL = 0x04,
        /// `EXECUTE_FLAG_DISABLE_CUSTOM_ERROR`
        EXECUTE_FLAG_DISABLE_CUSTOM_ERROR / DISABLE_CUSTOM_ERROR = 0x08,
        /// `EXECUTE_FLAG_SAME_URL`
        EXECUTE_FLAG_SAME_URL / SAME_URL = 0x10,
        /// `EXECUTE_FLAG_BUFFER_RESPONSE`
        EXECUTE_FLAG_BUFFER_RESPONSE / BUFFER_RESPONSE = 0x20,
        /// `EXECUTE_FLAG_HTTP_CACHE_ELIGIBLE`
        EXECUTE_FLAG_HTTP_CACHE_ELIGIBLE / HTTP_CACHE_ELIGIBLE = 0x40,
    }
}

/// `PRIORITY_ALIAS_FIRST`: run before the other modules of a notification.
pub const PRIORITY_ALIAS_FIRST: &WStr = wstr!("FIRST");
/// `PRIORITY_ALIAS_HIGH`
pub const PRIORITY_ALIAS_HIGH: &WStr = wstr!("HIGH");
/// `PRIORITY_ALIAS_MEDIUM`: the default.
pub const PRIORITY_ALIAS_MEDIUM: &WStr = wstr!("MEDIUM");
/// `PRIORITY_ALIAS_LOW`
pub const PRIORITY_ALIAS_LOW: &WStr = wstr!("LOW");
/// `PRIORITY_ALIAS_LAST`: run after the other modules of a notification.
pub const PRIORITY_ALIAS_LAST: &WStr = wstr!("LAST");

/// `HTTP_USER_VARIABLE_SID`: `IHttpUser::GetUserVariable` name of the SID.
pub const HTTP_USER_VARIABLE_SID: &CStr = c"SID";
/// `HTTP_USER_VARIABLE_CTXT_HANDLE`: the security context handle.
pub const HTTP_USER_VARIABLE_CTXT_HANDLE: &CStr = c"CtxtHandle";
/// `HTTP_USER_VARIABLE_CRED_HANDLE`: the credential handle.
pub const HTTP_USER_VARIABLE_CRED_HANDLE: &CStr = c"CredHandle";

/// The header name of every request `HTTP_HEADER_ID` (index = id), as
/// http.h numbers them: ids 0–19 are shared with responses, 20–40 are
/// request-only.
pub const HTTP_REQUEST_HEADER_NAMES: [&str; 41] = [
    "Cache-Control",
    "Connection",
    "Date",
    "Keep-Alive",
    "Pragma",
    "Trailer",
    "Transfer-Encoding",
    "Upgrade",
    "Via",
    "Warning",
    "Allow",
    "Content-Length",
    "Content-Type",
    "Content-Encoding",
    "Content-Language",
    "Content-Location",
    "Content-MD5",
    "Content-Range",
    "Expires",
    "Last-Modified",
    "Accept",
    "Accept-Charset",
    "Accept-Encoding",
    "Accept-Language",
    "Authorization",
    "Cookie",
    "Expect",
    "From",
    "Host",
    "If-Match",
    "If-Modified-Since",
    "If-None-Match",
    "If-Range",
    "If-Unmodified-Since",
    "Max-Forwards",
    "Proxy-Authorization",
    "Referer",
    "Range",
    "TE",
    "Translate",
    "User-Agent",
];

/// The header name of every response `HTTP_HEADER_ID` (index = id): ids
/// 0–19 are shared with requests, 20–29 are response-only (and reuse the
/// numbers of different request headers).
pub const HTTP_RESPONSE_HEADER_NAMES: [&str; 30] = [
    "Cache-Control",
    "Connection",
    "Date",
    "Keep-Alive",
    "Pragma",
    "Trailer",
    "Transfer-Encoding",
    "Upgrade",
    "Via",
    "Warning",
    "Allow",
    "Content-Length",
    "Content-Type",
    "Content-Encoding",
    "Content-Language",
    "Content-Location",
    "Content-MD5",
    "Content-Range",
    "Expires",
    "Last-Modified",
    "Accept-Ranges",
    "Age",
    "ETag",
    "Location",
    "Proxy-Authenticate",
    "Retry-After",
    "Server",
    "Set-Cookie",
    "Vary",
    "WWW-Authenticate",
];
