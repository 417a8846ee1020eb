//! The FFI edge: how a Rust module becomes the C++ objects IIS calls, and
//! where every notification enters the SDK. Request and global modules
//! share what is here and nothing of each other's:
//!
//! - [`request`]: the `CHttpModule` object of a request module, the
//!   dispatch every request hook runs through, and its `IHttpModuleFactory`;
//! - [`global`]: the `CGlobalModule` object of a global module and what
//!   every global hook runs inside;
//! - [`provider`]: the provider views both kinds of hooks receive, built
//!   from the raw pointers of the call.
//!
//! The hook tables themselves (trait, masks, thunks, vtable) are generated
//! beside the traits they define, from iis-sys's notification tables:
//! [`crate::request::HttpModule`] and [`crate::global::GlobalModule`].

pub(crate) mod global;
pub(crate) mod provider;
pub(crate) mod request;

/// `a == b` in a `const fn` (the subscription masks are computed at
/// compile time from the names of the implemented hooks).
pub(crate) const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}
