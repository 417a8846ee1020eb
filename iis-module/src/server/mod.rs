//! What the worker process offers every module, beyond any one request:
//! the [`HttpServer`] itself, IIS's caches (keys, records, file and token
//! entries), the sites, applications and users requests run under,
//! tracing, custom notifications and module context containers.
//!
//! A request reaches these through its context
//! ([`HttpContext::server`](crate::HttpContext::server),
//! [`HttpContext::file_info`](crate::HttpContext::file_info), …), a global
//! module through its providers and the server of its
//! [`Registration`](crate::Registration).
//!
//! | file | what |
//! |---|---|
//! | `http_server.rs` | [`HttpServer`]: the worker process, fragments, recycling, newer interfaces |
//! | `cache.rs` | [`CacheKey`], [`CacheRecord`]: IIS's server caches |
//! | `file_info.rs` | [`FileInfo`]: the file cache's entry |
//! | `token.rs` | [`TokenEntry`], [`Sid`], [`HandleState`]: Windows security values |
//! | `site.rs` | [`HttpSite`], [`HttpApplication`], [`HttpUser`], [`PerfCounters`] |
//! | `trace.rs` | [`TraceContext`], [`TraceEventData`]: IIS's tracing |
//! | `custom.rs` | custom notifications a module raises ([`HttpServer::notify_custom_notification`]) |
//! | `containers.rs` | [`DispensedContainer`]: module contexts owned by no request |

mod cache;
mod containers;
pub(crate) mod custom;
mod file_info;
mod http_server;
mod site;
mod token;
mod trace;

pub use cache::{
    CacheEntry, CacheKey, CacheOperationKind, CacheRecord, CacheRecordReference, FILE_CACHE_NAME,
    TOKEN_CACHE_NAME, URI_CACHE_NAME,
};
pub use containers::DispensedContainer;
pub use file_info::{FileInfo, FileInfoRef, filetime_to_system_time};
pub use http_server::HttpServer;
pub(crate) use http_server::extended_interface;
pub use site::{HttpApplication, HttpSite, HttpUser, PerfCounters, UserReference};
pub use token::{HandleState, Sid, TokenEntry};
pub use trace::{
    TRACE_EVENT_FLAG_STATIC_DESCRIPTIVE_FIELDS, TraceConfiguration, TraceContext, TraceEventData,
    TraceItem, TraceValue, guid_string,
};
