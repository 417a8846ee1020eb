//! The views a hook works with: context, request, response, server, and
//! what surrounds them.

mod cache;
mod cache_policy;
mod child;
mod connection;
pub(crate) mod connection_slot;
mod containers;
mod context;
mod custom;
mod file_info;
mod headers;
mod http2;
mod memory;
mod metadata;
mod notifications;
mod request;
mod response;
mod script_map;
mod server;
mod site;
mod stored;
mod token;
mod trace;

pub use cache::{
    CacheEntry, CacheKey, CacheOperationKind, CacheRecord, CacheRecordReference, FILE_CACHE_NAME,
    TOKEN_CACHE_NAME, URI_CACHE_NAME,
};
pub use cache_policy::{CachePolicy, CachePolicyKind, CacheSetting};
pub use child::ChildRequest;
pub use connection::HttpConnection;
pub use connection_slot::ClientDisconnect;
pub use containers::DispensedContainer;
pub use context::{HttpContext, UrlInfo};
pub use file_info::{FileInfo, FileInfoRef, filetime_to_system_time};
pub use headers::HeaderKey;
pub use http2::Http2Response;
pub use metadata::Metadata;
pub use notifications::{ContextId, ExecutionStats, NextNotification};
pub use request::{ClientCertificate, HttpRequest, RawRequest};
pub(crate) use response::memory_chunk;
pub use response::{ConnectionReset, HttpResponse, RawResponse, ResponseStatus};
pub use script_map::ScriptMap;
pub use server::HttpServer;
pub(crate) use server::extended_interface;
pub use site::{HttpApplication, HttpSite, HttpUser, PerfCounters, UserReference};
pub use token::{HandleState, Sid, TokenEntry};
pub use trace::{
    TRACE_EVENT_FLAG_STATIC_DESCRIPTIVE_FIELDS, TraceConfiguration, TraceContext, TraceEventData,
    TraceItem, TraceValue, guid_string,
};
