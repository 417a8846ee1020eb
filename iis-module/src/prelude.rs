//! Everything a module needs: `use iis_module::prelude::*;`.

pub use crate::{
    ApplicationEvent, AuthenticatedUser, Authentication, Completion, CompletionHandle,
    ConfigurationChange, CustomNotification, Error, Event, EventLog, EventType, Flow, GlobalFlow,
    GlobalModule, HttpContext, HttpModule, HttpRequest, HttpResponse, HttpServer, MapHandler,
    MapPath, PreBeginRequest, Priority, ReadEntity, Registration, RequestNotifications, Result,
    SendResponse, StopListening, global_module, http_module, register_module,
};
pub use http::header::{self, CONTENT_TYPE, LOCATION};
pub use http::{Method, StatusCode};
pub use windows_core::HRESULT;
