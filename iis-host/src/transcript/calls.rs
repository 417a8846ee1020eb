//! [`ApiCall`]: the module→host calls that change observable state.

use std::fmt;

use super::{EventLogEntry, ModuleLog, RequestStatus};

/// A header argument: an `HTTP_HEADER_ID` or a name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum HeaderKey {
    /// The `HTTP_HEADER_ID` overload.
    Id(i32),
    /// The `PCSTR pszHeaderName` overload.
    Name(String),
}

impl fmt::Display for HeaderKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeaderKey::Id(id) => write!(f, "{id}"),
            HeaderKey::Name(name) => write!(f, "{name:?}"),
        }
    }
}

/// A module→host call that changes observable state, in call order.
///
/// `Display` is C++-like: `IHttpResponse::SetHeader(12, "text/plain", replace=true)`.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiCall {
    /// `IHttpResponse::Clear()`.
    ResponseClear,
    /// `IHttpResponse::ClearHeaders()`.
    ResponseClearHeaders,
    /// `IHttpResponse::SetStatus`.
    ResponseSetStatus {
        /// The status code.
        status: u16,
        /// The reason phrase.
        reason: String,
        /// The IIS substatus.
        substatus: u16,
        /// `fTrySkipCustomErrors`.
        skip_custom_errors: bool,
    },
    /// `IHttpResponse::SetHeader` (either overload).
    ResponseSetHeader {
        /// Which header.
        header: HeaderKey,
        /// The value bytes.
        value: Vec<u8>,
        /// `fReplace`.
        replace: bool,
    },
    /// `IHttpResponse::DeleteHeader` (either overload).
    ResponseDeleteHeader {
        /// Which header.
        header: HeaderKey,
    },
    /// `IHttpResponse4::SetTrailer`, on an HTTP/2 request.
    ResponseSetTrailer {
        /// The trailer's name.
        name: String,
        /// The value bytes.
        value: Vec<u8>,
    },
    /// `IHttpResponse::WriteEntityChunks` (and `IHttpResponse2`'s), the chunks' bytes joined.
    ResponseWriteEntityChunks {
        /// The bytes written.
        bytes: Vec<u8>,
    },
    /// `IHttpResponse::WriteEntityChunkByReference`.
    ResponseWriteEntityChunkByReference {
        /// The bytes of the chunk.
        bytes: Vec<u8>,
        /// `lInsertPosition` (-1 appends).
        position: i32,
    },
    /// `IHttpResponse::Flush` (and `IHttpResponse2`'s).
    ResponseFlush,
    /// `IHttpResponse::ResetConnection()`.
    ResponseResetConnection,
    /// `IHttpResponse::SetNeedDisconnect()`.
    ResponseSetNeedDisconnect,
    /// `IHttpResponse::CloseConnection()`.
    ResponseCloseConnection,
    /// `IHttpResponse::DisableBuffering()`.
    ResponseDisableBuffering,
    /// `IHttpResponse::Redirect`.
    ResponseRedirect {
        /// The target URL.
        url: String,
        /// `fResetStatusCode`.
        reset_status: bool,
        /// `fIncludeParameters`.
        include_parameters: bool,
    },
    /// `IHttpResponse::SetErrorDescription`.
    ResponseSetErrorDescription {
        /// The description.
        description: String,
    },
    /// `IHttpResponse::SuppressHeaders()`.
    ResponseSuppressHeaders,
    /// `IHttpResponse::DisableKernelCache`.
    ResponseDisableKernelCache {
        /// The reason code.
        reason: u32,
    },
    /// `IHttpRequest::SetHeader` (either overload).
    RequestSetHeader {
        /// Which header.
        header: HeaderKey,
        /// The value bytes.
        value: Vec<u8>,
        /// `fReplace`.
        replace: bool,
    },
    /// `IHttpRequest::DeleteHeader` (either overload).
    RequestDeleteHeader {
        /// Which header.
        header: HeaderKey,
    },
    /// `IHttpRequest::SetUrl` (either overload).
    RequestSetUrl {
        /// The new URL.
        url: String,
        /// `fResetQueryString`.
        reset_query: bool,
    },
    /// `IHttpRequest::SetHttpMethod`.
    RequestSetHttpMethod {
        /// The new method.
        method: String,
    },
    /// `IHttpRequest::InsertEntityBody`.
    RequestInsertEntityBody {
        /// The bytes inserted.
        bytes: Vec<u8>,
    },
    /// `IHttpContext::SetRequestHandled()`.
    ContextSetRequestHandled,
    /// `IHttpContext::IndicateCompletion`.
    ContextIndicateCompletion {
        /// The status handed over.
        status: RequestStatus,
    },
    /// `IHttpContext::PostCompletion`.
    ContextPostCompletion {
        /// `cbBytes`.
        bytes: u32,
    },
    /// `IHttpContext::SetServerVariable` (`None` removes it).
    ContextSetServerVariable {
        /// The variable name.
        name: String,
        /// The value.
        value: Option<String>,
    },
    /// `IHttpContext::DisableNotifications`.
    ContextDisableNotifications {
        /// `dwNotifications`.
        notifications: u32,
        /// `dwPostNotifications`.
        post_notifications: u32,
    },
    /// `IHttpContext::CancelIo`.
    ContextCancelIo,
    /// `IHttpContext::GetNextNotification`: the notification the module
    /// took over from the pipeline (`None`: it returned `FALSE`).
    ContextGetNextNotification {
        /// The notification taken over and whether it is the post-notification.
        next: Option<(super::Notification, bool)>,
    },
    /// `IHttpContext::NotifyCustomNotification`.
    ContextNotifyCustomNotification {
        /// What the provider's `QueryNotificationType` returned.
        kind: String,
    },
    /// `ISendResponseProvider::SetFlags`.
    ProviderSetFlags {
        /// The `HTTP_SEND_RESPONSE_FLAG_*` flags.
        flags: u32,
    },
    /// `IHttpEventProvider::SetErrorStatus`.
    ProviderSetErrorStatus {
        /// The HRESULT, as IIS prints it.
        hr: String,
    },
    /// `IAuthenticationProvider::SetUser`.
    ProviderSetUser,
    /// `ISendResponseProvider::SetLogData` that replaced the log entry
    /// (see [`Transcript::log`](crate::Transcript::log)).
    ProviderSetLogData,
    /// `IHttpServer::ReportUnhealthy`.
    ServerReportUnhealthy {
        /// The reason.
        reason: String,
        /// The HRESULT, as IIS prints it.
        hr: String,
    },
    /// `IHttpServer::RecycleProcess`.
    ServerRecycleProcess {
        /// The reason.
        reason: String,
    },
    /// `IHttpServer::RecycleApplication`.
    ServerRecycleApplication {
        /// The application path.
        path: String,
    },
    /// `IHttpTraceContext::SetTraceConfiguration`, one call per configuration.
    SetTraceConfiguration {
        /// `pProviderGuid`, as `StringFromGUID2` prints it.
        provider: String,
        /// `dwAreas`.
        areas: u32,
        /// `dwVerbosity`.
        verbosity: u32,
        /// `fProviderEnabled`.
        enabled: bool,
    },
    /// `IHttpTraceContext::RaiseTraceEvent`.
    TraceEvent {
        /// `pszEventName`.
        name: String,
        /// `dwEvent`.
        event: u32,
        /// `dwArea`.
        area: u32,
        /// `dwVerbosity`.
        verbosity: u32,
    },
    /// `IHttpPerfCounterInfo::IncrementCounter` / `DecrementCounter`.
    PerfCounter {
        /// Whose counters: `"server"` or `"site"`.
        scope: String,
        /// `IncrementCounter` (else `DecrementCounter`).
        increment: bool,
        /// `dwCounterIndex`.
        counter: u32,
        /// `dwValue`.
        value: u32,
    },
    /// `IHttpServer::IncrementThreadCount` (`true`) / `DecrementThreadCount`.
    ServerThreadCount {
        /// Increment (else decrement).
        increment: bool,
    },
    /// `IHttpServer::FlushKernelCache`.
    ServerFlushKernelCache {
        /// `pszUrl`, the URL prefix.
        prefix: String,
    },
    /// `IHttpServer::AddFragmentToCache`.
    ServerAddFragment {
        /// `pszFragmentName`.
        name: String,
        /// The fragment's bytes.
        bytes: Vec<u8>,
    },
    /// `IHttpServer::RemoveFragmentFromCache`.
    ServerRemoveFragment {
        /// `pszFragmentName`.
        name: String,
    },
    /// An entry written to the Windows event log (`ReportEventW`, through
    /// iis-host's event-log extension).
    ReportEvent(EventLogEntry),
    /// A record sent through iis-host's diagnostics extension
    /// (`iis_sys::IHostLog`): an error the module's SDK handled, or a `log`
    /// record the module forwarded.
    Log(ModuleLog),
    /// `IHttpTraceContext::QuickTrace`.
    QuickTrace {
        /// `pszData1`.
        data1: String,
        /// `pszData2`.
        data2: String,
        /// `hrLastError`, as IIS prints it.
        hr: String,
        /// `Level`.
        level: u8,
    },
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

impl fmt::Display for ApiCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ApiCall::*;
        match self {
            ResponseClear => f.write_str("IHttpResponse::Clear()"),
            ResponseClearHeaders => f.write_str("IHttpResponse::ClearHeaders()"),
            ResponseSetStatus {
                status,
                reason,
                substatus,
                skip_custom_errors,
            } => write!(
                f,
                "IHttpResponse::SetStatus({status}, {reason:?}, {substatus}, skip_custom_errors={skip_custom_errors})"
            ),
            ResponseSetHeader {
                header,
                value,
                replace,
            } => write!(
                f,
                "IHttpResponse::SetHeader({header}, {:?}, replace={replace})",
                text(value)
            ),
            ResponseDeleteHeader { header } => write!(f, "IHttpResponse::DeleteHeader({header})"),
            ResponseSetTrailer { name, value } => {
                write!(f, "IHttpResponse4::SetTrailer({name}, {:?})", text(value))
            }
            ResponseWriteEntityChunks { bytes } => {
                write!(f, "IHttpResponse::WriteEntityChunks({:?})", text(bytes))
            }
            ResponseWriteEntityChunkByReference { bytes, position } => write!(
                f,
                "IHttpResponse::WriteEntityChunkByReference({:?}, {position})",
                text(bytes)
            ),
            ResponseFlush => f.write_str("IHttpResponse::Flush()"),
            ResponseResetConnection => f.write_str("IHttpResponse::ResetConnection()"),
            ResponseSetNeedDisconnect => f.write_str("IHttpResponse::SetNeedDisconnect()"),
            ResponseCloseConnection => f.write_str("IHttpResponse::CloseConnection()"),
            ResponseDisableBuffering => f.write_str("IHttpResponse::DisableBuffering()"),
            ResponseRedirect {
                url,
                reset_status,
                include_parameters,
            } => write!(
                f,
                "IHttpResponse::Redirect({url:?}, reset_status={reset_status}, include_parameters={include_parameters})"
            ),
            ResponseSetErrorDescription { description } => {
                write!(f, "IHttpResponse::SetErrorDescription({description:?})")
            }
            ResponseSuppressHeaders => f.write_str("IHttpResponse::SuppressHeaders()"),
            ResponseDisableKernelCache { reason } => {
                write!(f, "IHttpResponse::DisableKernelCache({reason})")
            }
            RequestSetHeader {
                header,
                value,
                replace,
            } => write!(
                f,
                "IHttpRequest::SetHeader({header}, {:?}, replace={replace})",
                text(value)
            ),
            RequestDeleteHeader { header } => write!(f, "IHttpRequest::DeleteHeader({header})"),
            RequestSetUrl { url, reset_query } => {
                write!(
                    f,
                    "IHttpRequest::SetUrl({url:?}, reset_query={reset_query})"
                )
            }
            RequestSetHttpMethod { method } => write!(f, "IHttpRequest::SetHttpMethod({method:?})"),
            RequestInsertEntityBody { bytes } => {
                write!(f, "IHttpRequest::InsertEntityBody({:?})", text(bytes))
            }
            ContextSetRequestHandled => f.write_str("IHttpContext::SetRequestHandled()"),
            ContextIndicateCompletion { status } => {
                write!(f, "IHttpContext::IndicateCompletion({status})")
            }
            ContextPostCompletion { bytes } => write!(f, "IHttpContext::PostCompletion({bytes})"),
            ContextSetServerVariable { name, value } => match value {
                Some(v) => write!(f, "IHttpContext::SetServerVariable({name:?}, {v:?})"),
                None => write!(f, "IHttpContext::SetServerVariable({name:?}, NULL)"),
            },
            ContextDisableNotifications {
                notifications,
                post_notifications,
            } => write!(
                f,
                "IHttpContext::DisableNotifications({notifications:#x}, {post_notifications:#x})"
            ),
            ContextCancelIo => f.write_str("IHttpContext::CancelIo()"),
            ContextGetNextNotification { next } => match next {
                Some((notification, post)) => {
                    let post = if *post { "Post" } else { "" };
                    write!(
                        f,
                        "IHttpContext::GetNextNotification() -> On{post}{notification}"
                    )
                }
                None => f.write_str("IHttpContext::GetNextNotification() -> FALSE"),
            },
            ContextNotifyCustomNotification { kind } => {
                write!(f, "IHttpContext::NotifyCustomNotification({kind:?})")
            }
            ProviderSetFlags { flags } => write!(f, "ISendResponseProvider::SetFlags({flags:#x})"),
            ProviderSetErrorStatus { hr } => write!(f, "IHttpEventProvider::SetErrorStatus({hr})"),
            ProviderSetUser => f.write_str("IAuthenticationProvider::SetUser()"),
            ProviderSetLogData => f.write_str("ISendResponseProvider::SetLogData()"),
            ServerReportUnhealthy { reason, hr } => {
                write!(f, "IHttpServer::ReportUnhealthy({reason:?}, {hr})")
            }
            ServerRecycleProcess { reason } => write!(f, "IHttpServer::RecycleProcess({reason:?})"),
            ServerRecycleApplication { path } => {
                write!(f, "IHttpServer::RecycleApplication({path:?})")
            }
            SetTraceConfiguration {
                provider,
                areas,
                verbosity,
                enabled,
            } => write!(
                f,
                "IHttpTraceContext::SetTraceConfiguration({provider}, areas={areas:#x}, verbosity={verbosity}, enabled={enabled})"
            ),
            TraceEvent {
                name,
                event,
                area,
                verbosity,
            } => write!(
                f,
                "IHttpTraceContext::RaiseTraceEvent({name:?}, event={event}, area={area}, verbosity={verbosity})"
            ),
            ReportEvent(entry) => write!(f, "{entry}"),
            Log(record) => write!(f, "log: {record}"),
            PerfCounter {
                scope,
                increment,
                counter,
                value,
            } => {
                let method = if *increment { "Increment" } else { "Decrement" };
                write!(
                    f,
                    "IHttpPerfCounterInfo({scope})::{method}Counter({counter}, {value})"
                )
            }
            ServerThreadCount { increment } => {
                let method = if *increment { "Increment" } else { "Decrement" };
                write!(f, "IHttpServer::{method}ThreadCount()")
            }
            ServerFlushKernelCache { prefix } => {
                write!(f, "IHttpServer::FlushKernelCache({prefix:?})")
            }
            ServerAddFragment { name, bytes } => write!(
                f,
                "IHttpServer::AddFragmentToCache({:?}, {name:?})",
                text(bytes)
            ),
            ServerRemoveFragment { name } => {
                write!(f, "IHttpServer::RemoveFragmentFromCache({name:?})")
            }
            QuickTrace {
                data1,
                data2,
                hr,
                level,
            } => write!(
                f,
                "IHttpTraceContext::QuickTrace({data1:?}, {data2:?}, {hr}, {level})"
            ),
        }
    }
}
