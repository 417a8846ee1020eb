//! The state layer: what a request and the host hold, as data and locks
//! only: [`RequestCore`] (a request's objects and [`RequestState`] at a
//! stable address), [`HostCore`](host::HostCore), the data the ABI objects
//! carry, and the request running on this thread. It calls nothing above
//! it: the objects (`objects`) bind vtables to this state, the engine
//! (`engine`) runs requests over it.
//!
//! [`RequestState`]: request::RequestState

pub(crate) mod current;
pub(crate) mod headers;
pub(crate) mod host;
pub(crate) mod object;
pub(crate) mod object_data;
pub(crate) mod request;
pub(crate) mod request_core;

pub(crate) use self::request_core::RequestCore;
