//! Everything a module needs: `use iis_module::prelude::*;`.

pub use crate::event_log::{EventLog, EventType};
pub use crate::global::{ApplicationEvent, ConfigurationChange, PreBeginRequest, StopListening};
pub use crate::request::{
    AuthenticatedUser, Authentication, Completion, CompletionHandle, CustomNotification, Event,
    MapHandler, MapPath, ReadEntity, RequestNotifications, SendResponse,
};
pub use crate::{
    Error, Flow, GlobalFlow, GlobalModule, HttpContext, HttpModule, HttpRequest, HttpResponse,
    HttpServer, Priority, Registration, Result, global_module, http_module, register_module,
};
pub use http::header::{self, CONTENT_TYPE, LOCATION};
pub use http::{Method, StatusCode};
pub use windows_core::HRESULT;
