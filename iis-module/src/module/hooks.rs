//! The request module trait: one hook per `CHttpModule` notification, and
//! the C++ thunk of each slot. Everything is generated from one table so
//! the trait, the subscription masks and the vtable cannot drift apart.

use super::glue::{self, ModuleObject};
use super::providers::{
    Authentication, Completion, CustomNotification, Event, MapHandler, MapPath, ReadEntity,
    SendResponse,
};
use crate::{Flow, HttpContext, Result};
use iis_sys::*;

macro_rules! request_hooks {
    ($(
        $(#[$doc:meta])*
        $hook:ident / $slot:ident ($alias:literal) : $provider:ident => $mask:ident, $post:literal;
    )*) => {
        /// An IIS request module: one instance per request, made by the
        /// factory given to
        /// [`Registration::request_module`](crate::Registration::request_module)
        /// and dropped when IIS disposes of it at the end of the request.
        ///
        /// Every hook has a no-op default. Put `#[http_module]` on the `impl`
        /// block: it subscribes the module to exactly the notifications whose
        /// hooks the block defines (pre and post masks alike), so a module can
        /// neither miss a notification it handles nor receive one it does not.
        ///
        /// A hook's `Err` or panic is contained: the SDK logs it, answers 500
        /// and finishes the request; the instance gets no further hooks.
        ///
        /// ```no_run
        /// use iis_module::prelude::*;
        ///
        /// struct AddHeader;
        ///
        /// #[http_module]
        /// impl HttpModule for AddHeader {
        ///     fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
        ///         cx.response().set_header("X-Powered-By", "Rust")?;
        ///         Ok(Flow::Continue)
        ///     }
        /// }
        /// ```
        pub trait HttpModule: Send + 'static {
            $(
                $(#[$doc])*
                #[doc(alias = $alias)]
                fn $hook(&mut self, cx: &mut HttpContext, provider: &mut $provider) -> Result<Flow> {
                    let _ = (cx, provider);
                    Ok(Flow::Continue)
                }
            )*

            /// A pending notification completed through
            /// [`CompletionHandle::post`](crate::CompletionHandle::post).
            /// Needs no subscription: it follows a hook that returned
            /// [`Flow::Pending`].
            #[doc(alias = "OnAsyncCompletion")]
            fn on_async_completion(&mut self, cx: &mut HttpContext, completion: &mut Completion) -> Result<Flow> {
                let _ = (cx, completion);
                Ok(Flow::Continue)
            }
        }

        /// Hook name → (`RQ_*` bit, post-notification?), for the masks.
        pub(crate) const HOOK_MASKS: &[(&str, u32, bool)] = &[$((stringify!($hook), $mask, $post)),*];

        $(
            define_member_fn! {
                unsafe fn $hook[T: HttpModule](
                    this: *mut CHttpModule,
                    cx: *mut IHttpContext,
                    provider: *mut <$provider as super::providers::Provider>::Raw
                ) -> REQUEST_NOTIFICATION_STATUS {
                    // SAFETY: IIS calls this slot only on objects made by the
                    // factory of `T`, with the context and provider of the
                    // current notification.
                    unsafe { glue::dispatch::<T, $provider>(this, cx, provider, T::$hook, stringify!($hook)) }
                }
            }
        )*

        impl<T: HttpModule> ModuleObject<T> {
            /// The vtable of `T`'s C++ objects, one static per module type.
            pub(crate) const VTABLE: CHttpModuleVtbl = CHttpModuleVtbl {
                $($slot: $hook::<T>,)*
                OnAsyncCompletion: glue::on_async_completion::<T>,
                Dispose: glue::dispose::<T>,
                ScalarDeletingDestructor: glue::scalar_deleting_destructor::<T>,
            };
        }
    };
}

request_hooks! {
    /// `BeginRequest`: the first notification of every request.
    on_begin_request / OnBeginRequest ("OnBeginRequest"): Event => RQ_BEGIN_REQUEST, false;
    /// After every module's `BeginRequest`.
    on_post_begin_request / OnPostBeginRequest ("OnPostBeginRequest"): Event => RQ_BEGIN_REQUEST, true;
    /// `AuthenticateRequest`: establish the user.
    on_authenticate_request / OnAuthenticateRequest ("OnAuthenticateRequest"): Authentication => RQ_AUTHENTICATE_REQUEST, false;
    /// After authentication.
    on_post_authenticate_request / OnPostAuthenticateRequest ("OnPostAuthenticateRequest"): Event => RQ_AUTHENTICATE_REQUEST, true;
    /// `AuthorizeRequest`: decide whether the user may proceed.
    on_authorize_request / OnAuthorizeRequest ("OnAuthorizeRequest"): Event => RQ_AUTHORIZE_REQUEST, false;
    /// After authorization.
    on_post_authorize_request / OnPostAuthorizeRequest ("OnPostAuthorizeRequest"): Event => RQ_AUTHORIZE_REQUEST, true;
    /// `ResolveRequestCache`: serve from a cache.
    on_resolve_request_cache / OnResolveRequestCache ("OnResolveRequestCache"): Event => RQ_RESOLVE_REQUEST_CACHE, false;
    /// After cache resolution.
    on_post_resolve_request_cache / OnPostResolveRequestCache ("OnPostResolveRequestCache"): Event => RQ_RESOLVE_REQUEST_CACHE, true;
    /// `MapRequestHandler`: choose the handler.
    on_map_request_handler / OnMapRequestHandler ("OnMapRequestHandler"): MapHandler => RQ_MAP_REQUEST_HANDLER, false;
    /// After handler mapping.
    on_post_map_request_handler / OnPostMapRequestHandler ("OnPostMapRequestHandler"): Event => RQ_MAP_REQUEST_HANDLER, true;
    /// `AcquireRequestState`: load session state.
    on_acquire_request_state / OnAcquireRequestState ("OnAcquireRequestState"): Event => RQ_ACQUIRE_REQUEST_STATE, false;
    /// After state acquisition.
    on_post_acquire_request_state / OnPostAcquireRequestState ("OnPostAcquireRequestState"): Event => RQ_ACQUIRE_REQUEST_STATE, true;
    /// `PreExecuteRequestHandler`: just before the handler runs.
    on_pre_execute_request_handler / OnPreExecuteRequestHandler ("OnPreExecuteRequestHandler"): Event => RQ_PRE_EXECUTE_REQUEST_HANDLER, false;
    /// After `PreExecuteRequestHandler`.
    on_post_pre_execute_request_handler / OnPostPreExecuteRequestHandler ("OnPostPreExecuteRequestHandler"): Event => RQ_PRE_EXECUTE_REQUEST_HANDLER, true;
    /// `ExecuteRequestHandler`: produce the response.
    on_execute_request_handler / OnExecuteRequestHandler ("OnExecuteRequestHandler"): Event => RQ_EXECUTE_REQUEST_HANDLER, false;
    /// After the handler.
    on_post_execute_request_handler / OnPostExecuteRequestHandler ("OnPostExecuteRequestHandler"): Event => RQ_EXECUTE_REQUEST_HANDLER, true;
    /// `ReleaseRequestState`: store session state.
    on_release_request_state / OnReleaseRequestState ("OnReleaseRequestState"): Event => RQ_RELEASE_REQUEST_STATE, false;
    /// After state release.
    on_post_release_request_state / OnPostReleaseRequestState ("OnPostReleaseRequestState"): Event => RQ_RELEASE_REQUEST_STATE, true;
    /// `UpdateRequestCache`: store the response in a cache.
    on_update_request_cache / OnUpdateRequestCache ("OnUpdateRequestCache"): Event => RQ_UPDATE_REQUEST_CACHE, false;
    /// After cache update.
    on_post_update_request_cache / OnPostUpdateRequestCache ("OnPostUpdateRequestCache"): Event => RQ_UPDATE_REQUEST_CACHE, true;
    /// `LogRequest`: write logs.
    on_log_request / OnLogRequest ("OnLogRequest"): Event => RQ_LOG_REQUEST, false;
    /// After logging.
    on_post_log_request / OnPostLogRequest ("OnPostLogRequest"): Event => RQ_LOG_REQUEST, true;
    /// `EndRequest`: the last deterministic notification.
    on_end_request / OnEndRequest ("OnEndRequest"): Event => RQ_END_REQUEST, false;
    /// After `EndRequest`.
    on_post_end_request / OnPostEndRequest ("OnPostEndRequest"): Event => RQ_END_REQUEST, true;
    /// `SendResponse`: IIS is about to send (part of) the response.
    on_send_response / OnSendResponse ("OnSendResponse"): SendResponse => RQ_SEND_RESPONSE, false;
    /// `MapPath`: a URL is being mapped to a physical path.
    on_map_path / OnMapPath ("OnMapPath"): MapPath => RQ_MAP_PATH, false;
    /// `ReadEntity`: entity body was read.
    on_read_entity / OnReadEntity ("OnReadEntity"): ReadEntity => RQ_READ_ENTITY, false;
    /// A custom notification raised by another module.
    on_custom_request_notification / OnCustomRequestNotification ("OnCustomRequestNotification"): CustomNotification => RQ_CUSTOM_NOTIFICATION, false;
}

/// Implemented by `#[http_module]` for the types whose `impl HttpModule`
/// block it annotates: the names of the hooks the block defines.
///
/// # Safety
/// `IMPLEMENTED` must list exactly the hooks the type overrides; only the
/// attribute may implement this trait.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a registered IIS request module",
    label = "add `#[http_module]` to its `impl HttpModule for {Self}` block",
    note = "the attribute derives the notifications IIS sends from the hooks you implement"
)]
pub unsafe trait RequestHooks: HttpModule {
    /// Names of the overridden hooks.
    const IMPLEMENTED: &'static [&'static str];
}

/// The (pre, post) `RQ_*` masks of a module: the bits of its hooks.
pub(crate) const fn masks(implemented: &[&str]) -> (u32, u32) {
    let (mut pre, mut post) = (0, 0);
    let mut i = 0;
    while i < implemented.len() {
        let mut j = 0;
        while j < HOOK_MASKS.len() {
            let (name, bit, is_post) = HOOK_MASKS[j];
            if str_eq(name, implemented[i]) {
                if is_post {
                    post |= bit;
                } else {
                    pre |= bit;
                }
            }
            j += 1;
        }
        i += 1;
    }
    (pre, post)
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_come_from_the_implemented_hooks() {
        assert_eq!(masks(&["on_send_response"]), (RQ_SEND_RESPONSE, 0));
        assert_eq!(
            masks(&[
                "on_begin_request",
                "on_post_begin_request",
                "on_post_end_request"
            ]),
            (RQ_BEGIN_REQUEST, RQ_BEGIN_REQUEST | RQ_END_REQUEST)
        );
        assert_eq!(masks(&["on_async_completion"]), (0, 0));
        assert_eq!(HOOK_MASKS.len(), 28);
    }
}
