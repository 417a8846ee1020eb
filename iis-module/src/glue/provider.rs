//! The provider views of both kinds of module: one struct per C++ provider
//! interface IIS passes to a notification, built from the raw pointer of
//! the call (request providers by [`provider!`], global providers by the
//! same macro or by hand with the [`ModuleEnv`] of their module).

use core::ptr::NonNull;
use iis_sys::HTTP_MODULE_ID;

/// A provider view of the provider IIS passed.
pub(crate) trait Provider: Sized {
    /// The C++ provider interface.
    type Raw: 'static;
    /// The view of `raw`, the provider of the current notification
    /// (`'static` stands for the life of the view, which the notification
    /// lends its hook and which ends with it).
    fn new(raw: iis_sys::Ref<'static, Self::Raw>) -> Self;
}

macro_rules! provider {
    ($(#[$doc:meta])* $name:ident => $raw:ident) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name {
            raw: iis_sys::Ref<'static, $raw>,
            _not_send: PhantomData<*mut ()>,
        }

        impl Provider for $name {
            type Raw = $raw;
            fn new(raw: iis_sys::Ref<'static, $raw>) -> Self {
                Self { raw, _not_send: PhantomData }
            }
        }

        impl $name {
            /// The raw C++ provider, for calls the safe API does not wrap.
            pub fn as_raw(&self) -> *mut $raw {
                self.raw.as_ptr()
            }

            /// The provider, live for the notification (`from_raw`'s
            /// contract).
            #[inline(always)]
            #[allow(dead_code)]
            pub(crate) fn iface(&self) -> iis_sys::Ref<'_, $raw> {
                self.raw
            }

            /// Reports an error for this notification to IIS.
            #[doc(alias = "SetErrorStatus")]
            pub fn set_error_status(&mut self, error: HRESULT) {
                // Every provider derives from IHttpEventProvider (`Deref`).
                self.iface().SetErrorStatus(error)
            }
        }
    };
}
pub(crate) use provider;

/// Who a global module is: what its providers need to build views.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ModuleEnv {
    pub(crate) server: Option<crate::HttpServer>,
    pub(crate) module_id: HTTP_MODULE_ID,
}

/// A global provider view built from the raw pointer IIS passed.
pub(crate) trait GlobalProvider: Sized {
    /// The C++ provider interface (or pointer slot).
    type Raw;
    /// # Safety
    /// `raw` is live for the notification.
    unsafe fn from_raw(raw: NonNull<Self::Raw>, env: ModuleEnv) -> Self;
}

impl<P: Provider> GlobalProvider for P {
    type Raw = P::Raw;
    unsafe fn from_raw(raw: NonNull<Self::Raw>, _: ModuleEnv) -> Self {
        // SAFETY: live for the notification (the contract), which outlives
        // the view.
        P::new(unsafe { iis_sys::Ref::from_non_null(raw) })
    }
}
