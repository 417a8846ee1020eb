//! A raw `CHttpModule` written against iis-sys alone, as a C++ author
//! would write it: empty hooks, a 31-slot vtable built from them, and
//! `new`/`delete this` for the instance. The benches put the hooks they
//! measure into the vtable.

use iis_sys::{
    BOOL, CHttpModule, CHttpModuleVtbl, IHttpCompletionInfo, IHttpContext, IHttpEventProvider,
    ISendResponseProvider, REQUEST_NOTIFICATION_STATUS, RQ_NOTIFICATION_CONTINUE, define_member_fn,
};

define_member_fn! {
    /// An empty C++ hook: `return RQ_NOTIFICATION_CONTINUE;`.
    pub unsafe fn raw_continue[P](
        _this: *mut CHttpModule,
        _cx: *mut IHttpContext,
        _provider: *mut P
    ) -> REQUEST_NOTIFICATION_STATUS {
        RQ_NOTIFICATION_CONTINUE
    }

    pub unsafe fn raw_async_completion(
        _this: *mut CHttpModule,
        _cx: *mut IHttpContext,
        _notification: u32,
        _post: BOOL,
        _provider: *mut IHttpEventProvider,
        _info: *mut IHttpCompletionInfo
    ) -> REQUEST_NOTIFICATION_STATUS {
        RQ_NOTIFICATION_CONTINUE
    }

    /// `delete this`.
    pub unsafe fn raw_dispose(this: *mut CHttpModule) {
        // SAFETY: every raw object is a `Box<CHttpModule>` made by
        // `raw_object` (`new`), disposed exactly once (by the host, or by
        // the bench for its own).
        drop(unsafe { Box::from_raw(this) });
    }

    pub unsafe fn raw_destructor(this: *mut CHttpModule, flags: u32) -> *mut core::ffi::c_void {
        if flags & 1 != 0 {
            // SAFETY: as for Dispose.
            unsafe { raw_dispose(this) };
        }
        this.cast()
    }
}

/// A 31-slot `CHttpModule` vtable: `begin` in `OnBeginRequest`, `send` in
/// `OnSendResponse`, an empty hook everywhere else.
pub const fn raw_vtable(
    begin: iis_sys::member_fn!((*mut CHttpModule, *mut IHttpContext, *mut IHttpEventProvider) -> REQUEST_NOTIFICATION_STATUS),
    send: iis_sys::member_fn!((*mut CHttpModule, *mut IHttpContext, *mut ISendResponseProvider) -> REQUEST_NOTIFICATION_STATUS),
) -> CHttpModuleVtbl {
    use iis_sys::{
        IAuthenticationProvider as Auth, ICustomNotificationProvider as Custom,
        IHttpEventProvider as Ev, IMapHandlerProvider as MapHandler, IMapPathProvider as MapPath,
        IReadEntityProvider as ReadEntity,
    };
    CHttpModuleVtbl {
        OnBeginRequest: begin,
        OnPostBeginRequest: raw_continue::<Ev>,
        OnAuthenticateRequest: raw_continue::<Auth>,
        OnPostAuthenticateRequest: raw_continue::<Ev>,
        OnAuthorizeRequest: raw_continue::<Ev>,
        OnPostAuthorizeRequest: raw_continue::<Ev>,
        OnResolveRequestCache: raw_continue::<Ev>,
        OnPostResolveRequestCache: raw_continue::<Ev>,
        OnMapRequestHandler: raw_continue::<MapHandler>,
        OnPostMapRequestHandler: raw_continue::<Ev>,
        OnAcquireRequestState: raw_continue::<Ev>,
        OnPostAcquireRequestState: raw_continue::<Ev>,
        OnPreExecuteRequestHandler: raw_continue::<Ev>,
        OnPostPreExecuteRequestHandler: raw_continue::<Ev>,
        OnExecuteRequestHandler: raw_continue::<Ev>,
        OnPostExecuteRequestHandler: raw_continue::<Ev>,
        OnReleaseRequestState: raw_continue::<Ev>,
        OnPostReleaseRequestState: raw_continue::<Ev>,
        OnUpdateRequestCache: raw_continue::<Ev>,
        OnPostUpdateRequestCache: raw_continue::<Ev>,
        OnLogRequest: raw_continue::<Ev>,
        OnPostLogRequest: raw_continue::<Ev>,
        OnEndRequest: raw_continue::<Ev>,
        OnPostEndRequest: raw_continue::<Ev>,
        OnSendResponse: send,
        OnMapPath: raw_continue::<MapPath>,
        OnReadEntity: raw_continue::<ReadEntity>,
        OnCustomRequestNotification: raw_continue::<Custom>,
        OnAsyncCompletion: raw_async_completion,
        Dispose: raw_dispose,
        ScalarDeletingDestructor: raw_destructor,
    }
}

/// `new CHttpModule` with `vtbl`, freed by its `Dispose` slot.
pub fn raw_object(vtbl: &'static CHttpModuleVtbl) -> *mut CHttpModule {
    Box::into_raw(Box::new(CHttpModule { lpVtbl: vtbl }))
}
