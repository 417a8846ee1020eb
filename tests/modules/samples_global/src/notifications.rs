//! The `CGlobalModule` samples: a global module that writes the name of
//! each global notification it receives to the event log (source
//! `IISADMIN`), one sample per notification, one for all of them
//! (`CGlobalModuleGenericGlobalModule`, which also logs its construction
//! and destruction) and `CGlobalModuleHelloWorld`.

use iis_module::prelude::*;
use iis_module::{
    global::{
        ApplicationEvent, CacheOperation, ConfigurationChange, FileChange, ResolveModules,
        RscaQuery, ThreadCleanup, TraceEvent,
    },
    request::CustomNotification,
};

/// The event source every sample writes to.
pub const SOURCE: &str = "IISADMIN";

/// Opens the samples' event source.
pub fn iisadmin(module: &Registration) -> Result<EventLog> {
    EventLog::open(&module.server(), SOURCE)
}

/// Declares a global module that logs `$text` in `$hook`, and nothing else.
macro_rules! notification_logger {
    ($(#[$doc:meta])* $name:ident: $hook:ident($($provider:ty)?) => $text:literal) => {
        $(#[$doc])*
        pub struct $name(pub EventLog);

        #[global_module]
        impl GlobalModule for $name {
            fn $hook(&self $(, _: &mut $provider)?) -> Result<GlobalFlow> {
                self.0.info($text)?;
                Ok(GlobalFlow::Continue)
            }
        }
    };
}

notification_logger! {
    /// `CGlobalModuleHelloWorld`: "Hello World!" for every request.
    HelloWorld: on_pre_begin_request(PreBeginRequest) => "Hello World!"
}
notification_logger! {
    /// `CGlobalModuleGlobalApplicationResolveModules`.
    ApplicationResolveModules: on_application_resolve_modules(ResolveModules) => "OnGlobalApplicationResolveModules"
}
notification_logger! {
    /// `CGlobalModuleGlobalApplicationStart`.
    ApplicationStart: on_application_start(ApplicationEvent) => "OnGlobalApplicationStart"
}
notification_logger! {
    /// `CGlobalModuleGlobalApplicationStop`.
    ApplicationStop: on_application_stop(ApplicationEvent) => "OnGlobalApplicationStop"
}
notification_logger! {
    /// `CGlobalModuleGlobalCacheCleanup`.
    CacheCleanup: on_cache_cleanup() => "OnGlobalCacheCleanup"
}
notification_logger! {
    /// `CGlobalModuleGlobalCacheOperation`.
    CacheOperationLogger: on_cache_operation(CacheOperation) => "OnGlobalCacheOperation"
}
notification_logger! {
    /// `CGlobalModuleGlobalHealthCheck`.
    HealthCheck: on_health_check() => "OnGlobalHealthCheck"
}
notification_logger! {
    /// `CGlobalModuleGlobalPreBeginRequest`.
    PreBeginRequestLogger: on_pre_begin_request(PreBeginRequest) => "OnGlobalPreBeginRequest"
}
notification_logger! {
    /// `CGlobalModuleGlobalRSCAQuery`.
    RscaQueryLogger: on_rsca_query(RscaQuery) => "OnGlobalRSCAQuery"
}
notification_logger! {
    /// `CGlobalModuleGlobalStopListening`.
    StopListeningLogger: on_stop_listening(StopListening) => "OnGlobalStopListening"
}
notification_logger! {
    /// `CGlobalModuleGlobalTraceEvent`.
    TraceEventLogger: on_trace_event(TraceEvent) => "OnGlobalTraceEvent"
}

/// `CGlobalModuleGenericGlobalModule`: all fourteen notifications, plus
/// "MyGlobalModule" when created and "~MyGlobalModule" when IIS terminates
/// it.
pub struct Generic(EventLog);

impl Generic {
    /// Creates the module, logging its construction.
    pub fn new(log: EventLog) -> Result<Self> {
        log.info("MyGlobalModule")?;
        Ok(Self(log))
    }

    fn log(&self, text: &str) -> Result<GlobalFlow> {
        self.0.info(text)?;
        Ok(GlobalFlow::Continue)
    }
}

impl Drop for Generic {
    fn drop(&mut self) {
        // The C++ destructor's entry; a failure has nowhere to go.
        let _ = self.0.info("~MyGlobalModule");
    }
}

#[global_module]
impl GlobalModule for Generic {
    fn on_stop_listening(&self, _: &mut StopListening) -> Result<GlobalFlow> {
        self.log("OnGlobalStopListening")
    }
    fn on_cache_cleanup(&self) -> Result<GlobalFlow> {
        self.log("OnGlobalCacheCleanup")
    }
    fn on_cache_operation(&self, _: &mut CacheOperation) -> Result<GlobalFlow> {
        self.log("OnGlobalCacheOperation")
    }
    fn on_health_check(&self) -> Result<GlobalFlow> {
        self.log("OnGlobalHealthCheck")
    }
    fn on_configuration_change(&self, _: &mut ConfigurationChange) -> Result<GlobalFlow> {
        self.log("OnGlobalConfigurationChange")
    }
    fn on_file_change(&self, _: &mut FileChange) -> Result<GlobalFlow> {
        self.log("OnGlobalFileChange")
    }
    fn on_pre_begin_request(&self, _: &mut PreBeginRequest) -> Result<GlobalFlow> {
        self.log("OnGlobalPreBeginRequest")
    }
    fn on_application_start(&self, _: &mut ApplicationEvent) -> Result<GlobalFlow> {
        self.log("OnGlobalApplicationStart")
    }
    fn on_application_resolve_modules(&self, _: &mut ResolveModules) -> Result<GlobalFlow> {
        self.log("OnGlobalApplicationResolveModules")
    }
    fn on_application_stop(&self, _: &mut ApplicationEvent) -> Result<GlobalFlow> {
        self.log("OnGlobalApplicationStop")
    }
    fn on_rsca_query(&self, _: &mut RscaQuery) -> Result<GlobalFlow> {
        self.log("OnGlobalRSCAQuery")
    }
    fn on_trace_event(&self, _: &mut TraceEvent) -> Result<GlobalFlow> {
        self.log("OnGlobalTraceEvent")
    }
    fn on_custom_notification(&self, _: &mut CustomNotification) -> Result<GlobalFlow> {
        self.log("OnGlobalCustomNotification")
    }
    fn on_thread_cleanup(&self, _: &mut ThreadCleanup) -> Result<GlobalFlow> {
        self.log("OnGlobalThreadCleanup")
    }
}

/// Registers the `CGlobalModule*` sample called `name`, if it is one.
pub fn register(name: &str, module: &mut Registration) -> Option<Result<()>> {
    if !name.starts_with("CGlobalModule") {
        return None;
    }
    let log = match iisadmin(module) {
        Ok(log) => log,
        Err(e) => return Some(Err(e)),
    };
    Some(match name {
        "CGlobalModuleHelloWorld" => module.global_module(HelloWorld(log)),
        "CGlobalModuleGenericGlobalModule" => {
            Generic::new(log).and_then(|m| module.global_module(m))
        }
        "CGlobalModuleGlobalApplicationResolveModules" => {
            module.global_module(ApplicationResolveModules(log))
        }
        "CGlobalModuleGlobalApplicationStart" => module.global_module(ApplicationStart(log)),
        "CGlobalModuleGlobalApplicationStop" => module.global_module(ApplicationStop(log)),
        "CGlobalModuleGlobalCacheCleanup" => module.global_module(CacheCleanup(log)),
        "CGlobalModuleGlobalCacheOperation" => module.global_module(CacheOperationLogger(log)),
        "CGlobalModuleGlobalHealthCheck" => module.global_module(HealthCheck(log)),
        "CGlobalModuleGlobalPreBeginRequest" => module.global_module(PreBeginRequestLogger(log)),
        "CGlobalModuleGlobalRSCAQuery" => module.global_module(RscaQueryLogger(log)),
        "CGlobalModuleGlobalStopListening" => module.global_module(StopListeningLogger(log)),
        "CGlobalModuleGlobalTraceEvent" => module.global_module(TraceEventLogger(log)),
        _ => return None,
    })
}
