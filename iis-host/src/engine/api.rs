//! The engine as the ABI objects see it: the one engine module `objects`
//! may import. A module's call that needs the pipeline comes through here:
//! a nested notification ([`notify`]), a global one ([`notify_global`]), an
//! asynchronous completion ([`complete`]), a send ([`send`]),
//! `GetNextNotification`/`GetIsLastNotification` ([`next`]), and child
//! requests ([`child`]).

pub(crate) use super::dispatch::{complete, notify};
pub(crate) use super::global::notify_global;
pub(crate) use super::send::send;

/// What `IHttpContext::GetNextNotification` and `GetIsLastNotification`
/// ask of the engine.
pub(crate) mod next {
    pub(crate) use crate::engine::next::{more_pending, take_next};
}

/// What `CloneContext`, `ExecuteRequest` and `ReleaseClonedContext` ask of
/// the engine.
pub(crate) mod child {
    pub(crate) use crate::engine::child::{clone, execute, release};
}
