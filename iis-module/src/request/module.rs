//! The request module trait: one hook per `CHttpModule` notification, and
//! the C++ thunk of each slot. Everything is generated from iis-sys's
//! notification table ([`iis_sys::request_notifications!`], which iis-host
//! reads too), so the trait, the subscription masks, the vtable and the host
//! cannot drift apart.

use super::providers::{
    Authentication, Completion, CustomNotification, Event, MapHandler, MapPath, ReadEntity,
    SendResponse,
};
use crate::glue::request::{self as glue, ModuleObject};
use crate::glue::str_eq;
use crate::{Flow, HttpContext, Result};
use iis_sys::*;

/// The C++ thunk of one `CHttpModule` notification slot.
macro_rules! hook_thunk {
    ($hook:ident: $provider:ident) => {
        define_member_fn! {
            unsafe fn $hook[T: HttpModule](
                this: *mut CHttpModule,
                cx: *mut IHttpContext,
                provider: *mut <$provider as crate::glue::provider::Provider>::Raw
            ) -> REQUEST_NOTIFICATION_STATUS {
                // SAFETY: IIS calls this slot only on objects made by the
                // factory of `T`, with the context and provider of the
                // current notification.
                unsafe { glue::dispatch::<T, $provider>(this, cx, provider, T::$hook, stringify!($hook)) }
            }
        }
    };
}

macro_rules! request_hooks {
    ($(
        $variant:ident = $mask:ident:
            $(#[$pre_doc:meta])*
            $hook:ident / $slot:ident ($alias:literal): $provider:ident($raw:ty)
            $(,
                $(#[$post_doc:meta])*
                $post_hook:ident / $post_slot:ident ($post_alias:literal): $post_provider:ident($post_raw:ty)
            )?;
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
        /// (400 for the client's undecodable input, see
        /// [`Error::is_bad_request`](crate::Error::is_bad_request); or
        /// resets the connection once the response head has left) and
        /// finishes the request; the instance gets no further hooks.
        ///
        /// # `async fn` hooks
        ///
        /// Any request hook may be written `async fn hook(&mut self, cx: &mut
        /// HttpContext) -> Result<Flow>` (no provider): `#[http_module]` runs
        /// it as a task. It is polled inside the notification; when it waits,
        /// the request is pending (`RQ_NOTIFICATION_PENDING`) and no IIS
        /// thread is held; a wake from any thread or runtime resumes it on an
        /// IIS thread (`PostCompletion`, then `OnAsyncCompletion`), and so
        /// does the completion of its asynchronous I/O
        /// ([`HttpRequest::read_body_async`](crate::HttpRequest::read_body_async),
        /// [`HttpResponse::write_async`](crate::HttpResponse::write_async),
        /// [`HttpResponse::flush_async`](crate::HttpResponse::flush_async)).
        /// Its future must be `Send`; it may hold `&mut HttpContext` across
        /// `.await`. If the client disconnects, the future is dropped; if it
        /// waits on nothing that can wake it (every `Waker` dropped), the
        /// request fails rather than hang.
        ///
        /// ```no_run
        /// use iis_module::prelude::*;
        ///
        /// struct Echo;
        ///
        /// #[http_module]
        /// impl HttpModule for Echo {
        ///     async fn on_execute_request_handler(&mut self, cx: &mut HttpContext) -> Result<Flow> {
        ///         let mut buf = [0u8; 16 * 1024];
        ///         loop {
        ///             let n = cx.request().read_body_async(&mut buf).await?;
        ///             if n == 0 {
        ///                 break;
        ///             }
        ///             cx.response().write_async(&buf[..n]).await?;
        ///         }
        ///         Ok(Flow::FinishRequest)
        ///     }
        /// }
        /// ```
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
                $(#[$pre_doc])*
                #[doc(alias = $alias)]
                fn $hook(&mut self, cx: &mut HttpContext, provider: &mut $provider) -> Result<Flow> {
                    let _ = (cx, provider);
                    Ok(Flow::Continue)
                }
                $(
                    $(#[$post_doc])*
                    #[doc(alias = $post_alias)]
                    fn $post_hook(&mut self, cx: &mut HttpContext, provider: &mut $post_provider) -> Result<Flow> {
                        let _ = (cx, provider);
                        Ok(Flow::Continue)
                    }
                )?
            )*

            /// A pending notification completed through
            /// [`CompletionHandle::post`](crate::request::CompletionHandle::post).
            /// Needs no subscription: it follows a hook that returned
            /// [`Flow::Pending`].
            #[doc(alias = "OnAsyncCompletion")]
            fn on_async_completion(&mut self, cx: &mut HttpContext, completion: &mut Completion) -> Result<Flow> {
                let _ = (cx, completion);
                Ok(Flow::Continue)
            }
        }

        /// The provider type of each request hook, by hook name: what
        /// `#[http_module]` gives the hook it generates for an `async fn`.
        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        pub mod hook_providers {
            $(
                pub type $hook = super::$provider;
                $(pub type $post_hook = super::$post_provider;)?
            )*
        }

        /// Hook name → (`RQ_*` bit, post-notification?), for the masks.
        pub(crate) const HOOK_MASKS: &[(&str, u32, bool)] = &[$(
            (stringify!($hook), $mask, false),
            $((stringify!($post_hook), $mask, true),)?
        )*];

        $(
            hook_thunk!($hook: $provider);
            $(hook_thunk!($post_hook: $post_provider);)?
        )*

        impl<T: HttpModule> ModuleObject<T> {
            /// The vtable of `T`'s C++ objects, one static per module type.
            pub(crate) const VTABLE: CHttpModuleVtbl = CHttpModuleVtbl {
                $(
                    $slot: $hook::<T>,
                    $($post_slot: $post_hook::<T>,)?
                )*
                OnAsyncCompletion: glue::on_async_completion::<T>,
                Dispose: glue::dispose::<T>,
                ScalarDeletingDestructor: glue::scalar_deleting_destructor::<T>,
            };
        }
    };
}

iis_sys::request_notifications!(request_hooks);

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
