//! Request modules: the [`HttpModule`] trait, what hooks return, the
//! providers they get, and the glue that makes them C++ objects.

pub(crate) mod allocator;
pub(crate) mod flow;
pub(crate) mod glue;
pub(crate) mod hooks;
pub(crate) mod log_data;
pub(crate) mod providers;
pub(crate) mod user;

pub use allocator::{ModuleAllocator, PoolBuffer, PoolGuard};
pub use flow::{CompletionHandle, Flow, Pending};
pub use hooks::{HttpModule, RequestHooks};
pub use log_data::LogFields;
pub use providers::{
    Authentication, Completion, CustomNotification, Event, MapHandler, MapPath, ReadEntity,
    SendResponse,
};
pub use user::AuthenticatedUser;
