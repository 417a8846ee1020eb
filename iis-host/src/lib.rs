//! iis-host: the IIS integrated pipeline emulated in Rust — the host side of
//! the httpserv.h ABI — so that IIS native modules (C++ or Rust, built as
//! `.dll` or `.so`) can be loaded and tested without IIS, on any OS.
//!
//! ```no_run
//! use iis_host::Host;
//! let host = Host::builder()
//!     .module(iis_host::testing::build_cdylib("my_module")?)
//!     .build()?;
//! let transcript = host.get("/hello");
//! assert_eq!(transcript.status, 200);
//! for line in transcript.notification_lines() {
//!     println!("{line}");
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! For assertions the way axum tests make them,
//! [`Transcript::into_response`] gives the `http::Response<Bytes>` the
//! client received (with the transcript in its extensions), and with the
//! `tower` feature `Host::into_service` makes the host a
//! `tower::Service<http::Request<B>>` (`HostService`), for
//! `tower::ServiceExt::oneshot`. A [`Transcript`] prints what a failing
//! test needs to see.
//!
//! # What it does, as IIS does
//!
//! * **Loading**: the library is opened with `libloading`, `RegisterModule`
//!   is called with the server version, an `IHttpModuleRegistrationInfo2`
//!   and the `IHttpServer3`; a missing export or a failing HRESULT is a
//!   [`HostError`] naming the library and the HRESULT. Libraries stay loaded
//!   for the life of the process, as IIS never unloads a module while its
//!   worker process runs.
//! * **Server version**: `dwServerVersion` is `0x000A0000`,
//!   `MAKELONG(0, 10)` for IIS 10.0 — how IIS encodes it and how the ASP.NET
//!   Core Module reads it (`> MAKELONG(0, 7)` means "newer than 7.0"); the
//!   IIS docs only say "the IIS major version". Configurable
//!   ([`HostConfig::server_version`]).
//! * **Order** ([see `loader`'s rules](HostBuilder::module)): by priority
//!   (`FIRST` … `LAST`), then load order; inverted for `RQ_SEND_RESPONSE`, as
//!   the `SetPriorityForRequestNotification` docs say. Post-notifications
//!   follow the same order (or the priority set with
//!   `SetPriorityForPostRequestNotification`).
//! * **Pipeline**: `GL_PRE_BEGIN_REQUEST`, the twelve stages each with its
//!   post-notification, SendResponse before each send (end of request, after
//!   UpdateRequestCache; `Flush`; unbuffered writes), `RQ_READ_ENTITY` on
//!   `ReadEntityBody`, `RQ_MAP_PATH` on `MapPath` and when the request's
//!   own URL is first mapped (at MapRequestHandler, or earlier on
//!   `GetPhysicalPath`/`GetScriptTranslated`; again after `SetUrl`),
//!   `RQ_CUSTOM_NOTIFICATION` on `IHttpContext::NotifyCustomNotification`.
//!   `DisableNotifications` stops a module's notifications;
//!   `GetNextNotification(CONTINUE)` hands a module its own next dispatch
//!   (which the pipeline then skips); `GetIsLastNotification(status)` is
//!   `TRUE` while the module has notifications pending, as documented.
//!   `GetUser` is null until AuthenticateRequest has run, then the user a
//!   module set or the anonymous user.
//!   `RQ_NOTIFICATION_FINISH_REQUEST` skips to the final send, LogRequest
//!   and EndRequest. `RQ_NOTIFICATION_PENDING` parks the request until
//!   `IndicateCompletion(status)` or `PostCompletion(bytes)` (then
//!   `OnAsyncCompletion`), from any thread; see *Threads* below.
//! * **Threads**: as in IIS, notifications run on a worker pool
//!   ([`HostConfig::worker_threads`], threads named `iis-host-worker`), and
//!   a parked request holds none of its threads: the completion queues it
//!   and whichever pool thread is free resumes it, calling
//!   `OnAsyncCompletion` there. A thousand requests left pending cost a
//!   thousand parked tasks, not a thousand threads. Consecutive
//!   notifications of one request may run on different threads, never two
//!   at once. [`Host::run`] and `HostService` (`tower` feature) run requests on the pool;
//!   [`Host::handle`] (whose response sink is borrowed) runs its request on
//!   the calling thread, which sleeps while the request is parked.
//!   `GL_THREAD_CLEANUP` follows each request on the thread that ended it.
//! * **Instances**: one per request and module, from `GetHttpModule` with a
//!   request-pool `IModuleAllocator`, at the module's first notification;
//!   `Dispose` exactly once at request end; `Terminate` on factories and
//!   global modules at [`Host::shutdown`] (also on drop).
//! * **Global notifications**: ApplicationStart then
//!   ApplicationResolveModules (at build, and again when the application
//!   recycles: [`Host::recycle_application`], or
//!   `IHttpServer::RecycleApplication` once its request ends, after an
//!   ApplicationStop), PreBeginRequest (every request), ThreadCleanup (after
//!   every request, as its thread returns to the pool), StopListening and
//!   ApplicationStop (at shutdown), ConfigurationChange
//!   ([`Host::notify_configuration_change`],
//!   `IHttpServer::NotifyConfigurationChange`), FileChange,
//!   CustomNotification (`IHttpServer::NotifyCustomNotification`),
//!   CacheCleanup and HealthCheck ([`Host::notify_cache_cleanup`],
//!   [`Host::notify_health_check`]), RSCAQuery
//!   ([`Host::notify_rsca_query`]), TraceEvent (for `RaiseTraceEvent` events
//!   a module enabled with `SetTraceConfiguration`) and CacheOperation (file
//!   cache lookups, `IHttpServer::DoCacheOperation`,
//!   [`Host::notify_cache_operation`]). `GL_NOTIFICATION_HANDLED` stops the
//!   later modules.
//! * **Files and handlers**: `GetFileInfo` (context and server) is the file
//!   cache's `IHttpFileInfo` of a real file under
//!   [`HostConfig::physical_path`], or the one a MapRequestHandler module
//!   set with `IMapHandlerProvider::SetFileInfo` (whose reference the
//!   request takes over and releases at its end); `GetScriptMap` is the
//!   first matching [`HostConfig::handlers`] mapping (IIS's defaults), fixed
//!   once MapRequestHandler is over (a module there may change it with
//!   `SetScriptMap`, or change the method or URL it is chosen from);
//!   `MapHandler` looks a URL and verb up among the same mappings. A request
//!   no module handled by the end of ExecuteRequestHandler is answered by
//!   that mapping: `StaticFile` is IIS's static file handler under
//!   [`HostConfig::physical_path`] (MIME map, `ETag`, `Last-Modified`, `304`,
//!   `404.3`, `405.0`), with default documents
//!   ([`HostConfig::default_documents`]), the `301` to a directory's slash
//!   form and `403.14`; `OPTIONSVerbHandler` answers `OPTIONS`; a mapping to
//!   a loaded module leaves the response to it; a handler iis-host does not
//!   have (ASP, ASP.NET) gives `404.0`, no mapping `404.4`. The
//!   output-fragment cache (`AddFragmentToCache` …) is kept in memory.
//! * **Configuration**: `IHttpServer::GetAdminManager` is a read-only
//!   `IAppHostAdminManager` whose `GetAdminSection` merges
//!   [`HostConfig::application_host_config`] and the `web.config` files
//!   under [`HostConfig::physical_path`] along the configuration path
//!   (`<location>`, inheritance, collection `add`/`remove`/`clear`,
//!   `overrideMode`, `lockAttributes`, schema defaults from
//!   [`HostConfig::config_schemas`]); a configuration file read before that
//!   changed raises `GL_CONFIGURATION_CHANGE` before the next request.
//!   [`HostBuilder::from_application_host`] also takes the site, its
//!   modules and handlers from the file (docs/configuration.md).
//! * **Logging**: at the final send `ISendResponseProvider::GetReadyToLogData`
//!   is `TRUE` and `GetLogData` returns the request's W3C log entry
//!   (`HTTP_LOG_FIELDS_DATA`, with [`HostConfig::computer_name`] as
//!   `s-computername`); `SetLogData` replaces it. The entry is
//!   [`Transcript::log`]; no log file is written. Before the final send
//!   there is no log data (null; `SetLogData` fails with
//!   `HRESULT_FROM_WIN32(ERROR_INVALID_STATE)`).
//! * **What only Windows has is recorded** in the transcript instead: the
//!   event log (an iis-host extension interface the iis-module SDK asks
//!   for with `IHttpServer2::GetExtendedInterface`; see
//!   [`Host::event_log`]), performance counters, thread-count hints,
//!   kernel-cache flushes, `ReportUnhealthy`/`RecycleProcess`.
//! * **Response**: buffered; headers by id (response ids: http.h's
//!   `HttpHeaderAcceptRanges` = 20 … `HttpHeaderWwwAuthenticate` = 29) or
//!   name with `fReplace`; `Server: Microsoft-IIS/10.0` joins the headers
//!   when the head is about to be sent, before the SendResponse
//!   notification, so a module there can delete it for good; a request nobody handled (no write, no
//!   `SetStatus`, no `SetRequestHandled`) gets its handler's answer (above):
//!   a file, or IIS's `404.0` for a missing one. An error response (400 and
//!   up) without a body of its own gets IIS's error page at the final send,
//!   as from IIS's custom error module: detailed (substatus,
//!   `SetErrorDescription` text, module, notification, HRESULT) for a
//!   loopback client, short for others, per [`HostConfig::error_mode`]; a
//!   status set with `fTrySkipCustomErrors` keeps the response as it is. Each
//!   data chunk written stays one buffered chunk (`EntityChunkCount`);
//!   `WriteEntityChunkByReference` inserts at its position.
//! * **Connection**: `ResetConnection` drops everything not yet written and
//!   resets (RST); `SetNeedDisconnect` sends the response, then closes.
//!   `CloseConnection` — documented as "closes the connection and sends a
//!   reset packet" — is emulated as *close after the response* (like
//!   `SetNeedDisconnect`): an abortive close right after sending would make
//!   the delivery of the response nondeterministic; use `ResetConnection`
//!   for an RST.
//!
//! Every call is recorded: see [`Transcript`]. Every slot of every vtable
//! the host hands out is a real function; null pointers from modules get
//! `E_INVALIDARG` (or null/`FALSE`), never a crash; a panic in host code
//! never unwinds into a module.
//!
//! # What iis-host does not emulate
//!
//! These slots exist and are safe to call, and return what is listed.
//!
//! | interface | slots | returns |
//! |---|---|---|
//! | `IHttpServer` | `AssociateWithThreadPool`, `GetWorkerProcessSettings`, `GetProtocolManagerCustomInterface`, `RegisterFileChangeMonitor` | `E_NOTIMPL` |
//! | `IAppHost*` (configuration) | metadata, schema objects, `get_ConfigManager`, `get_Methods` | `E_NOTIMPL`; every writing method `E_ACCESSDENIED` (the admin manager is read-only, as IIS's) |
//! | `IHttpServer2` | `GetToken`, `GetMetadata`, `GetWorkerProcessFramework` | `E_NOTIMPL` |
//! | `IHttpServer2` | `GetAppPoolConfigFile` | null, length 0 |
//! | `IHttpServer3` | `QueryRequestProperty` | `E_NOTIMPL` |
//! | `IHttpContext` | `GetServerVarChanges`, `GetExtendedInterface` (deprecated) | `E_NOTIMPL` |
//! | `IHttpContext` | `GetScriptMap`, `GetFileInfo` | null when no handler mapping matches / the URL maps to no file |
//! | `IHttpContext3` | `PostCompletion(cbBytes, pfnCompletionRoutine, pvContext)` | `E_NOTIMPL` |
//! | `IHttpRequest` | `NegotiateClientCertificate`, `GetHeaderChanges` | `E_NOTIMPL` |
//! | `IHttpRequest` | `GetClientCertificate` | `HRESULT_FROM_WIN32(ERROR_NOT_FOUND)` (plain HTTP) |
//! | `IHttpRequest` | `GetForwardedUrl` | null unless `SetUrl` named another host |
//! | `IHttpRequest2` | `GetChannelBindingToken` | `E_NOTIMPL` |
//! | `IHttpResponse` | `GetHeaderChanges` | `E_NOTIMPL` |
//! | `IHttpResponse` | `WriteEntityChunks`/`WriteEntityChunkByReference` with chunks other than `HttpDataChunkFromMemory` | `E_NOTIMPL` |
//! | `IHttpResponse3`/`4` | `PushPromise`, `SetTrailer`, `DeleteTrailer` (HTTP/2) | `E_NOTIMPL` |
//! | `IHttpResponse4` | `GetTrailer` / `ResetStream`, `SetNeedGoAway` | null / no effect |
//! | `IHttpUser` (anonymous) | `IsInRole` / tokens, `GetUserVariable` | `E_NOTIMPL` / null |
//! | `IGlobalFileChangeProvider` | `GetFileMonitor` | null |
//!
//! Asynchronous I/O: `ReadEntityBody`, `WriteEntityChunks` and `Flush`
//! with `fAsync = TRUE` (and the callback forms of `IHttpRequest3` and
//! `IHttpResponse2`) do their work in the call, report the completion as
//! pending, and deliver it (bytes and status) once the hook has returned
//! `RQ_NOTIFICATION_PENDING`, on a pool thread, to `OnAsyncCompletion` or
//! the completion routine; output is written before a completion is
//! delivered. The end of the request body (`ERROR_HANDLE_EOF`) is reported
//! inline. `IHttpCompletionInfo2::GetCompletedOperation` returns 0 (its
//! values are not documented).
//!
//! Also not emulated: `PENDING` returned
//! from a notification raised inside another call (SendResponse from a
//! `Flush`, MapPath, ReadEntity, a custom notification) counts as
//! `CONTINUE`; after `SuppressHeaders` the head is the one the module wrote
//! at the start of the entity (parsed and handed to the connection layer),
//! else iis-host's; `ISendResponseProvider::SetFlags` is honoured for
//! `HTTP_SEND_RESPONSE_FLAG_DISCONNECT` only; raw
//! `HTTP_REQUEST`/`HTTP_RESPONSE` structs are snapshots (writes to them are
//! not read back); `SetErrorStatus` is recorded only ("does not directly
//! affect request processing"); the `<httpErrors>` configuration (the error
//! mode is [`HostConfig::error_mode`]) and custom error pages of a site's
//! own; output and kernel caching; TLS,
//! authentication (the user is anonymous unless a module sets one); child
//! requests run to their end inside `ExecuteRequest` (docs/testing.md,
//! row "child requests"); Windows tokens, SIDs and ACLs (the anonymous user has no
//! token; `AccessCheck` asks whether the host can read the file); trace
//! events of iis-host's own (only modules raise them); the httpcach.h key
//! interfaces beyond `IHttpCacheKey`; the global notifications
//! ApplicationPreload and SuspendProcess are never raised.
//! A connection's state lasts one request in-process ([`Host::run`]); over
//! TCP it lasts while responses keep the connection alive. Addresses are
//! Windows `SOCKADDR_IN`/`SOCKADDR_IN6` (`AF_INET` = 2, `AF_INET6` = 23),
//! whatever the OS.
// docs.rs builds with `--cfg docsrs` on nightly: cfg-gated items get their badge there.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]

// The source's layers (each imports only those below it, checked by
// tests/layers.rs): the host API (host, serve, service, notify, testing)
// -> engine/ (stages, dispatch, completions, the worker pool; objects call
// it only through engine::api) -> objects/ (the ABI objects: vtables bound
// to the state) -> state/ (what a request and the host hold: data and
// locks) -> ffi, url, config, transcript, error, loader, message (the HTTP
// data shared with the transport), block_on, handlers (IIS's built-in
// handlers, over a request's copy). The transport, http/
// (connections, codec, limits), is used by the engine and the host API only.
mod block_on;
mod config;
mod configuration;
mod engine;
mod error;
mod ffi;
mod handlers;
mod host;
pub mod http;
mod loader;
mod message;
mod notify;
mod objects;
mod serve;
#[cfg(feature = "tower")]
mod service;
mod state;
pub mod testing;
mod transcript;
mod url;

pub use config::{
    ErrorMode, HandlerMapping, HostConfig, IIS_10_SERVER_VERSION, ModuleLogHook, RequiredAccess,
    ResourceType,
};
pub use configuration::apphost::ApplicationHost;
pub use error::HostError;
pub use host::{Host, HostBuilder, HostStats};
pub use loader::LibraryProblem;
pub use objects::cache::{CacheItem, CacheOp};
pub use objects::global_providers::RscaResult;
pub use serve::ServeHandle;
#[cfg(feature = "tower")]
pub use service::{HostService, ResponseFuture};
pub use transcript::{
    ApiCall, EventLogEntry, EventLogType, GlobalNotification, HeaderKey, HostEvent, LogLevel,
    LogRecord, ModuleLog, Notification, NotificationRecord, RequestStatus, Transcript,
};
