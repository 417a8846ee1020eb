//! A user a module authenticates (`IAuthenticationProvider::SetUser`): the
//! SDK builds the `IHttpUser` C++ object IIS keeps, reference-counted, until
//! the request is done with it.

use crate::{Error, Result};
use core::ptr::NonNull;
use core::sync::atomic::{AtomicU32, Ordering};
use iis_sys::{
    BOOL, E_INVALIDARG, E_NOTIMPL, HANDLE, HRESULT, IHttpUser, IHttpUserVtbl, PCSTR, PCWSTR,
    define_member_fn,
};

/// The user a module establishes in `on_authenticate_request`
/// ([`Authentication::set_user`](crate::request::Authentication::set_user)); later
/// modules see it through
/// [`HttpContext::user`](crate::HttpContext::user).
///
/// It has no Windows tokens (`GetImpersonationToken`/`GetPrimaryToken`
/// return null) and no user variables.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuthenticatedUser {
    /// `GetUserName`.
    pub user_name: String,
    /// `GetRemoteUserName` (`REMOTE_USER`).
    pub remote_user_name: String,
    /// `GetAuthenticationType` (`Basic`, `Anonymous`, …).
    pub authentication_type: String,
    /// `GetPassword`.
    pub password: String,
    /// The roles `IsInRole` answers for; `None`: `SupportsIsInRole` is
    /// `FALSE` and `IsInRole` fails with `E_NOTIMPL`.
    pub roles: Option<Vec<String>>,
}

impl AuthenticatedUser {
    /// A user named `name` (as user and remote user name), authenticated
    /// by `authentication_type`, without password or roles.
    pub fn new(name: &str, authentication_type: &str) -> Self {
        Self {
            user_name: name.to_owned(),
            remote_user_name: name.to_owned(),
            authentication_type: authentication_type.to_owned(),
            ..Self::default()
        }
    }
}

/// The C++ object: vtable pointer first, then the reference count and the
/// strings IIS reads (NUL-terminated UTF-16).
#[repr(C)]
struct UserObject {
    vtbl: *const IHttpUserVtbl,
    refs: AtomicU32,
    user_name: Vec<u16>,
    remote_user_name: Vec<u16>,
    authentication_type: Vec<u16>,
    password: Vec<u16>,
    roles: Option<Vec<String>>,
}

fn wide(text: &str, what: &'static str) -> Result<Vec<u16>> {
    if text.contains('\0') {
        return Err(Error::InvalidInput {
            what,
            reason: "contains NUL",
        });
    }
    Ok(text.encode_utf16().chain([0]).collect())
}

/// A new `IHttpUser` holding one reference, which passes to IIS.
pub(crate) fn new_user(user: AuthenticatedUser) -> Result<NonNull<IHttpUser>> {
    let object = Box::new(UserObject {
        vtbl: &USER_VTBL,
        refs: AtomicU32::new(1),
        user_name: wide(&user.user_name, "user name")?,
        remote_user_name: wide(&user.remote_user_name, "remote user name")?,
        authentication_type: wide(&user.authentication_type, "authentication type")?,
        password: wide(&user.password, "password")?,
        roles: user.roles,
    });
    Ok(NonNull::from(Box::leak(object)).cast())
}

fn text(units: &[u16]) -> PCWSTR {
    PCWSTR(units.as_ptr())
}

/// Defines the slots of [`USER_VTBL`]: each body sees the object behind
/// `this` as `$o` (`None` for a null `this`), with the slot's other
/// arguments.
macro_rules! user_slots {
    ($(fn $name:ident(|$o:ident| $(, $arg:ident: $ty:ty)*) -> $ret:ty $body:block)*) => {
        define_member_fn! {$(
            unsafe fn $name(this: *mut IHttpUser $(, $arg: $ty)*) -> $ret {
                // SAFETY: IIS calls the slots of `USER_VTBL` only on objects
                // `new_user` made (or null), live while IIS holds a reference,
                // which it does during the call.
                let $o: Option<&UserObject> = unsafe { this.cast::<UserObject>().as_ref() };
                $body
            }
        )*}
    };
}

user_slots! {
    fn remote_user_name(|o|) -> PCWSTR {
        o.map_or(PCWSTR::null(), |o| text(&o.remote_user_name))
    }
    fn user_name(|o|) -> PCWSTR {
        o.map_or(PCWSTR::null(), |o| text(&o.user_name))
    }
    fn authentication_type(|o|) -> PCWSTR {
        o.map_or(PCWSTR::null(), |o| text(&o.authentication_type))
    }
    fn password(|o|) -> PCWSTR {
        o.map_or(PCWSTR::null(), |o| text(&o.password))
    }
    fn no_token(|_o|) -> HANDLE {
        HANDLE(core::ptr::null_mut())
    }
    fn reference(|o|) -> () {
        if let Some(o) = o {
            o.refs.fetch_add(1, Ordering::Relaxed);
        }
    }
    fn dereference(|o|) -> () {
        let Some(o) = o else { return };
        if o.refs.fetch_sub(1, Ordering::AcqRel) == 1 {
            let raw = core::ptr::from_ref(o).cast_mut();
            // SAFETY: the last reference: the object came from `Box::leak`
            // in `new_user` and nobody can reach it any more.
            drop(unsafe { Box::from_raw(raw) });
        }
    }
    fn supports_roles(|o|) -> BOOL {
        BOOL::from(o.is_some_and(|o| o.roles.is_some()))
    }
    fn is_in_role(|o|, role: PCWSTR, in_role: *mut BOOL) -> HRESULT {
        let Some(roles) = o.and_then(|o| o.roles.as_ref()) else {
            return E_NOTIMPL;
        };
        if in_role.is_null() {
            return E_INVALIDARG;
        }
        // SAFETY: IIS passes a NUL-terminated role name or null.
        let role = match unsafe { crate::ffi::wide_to_string(role, "role") } {
            Ok(Some(role)) => role,
            _ => return E_INVALIDARG,
        };
        let found = roles.iter().any(|r| r.eq_ignore_ascii_case(&role));
        // SAFETY: non-null out-pointer, writable for the call.
        unsafe { in_role.write(BOOL::from(found)) };
        HRESULT(0)
    }
    fn user_variable(|_o|, _name: PCSTR) -> *mut core::ffi::c_void {
        core::ptr::null_mut()
    }
}

static USER_VTBL: IHttpUserVtbl = IHttpUserVtbl {
    GetRemoteUserName: remote_user_name,
    GetUserName: user_name,
    GetAuthenticationType: authentication_type,
    GetPassword: password,
    GetImpersonationToken: no_token,
    GetPrimaryToken: no_token,
    ReferenceUser: reference,
    DereferenceUser: dereference,
    SupportsIsInRole: supports_roles,
    IsInRole: is_in_role,
    GetUserVariable: user_variable,
};
