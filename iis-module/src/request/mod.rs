//! Request modules and the request they see.
//!
//! A request module implements [`HttpModule`]: one instance per request,
//! one hook per notification of the integrated pipeline. This module holds
//! the trait, what its hooks return ([`Flow`], [`Pending`],
//! [`CompletionHandle`]), the provider each hook receives beside the
//! context ([`SendResponse`], [`MapPath`], …), and the views of the request
//! being processed: its [`HttpContext`], [`HttpRequest`], [`HttpResponse`],
//! connection, child requests, cache policy, log entry, handler mapping and
//! the values a module stores on them.
//!
//! What belongs to the whole worker process rather than one request (the
//! server, its caches, sites, users, tracing) is in [`crate::server`];
//! global modules are in [`crate::global`], the futures of `async fn`
//! hooks in [`crate::task`].
//!
//! | file | what |
//! |---|---|
//! | `module.rs` | [`HttpModule`]: the hooks, generated from iis-sys's notification table |
//! | `flow.rs` | [`Flow`], [`Pending`], [`CompletionHandle`] |
//! | `providers.rs` | the providers of request notifications |
//! | `context.rs`, `notifications.rs` | [`HttpContext`]: the request being processed, where it is in the pipeline |
//! | `request.rs`, `headers.rs` | [`HttpRequest`]: method, URL, headers, body |
//! | `response.rs`, `http2.rs` | [`HttpResponse`]: where a response is written |
//! | `connection.rs`, `connection_slot.rs` | the client connection and what waits for it to close |
//! | `child.rs` | [`ChildRequest`]s |
//! | `stored.rs` | typed module contexts on a request, connection, site or application |
//! | `cache_policy.rs`, `log_data.rs`, `metadata.rs`, `script_map.rs` | what IIS decided for the request: output cache, log entry, configuration, handler |
//! | `allocator.rs`, `user.rs`, `memory.rs` | request-pool memory, an authenticated user the module creates |

pub(crate) mod allocator;
mod cache_policy;
mod child;
mod connection;
pub(crate) mod connection_slot;
mod context;
pub(crate) mod flow;
mod headers;
mod http2;
mod http_request;
mod log_data;
mod memory;
mod metadata;
pub(crate) mod module;
mod notifications;
mod providers;
mod response;
mod script_map;
pub(crate) mod stored;
mod user;

pub use allocator::{ModuleAllocator, PoolBuffer, PoolGuard};
pub use cache_policy::{CachePolicy, CachePolicyKind, CacheSetting};
pub use child::ChildRequest;
pub use connection::HttpConnection;
pub use connection_slot::ClientDisconnect;
pub use context::{HttpContext, UrlInfo};
pub use flow::{CompletionHandle, Flow, Pending};
pub use headers::HeaderKey;
pub use http_request::{ClientCertificate, HttpRequest, RawRequest};
pub use http2::Http2Response;
pub use iis_sys::{CloneFlags, ExecuteFlags, RequestNotifications};
pub use log_data::LogFields;
pub use metadata::Metadata;
pub use module::{HttpModule, RequestHooks};
pub use notifications::{ContextId, ExecutionStats, NextNotification};
pub use providers::{
    Authentication, Completion, CustomNotification, Event, MapHandler, MapPath, ReadEntity,
    SendResponse,
};
pub(crate) use response::memory_chunk;
pub use response::{ConnectionReset, HttpResponse, RawResponse, ResponseStatus};
pub use script_map::ScriptMap;
pub use user::AuthenticatedUser;
