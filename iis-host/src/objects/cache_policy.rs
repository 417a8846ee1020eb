//! `IHttpCachePolicy2` (`IHttpResponse::GetCachePolicy`): the output-cache
//! settings a module may read and set. iis-host has no output cache, so the
//! settings are stored and returned, and change nothing else.

use iis_sys::{
    BOOL, HRESULT, HTTP_CACHE_POLICY, IHttpCachePolicy, IHttpCachePolicy2, IHttpCachePolicy2Vtbl,
    IHttpCachePolicyVtbl, PCSTR, define_member_fn,
};

use crate::ffi::{Arena, E_INVALIDARG, FALSE, S_OK, cstr, lock};
use crate::objects::{Foreign, with_owner};
use crate::state::RequestCore;
use crate::state::object_data::CacheState;

/// A cache policy of the request (`kernel` or `user`), kept in `arena` the
/// first time a module asks for it; the defaults: no caching
/// (`HttpCachePolicyNocache`), user cache disabled.
fn policy(
    policy: &mut Option<Foreign<HTTP_CACHE_POLICY>>,
    arena: &Arena,
) -> *mut HTTP_CACHE_POLICY {
    policy
        .get_or_insert_with(|| Foreign(arena.keep(HTTP_CACHE_POLICY::default())))
        .0
}

fn with<R>(core: &RequestCore, f: impl FnOnce(&mut CacheState) -> R) -> R {
    f(&mut lock(&core.cache))
}

fn text_or_null(core: &RequestCore, bytes: &[u8]) -> PCSTR {
    if bytes.is_empty() {
        PCSTR::null()
    } else {
        core.arena.cstr(bytes)
    }
}

/// Appends `value` to a comma-separated list.
///
/// # Safety
///
/// `value` is null or NUL-terminated.
unsafe fn append(list: &mut Vec<u8>, value: PCSTR) -> HRESULT {
    // SAFETY: forwarded contract.
    let Some(value) = (unsafe { cstr(value) }) else {
        return E_INVALIDARG;
    };
    if !list.is_empty() {
        list.push(b',');
    }
    list.extend_from_slice(value);
    S_OK
}

define_member_fn! {
    unsafe fn kernel_policy(this: *mut IHttpCachePolicy) -> *mut HTTP_CACHE_POLICY {
        with_owner!(this, std::ptr::null_mut(), |core: RequestCore| with(core, |c| policy(&mut c.kernel, &core.arena)))
    }
    unsafe fn set_invalidator(this: *mut IHttpCachePolicy) {
        with_owner!(this, (), |core: RequestCore| with(core, |c| c.invalidator = true))
    }
    unsafe fn user_policy(this: *mut IHttpCachePolicy) -> *mut HTTP_CACHE_POLICY {
        with_owner!(this, std::ptr::null_mut(), |core: RequestCore| with(core, |c| policy(&mut c.user, &core.arena)))
    }
    unsafe fn append_vary_header(this: *mut IHttpCachePolicy, header: PCSTR) -> HRESULT {
        // SAFETY: the module passes a NUL-terminated string or null.
        with_owner!(this, E_INVALIDARG, |core: RequestCore| with(core, |c| unsafe { append(&mut c.vary_headers, header) }))
    }
    unsafe fn vary_headers(this: *mut IHttpCachePolicy) -> PCSTR {
        with_owner!(this, PCSTR::null(), |core: RequestCore| {
            let value = with(core, |c| c.vary_headers.clone());
            text_or_null(core, &value)
        })
    }
    unsafe fn append_vary_query(this: *mut IHttpCachePolicy, param: PCSTR) -> HRESULT {
        // SAFETY: the module passes a NUL-terminated string or null.
        with_owner!(this, E_INVALIDARG, |core: RequestCore| with(core, |c| unsafe { append(&mut c.vary_query, param) }))
    }
    unsafe fn vary_query(this: *mut IHttpCachePolicy) -> PCSTR {
        with_owner!(this, PCSTR::null(), |core: RequestCore| {
            let value = with(core, |c| c.vary_query.clone());
            text_or_null(core, &value)
        })
    }
    unsafe fn set_vary_value(this: *mut IHttpCachePolicy, value: PCSTR) -> HRESULT {
        with_owner!(this, E_INVALIDARG, |core: RequestCore| {
            // SAFETY: the module passes a NUL-terminated string or null.
            let Some(value) = (unsafe { cstr(value) }) else { return E_INVALIDARG };
            with(core, |c| c.vary_value = value.to_vec());
            S_OK
        })
    }
    unsafe fn vary_value(this: *mut IHttpCachePolicy) -> PCSTR {
        with_owner!(this, PCSTR::null(), |core: RequestCore| {
            let value = with(core, |c| c.vary_value.clone());
            text_or_null(core, &value)
        })
    }
    unsafe fn user_cache_enabled(this: *mut IHttpCachePolicy) -> BOOL {
        with_owner!(this, FALSE, |core: RequestCore| with(core, |c| c.user_cache).into())
    }
    unsafe fn disable_user_cache(this: *mut IHttpCachePolicy) {
        with_owner!(this, (), |core: RequestCore| with(core, |c| c.user_cache = false))
    }
    unsafe fn is_cached(this: *mut IHttpCachePolicy) -> BOOL {
        with_owner!(this, FALSE, |core: RequestCore| with(core, |c| c.cached).into())
    }
    unsafe fn set_is_cached(this: *mut IHttpCachePolicy) {
        with_owner!(this, (), |core: RequestCore| with(core, |c| c.cached = true))
    }
    unsafe fn invalidator_set(this: *mut IHttpCachePolicy) -> BOOL {
        with_owner!(this, FALSE, |core: RequestCore| with(core, |c| c.invalidator).into())
    }
    unsafe fn force_update_set(this: *mut IHttpCachePolicy2) -> BOOL {
        with_owner!(this, FALSE, |core: RequestCore| with(core, |c| c.force_update).into())
    }
    unsafe fn set_force_update(this: *mut IHttpCachePolicy2) {
        with_owner!(this, (), |core: RequestCore| with(core, |c| c.force_update = true))
    }
}

/// `IHttpCachePolicy2` (a plain cast gives `IHttpCachePolicy`).
pub(crate) static CACHE_POLICY_VTBL: IHttpCachePolicy2Vtbl = IHttpCachePolicy2Vtbl {
    base: IHttpCachePolicyVtbl {
        GetKernelCachePolicy: kernel_policy,
        SetKernelCacheInvalidatorSet: set_invalidator,
        GetUserCachePolicy: user_policy,
        AppendVaryByHeader: append_vary_header,
        GetVaryByHeaders: vary_headers,
        AppendVaryByQueryString: append_vary_query,
        GetVaryByQueryStrings: vary_query,
        SetVaryByValue: set_vary_value,
        GetVaryByValue: vary_value,
        IsUserCacheEnabled: user_cache_enabled,
        DisableUserCache: disable_user_cache,
        IsCached: is_cached,
        SetIsCached: set_is_cached,
        GetKernelCacheInvalidatorSet: invalidator_set,
    },
    IsForceUpdateSet: force_update_set,
    SetForceUpdate: set_force_update,
};
