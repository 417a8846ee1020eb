//! The `IHttpModuleRegistrationInfoSet*` samples (four identical modules):
//! a request module at `RQ_BEGIN_REQUEST` (priority MEDIUM) and a global
//! module at `GL_PRE_BEGIN_REQUEST` (priority LOW) from one
//! `RegisterModule`, each writing its name and notification to the event
//! log.

use crate::notifications::iisadmin;
use iis_module::global::GlobalNotifications;
use iis_module::prelude::*;
use std::sync::Arc;

/// The request half.
pub struct MyHttpModule(Arc<EventLog>);

#[http_module]
impl HttpModule for MyHttpModule {
    fn on_begin_request(&mut self, _: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        self.0.report(
            EventType::Information,
            0,
            &["MyHttpModule", "OnBeginRequest"],
        )?;
        Ok(Flow::Continue)
    }
}

/// The global half.
pub struct MyGlobalModule(Arc<EventLog>);

#[global_module]
impl GlobalModule for MyGlobalModule {
    fn on_pre_begin_request(&self, _: &mut PreBeginRequest) -> Result<GlobalFlow> {
        self.0.report(
            EventType::Information,
            0,
            &["MyGlobalModule", "OnGlobalPreBeginRequest"],
        )?;
        Ok(GlobalFlow::Continue)
    }
}

/// The samples' names.
pub const NAMES: [&str; 4] = [
    "IHttpModuleRegistrationInfoSetGlobalNotifications",
    "IHttpModuleRegistrationInfoSetPriorityForGlobalNotification",
    "IHttpModuleRegistrationInfoSetPriorityForRequestNotification",
    "IHttpModuleRegistrationInfoSetRequestNotifications",
];

/// Registers the sample called `name`, if it is one.
pub fn register(name: &str, module: &mut Registration) -> Option<Result<()>> {
    if !NAMES.contains(&name) {
        return None;
    }
    let register = |module: &mut Registration| -> Result<()> {
        let log = Arc::new(iisadmin(module)?);
        let request_log = Arc::clone(&log);
        module.request_module(move || MyHttpModule(Arc::clone(&request_log)))?;
        module.set_request_priority(RequestNotifications::BEGIN_REQUEST, Priority::Medium)?;
        module.global_module(MyGlobalModule(log))?;
        module.set_global_priority(GlobalNotifications::PRE_BEGIN_REQUEST, Priority::Low)
    };
    Some(register(module))
}
