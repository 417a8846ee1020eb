//! The ABI objects layer, the host side of the httpserv.h ABI: one Rust
//! struct per C++ interface the host implements, each starting with a
//! pointer to a static vtable whose every slot is a real function
//! (`define_member_fn!`, so `thiscall` on x86).
//!
//! An object is an [`Obj`]: the vtable pointer, then its data. Most objects
//! are fields of the request's [`RequestCore`](crate::state::RequestCore)
//! or of the host's [`HostCore`](crate::state::host::HostCore) and reach it
//! through a [`Back`] pointer; containers carry their map inline.
//!
//! The objects read and change the state (`state`); what needs the pipeline
//! (a nested notification, a completion, a send) goes through the engine's
//! one interface for them, `engine::api`. They know nothing of the
//! transport.

pub(crate) mod admin;
pub(crate) mod allocator;
pub(crate) mod application;
pub(crate) mod async_io;
mod bind;
pub(crate) mod cache;
pub(crate) mod cache_policy;
pub(crate) mod connection;
pub(crate) mod containers;
pub(crate) mod context;
pub(crate) mod event_log;
pub(crate) mod file_info;
pub(crate) mod global_providers;
pub(crate) mod headers;
pub(crate) mod host_log;
pub(crate) mod log_data;
pub(crate) mod providers;
pub(crate) mod raw;
pub(crate) mod registration;
pub(crate) mod request;
pub(crate) mod response;
pub(crate) mod script_map;
pub(crate) mod server;
pub(crate) mod server_variables;
pub(crate) mod trace;
pub(crate) mod user;

pub(crate) use crate::ffi::Foreign;
pub(crate) use crate::state::object::{Back, Obj, has_vtable, owner};

/// Runs `$body` with `$owner` bound to the owner of the object behind `$this`
/// (a [`Back`]-carrying object), inside the panic [`guard`](crate::ffi::guard);
/// `$fallback` when `$this` is null or the body panics.
macro_rules! with_owner {
    ($this:expr, $fallback:expr, |$owner:ident: $ty:ty| $body:expr) => {{
        // SAFETY: the module calls this slot on an object the host handed out
        // (`this` is the object whose vtable holds the slot), and its owner
        // outlives every call the module may legally make on it.
        match unsafe { $crate::objects::owner::<$ty>(($this).cast()) } {
            Some($owner) => $crate::ffi::guard($fallback, || $body),
            None => $fallback,
        }
    }};
}
pub(crate) use with_owner;

/// Like [`with_owner`] for objects carrying their data inline (`Obj<T>`).
macro_rules! with_data {
    ($this:expr, $fallback:expr, |$data:ident: $ty:ty| $body:expr) => {{
        // SAFETY: the module calls this slot on an object the host handed out,
        // alive while the module may legally call it.
        match unsafe { $crate::objects::Obj::<$ty>::data(($this).cast()) } {
            Some($data) => $crate::ffi::guard($fallback, || $body),
            None => $fallback,
        }
    }};
}
pub(crate) use with_data;
