//! The `CHttpModule` samples: one event-log entry per notification they
//! handle (the source `IISADMIN`, opened by each module instance as the
//! samples' constructors do), and `CHttpModuleHelloWorld`'s answer (in
//! context.rs).

use iis_module::prelude::*;

/// Opens the samples' event source for a new module instance.
pub(crate) fn open(server: HttpServer) -> Result<EventLog> {
    EventLog::open(&server, "IISADMIN")
}

/// One information entry; like the samples, a failed write changes nothing.
pub(crate) fn log(log: &EventLog, strings: &[&str]) {
    let _ = log.report(EventType::Information, 0, strings);
}

/// A module logging its pre- and post-notification of one stage.
macro_rules! stage_logger {
    ($(#[$doc:meta])* $name:ident: $pre:ident($provider:ty) => $pre_text:literal, $post:ident => $post_text:literal) => {
        $(#[$doc])*
        pub(crate) struct $name(pub(crate) EventLog);

        #[http_module]
        impl HttpModule for $name {
            fn $pre(&mut self, _: &mut HttpContext, _: &mut $provider) -> Result<Flow> {
                log(&self.0, &[$pre_text]);
                Ok(Flow::Continue)
            }
            fn $post(&mut self, _: &mut HttpContext, _: &mut Event) -> Result<Flow> {
                log(&self.0, &[$post_text]);
                Ok(Flow::Continue)
            }
        }
    };
}

stage_logger! {
    /// `CHttpModuleBeginRequest`.
    BeginRequestLog: on_begin_request(Event) => "OnBeginRequest", on_post_begin_request => "OnPostBeginRequest"
}
stage_logger! {
    /// `CHttpModuleAuthenticateRequest`.
    AuthenticateRequestLog: on_authenticate_request(Authentication) => "OnAuthenticateRequest", on_post_authenticate_request => "OnPostAuthenticateRequest"
}
stage_logger! {
    /// `CHttpModuleAuthorizeRequest`.
    AuthorizeRequestLog: on_authorize_request(Event) => "OnAuthorizeRequest", on_post_authorize_request => "OnPostAuthorizeRequest"
}
stage_logger! {
    /// `CHttpModuleResolveRequestCache`.
    ResolveRequestCacheLog: on_resolve_request_cache(Event) => "OnResolveRequestCache", on_post_resolve_request_cache => "OnPostResolveRequestCache"
}
stage_logger! {
    /// `CHttpModuleMapRequestHandler`.
    MapRequestHandlerLog: on_map_request_handler(MapHandler) => "OnMapRequestHandler", on_post_map_request_handler => "OnPostMapRequestHandler"
}
stage_logger! {
    /// `CHttpModuleAcquireRequestState`.
    AcquireRequestStateLog: on_acquire_request_state(Event) => "OnAcquireRequestState", on_post_acquire_request_state => "OnPostAcquireRequestState"
}
stage_logger! {
    /// `CHttpModulePreExecuteRequestHandler`.
    PreExecuteRequestHandlerLog: on_pre_execute_request_handler(Event) => "OnPreExecuteRequestHandler", on_post_pre_execute_request_handler => "OnPostPreExecuteRequestHandler"
}
stage_logger! {
    /// `CHttpModuleExecuteRequestHandler`.
    ExecuteRequestHandlerLog: on_execute_request_handler(Event) => "OnExecuteRequestHandler", on_post_execute_request_handler => "OnPostExecuteRequestHandler"
}
stage_logger! {
    /// `CHttpModuleReleaseRequestState`.
    ReleaseRequestStateLog: on_release_request_state(Event) => "OnReleaseRequestState", on_post_release_request_state => "OnPostReleaseRequestState"
}
stage_logger! {
    /// `CHttpModuleUpdateRequestCache`.
    UpdateRequestCacheLog: on_update_request_cache(Event) => "OnUpdateRequestCache", on_post_update_request_cache => "OnPostUpdateRequestCache"
}
stage_logger! {
    /// `CHttpModuleLogRequest`.
    LogRequestLog: on_log_request(Event) => "OnLogRequest", on_post_log_request => "OnPostLogRequest"
}
stage_logger! {
    /// `CHttpModuleEndRequest`.
    EndRequestLog: on_end_request(Event) => "OnEndRequest", on_post_end_request => "OnPostEndRequest"
}

/// `CHttpModuleSendResponse`: an entry per send.
pub(crate) struct SendResponseLog(pub(crate) EventLog);

#[http_module]
impl HttpModule for SendResponseLog {
    fn on_send_response(&mut self, _: &mut HttpContext, _: &mut SendResponse) -> Result<Flow> {
        log(&self.0, &["OnSendResponse"]);
        Ok(Flow::Continue)
    }
}

/// `CHttpModuleMapPath`: an entry per mapping. Its `OnPostMapPath` is not a
/// `CHttpModule` method (MapPath has no post-notification), so it never
/// runs; the safe API has no such hook to write.
pub(crate) struct MapPathLog(pub(crate) EventLog);

#[http_module]
impl HttpModule for MapPathLog {
    fn on_map_path(&mut self, _: &mut HttpContext, _: &mut MapPath) -> Result<Flow> {
        log(&self.0, &["OnMapPath"]);
        Ok(Flow::Continue)
    }
}

/// `CHttpModuleReadEntity`: an entry per entity read.
pub(crate) struct ReadEntityLog(pub(crate) EventLog);

#[http_module]
impl HttpModule for ReadEntityLog {
    fn on_read_entity(&mut self, _: &mut HttpContext, _: &mut ReadEntity) -> Result<Flow> {
        log(&self.0, &["OnReadEntity"]);
        Ok(Flow::Continue)
    }
}

/// `CHttpModuleHelloWorldEventViewer`: `Hello World!` at BeginRequest.
pub(crate) struct HelloWorldLog(pub(crate) EventLog);

#[http_module]
impl HttpModule for HelloWorldLog {
    fn on_begin_request(&mut self, _: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        log(&self.0, &["Hello World!"]);
        Ok(Flow::Continue)
    }
}

/// `CHttpModuleGenericHttpModule`: an entry when the instance is made, one
/// per notification it gets, and one when it goes. The sample also asks for
/// post-notifications of SendResponse, MapPath, ReadEntity and custom
/// notifications, which do not exist (its `OnPost…` methods for them are
/// not `CHttpModule`'s and never run); the safe API has no such hooks.
pub(crate) struct GenericLog(EventLog);

impl GenericLog {
    pub(crate) fn new(log_: EventLog) -> Self {
        log(&log_, &["MyHttpModule"]);
        Self(log_)
    }
}

impl Drop for GenericLog {
    fn drop(&mut self) {
        log(&self.0, &["~MyHttpModule"]);
    }
}

macro_rules! generic_hooks {
    ($($hook:ident($provider:ty) => $text:literal;)*) => {
        #[http_module]
        impl HttpModule for GenericLog {
            $(
                fn $hook(&mut self, _: &mut HttpContext, _: &mut $provider) -> Result<Flow> {
                    log(&self.0, &[$text]);
                    Ok(Flow::Continue)
                }
            )*
            fn on_async_completion(&mut self, _: &mut HttpContext, _: &mut Completion) -> Result<Flow> {
                log(&self.0, &["OnAsyncCompletion"]);
                Ok(Flow::Continue)
            }
        }
    };
}

generic_hooks! {
    on_begin_request(Event) => "OnBeginRequest";
    on_post_begin_request(Event) => "OnPostBeginRequest";
    on_authenticate_request(Authentication) => "OnAuthenticateRequest";
    on_post_authenticate_request(Event) => "OnPostAuthenticateRequest";
    on_authorize_request(Event) => "OnAuthorizeRequest";
    on_post_authorize_request(Event) => "OnPostAuthorizeRequest";
    on_resolve_request_cache(Event) => "OnResolveRequestCache";
    on_post_resolve_request_cache(Event) => "OnPostResolveRequestCache";
    on_map_request_handler(MapHandler) => "OnMapRequestHandler";
    on_post_map_request_handler(Event) => "OnPostMapRequestHandler";
    on_acquire_request_state(Event) => "OnAcquireRequestState";
    on_post_acquire_request_state(Event) => "OnPostAcquireRequestState";
    on_pre_execute_request_handler(Event) => "OnPreExecuteRequestHandler";
    on_post_pre_execute_request_handler(Event) => "OnPostPreExecuteRequestHandler";
    on_execute_request_handler(Event) => "OnExecuteRequestHandler";
    on_post_execute_request_handler(Event) => "OnPostExecuteRequestHandler";
    on_release_request_state(Event) => "OnReleaseRequestState";
    on_post_release_request_state(Event) => "OnPostReleaseRequestState";
    on_update_request_cache(Event) => "OnUpdateRequestCache";
    on_post_update_request_cache(Event) => "OnPostUpdateRequestCache";
    on_log_request(Event) => "OnLogRequest";
    on_post_log_request(Event) => "OnPostLogRequest";
    on_end_request(Event) => "OnEndRequest";
    on_post_end_request(Event) => "OnPostEndRequest";
    on_send_response(SendResponse) => "OnSendResponse";
    on_map_path(MapPath) => "OnMapPath";
    on_read_entity(ReadEntity) => "OnReadEntity";
    on_custom_request_notification(CustomNotification) => "OnCustomRequestNotification";
}

/// `IHttpContextNotifyCustomNotification`: BeginRequest logs and raises
/// `MyCustomNotification`; the module's own handler logs it.
pub(crate) struct CustomNotificationLog(pub(crate) EventLog);

#[http_module]
impl HttpModule for CustomNotificationLog {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        log(&self.0, &["MyHttpModule", "OnBeginRequest"]);
        cx.notify_custom_notification("MyCustomNotification")?;
        Ok(Flow::Continue)
    }
    fn on_custom_request_notification(
        &mut self,
        _: &mut HttpContext,
        provider: &mut CustomNotification,
    ) -> Result<Flow> {
        if provider.notification_type()? == "MyCustomNotification" {
            log(&self.0, &["MyHttpModule", "OnCustomRequestNotification"]);
        }
        Ok(Flow::Continue)
    }
}

/// `IHttpContextGetCurrentExecutionStats`: at BeginRequest,
/// MapRequestHandler and SendResponse, the notification, the module running
/// it, when it started and how long it has run after a one-second sleep.
pub(crate) struct ExecutionStatsLog(pub(crate) EventLog);

impl ExecutionStatsLog {
    fn report(&self, cx: &HttpContext, notification: &str) {
        let entered = std::time::Instant::now();
        let Ok(stats) = cx.execution_stats() else {
            return;
        };
        std::thread::sleep(std::time::Duration::from_secs(1));
        let start = format!(
            "Tick count at start of notification: {}",
            stats.notification_start
        );
        let elapsed = format!(
            "Ticks elapsed since start of notification: {}",
            entered.elapsed().as_millis()
        );
        log(&self.0, &[notification, &stats.module, &start, &elapsed]);
    }
}

#[http_module]
impl HttpModule for ExecutionStatsLog {
    fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        self.report(cx, "OnBeginRequest");
        Ok(Flow::Continue)
    }
    fn on_map_request_handler(&mut self, cx: &mut HttpContext, _: &mut MapHandler) -> Result<Flow> {
        self.report(cx, "OnMapRequestHandler");
        Ok(Flow::Continue)
    }
    fn on_send_response(&mut self, cx: &mut HttpContext, _: &mut SendResponse) -> Result<Flow> {
        self.report(cx, "OnSendResponse");
        Ok(Flow::Continue)
    }
}

/// `IReadEntityProviderGetEntity`: per entity read, its data and buffer
/// sizes.
pub(crate) struct EntityLog(pub(crate) EventLog);

#[http_module]
impl HttpModule for EntityLog {
    fn on_read_entity(&mut self, _: &mut HttpContext, provider: &mut ReadEntity) -> Result<Flow> {
        let data = format!("Data Size: {}", provider.entity().len());
        let buffer = format!("Buffer Size: {}", provider.buffer_len());
        log(&self.0, &["Request Entity Information", &data, &buffer]);
        Ok(Flow::Continue)
    }
}
