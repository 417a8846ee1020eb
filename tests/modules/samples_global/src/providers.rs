//! The samples of the global providers (`IGlobal*Provider`,
//! `IHttpApplicationProvider`, `IPreBeginRequestProvider`, …): each reads
//! what its provider offers and writes it to the event log.
//!
//! Several C++ samples keep the `IHttpContext` of the last
//! `GL_PRE_BEGIN_REQUEST` in the module and use it in a later notification
//! (only to allocate a string buffer, on a context whose request may be
//! over). The safe API does not let a context outlive its notification, so
//! these ports remember only that a request was seen, which is what gates
//! their log entry, and keep the strings themselves.

use crate::notifications::iisadmin;
use iis_module::prelude::*;
use iis_module::{
    HRESULT,
    global::{
        ApplicationEvent, ConfigurationChange, FileChange, GlobalNotifications, ResolveModules,
        RscaQuery, ThreadCleanup,
    },
    request::CustomNotification,
    server::guid_string,
};
use std::sync::atomic::{AtomicBool, Ordering};

/// `IGlobalStopListeningProviderDrainRequestsGracefully`.
pub struct DrainRequests(EventLog);

#[global_module]
impl GlobalModule for DrainRequests {
    fn on_stop_listening(&self, provider: &mut StopListening) -> Result<GlobalFlow> {
        let answer = if provider.drain_gracefully() {
            "Yes"
        } else {
            "No"
        };
        self.0
            .info(&format!("Drain Requests Gracefully: {answer}"))?;
        Ok(GlobalFlow::Continue)
    }
}

/// `IGlobalConfigurationChangeProviderGetChangePath`: "Path Changed" and
/// the configuration path, once a request has been seen.
pub struct ChangePath {
    log: EventLog,
    seen_request: AtomicBool,
}

#[global_module]
impl GlobalModule for ChangePath {
    fn on_configuration_change(&self, provider: &mut ConfigurationChange) -> Result<GlobalFlow> {
        if self.seen_request.load(Ordering::SeqCst) {
            let path = provider.path()?;
            self.log
                .report(EventType::Information, 0, &["Path Changed", &path])?;
        }
        Ok(GlobalFlow::Continue)
    }
    fn on_pre_begin_request(&self, _: &mut PreBeginRequest) -> Result<GlobalFlow> {
        self.seen_request.store(true, Ordering::SeqCst);
        Ok(GlobalFlow::Continue)
    }
}

/// `IGlobalFileChangeProviderGetFileName`: "File Name" and the changed
/// file, once a request has been seen.
pub struct ChangedFile {
    log: EventLog,
    seen_request: AtomicBool,
}

#[global_module]
impl GlobalModule for ChangedFile {
    fn on_file_change(&self, provider: &mut FileChange) -> Result<GlobalFlow> {
        if self.seen_request.load(Ordering::SeqCst) {
            let file = provider.file_name()?;
            self.log
                .report(EventType::Information, 0, &["File Name", &file])?;
        }
        Ok(GlobalFlow::Continue)
    }
    fn on_pre_begin_request(&self, _: &mut PreBeginRequest) -> Result<GlobalFlow> {
        self.seen_request.store(true, Ordering::SeqCst);
        Ok(GlobalFlow::Continue)
    }
}

/// `IGlobalThreadCleanupProviderGetApplication`: the application id when a
/// request thread returns to the pool.
pub struct ThreadCleanupApplication {
    log: EventLog,
    seen_request: AtomicBool,
}

#[global_module]
impl GlobalModule for ThreadCleanupApplication {
    fn on_thread_cleanup(&self, provider: &mut ThreadCleanup) -> Result<GlobalFlow> {
        let id = provider.application()?.id()?;
        if self.seen_request.load(Ordering::SeqCst) {
            self.log.report(
                EventType::Information,
                0,
                &["OnGlobalThreadCleanup", "Application ID:", &id],
            )?;
        }
        Ok(GlobalFlow::Continue)
    }
    fn on_pre_begin_request(&self, _: &mut PreBeginRequest) -> Result<GlobalFlow> {
        self.seen_request.store(true, Ordering::SeqCst);
        Ok(GlobalFlow::Continue)
    }
}

/// `IHttpApplicationProviderGetApplication`: the application's physical
/// path when it starts, if a request has been seen before (so only when the
/// application restarts).
pub struct StartedApplication {
    log: EventLog,
    seen_request: AtomicBool,
}

#[global_module]
impl GlobalModule for StartedApplication {
    fn on_application_start(&self, provider: &mut ApplicationEvent) -> Result<GlobalFlow> {
        let path = provider.application()?.physical_path()?;
        if self.seen_request.load(Ordering::SeqCst) {
            self.log.report(
                EventType::Information,
                0,
                &[
                    "OnGlobalApplicationStart",
                    "Application Physical Path:",
                    &path,
                ],
            )?;
        }
        Ok(GlobalFlow::Continue)
    }
    fn on_pre_begin_request(&self, _: &mut PreBeginRequest) -> Result<GlobalFlow> {
        self.seen_request.store(true, Ordering::SeqCst);
        Ok(GlobalFlow::Continue)
    }
}

/// `IPreBeginRequestProviderGetHttpContext`: the request's site name.
pub struct PreBeginSiteName(EventLog);

#[global_module]
impl GlobalModule for PreBeginSiteName {
    fn on_pre_begin_request(&self, provider: &mut PreBeginRequest) -> Result<GlobalFlow> {
        let name = provider.with_context(|cx| cx.site().map(|site| site.name()))?;
        if let Some(name) = name.transpose()? {
            self.0
                .report(EventType::Information, 0, &["Site Name", &name])?;
        }
        Ok(GlobalFlow::Continue)
    }
}

/// `IHttpApplicationResolveModulesProvider`.
pub struct ResolveModulesLogger(EventLog);

#[global_module]
impl GlobalModule for ResolveModulesLogger {
    fn on_application_resolve_modules(&self, _: &mut ResolveModules) -> Result<GlobalFlow> {
        self.0.report(
            EventType::Information,
            0,
            &["MyGlobalModule", "OnGlobalApplicationResolveModules"],
        )?;
        Ok(GlobalFlow::Continue)
    }
}

/// What an RSCA sample logs.
#[derive(Clone, Copy)]
pub enum RscaParts {
    /// `GetFunctionName.cpp`.
    Name,
    /// `GetFunctionParameters.cpp`.
    Parameters,
    /// `IGlobalRSCAQueryProvider.cpp`: both.
    Both,
}

/// `IGlobalRSCAQueryProvider`: the query's function name and parameters.
pub struct RscaLogger {
    log: EventLog,
    parts: RscaParts,
}

#[global_module]
impl GlobalModule for RscaLogger {
    fn on_rsca_query(&self, provider: &mut RscaQuery) -> Result<GlobalFlow> {
        if matches!(self.parts, RscaParts::Name | RscaParts::Both) {
            self.log
                .info(&format!("Function Name:  {}", provider.function_name()?))?;
        }
        if matches!(self.parts, RscaParts::Parameters | RscaParts::Both) {
            self.log
                .info(&format!("Parameters:  {}", provider.parameters()?))?;
        }
        Ok(GlobalFlow::Continue)
    }
}

/// `IHttpServerGetTraceContext`: the server trace context's activity id
/// for every request (registered at priority HIGH).
pub struct ServerActivityId {
    log: EventLog,
    server: HttpServer,
}

#[global_module]
impl GlobalModule for ServerActivityId {
    fn on_pre_begin_request(&self, _: &mut PreBeginRequest) -> Result<GlobalFlow> {
        if let Some(id) = self
            .server
            .trace_context()
            .and_then(|trace| trace.activity_id())
        {
            self.log.report(
                EventType::Information,
                0,
                &["Trace Activity ID", &guid_string(&id)],
            )?;
        }
        Ok(GlobalFlow::Continue)
    }
}

/// The type of `IHttpServerNotifyCustomNotification`'s notification.
pub const MY_CUSTOM_NOTIFICATION: &str = "MyCustomNotification";

/// `IHttpServerNotifyCustomNotification`: every request raises a global
/// custom notification, which the module itself receives.
pub struct CustomNotifier {
    log: EventLog,
    server: HttpServer,
}

#[global_module]
impl GlobalModule for CustomNotifier {
    fn on_pre_begin_request(&self, _: &mut PreBeginRequest) -> Result<GlobalFlow> {
        self.log.report(
            EventType::Information,
            0,
            &["MyGlobalModule", "OnGlobalPreBeginRequest"],
        )?;
        self.server
            .notify_custom_notification(MY_CUSTOM_NOTIFICATION)?;
        Ok(GlobalFlow::Continue)
    }
    fn on_custom_notification(&self, provider: &mut CustomNotification) -> Result<GlobalFlow> {
        if provider.notification_type()? == MY_CUSTOM_NOTIFICATION {
            self.log.report(
                EventType::Information,
                0,
                &["MyGlobalModule", "OnGlobalCustomNotification"],
            )?;
        }
        Ok(GlobalFlow::Continue)
    }
}

/// `_GPR`: at `GL_PRE_BEGIN_REQUEST`, a request for exactly `/rPost.htm`
/// is rewritten to `/Test.htm` (query reset), with a `QuickTrace` note; a
/// failed rewrite answers 500 and handles the notification.
pub struct RewritePost;

#[global_module]
impl GlobalModule for RewritePost {
    fn on_pre_begin_request(&self, provider: &mut PreBeginRequest) -> Result<GlobalFlow> {
        provider.with_context(|cx| {
            let url = cx.request().url()?;
            log::debug!("{url}");
            if url != "/rPost.htm" {
                return Ok(GlobalFlow::Continue);
            }
            match cx.request().set_url("/Test.htm", true) {
                Ok(()) => {
                    cx.quick_trace("URL change from rPost to", "/Test.htm", HRESULT(0), 4)?;
                    Ok(GlobalFlow::Continue)
                }
                Err(error) => {
                    cx.response().set_status_detail(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        0,
                        "Internal Server Error",
                        false,
                    )?;
                    log::debug!("rewrite failed: {error}");
                    Ok(GlobalFlow::Handled)
                }
            }
        })?
    }
}

/// Runs `register` with the samples' event source.
fn with_log(
    module: &mut Registration,
    register: impl FnOnce(&mut Registration, EventLog) -> Result<()>,
) -> Result<()> {
    let log = iisadmin(module)?;
    register(module, log)
}

/// Registers the provider sample called `name`, if it is one.
pub fn register(name: &str, module: &mut Registration) -> Option<Result<()>> {
    let seen_request = || AtomicBool::new(false);
    let rsca = |parts| move |m: &mut Registration, log| m.global_module(RscaLogger { log, parts });
    Some(match name {
        "_GPR" => module.global_module(RewritePost),
        "IGlobalStopListeningProviderDrainRequestsGracefully" => {
            with_log(module, |m, log| m.global_module(DrainRequests(log)))
        }
        "IGlobalConfigurationChangeProviderGetChangePath" => with_log(module, |m, log| {
            m.global_module(ChangePath {
                log,
                seen_request: seen_request(),
            })
        }),
        "IGlobalFileChangeProviderGetFileName" => with_log(module, |m, log| {
            m.global_module(ChangedFile {
                log,
                seen_request: seen_request(),
            })
        }),
        "IGlobalThreadCleanupProviderGetApplication" => with_log(module, |m, log| {
            m.global_module(ThreadCleanupApplication {
                log,
                seen_request: seen_request(),
            })
        }),
        "IHttpApplicationProviderGetApplication" => with_log(module, |m, log| {
            m.global_module(StartedApplication {
                log,
                seen_request: seen_request(),
            })
        }),
        "IPreBeginRequestProviderGetHttpContext" => {
            with_log(module, |m, log| m.global_module(PreBeginSiteName(log)))
        }
        "IHttpApplicationResolveModulesProvider" => {
            with_log(module, |m, log| m.global_module(ResolveModulesLogger(log)))
        }
        "IGlobalRSCAQueryProvider/GetFunctionName" => with_log(module, rsca(RscaParts::Name)),
        "IGlobalRSCAQueryProvider/GetFunctionParameters" => {
            with_log(module, rsca(RscaParts::Parameters))
        }
        "IGlobalRSCAQueryProvider" => with_log(module, rsca(RscaParts::Both)),
        "IHttpServerGetTraceContext" => with_log(module, |m, log| {
            let server = m.server();
            m.global_module(ServerActivityId { log, server })?;
            m.set_global_priority(GlobalNotifications::PRE_BEGIN_REQUEST, Priority::High)
        }),
        "IHttpServerNotifyCustomNotification" => with_log(module, |m, log| {
            let server = m.server();
            m.global_module(CustomNotifier { log, server })
        }),
        _ => return None,
    })
}
