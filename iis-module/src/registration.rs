//! `RegisterModule`: what `#[register_module]` calls, and the
//! [`Registration`] a module's registration function receives.

use crate::diagnostics::Scope;
use crate::global::{GlobalHooks, GlobalNotifications, global_mask};
use crate::glue::global::GlobalObject;
use crate::glue::provider::ModuleEnv;
use crate::glue::request::Factory;
use crate::panic::{contain, report};
use crate::request::module::masks;
use crate::request::{ModuleAllocator, RequestHooks, RequestNotifications};
use crate::{Error, HttpServer, Result, ffi};
use core::ptr::NonNull;
use iis_sys::*;

/// The order of a module among the modules of one notification
/// (`PRIORITY_ALIAS_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Priority {
    /// `PRIORITY_ALIAS_FIRST`
    First,
    /// `PRIORITY_ALIAS_HIGH`
    High,
    /// `PRIORITY_ALIAS_MEDIUM`, the default.
    Medium,
    /// `PRIORITY_ALIAS_LOW`
    Low,
    /// `PRIORITY_ALIAS_LAST`
    Last,
}

impl Priority {
    fn alias(self) -> &'static WStr {
        match self {
            Priority::First => PRIORITY_ALIAS_FIRST,
            Priority::High => PRIORITY_ALIAS_HIGH,
            Priority::Medium => PRIORITY_ALIAS_MEDIUM,
            Priority::Low => PRIORITY_ALIAS_LOW,
            Priority::Last => PRIORITY_ALIAS_LAST,
        }
    }
}

/// A module's id, as IIS gave it to `RegisterModule`
/// ([`Registration::module_id`]): what the calls that take one
/// ([`HttpServer::dispense_container`],
/// [`TraceContext::set_configuration`](crate::server::TraceContext::set_configuration))
/// identify the module by. Safe code gets one only from IIS (see
/// [`HTTP_MODULE_ID`]), so a safe call never hands IIS an id it did not
/// issue (IIS may follow it as a pointer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModuleId(
    /// The id IIS gave (`RegisterModule`'s registration info).
    pub(crate) HTTP_MODULE_ID,
);

impl ModuleId {
    /// The raw `HTTP_MODULE_ID`, for calls the safe API does not wrap.
    pub fn as_raw(self) -> HTTP_MODULE_ID {
        self.0
    }
}

/// The null id, for unit tests whose objects never reach a server.
#[cfg(test)]
pub(crate) fn unissued_module_id() -> HTTP_MODULE_ID {
    // SAFETY: the tests pass it to no server.
    unsafe { HTTP_MODULE_ID::from_raw(core::ptr::null_mut()) }
}

/// What IIS hands a module at load time (`IHttpModuleRegistrationInfo` and
/// `IHttpServer`): register request and global modules here.
///
/// IIS calls `RegisterModule` once per module *name* configured for the
/// DLL, so one DLL can hold several modules: branch on [`name`](Self::name).
#[derive(Debug)]
pub struct Registration {
    /// `'static` stands for the `RegisterModule` call, which lends the
    /// value (`&mut`) to the module's registration function only.
    info: Ref<'static, IHttpModuleRegistrationInfo>,
    server: HttpServer,
    version: u32,
    module_id: HTTP_MODULE_ID,
    /// A request module was registered (a module has one at most).
    has_request_module: bool,
    /// A global module was registered (a module has one at most).
    has_global_module: bool,
}

impl Registration {
    /// The raw registration info.
    pub fn as_raw(&self) -> *mut IHttpModuleRegistrationInfo {
        self.info.as_ptr()
    }

    /// The registration info, live while `RegisterModule` runs, which
    /// `self` does not outlive.
    #[inline(always)]
    fn iface(&self) -> Ref<'_, IHttpModuleRegistrationInfo> {
        self.info
    }

    /// The server version IIS passed (`dwServerVersion`).
    pub fn server_version(&self) -> u32 {
        self.version
    }

    /// The worker process.
    pub fn server(&self) -> HttpServer {
        self.server
    }

    /// The module's id (`HTTP_MODULE_ID`), the key of its stored contexts
    /// and trace configuration.
    #[doc(alias = "GetId")]
    pub fn module_id(&self) -> ModuleId {
        ModuleId(self.module_id)
    }

    /// The module name from the IIS configuration (`<add name="…">`).
    ///
    /// # Errors
    /// [`Error::Encoding`]; [`Error::NullPointer`].
    #[doc(alias = "GetName")]
    pub fn name(&self) -> Result<String> {
        let name = self.iface().GetName();
        ffi::wstr_to_string(name, "module name")?.ok_or(Error::NullPointer {
            operation: "IHttpModuleRegistrationInfo::GetName",
        })
    }

    /// Forwards the module's [`log`] records, up to `max` (e.g.
    /// `log::LevelFilter::Warn`), to where the SDK reports the errors it
    /// handles: call it first thing in the registration function.
    ///
    /// A module DLL links its own copy of the `log` crate, whose records no
    /// logger of the process that loaded it ever sees. This makes the SDK's
    /// bridge the DLL's logger (the first call; later ones, e.g. for a
    /// second module of the DLL, only change `max`, which is the DLL's):
    ///
    /// - **under iis-host** (a host that answers the [`iis_sys::IHostLog`]
    ///   extension), a record made while IIS calls into the module (a
    ///   notification, `RegisterModule`, `Dispose`) goes to the host: into
    ///   the transcript of its request (`Transcript::module_log`), or the
    ///   host's events outside a request, and onto `iis-host serve`'s
    ///   console;
    /// - **under IIS** a record goes to the Windows event log (the
    ///   Application log), with the module's name as its source, as an
    ///   error, warning or information entry;
    /// - anywhere else, and for a record made on a thread of the module's
    ///   own outside any call from IIS under iis-host, it is dropped.
    ///
    /// The errors the SDK handles itself (a hook's `Err` or panic, a misused
    /// API) reach the host without the bridge; under IIS they become `log`
    /// records of target `iis_module`, so the bridge takes them to the event
    /// log too.
    ///
    /// ```no_run
    /// use iis_module::prelude::*;
    ///
    /// struct Audit;
    ///
    /// #[http_module]
    /// impl HttpModule for Audit {
    ///     fn on_begin_request(&mut self, cx: &mut HttpContext, _: &mut Event) -> Result<Flow> {
    ///         if cx.request().header_str("X-Debug")?.is_some() {
    ///             log::warn!("X-Debug sent by a client");
    ///         }
    ///         Ok(Flow::Continue)
    ///     }
    /// }
    ///
    /// #[register_module]
    /// fn register(module: &mut Registration) -> Result<()> {
    ///     module.forward_log(log::LevelFilter::Warn)?;
    ///     module.request_module(|| Audit)
    /// }
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] if the module already installed another
    /// `log` logger; under IIS, as [`EventLog::open`](crate::event_log::EventLog::open).
    pub fn forward_log(&mut self, max: log::LevelFilter) -> Result<()> {
        let name = self.name()?;
        crate::diagnostics::install(&self.server(), &name, max)
    }

    /// Registers a request module: `make` creates one instance per request
    /// (from any IIS thread). The notifications are those whose hooks the
    /// `#[http_module]` impl defines.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] if the module implements no hook, or a request
    /// module is already registered for this module name; [`Error::Server`]
    /// if IIS refuses.
    #[doc(alias = "SetRequestNotifications")]
    pub fn request_module<T, F>(&mut self, make: F) -> Result<()>
    where
        T: RequestHooks,
        F: Fn() -> T + Send + Sync + 'static,
    {
        self.request_module_with_allocator(move |_: &mut ModuleAllocator<'_>| Ok(make()))
    }

    /// Registers a request module whose factory also gets the request's
    /// [`ModuleAllocator`] (`IHttpModuleFactory::GetHttpModule`'s
    /// `pAllocator`), to give each instance request-pool memory; an `Err`
    /// from `make` fails the request's `GetHttpModule` with its HRESULT.
    ///
    /// # Errors
    /// As [`request_module`](Self::request_module).
    #[doc(alias = "IModuleAllocator")]
    pub fn request_module_with_allocator<T, F>(&mut self, make: F) -> Result<()>
    where
        T: RequestHooks,
        F: Fn(&mut ModuleAllocator<'_>) -> Result<T> + Send + Sync + 'static,
    {
        let (pre, post) = const { masks(T::IMPLEMENTED) };
        if pre == 0 && post == 0 {
            return Err(Error::InvalidInput {
                what: "request module",
                reason: "implements no notification hook",
            });
        }
        if self.has_request_module {
            return Err(Error::InvalidInput {
                what: "request module",
                reason: "one is already registered for this module name (IIS would keep only \
                         the last); register each under a name of its own",
            });
        }
        let factory = Factory::new_raw(make, Some(self.server), self.module_id);
        // SAFETY: a live factory; on success IIS owns it.
        let hr = unsafe { self.iface().SetRequestNotifications(factory, pre, post) };
        if hr.is_err() {
            // SAFETY: IIS refused it, so we still own the factory.
            unsafe { Factory::<T, F>::free_raw(factory) };
        }
        Error::check("IHttpModuleRegistrationInfo::SetRequestNotifications", hr)?;
        self.has_request_module = true;
        Ok(())
    }

    /// The notifications a request module type subscribes to: (pre, post).
    pub fn request_notifications<T: RequestHooks>() -> (RequestNotifications, RequestNotifications)
    {
        let (pre, post) = const { masks(T::IMPLEMENTED) };
        (
            RequestNotifications::from_bits_retain(pre),
            RequestNotifications::from_bits_retain(post),
        )
    }

    /// Registers the global module; IIS drops it at `Terminate`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] if it implements no hook, or a global module
    /// is already registered for this module name; [`Error::Server`].
    #[doc(alias = "SetGlobalNotifications")]
    pub fn global_module<G: GlobalHooks>(&mut self, module: G) -> Result<()> {
        let mask = const { global_mask(G::IMPLEMENTED) };
        if mask == 0 {
            return Err(Error::InvalidInput {
                what: "global module",
                reason: "implements no notification hook",
            });
        }
        if self.has_global_module {
            return Err(Error::InvalidInput {
                what: "global module",
                reason: "one is already registered for this module name (IIS would keep only \
                         the last); register each under a name of its own",
            });
        }
        let env = ModuleEnv {
            server: Some(self.server),
            module_id: self.module_id,
        };
        let object = GlobalObject::new_raw(module, env);
        // SAFETY: a live global module; on success IIS owns it.
        let hr = unsafe { self.iface().SetGlobalNotifications(object, mask) };
        if hr.is_err() {
            // SAFETY: IIS refused it, so we still own it.
            unsafe { GlobalObject::<G>::free_raw(object) };
        }
        Error::check("IHttpModuleRegistrationInfo::SetGlobalNotifications", hr)?;
        self.has_global_module = true;
        Ok(())
    }

    /// The notifications a global module type subscribes to.
    pub fn global_notifications<G: GlobalHooks>() -> GlobalNotifications {
        GlobalNotifications::from_bits_retain(const { global_mask(G::IMPLEMENTED) })
    }

    /// Orders this module among the others for each of `notifications`.
    ///
    /// # Errors
    /// [`Error::Server`].
    #[doc(alias = "SetPriorityForRequestNotification")]
    pub fn set_request_priority(
        &mut self,
        notifications: RequestNotifications,
        priority: Priority,
    ) -> Result<()> {
        set_priority_per_bit(
            notifications,
            priority,
            "IHttpModuleRegistrationInfo::SetPriorityForRequestNotification",
            |bit, alias| self.iface().SetPriorityForRequestNotification(bit, alias),
        )
    }

    /// Orders this module among the others for the post-notifications of
    /// each of `notifications` (`IHttpModuleRegistrationInfo2`, IIS 10).
    ///
    /// # Errors
    /// [`Error::Unsupported`] on servers older than IIS 10;
    /// [`Error::Server`].
    #[doc(alias = "SetPriorityForPostRequestNotification")]
    #[doc(alias = "IHttpModuleRegistrationInfo2")]
    pub fn set_post_request_priority(
        &mut self,
        notifications: RequestNotifications,
        priority: Priority,
    ) -> Result<()> {
        // IIS 10 (dwServerVersion = MAKELONG(0, 10)) hands out the
        // IHttpModuleRegistrationInfo2 vtable; older servers lack slot 6.
        if self.version < 0x000A_0000 {
            return Err(Error::Unsupported {
                interface: "IHttpModuleRegistrationInfo2",
            });
        }
        // SAFETY: an IIS 10 registration info is an
        // IHttpModuleRegistrationInfo2 (checked above).
        let info2 = unsafe { self.iface().cast::<IHttpModuleRegistrationInfo2>() };
        set_priority_per_bit(
            notifications,
            priority,
            "IHttpModuleRegistrationInfo2::SetPriorityForPostRequestNotification",
            |bit, alias| info2.SetPriorityForPostRequestNotification(bit, alias),
        )
    }

    /// Orders this module among the others for each of the global
    /// `notifications`.
    ///
    /// # Errors
    /// [`Error::Server`].
    #[doc(alias = "SetPriorityForGlobalNotification")]
    pub fn set_global_priority(
        &mut self,
        notifications: GlobalNotifications,
        priority: Priority,
    ) -> Result<()> {
        set_priority_per_bit(
            notifications,
            priority,
            "IHttpModuleRegistrationInfo::SetPriorityForGlobalNotification",
            |bit, alias| self.iface().SetPriorityForGlobalNotification(bit, alias),
        )
    }
}

/// The loop of the `SetPriorityFor*Notification` wrappers: IIS takes one
/// notification bit per call, so `set` is called with each bit of
/// `notifications` and `priority`'s alias, stopping at the first failing
/// HRESULT (reported as `operation`).
fn set_priority_per_bit<N: bitflags::Flags<Bits = u32>>(
    notifications: N,
    priority: Priority,
    operation: &'static str,
    mut set: impl FnMut(u32, &WStr) -> HRESULT,
) -> Result<()> {
    for bit in notifications.iter() {
        Error::check(operation, set(bit.bits(), priority.alias()))?;
    }
    Ok(())
}

/// The body of the `RegisterModule` export that `#[register_module]` emits:
/// validates IIS's pointers, runs the registration function, and turns an
/// `Err` or a panic into a failing HRESULT (IIS then logs "module failed to
/// load" instead of crashing).
///
/// # Safety
/// The pointers are those IIS passes to `RegisterModule`.
#[doc(hidden)]
pub unsafe fn register_module(
    version: u32,
    info: *mut IHttpModuleRegistrationInfo,
    server: *mut IHttpServer,
    register: fn(&mut Registration) -> Result<()>,
) -> HRESULT {
    // What the SDK and the module report while registering reaches the
    // host that records diagnostics.
    // SAFETY: the registration info IIS passed, live during this call
    // (which `'static` stands for in `Registration`).
    let info_ref: Option<Ref<'static, _>> = unsafe { Ref::from_raw(info) };
    // SAFETY: the server IIS passed, which lives as long as the process.
    let server = NonNull::new(server).map(|s| unsafe { HttpServer::from_raw(s) });
    let scope = info_ref.and_then(|info| Scope::new(server.map(|s| s.raw()), info.GetId()));
    let _scope = Scope::enter(scope);
    let outcome = contain(|| {
        let info_ref = info_ref.ok_or(Error::NullPointer {
            operation: "RegisterModule(pModuleInfo)",
        })?;
        let server = server.ok_or(Error::NullPointer {
            operation: "RegisterModule(pGlobalInfo)",
        })?;
        let module_id = info_ref.GetId();
        let mut registration = Registration {
            info: info_ref,
            server,
            version,
            module_id,
            has_request_module: false,
            has_global_module: false,
        };
        register(&mut registration)
    });
    let (message, hresult) = match outcome {
        Ok(Ok(())) => return HRESULT(0),
        Ok(Err(error)) => (format!("RegisterModule failed: {error}"), error.hresult()),
        Err(message) => (
            format!("RegisterModule panicked: {message}"),
            crate::error::E_FAIL,
        ),
    };
    report!("iis-module: {message}");
    // IIS's own "module failed to load" event carries only the HRESULT: put
    // the reason beside it in the Application log.
    if contain(|| report_failure(info_ref, server, &message)).is_err() {
        report!("iis-module: reporting the registration failure panicked");
    }
    hresult
}

/// Writes a failed registration's reason to the event log, under the
/// module's configured name.
fn report_failure(
    info: Option<Ref<'_, IHttpModuleRegistrationInfo>>,
    server: Option<HttpServer>,
    message: &str,
) {
    let Some(server) = server else {
        return;
    };
    let name = info.and_then(|info| {
        ffi::wstr_to_string(info.GetName(), "module name")
            .ok()
            .flatten()
    });
    let name = name.unwrap_or_else(|| "IIS native module".to_string());
    if let Ok(log) = crate::event_log::EventLog::open(&server, &name) {
        let _ = log.error(message);
    }
}
