//! The engine as the ABI objects see it: the one engine module `objects`
//! may import. A module's call that needs the pipeline comes through here:
//! a nested notification ([`notify`]), a global one ([`notify_global`]), an
//! asynchronous completion ([`complete`]), a send ([`send`]), and
//! `GetNextNotification`/`GetIsLastNotification` ([`next`]).

pub(crate) use super::dispatch::{complete, notify};
pub(crate) use super::global::notify_global;
pub(crate) use super::send::send;

/// What `IHttpContext::GetNextNotification` and `GetIsLastNotification`
/// ask of the engine.
pub(crate) mod next {
    pub(crate) use crate::engine::next::{more_pending, take_next};
}
