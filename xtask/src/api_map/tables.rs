//! The hand-kept tables of the API map: which C++ classes a Rust type
//! wraps, the functions from outside httpserv.h, what the SDK implements
//! itself, and why the rest is raw only.

/// Rust type or trait of iis-module → the C++ classes its aliases are looked
/// up in, in order (the first class whose table has the name wins, so a base
/// interface listed first shadows a same-name method of a newer one).
/// The first class is the one `as_raw` returns, where the type has `as_raw`.
/// A type that is not listed and has `pub fn as_raw(&self) -> *mut IFoo`
/// wraps `IFoo` alone: list only types without `as_raw`, or that wrap more.
pub(super) const TYPE_CLASSES: &[(&str, &[&str])] = &[
    (
        "HttpContext",
        &[
            "IHttpContext",
            "IHttpContext3",
            "IHttpContext4",
            "IHttpModuleContextContainer",
            "IHttpTraceContext",
        ],
    ),
    ("CompletionHandle", &["IHttpContext"]),
    ("ChildRequest", &["IHttpContext"]),
    ("HttpRequest", &["IHttpRequest", "IHttpRequest3"]),
    ("HttpResponse", &["IHttpResponse", "IHttpResponse2"]),
    ("Http2Response", &["IHttpResponse4"]),
    ("HttpServer", &["IHttpServer"]),
    ("HttpUser", &["IHttpUser"]),
    ("HttpSite", &["IHttpSite"]),
    ("HttpApplication", &["IHttpApplication"]),
    (
        "DispensedContainer",
        &["IDispensedHttpModuleContextContainer"],
    ),
    (
        "Registration",
        &[
            "IHttpModuleRegistrationInfo",
            "IHttpModuleRegistrationInfo2",
        ],
    ),
    ("ModuleAllocator", &["IModuleAllocator"]),
    ("HttpModule", &["CHttpModule"]),
    ("GlobalModule", &["CGlobalModule"]),
    ("Completion", &["IHttpCompletionInfo"]),
    ("Event", &["IHttpEventProvider"]),
    ("Authentication", &["IAuthenticationProvider"]),
    ("MapHandler", &["IMapHandlerProvider"]),
    ("SendResponse", &["ISendResponseProvider"]),
    ("MapPath", &["IMapPathProvider"]),
    ("ReadEntity", &["IReadEntityProvider"]),
    ("CustomNotification", &["ICustomNotificationProvider"]),
    ("StopListening", &["IGlobalStopListeningProvider"]),
    ("CacheOperation", &["ICacheProvider"]),
    (
        "ConfigurationChange",
        &["IGlobalConfigurationChangeProvider"],
    ),
    ("FileChange", &["IGlobalFileChangeProvider"]),
    ("PreBeginRequest", &["IPreBeginRequestProvider"]),
    ("ApplicationEvent", &["IHttpApplicationProvider"]),
    (
        "ResolveModules",
        &["IHttpApplicationResolveModulesProvider"],
    ),
    ("RscaQuery", &["IGlobalRSCAQueryProvider"]),
    ("TraceEvent", &["IGlobalTraceEventProvider"]),
    ("ThreadCleanup", &["IGlobalThreadCleanupProvider"]),
    ("ApplicationPreload", &["IGlobalApplicationPreloadProvider"]),
    ("SuspendProcess", &["IGlobalSuspendProcessCallback"]),
];

/// Functions outside httpserv.h that iis-module wraps and names in a
/// `doc(alias)` (any other alias must name a method or class of the
/// header): (function, where it comes from).
pub(super) const OTHER_APIS: &[(&str, &str)] = &[
    (
        "RegisterEventSource",
        "Win32, advapi32 (`RegisterEventSourceW`)",
    ),
    ("RegisterEventSourceW", "Win32, advapi32"),
    ("ReportEvent", "Win32, advapi32 (`ReportEventW`)"),
    ("ReportEventW", "Win32, advapi32"),
    (
        "GetAdminSection",
        "ahadmin.h, `IAppHostAdminManager::GetAdminSection`",
    ),
    (
        "GetElementByName",
        "ahadmin.h, `IAppHostElement::GetElementByName`",
    ),
    (
        "GetPropertyByName",
        "ahadmin.h, `IAppHostElement::GetPropertyByName`",
    ),
    (
        "get_Collection",
        "ahadmin.h, `IAppHostElement::get_Collection`",
    ),
    ("get_Value", "ahadmin.h, `IAppHostProperty::get_Value`"),
];

/// Methods the SDK implements (or calls) on the module's behalf, so no
/// public item carries their alias: (class, method, the Rust counterpart,
/// aliased items the text names, which must exist).
pub(super) const SDK_GLUE: &[(&str, &str, &str, &[&str])] = &[
    (
        "IHttpStoredContext",
        "CleanupStoredContext",
        "implemented by the SDK for every value stored with `HttpContext::set_request_context`, \
         `HttpContext::connection_context_or_insert_with`, \
         `HttpApplication::context_or_insert_with` or \
         `DispensedContainer::context_or_insert_with`: IIS's call drops the value",
        &[
            "HttpContext::set_request_context",
            "HttpContext::connection_context_or_insert_with",
            "HttpApplication::context_or_insert_with",
            "DispensedContainer::context_or_insert_with",
        ],
    ),
    (
        "IDispensedHttpModuleContextContainer",
        "ReleaseContainer",
        "called by the SDK when the `DispensedContainer` from `HttpServer::dispense_container` \
         is dropped",
        &["HttpServer::dispense_container"],
    ),
    (
        "CHttpModule",
        "Dispose",
        "implemented by the SDK: drops the module value (its `Drop`) and frees the instance, once",
        &["HttpModule"],
    ),
    (
        "CHttpModule",
        "~CHttpModule",
        "implemented by the SDK: the same single drop, for a host that deletes through this slot",
        &["HttpModule"],
    ),
    (
        "CGlobalModule",
        "Terminate",
        "implemented by the SDK: drops the module given to `Registration::global_module`",
        &["Registration::global_module"],
    ),
    (
        "IHttpConnectionStoredContext",
        "NotifyDisconnect",
        "implemented by the SDK for its context on each connection: a running `async fn` hook \
         is cancelled (its future dropped) and `ClientDisconnect` signals are set",
        &["HttpContext::client_disconnect", "HttpModule"],
    ),
    (
        "IHttpConnectionModuleContextContainer",
        "GetConnectionModuleContext",
        "called by the SDK to find its context on the connection",
        &[
            "HttpContext::connection_context_or_insert_with",
            "HttpContext::client_disconnect",
        ],
    ),
    (
        "IHttpConnectionModuleContextContainer",
        "SetConnectionModuleContext",
        "called by the SDK to store its context on the connection (once per module)",
        &[
            "HttpContext::connection_context_or_insert_with",
            "HttpContext::client_disconnect",
        ],
    ),
    (
        "IHttpModuleFactory",
        "GetHttpModule",
        "implemented by the SDK: calls the closure given to `Registration::request_module` \
         (once per request)",
        &["Registration::request_module"],
    ),
    (
        "IHttpModuleFactory",
        "Terminate",
        "implemented by the SDK: drops the closure given to `Registration::request_module`",
        &["Registration::request_module"],
    ),
];

/// Why a class's unwrapped methods are raw only (every class with one needs
/// an entry).
pub(super) const CLASS_REASONS: &[(&str, &str)] = &[
    (
        "INamedContextContainer",
        "named context containers (`IHttpContext3::GetNamedContextContainer`) are not wrapped; \
         the typed per-module contexts of `HttpContext` and `HttpApplication` hold module state",
    ),
    (
        "IHttpPerfCounterInfo",
        "performance counters are not wrapped",
    ),
    (
        "IHttpApplication2",
        "application warm-up is not wrapped (`IHttpApplication2` is reached with \
         `IHttpServer2::GetExtendedInterface`)",
    ),
    (
        "IHttpUrlInfo",
        "URL cache entries (`IHttpContext::GetUrlInfo`) are not wrapped",
    ),
    (
        "IScriptMapInfo",
        "handler-mapping configuration (`IHttpContext::GetScriptMap`) is not wrapped",
    ),
    (
        "IMetadataInfo",
        "configuration metadata (`IHttpContext::GetMetadata`) is not wrapped",
    ),
    (
        "IReferencedMetadataInfo",
        "configuration metadata (`IHttpContext::GetMetadata`) is not wrapped",
    ),
    (
        "IHttpRequest",
        "not wrapped yet; call it through `HttpRequest::as_raw`",
    ),
    ("IHttpRequest2", "TLS channel binding is not wrapped"),
    (
        "IHttpRequest4",
        "not wrapped: Microsoft documents neither this overload nor its `ulFlags`; \
         `HttpRequest::read_body` and `read_body_async` call the documented overloads",
    ),
    (
        "IHttpCachePolicy",
        "output and kernel cache policy is not wrapped (`HttpResponse::disable_kernel_cache` \
         covers the common case)",
    ),
    (
        "IHttpCachePolicy2",
        "output and kernel cache policy is not wrapped",
    ),
    (
        "IHttpResponse",
        "not wrapped yet; call it through `HttpResponse::as_raw`",
    ),
    ("IHttpResponse3", "HTTP/2 server push is not wrapped"),
    (
        "IHttpUser",
        "passwords, tokens, roles and user variables are not wrapped; call them through \
         `HttpUser::as_raw`",
    ),
    (
        "IHttpConnection",
        "not wrapped (`HttpContext::connection_context_or_insert_with` uses the connection's \
         context container internally)",
    ),
    (
        "IHttpContext",
        "not wrapped yet; call it through `HttpContext::as_raw`",
    ),
    (
        "IHttpContext2",
        "not wrapped (`IHttpContext2` is reached with `IHttpServer2::GetExtendedInterface`)",
    ),
    (
        "IHttpContext4",
        "not wrapped (`IHttpContext4` is reached with `IHttpServer2::GetExtendedInterface`)",
    ),
    ("IHttpTraceContext", "tracing is not wrapped"),
    ("IHttpCacheKey", "IIS cache objects are not wrapped"),
    (
        "IHttpCacheSpecificData",
        "IIS cache objects are not wrapped",
    ),
    ("IHttpFileMonitor", "file monitors are not wrapped"),
    ("IHttpFileInfo", "IIS cache objects are not wrapped"),
    ("IHttpTokenEntry", "IIS cache objects are not wrapped"),
    (
        "IHttpSite",
        "not wrapped yet; call it through `HttpSite::as_raw`",
    ),
    (
        "IHttpServer",
        "not wrapped yet; call it through `HttpServer::as_raw`",
    ),
    (
        "IHttpServer2",
        "not wrapped; `HttpServer::server2` returns the raw `IHttpServer2`",
    ),
    (
        "IHttpServer3",
        "not wrapped (`IHttpServer3` is reached with `IHttpServer2::GetExtendedInterface`)",
    ),
    (
        "IAuthenticationProvider",
        "setting the user needs an `IHttpUser` the module implements; call it through \
         `Authentication::as_raw`",
    ),
    (
        "IMapHandlerProvider",
        "installing a script map needs an `IScriptMapInfo` the module implements; call it \
         through `MapHandler::as_raw`",
    ),
    (
        "IReadEntityProvider",
        "replacing the entity buffer is not wrapped; call it through `ReadEntity::as_raw`",
    ),
    (
        "IHttpApplicationResolveModulesProvider",
        "registering modules for one application is not wrapped; call it through \
         `ResolveModules::as_raw`",
    ),
    (
        "IGlobalRSCAQueryProvider",
        "resizing the output buffer is not wrapped; call it through `RscaQuery::as_raw`",
    ),
    (
        "ICacheProvider",
        "cache keys and records are IIS cache objects; call it through `CacheOperation::as_raw`",
    ),
    (
        "IGlobalFileChangeProvider",
        "file monitors are not wrapped; call it through `FileChange::as_raw`",
    ),
    (
        "IGlobalTraceEventProvider",
        "trace events are not wrapped; call it through `TraceEvent::as_raw`",
    ),
    (
        "IGlobalThreadCleanupProvider",
        "not wrapped yet; call it through `ThreadCleanup::as_raw`",
    ),
    (
        "IGlobalApplicationPreloadProvider",
        "preload requests are not wrapped; call it through `ApplicationPreload::as_raw`",
    ),
    ("IGlobalApplicationPreloadProvider2", "not wrapped"),
    (
        "IGlobalSuspendProcessCallback",
        "a callback the module implements and stores through `SuspendProcess::as_raw`; not \
         wrapped",
    ),
    (
        "IModuleAllocator",
        "the SDK allocates its module instances itself and does not hand the allocator on",
    ),
    (
        "IHttpModuleRegistrationInfo2",
        "not wrapped; `Registration::set_request_priority` orders the pre-notifications only",
    ),
];

/// Reasons for single methods, overriding their class's (all overloads).
pub(super) const METHOD_REASONS: &[(&str, &str, &str)] = &[
    (
        "IHttpContext3",
        "GetNamedContextContainer",
        "named context containers are not wrapped; the typed per-module contexts of \
         `HttpContext` and `HttpApplication` hold module state",
    ),
    (
        "IHttpContext3",
        "InheritServerVariable",
        "child requests are not wrapped",
    ),
    (
        "IHttpContext3",
        "PostCompletion",
        "not wrapped: Microsoft's page gives the signature alone, not what the routine is \
         given (an `LPOVERLAPPED_COMPLETION_ROUTINE` takes an error code, a byte count and an \
         `OVERLAPPED *`, not the context), on which thread it runs, or whether \
         `OnAsyncCompletion` follows; `async fn` hooks resume through \
         `IHttpContext::PostCompletion`, full-duplex I/O through the completion routines of \
         `IHttpRequest3::ReadEntityBody` and `IHttpResponse2::WriteEntityChunks`/`Flush`",
    ),
    (
        "IHttpCompletionInfo2",
        "GetCompletedOperation",
        "not wrapped: Microsoft documents neither the values nor when they are set; the SDK \
         routes each completion by its routine instead",
    ),
    (
        "IHttpRequest",
        "GetClientCertificate",
        "TLS client certificates are not wrapped",
    ),
    (
        "IHttpRequest",
        "NegotiateClientCertificate",
        "TLS client certificates are not wrapped",
    ),
    (
        "IHttpResponse",
        "GetRawHttpResponse",
        "hands out the http.h `HTTP_RESPONSE` struct itself; not wrapped",
    ),
    (
        "IHttpResponse",
        "GetCachePolicy",
        "returns the `IHttpCachePolicy`, which is not wrapped",
    ),
    (
        "IHttpResponse",
        "WriteEntityChunkByReference",
        "not wrapped; `HttpResponse::write` copies into request memory and \
         `HttpResponse::write_static` passes `'static` data without a copy",
    ),
    (
        "IHttpContext",
        "GetModuleContextContainer",
        "used inside `HttpContext::request_context` and `HttpContext::set_request_context`, \
         which map the container's methods",
    ),
    (
        "IHttpContext",
        "GetConnection",
        "used inside `HttpContext::connection_context_or_insert_with`",
    ),
    (
        "IHttpContext",
        "ExecuteRequest",
        "child requests are not wrapped",
    ),
    (
        "IHttpContext",
        "CloneContext",
        "child requests are not wrapped",
    ),
    (
        "IHttpContext",
        "ReleaseClonedContext",
        "child requests are not wrapped",
    ),
    (
        "IHttpContext",
        "GetParentContext",
        "child requests are not wrapped",
    ),
    (
        "IHttpContext",
        "GetRootContext",
        "child requests are not wrapped",
    ),
    (
        "IHttpContext",
        "GetExtendedInterface",
        "takes the empty, deprecated `HTTP_CONTEXT_INTERFACE_VERSION`; newer interfaces come \
         from `IHttpServer2::GetExtendedInterface`",
    ),
    (
        "IHttpServer2",
        "GetExtendedInterface",
        "used inside `HttpResponse::http2` and `HttpContext::elapsed_ms` (the \
         `HttpGetExtendedInterface` pattern)",
    ),
];
