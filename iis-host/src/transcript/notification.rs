//! The notifications a module gets: [`Notification`] (a `CHttpModule`
//! slot) and [`GlobalNotification`] (a `CGlobalModule` slot).

use std::fmt;

/// A request notification of the integrated pipeline (a `CHttpModule` slot).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Notification {
    /// `RQ_BEGIN_REQUEST` / `OnBeginRequest`.
    BeginRequest,
    /// `RQ_AUTHENTICATE_REQUEST` / `OnAuthenticateRequest`.
    AuthenticateRequest,
    /// `RQ_AUTHORIZE_REQUEST` / `OnAuthorizeRequest`.
    AuthorizeRequest,
    /// `RQ_RESOLVE_REQUEST_CACHE` / `OnResolveRequestCache`.
    ResolveRequestCache,
    /// `RQ_MAP_REQUEST_HANDLER` / `OnMapRequestHandler`.
    MapRequestHandler,
    /// `RQ_ACQUIRE_REQUEST_STATE` / `OnAcquireRequestState`.
    AcquireRequestState,
    /// `RQ_PRE_EXECUTE_REQUEST_HANDLER` / `OnPreExecuteRequestHandler`.
    PreExecuteRequestHandler,
    /// `RQ_EXECUTE_REQUEST_HANDLER` / `OnExecuteRequestHandler`.
    ExecuteRequestHandler,
    /// `RQ_RELEASE_REQUEST_STATE` / `OnReleaseRequestState`.
    ReleaseRequestState,
    /// `RQ_UPDATE_REQUEST_CACHE` / `OnUpdateRequestCache`.
    UpdateRequestCache,
    /// `RQ_LOG_REQUEST` / `OnLogRequest`.
    LogRequest,
    /// `RQ_END_REQUEST` / `OnEndRequest`.
    EndRequest,
    /// `RQ_SEND_RESPONSE` / `OnSendResponse`.
    SendResponse,
    /// `RQ_MAP_PATH` / `OnMapPath`.
    MapPath,
    /// `RQ_READ_ENTITY` / `OnReadEntity`.
    ReadEntity,
    /// `RQ_CUSTOM_NOTIFICATION` / `OnCustomRequestNotification`.
    CustomRequestNotification,
    /// `OnAsyncCompletion`, after `PostCompletion` on a pending notification.
    AsyncCompletion,
}

impl Notification {
    /// The twelve deterministic stages, in pipeline order.
    pub const STAGES: [Notification; 12] = [
        Notification::BeginRequest,
        Notification::AuthenticateRequest,
        Notification::AuthorizeRequest,
        Notification::ResolveRequestCache,
        Notification::MapRequestHandler,
        Notification::AcquireRequestState,
        Notification::PreExecuteRequestHandler,
        Notification::ExecuteRequestHandler,
        Notification::ReleaseRequestState,
        Notification::UpdateRequestCache,
        Notification::LogRequest,
        Notification::EndRequest,
    ];

    /// The `RQ_*` bit of this notification (0 for `AsyncCompletion`, which has none).
    pub fn mask(self) -> u32 {
        use iis_sys::*;
        match self {
            Notification::BeginRequest => RQ_BEGIN_REQUEST,
            Notification::AuthenticateRequest => RQ_AUTHENTICATE_REQUEST,
            Notification::AuthorizeRequest => RQ_AUTHORIZE_REQUEST,
            Notification::ResolveRequestCache => RQ_RESOLVE_REQUEST_CACHE,
            Notification::MapRequestHandler => RQ_MAP_REQUEST_HANDLER,
            Notification::AcquireRequestState => RQ_ACQUIRE_REQUEST_STATE,
            Notification::PreExecuteRequestHandler => RQ_PRE_EXECUTE_REQUEST_HANDLER,
            Notification::ExecuteRequestHandler => RQ_EXECUTE_REQUEST_HANDLER,
            Notification::ReleaseRequestState => RQ_RELEASE_REQUEST_STATE,
            Notification::UpdateRequestCache => RQ_UPDATE_REQUEST_CACHE,
            Notification::LogRequest => RQ_LOG_REQUEST,
            Notification::EndRequest => RQ_END_REQUEST,
            Notification::SendResponse => RQ_SEND_RESPONSE,
            Notification::MapPath => RQ_MAP_PATH,
            Notification::ReadEntity => RQ_READ_ENTITY,
            Notification::CustomRequestNotification => RQ_CUSTOM_NOTIFICATION,
            Notification::AsyncCompletion => 0,
        }
    }

    /// Whether the notification has a post-notification (`OnPost…`).
    pub fn has_post(self) -> bool {
        Notification::STAGES.contains(&self)
    }
}

impl fmt::Display for Notification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// A global notification (a `CGlobalModule` slot).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GlobalNotification {
    /// `GL_APPLICATION_START` / `OnGlobalApplicationStart`.
    ApplicationStart,
    /// `GL_PRE_BEGIN_REQUEST` / `OnGlobalPreBeginRequest`.
    PreBeginRequest,
    /// `GL_STOP_LISTENING` / `OnGlobalStopListening`.
    StopListening,
    /// `GL_APPLICATION_STOP` / `OnGlobalApplicationStop`.
    ApplicationStop,
    /// `GL_CONFIGURATION_CHANGE` / `OnGlobalConfigurationChange`.
    ConfigurationChange,
    /// `GL_FILE_CHANGE` / `OnGlobalFileChange`.
    FileChange,
    /// `GL_CUSTOM_NOTIFICATION` / `OnGlobalCustomNotification`.
    CustomNotification,
    /// `GL_APPLICATION_RESOLVE_MODULES` / `OnGlobalApplicationResolveModules`.
    ApplicationResolveModules,
    /// `GL_CACHE_CLEANUP` / `OnGlobalCacheCleanup`.
    CacheCleanup,
    /// `GL_CACHE_OPERATION` / `OnGlobalCacheOperation`.
    CacheOperation,
    /// `GL_HEALTH_CHECK` / `OnGlobalHealthCheck`.
    HealthCheck,
    /// `GL_RSCA_QUERY` / `OnGlobalRSCAQuery`.
    RscaQuery,
    /// `GL_TRACE_EVENT` / `OnGlobalTraceEvent`.
    TraceEvent,
    /// `GL_THREAD_CLEANUP` / `OnGlobalThreadCleanup`.
    ThreadCleanup,
}

impl GlobalNotification {
    /// The `GL_*` bit of this notification.
    pub fn mask(self) -> u32 {
        use iis_sys::*;
        match self {
            GlobalNotification::ApplicationStart => GL_APPLICATION_START,
            GlobalNotification::PreBeginRequest => GL_PRE_BEGIN_REQUEST,
            GlobalNotification::StopListening => GL_STOP_LISTENING,
            GlobalNotification::ApplicationStop => GL_APPLICATION_STOP,
            GlobalNotification::ConfigurationChange => GL_CONFIGURATION_CHANGE,
            GlobalNotification::FileChange => GL_FILE_CHANGE,
            GlobalNotification::CustomNotification => GL_CUSTOM_NOTIFICATION,
            GlobalNotification::ApplicationResolveModules => GL_APPLICATION_RESOLVE_MODULES,
            GlobalNotification::CacheCleanup => GL_CACHE_CLEANUP,
            GlobalNotification::CacheOperation => GL_CACHE_OPERATION,
            GlobalNotification::HealthCheck => GL_HEALTH_CHECK,
            GlobalNotification::RscaQuery => GL_RSCA_QUERY,
            GlobalNotification::TraceEvent => GL_TRACE_EVENT,
            GlobalNotification::ThreadCleanup => GL_THREAD_CLEANUP,
        }
    }
}

impl fmt::Display for GlobalNotification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GlobalNotification::RscaQuery => f.write_str("RSCAQuery"),
            other => fmt::Debug::fmt(other, f),
        }
    }
}
