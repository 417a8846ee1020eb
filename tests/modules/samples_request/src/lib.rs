//! Microsoft's IIS sample modules (request group), re-done in safe Rust from
//! their documented behaviour. IIS calls `RegisterModule` once per
//! configured module name; each name registers one sample, named after the
//! sample's folder.
#![forbid(unsafe_code)]

mod context;
mod factory;
mod handlers;
mod pipeline;
mod providers;
mod request;
mod response;
mod stages;
mod util;

use iis_module::prelude::*;

/// `RegisterModule`: one sample per configured name.
#[register_module]
fn register(module: &mut Registration) -> Result<()> {
    use context::*;
    use factory::*;
    use handlers::*;
    use pipeline::*;
    use providers::*;
    use request::*;
    use response::*;
    use stages::*;
    use std::sync::Arc;
    use std::sync::atomic::AtomicU64;
    let name = module.name()?;
    match name.as_str() {
        // IHttpContext
        "IHttpContextAllocateRequestMemory" => module.request_module(|| AllocateRequestMemory),
        "IHttpContextGetApplication" => module.request_module(|| ApplicationPhysicalPath),
        "IHttpContextGetMetadata" => module.request_module(|| BeginAndSendSkeleton),
        "IHttpContextGetPhysicalPath" => module.request_module(|| PhysicalPath),
        "IHttpContextGetRequest" | "IHttpContextGetResponse" | "IHttpRequestGetHttpMethod" => {
            module.request_module(|| HttpMethodReport)
        }
        "IHttpContextGetResponseHeadersSent" => module.request_module(|| ResponseHeadersSent),
        "IHttpContextGetServerVarChanges"
        | "IHttpRequestGetHeaderChanges"
        | "IHttpResponseGetHeaderChanges" => module.request_module(|| Skeleton),
        "IHttpContextGetServerVariable" => module.request_module(|| ServerName),
        "IHttpContextGetSite" => module.request_module(|| SiteName),
        "IHttpContextMapPath" | "IHttpContextMapHandler" => module.request_module(|| MapRoot),
        "IHttpContextSetServerVariable" => module.request_module(|| SetServerName),
        "IHttpEventProviderSetErrorStatus" => module.request_module(|| ReportWriteStatus),
        "IHttpModuleRegistrationInfoGetName" => {
            let registered = name.clone();
            module.request_module(move || ModuleName(registered.clone()))
        }
        "CHttpModuleHelloWorld" => module.request_module(|| HelloWorld),
        "IHttpContextGetScriptName" => module.request_module(|| ScriptName),
        "IHttpContextGetScriptTranslated" => module.request_module(|| ScriptTranslated),
        "IHttpContextGetTraceContext" => module.request_module(|| TraceActivity),
        "IHttpContextGetUrlInfo" => module.request_module(|| FrequentlyHit),
        "IHttpContextGetUser" => module.request_module(|| UserName),
        "IHttpContextGetFileInfo" => module.request_module(|| FilePath),
        // The request's handler
        "IHttpContextGetScriptMap" => module.request_module(|| AllowedVerbs),
        "IHttpContextSetRequestHandled" => module.request_module(|| AspHandled),
        "IMapHandlerProviderSetFileInfo" => {
            let server = module.server();
            module.request_module(move || ExampleFileInfo { server })
        }
        "IHttpContextGetConnection" | "IHttpConnectionIsConnected" => {
            module.request_module(|| ClientConnected)
        }
        "IHttpConnectionAllocateMemory" => module.request_module(|| UserAgentInConnectionMemory),
        // The pipeline
        "IHttpContextDisableNotifications" => module.request_module(|| DisablePostBegin),
        "IHttpContextGetIsLastNotification" => module.request_module(|| LastNotification),
        "IHttpContextGetNextNotification" => module.request_module(|| NextNotificationReport),
        "IHttpContextGetExecuteFlags" => module.request_module(|| ExecuteFlagsReport),
        "IHttpContextGetParentContext" => module.request_module(|| ParentContext),
        "IHttpContextGetRootContext" => module.request_module(|| RootContext),
        "IHttpContextCancelIo" => module.request_module(|| CancelIoAtSend),
        "IHttpContextIndicateCompletion" => module.request_module(|| WriteFlushIndicateCompletion),
        "IHttpContextPostCompletion" => module.request_module(|| WriteThenFinish),
        "IHttpCompletionInfoIHttpCompletionInfo" => logging(module, CompletionInfoLog),
        // Providers
        "ISendResponseProviderGetFlags" => module.request_module(|| SendFlags),
        "ISendResponseProviderGetHeadersBeingSent" => {
            module.request_module(|| OwnHeadHeadersBeingSent)
        }
        "ISendResponseProviderGetLogData" => {
            module.request_module(|| ServerNameFromLog)?;
            module.set_request_priority(RequestNotifications::SEND_RESPONSE, Priority::High)
        }
        "IReadEntityProviderSetEntity" => module.request_module(|| ReplaceEntity),
        "IMapPathProviderGetPhysicalPath" => module.request_module(|| MapPathReport {
            url: false,
            reported: false,
        }),
        "IMapPathProviderGetUrl" => module.request_module(|| MapPathReport {
            url: true,
            reported: false,
        }),
        "IMapPathProviderSetPhysicalPath" => module.request_module(|| MapToTemp),
        "IMapHandlerProviderSetScriptName" => module.request_module(|| ExampleScriptName),
        "_MapPath" => module.request_module(|| TraceMapPath),
        "_ReadEntity" => module.request_module(|| LogMapPath),
        "IAuthenticationProvider" => {
            module.request_module(|| ValidUser)?;
            module.set_request_priority(RequestNotifications::AUTHENTICATE_REQUEST, Priority::First)
        }
        "IModuleAllocatorAllocateMemory" => {
            module.request_module_with_allocator(AllocatorMessage::make)
        }
        // IHttpRequest
        "IHttpRequestDeleteHeader" => module.request_module(|| DeleteRequestHeaders),
        "IHttpRequestGetHeader" => module.request_module(|| RequestHeaders),
        "IHttpRequestGetHttpVersion" => module.request_module(|| HttpVersion),
        "IHttpRequestGetLocalAddress" => module.request_module(|| LocalAddress),
        "IHttpRequestGetRemoteAddress" => module.request_module(|| RemoteAddress),
        "IHttpRequestGetRawHttpRequest" => module.request_module(|| RawRequestRead),
        "IHttpRequestGetRemainingEntityBytes" => module.request_module(|| RemainingEntityBytes),
        "IHttpRequestGetSiteId" => module.request_module(|| SiteId),
        "IHttpRequestGetUrlChanged" => module.request_module(|| UrlChanged),
        "IHttpRequestInsertEntityBody" | "IHttpRequestSetEntityBody" => {
            module.request_module(|| InsertEntityBody)
        }
        "IHttpRequestReadEntityBody" => module.request_module(|| EchoEntityBody),
        "IHttpRequestSetHeader" => module.request_module(|| SetRequestHeaders),
        "IHttpRequestSetHttpMethod" => module.request_module(|| SetMethodOptions),
        "IHttpRequestSetUrl" => module.request_module(|| RewriteUrl),
        "IHttpRequestGetForwardedUrl" => module.request_module(|| ForwardedUrl),
        "IHttpRequestGetClientCertificate" => {
            let calls = Arc::new(AtomicU64::new(0));
            module.request_module(move || ClientCertificateTrace {
                calls: calls.clone(),
            })
        }
        // IHttpResponse
        "IHttpResponseClear" => module.request_module(|| ClearAtSend),
        "IHttpResponseClearHeaders" => module.request_module(|| ClearHeadersAtSend),
        "IHttpResponseDeleteHeader" => module.request_module(|| DeleteResponseHeaders),
        "IHttpResponseDisableBuffering" => module.request_module(|| DisableBuffering),
        "IHttpResponseDisableKernelCache" => module.request_module(|| DisableKernelCache),
        "IHttpResponseFlush" => module.request_module(|| FlushEarly),
        "IHttpResponseGetHeader" => module.request_module(|| ResponseHeaders),
        "IHttpResponseGetKernelCacheEnabled" => module.request_module(|| KernelCacheEnabled),
        "IHttpResponseGetStatus" => module.request_module(|| StatusReport),
        "IHttpResponseRedirect" => module.request_module(|| RedirectToExample),
        "IHttpResponseResetConnection" => module.request_module(|| ResetAtSend),
        "IHttpResponseSetHeader" => module.request_module(|| SetResponseHeaders),
        "IHttpResponseSetNeedDisconnect" => module.request_module(|| NeedDisconnect),
        "IHttpResponseWriteEntityChunks" => module.request_module(|| TwoChunks),
        "IHttpResponseGetRawHttpResponse" => module.request_module(|| RawChunkCount),
        "IHttpResponseGetHeadersSuppressed" => module.request_module(|| OwnHeadHelloWorld),
        "IHttpResponseSetErrorDescription" => module.request_module(|| NotFoundDescription),
        "IHttpResponseWriteEntityChunkByReference" | "_RaiseEvnt" => {
            let (calls, inserts) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
            let trace = name == "_RaiseEvnt";
            module.request_module(move || ChunksByReference {
                calls: calls.clone(),
                inserts: inserts.clone(),
                trace,
            })
        }
        "IHttpResponseGetCachePolicy" => module.request_module(|| UserCacheEnabled),
        // Event-log samples: each instance opens the event source.
        "CHttpModuleBeginRequest" => logging(module, BeginRequestLog),
        "CHttpModuleAuthenticateRequest" => logging(module, AuthenticateRequestLog),
        "CHttpModuleAuthorizeRequest" => logging(module, AuthorizeRequestLog),
        "CHttpModuleResolveRequestCache" => logging(module, ResolveRequestCacheLog),
        "CHttpModuleMapRequestHandler" => logging(module, MapRequestHandlerLog),
        "CHttpModuleAcquireRequestState" => logging(module, AcquireRequestStateLog),
        "CHttpModulePreExecuteRequestHandler" => logging(module, PreExecuteRequestHandlerLog),
        "CHttpModuleExecuteRequestHandler" => logging(module, ExecuteRequestHandlerLog),
        "CHttpModuleReleaseRequestState" => logging(module, ReleaseRequestStateLog),
        "CHttpModuleUpdateRequestCache" => logging(module, UpdateRequestCacheLog),
        "CHttpModuleLogRequest" => logging(module, LogRequestLog),
        "CHttpModuleEndRequest" => logging(module, EndRequestLog),
        "CHttpModuleSendResponse" => logging(module, SendResponseLog),
        "CHttpModuleMapPath" => logging(module, MapPathLog),
        "CHttpModuleReadEntity" => logging(module, ReadEntityLog),
        "CHttpModuleHelloWorldEventViewer" => logging(module, HelloWorldLog),
        "CHttpModuleGenericHttpModule" => logging(module, GenericLog::new),
        "IHttpContextNotifyCustomNotification" => logging(module, CustomNotificationLog),
        "IHttpContextGetCurrentExecutionStats" => logging(module, ExecutionStatsLog),
        "IReadEntityProviderGetEntity" => logging(module, EntityLog),
        other => Err(Error::msg(format!("no sample module named {other}"))),
    }
}

/// Registers a module whose instances each open the samples' event source.
fn logging<T: iis_module::request::RequestHooks>(
    module: &mut Registration,
    make: fn(EventLog) -> T,
) -> Result<()> {
    let server = module.server();
    module.request_module_with_allocator(move |_| Ok(make(stages::open(server)?)))
}
