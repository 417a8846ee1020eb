//! `IHttpUser` of an anonymous request (what `IHttpContext::GetUser` returns
//! until an authentication module calls `IAuthenticationProvider::SetUser`).
//! It is a static object: `ReferenceUser`/`DereferenceUser` do nothing.

use iis_sys::{BOOL, HANDLE, HRESULT, IHttpUser, IHttpUserVtbl, PCSTR, PCWSTR, define_member_fn};

use crate::ffi::{E_NOTIMPL, FALSE};
use crate::objects::Obj;

/// An empty wide string.
static EMPTY: [u16; 1] = [0];

define_member_fn! {
    /// `GetRemoteUserName`, `GetUserName`, `GetAuthenticationType`,
    /// `GetPassword`: all empty for the anonymous user.
    unsafe fn empty(_this: *mut IHttpUser) -> PCWSTR {
        PCWSTR(EMPTY.as_ptr())
    }

    /// `GetImpersonationToken`/`GetPrimaryToken`: no Windows token here.
    unsafe fn no_token(_this: *mut IHttpUser) -> HANDLE {
        HANDLE(std::ptr::null_mut())
    }

    /// `ReferenceUser`/`DereferenceUser`: the object is static.
    unsafe fn no_op(_this: *mut IHttpUser) {}

    /// `SupportsIsInRole`: no roles.
    unsafe fn supports_roles(_this: *mut IHttpUser) -> BOOL {
        FALSE
    }

    /// `IsInRole`: not supported (as `SupportsIsInRole` says).
    unsafe fn is_in_role(_this: *mut IHttpUser, _role: PCWSTR, _in_role: *mut BOOL) -> HRESULT {
        E_NOTIMPL
    }

    /// `GetUserVariable`: no SID or handles for the anonymous user.
    unsafe fn user_variable(_this: *mut IHttpUser, _name: PCSTR) -> *mut core::ffi::c_void {
        std::ptr::null_mut()
    }
}

/// `IHttpUser` of the anonymous user.
static USER_VTBL: IHttpUserVtbl = IHttpUserVtbl {
    GetRemoteUserName: empty,
    GetUserName: empty,
    GetAuthenticationType: empty,
    GetPassword: empty,
    GetImpersonationToken: no_token,
    GetPrimaryToken: no_token,
    ReferenceUser: no_op,
    DereferenceUser: no_op,
    SupportsIsInRole: supports_roles,
    IsInRole: is_in_role,
    GetUserVariable: user_variable,
};

/// The anonymous user.
pub(crate) static ANONYMOUS: Obj<()> = Obj::new(&USER_VTBL, ());
