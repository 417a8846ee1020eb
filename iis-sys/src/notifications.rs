//! The notification tables: every `CHttpModule` and `CGlobalModule`
//! notification, its mask bit, its vtable slot(s), its raw provider and the
//! names the safe layer gives it, declared once.
//!
//! The tables are data in the shape of a `macro_rules!` "x-macro": each
//! macro hands its rows to a macro of the caller's, which expands them into
//! whatever that side needs. iis-module builds its module traits,
//! subscription masks, thunks and `const` vtables from them; iis-host builds
//! its notification enums, masks, slot dispatch and stage providers. Adding
//! a notification is one row here plus its typed provider on each side; the
//! compiler checks every row against the generated vtables (a slot name or
//! provider type that disagrees with `interfaces.rs` does not compile).
//!
//! Names in the rows (`RQ_*`/`GL_*` masks, `I…Provider` types) resolve where
//! the caller's macro expands them: import `iis_sys::*` there.

/// Calls `$callback! { … }` with one row per request notification (a
/// `CHttpModule` notification), in slot order.
///
/// Each row is
///
/// ```text
/// Variant = RQ_MASK:
///     /// docs of the hook
///     hook / Slot ("Slot"): SafeProvider(IRawProvider)
///     [, /// docs of the post hook
///        post_hook / PostSlot ("PostSlot"): SafeProvider(IRawProvider)];
/// ```
///
/// `Variant` is iis-host's `Notification` variant; `RQ_MASK` the bit of
/// [`RequestNotifications`](crate::RequestNotifications); `hook` the method
/// of iis-module's `HttpModule` and `Slot` the [`CHttpModuleVtbl`](crate::CHttpModuleVtbl)
/// field it fills (the string literal is the same name, for
/// `#[doc(alias)]`); `SafeProvider` iis-module's typed provider and
/// `IRawProvider` the interface the slot takes. The twelve deterministic
/// stages have a post-notification part; `SendResponse`, `MapPath`,
/// `ReadEntity` and `CustomRequestNotification` do not.
/// `OnAsyncCompletion` (slot 28, no mask of its own), `Dispose` and the
/// destructor are not notifications and are not rows.
///
/// ```
/// use iis_sys::*;
///
/// macro_rules! count_slots {
///     ($(
///         $variant:ident = $mask:ident:
///             $(#[$pre_doc:meta])*
///             $pre_hook:ident / $pre_slot:ident ($pre_alias:literal): $pre_provider:ident($pre_raw:ty)
///             $(,
///                 $(#[$post_doc:meta])*
///                 $post_hook:ident / $post_slot:ident ($post_alias:literal): $post_provider:ident($post_raw:ty)
///             )?;
///     )*) => {
///         [$(1 $(+ { let _ = stringify!($post_slot); 1 })?),*].iter().sum::<usize>()
///     };
/// }
///
/// assert_eq!(iis_sys::request_notifications!(count_slots), 28);
/// ```
#[macro_export]
macro_rules! request_notifications {
    ($callback:ident) => {
        $callback! {
            BeginRequest = RQ_BEGIN_REQUEST:
                /// `BeginRequest`: the first notification of every request.
                on_begin_request / OnBeginRequest ("OnBeginRequest"): Event(IHttpEventProvider),
                /// After every module's `BeginRequest`.
                on_post_begin_request / OnPostBeginRequest ("OnPostBeginRequest"): Event(IHttpEventProvider);
            AuthenticateRequest = RQ_AUTHENTICATE_REQUEST:
                /// `AuthenticateRequest`: establish the user.
                on_authenticate_request / OnAuthenticateRequest ("OnAuthenticateRequest"): Authentication(IAuthenticationProvider),
                /// After authentication.
                on_post_authenticate_request / OnPostAuthenticateRequest ("OnPostAuthenticateRequest"): Event(IHttpEventProvider);
            AuthorizeRequest = RQ_AUTHORIZE_REQUEST:
                /// `AuthorizeRequest`: decide whether the user may proceed.
                on_authorize_request / OnAuthorizeRequest ("OnAuthorizeRequest"): Event(IHttpEventProvider),
                /// After authorization.
                on_post_authorize_request / OnPostAuthorizeRequest ("OnPostAuthorizeRequest"): Event(IHttpEventProvider);
            ResolveRequestCache = RQ_RESOLVE_REQUEST_CACHE:
                /// `ResolveRequestCache`: serve from a cache.
                on_resolve_request_cache / OnResolveRequestCache ("OnResolveRequestCache"): Event(IHttpEventProvider),
                /// After cache resolution.
                on_post_resolve_request_cache / OnPostResolveRequestCache ("OnPostResolveRequestCache"): Event(IHttpEventProvider);
            MapRequestHandler = RQ_MAP_REQUEST_HANDLER:
                /// `MapRequestHandler`: choose the handler.
                on_map_request_handler / OnMapRequestHandler ("OnMapRequestHandler"): MapHandler(IMapHandlerProvider),
                /// After handler mapping.
                on_post_map_request_handler / OnPostMapRequestHandler ("OnPostMapRequestHandler"): Event(IHttpEventProvider);
            AcquireRequestState = RQ_ACQUIRE_REQUEST_STATE:
                /// `AcquireRequestState`: load session state.
                on_acquire_request_state / OnAcquireRequestState ("OnAcquireRequestState"): Event(IHttpEventProvider),
                /// After state acquisition.
                on_post_acquire_request_state / OnPostAcquireRequestState ("OnPostAcquireRequestState"): Event(IHttpEventProvider);
            PreExecuteRequestHandler = RQ_PRE_EXECUTE_REQUEST_HANDLER:
                /// `PreExecuteRequestHandler`: just before the handler runs.
                on_pre_execute_request_handler / OnPreExecuteRequestHandler ("OnPreExecuteRequestHandler"): Event(IHttpEventProvider),
                /// After `PreExecuteRequestHandler`.
                on_post_pre_execute_request_handler / OnPostPreExecuteRequestHandler ("OnPostPreExecuteRequestHandler"): Event(IHttpEventProvider);
            ExecuteRequestHandler = RQ_EXECUTE_REQUEST_HANDLER:
                /// `ExecuteRequestHandler`: produce the response.
                on_execute_request_handler / OnExecuteRequestHandler ("OnExecuteRequestHandler"): Event(IHttpEventProvider),
                /// After the handler.
                on_post_execute_request_handler / OnPostExecuteRequestHandler ("OnPostExecuteRequestHandler"): Event(IHttpEventProvider);
            ReleaseRequestState = RQ_RELEASE_REQUEST_STATE:
                /// `ReleaseRequestState`: store session state.
                on_release_request_state / OnReleaseRequestState ("OnReleaseRequestState"): Event(IHttpEventProvider),
                /// After state release.
                on_post_release_request_state / OnPostReleaseRequestState ("OnPostReleaseRequestState"): Event(IHttpEventProvider);
            UpdateRequestCache = RQ_UPDATE_REQUEST_CACHE:
                /// `UpdateRequestCache`: store the response in a cache.
                on_update_request_cache / OnUpdateRequestCache ("OnUpdateRequestCache"): Event(IHttpEventProvider),
                /// After cache update.
                on_post_update_request_cache / OnPostUpdateRequestCache ("OnPostUpdateRequestCache"): Event(IHttpEventProvider);
            LogRequest = RQ_LOG_REQUEST:
                /// `LogRequest`: write logs.
                on_log_request / OnLogRequest ("OnLogRequest"): Event(IHttpEventProvider),
                /// After logging.
                on_post_log_request / OnPostLogRequest ("OnPostLogRequest"): Event(IHttpEventProvider);
            EndRequest = RQ_END_REQUEST:
                /// `EndRequest`: the last deterministic notification.
                on_end_request / OnEndRequest ("OnEndRequest"): Event(IHttpEventProvider),
                /// After `EndRequest`.
                on_post_end_request / OnPostEndRequest ("OnPostEndRequest"): Event(IHttpEventProvider);
            SendResponse = RQ_SEND_RESPONSE:
                /// `SendResponse`: IIS is about to send (part of) the response.
                on_send_response / OnSendResponse ("OnSendResponse"): SendResponse(ISendResponseProvider);
            MapPath = RQ_MAP_PATH:
                /// `MapPath`: a URL is being mapped to a physical path.
                on_map_path / OnMapPath ("OnMapPath"): MapPath(IMapPathProvider);
            ReadEntity = RQ_READ_ENTITY:
                /// `ReadEntity`: entity body was read.
                on_read_entity / OnReadEntity ("OnReadEntity"): ReadEntity(IReadEntityProvider);
            CustomRequestNotification = RQ_CUSTOM_NOTIFICATION:
                /// A custom notification raised by another module.
                on_custom_request_notification / OnCustomRequestNotification ("OnCustomRequestNotification"): CustomNotification(ICustomNotificationProvider);
        }
    };
}

/// Calls `$callback! { … }` with one row per global notification (a
/// `CGlobalModule` notification), in slot order.
///
/// Each row is
///
/// ```text
/// Variant = GL_MASK:
///     /// docs of the hook
///     hook / Slot ("Slot") [: SafeProvider(RawProvider)];
/// ```
///
/// `Variant` is iis-host's `GlobalNotification` variant; `GL_MASK` the bit
/// of [`GlobalNotifications`](crate::GlobalNotifications); `hook` the method
/// of iis-module's `GlobalModule` and `Slot` the
/// [`CGlobalModuleVtbl`](crate::CGlobalModuleVtbl) field it fills;
/// `SafeProvider` iis-module's typed provider and `RawProvider` what the
/// slot's parameter points at (`GL_SUSPEND_PROCESS` passes a pointer to a
/// callback pointer). `GL_CACHE_CLEANUP` and `GL_HEALTH_CHECK` pass no
/// provider. `Terminate` is not a notification and is not a row.
///
/// ```
/// use iis_sys::*;
///
/// macro_rules! masks {
///     ($(
///         $variant:ident = $mask:ident:
///             $(#[$doc:meta])*
///             $hook:ident / $slot:ident ($alias:literal) $(: $provider:ident($raw:ty))?;
///     )*) => {
///         0 $(| $mask)*
///     };
/// }
///
/// assert_eq!(iis_sys::global_notifications!(masks), GlobalNotifications::all().bits());
/// ```
#[macro_export]
macro_rules! global_notifications {
    ($callback:ident) => {
        $callback! {
            StopListening = GL_STOP_LISTENING:
                /// The server stops accepting requests (`GL_STOP_LISTENING`).
                on_stop_listening / OnGlobalStopListening ("OnGlobalStopListening"): StopListening(IGlobalStopListeningProvider);
            CacheCleanup = GL_CACHE_CLEANUP:
                /// A cache cleanup pass (`GL_CACHE_CLEANUP`).
                on_cache_cleanup / OnGlobalCacheCleanup ("OnGlobalCacheCleanup");
            CacheOperation = GL_CACHE_OPERATION:
                /// A cache operation (`GL_CACHE_OPERATION`).
                on_cache_operation / OnGlobalCacheOperation ("OnGlobalCacheOperation"): CacheOperation(ICacheProvider);
            HealthCheck = GL_HEALTH_CHECK:
                /// A periodic health check (`GL_HEALTH_CHECK`).
                on_health_check / OnGlobalHealthCheck ("OnGlobalHealthCheck");
            ConfigurationChange = GL_CONFIGURATION_CHANGE:
                /// Configuration changed (`GL_CONFIGURATION_CHANGE`).
                on_configuration_change / OnGlobalConfigurationChange ("OnGlobalConfigurationChange"): ConfigurationChange(IGlobalConfigurationChangeProvider);
            FileChange = GL_FILE_CHANGE:
                /// A monitored file changed (`GL_FILE_CHANGE`).
                on_file_change / OnGlobalFileChange ("OnGlobalFileChange"): FileChange(IGlobalFileChangeProvider);
            PreBeginRequest = GL_PRE_BEGIN_REQUEST:
                /// A request arrives, before `BeginRequest` (`GL_PRE_BEGIN_REQUEST`).
                on_pre_begin_request / OnGlobalPreBeginRequest ("OnGlobalPreBeginRequest"): PreBeginRequest(IPreBeginRequestProvider);
            ApplicationStart = GL_APPLICATION_START:
                /// An application starts (`GL_APPLICATION_START`).
                on_application_start / OnGlobalApplicationStart ("OnGlobalApplicationStart"): ApplicationEvent(IHttpApplicationProvider);
            ApplicationResolveModules = GL_APPLICATION_RESOLVE_MODULES:
                /// An application resolves its modules (`GL_APPLICATION_RESOLVE_MODULES`).
                on_application_resolve_modules / OnGlobalApplicationResolveModules ("OnGlobalApplicationResolveModules"): ResolveModules(IHttpApplicationResolveModulesProvider);
            ApplicationStop = GL_APPLICATION_STOP:
                /// An application stops (`GL_APPLICATION_STOP`).
                on_application_stop / OnGlobalApplicationStop ("OnGlobalApplicationStop"): ApplicationEvent(IHttpApplicationProvider);
            RscaQuery = GL_RSCA_QUERY:
                /// A runtime status and control query (`GL_RSCA_QUERY`).
                on_rsca_query / OnGlobalRSCAQuery ("OnGlobalRSCAQuery"): RscaQuery(IGlobalRSCAQueryProvider);
            TraceEvent = GL_TRACE_EVENT:
                /// A trace event was raised (`GL_TRACE_EVENT`).
                on_trace_event / OnGlobalTraceEvent ("OnGlobalTraceEvent"): TraceEvent(IGlobalTraceEventProvider);
            CustomNotification = GL_CUSTOM_NOTIFICATION:
                /// A custom global notification (`GL_CUSTOM_NOTIFICATION`).
                on_custom_notification / OnGlobalCustomNotification ("OnGlobalCustomNotification"): CustomNotification(ICustomNotificationProvider);
            ThreadCleanup = GL_THREAD_CLEANUP:
                /// A worker thread ends (`GL_THREAD_CLEANUP`).
                on_thread_cleanup / OnGlobalThreadCleanup ("OnGlobalThreadCleanup"): ThreadCleanup(IGlobalThreadCleanupProvider);
            ApplicationPreload = GL_APPLICATION_PRELOAD:
                /// An application is preloaded (`GL_APPLICATION_PRELOAD`).
                on_application_preload / OnGlobalApplicationPreload ("OnGlobalApplicationPreload"): ApplicationPreload(IGlobalApplicationPreloadProvider);
            SuspendProcess = GL_SUSPEND_PROCESS:
                /// The process is being suspended (`GL_SUSPEND_PROCESS`).
                on_suspend_process / OnSuspendProcess ("OnSuspendProcess"): SuspendProcess(*mut IGlobalSuspendProcessCallback);
        }
    };
}
