//! [`Host`] and [`HostBuilder`]: the emulated worker process — modules loaded
//! and registered, the application started, requests run, and a clean
//! shutdown (`StopListening`, `ApplicationStop`, `Terminate`).

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::Instant;

use iis_sys::{GUID, PFN_REGISTERMODULE};

use crate::config::HostConfig;
use crate::engine::{self, ConnectionMode};
use crate::error::HostError;
use crate::ffi::{Arena, WideStr, lock};
use crate::http::{ConnectionFate, RecordingSink, Request, ResponseSink};
use crate::loader::{self, ModuleInfo, ModuleSet, Registered, Source};
use crate::objects::application::{APPLICATION_VTBL, SITE_VTBL, perf_counters};
use crate::objects::containers::{DISPENSED_LIVE, container};
use crate::objects::event_log::EVENT_LOG_VTBL;
use crate::objects::host_log::HOST_LOG_VTBL;
use crate::objects::registration::registration;
use crate::objects::script_map::script_maps;
use crate::objects::server::SERVER_VTBL;
use crate::objects::trace::TRACE_VTBL;
use crate::objects::{Back, Obj};
use crate::state::host::{Counters, HostCore, HostStrings, Life, Owned};
use crate::state::object_data::{FileCache, Subscriptions, TraceOwner};
use crate::transcript::{EventLogEntry, GlobalNotification, HostEvent, ModuleLog, Transcript};

/// Host-wide counters, for tests.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HostStats {
    /// Requests run through the pipeline.
    pub requests: u64,
    /// Module instances created (`GetHttpModule` succeeded).
    pub instances_created: u64,
    /// Module instances disposed (`CHttpModule::Dispose`).
    pub instances_disposed: u64,
    /// `IHttpModuleFactory::Terminate` calls.
    pub factories_terminated: u64,
    /// `CGlobalModule::Terminate` calls.
    pub global_modules_terminated: u64,
    /// `IHttpServer::DispenseContainer` containers not yet released (process-wide).
    pub dispensed_containers_live: u64,
    /// Host-level events dropped from the front of [`Host::events`], which
    /// keeps the latest [`Host::MAX_EVENTS`] so that a host serving for a
    /// long time (a `GL_THREAD_CLEANUP` event after every request) does not
    /// grow without bound.
    pub events_dropped: u64,
}

impl HostCore {
    /// Creates the host's objects and binds them to it.
    fn create(config: HostConfig, config_sources: crate::configuration::Sources) -> *mut HostCore {
        let strings = HostStrings {
            physical_path: WideStr::new(&config.physical_path),
            physical_root: crate::objects::server_variables::physical_root(&config.physical_path),
            application_id: WideStr::new(&format!("/LM/W3SVC/{}/ROOT", config.site_id)),
            config_path: WideStr::new(&format!("MACHINE/WEBROOT/APPHOST/{}", config.site_name)),
            site_name: WideStr::new(&config.site_name),
            app_pool: WideStr::new(&config.app_pool_name),
        };
        let script_maps = script_maps(&config.handlers);
        let boxed = Box::new(HostCore {
            config,
            strings,
            started: Instant::now(),
            activity_id: GUID::from_u128(0x1157_0000_0000_4000_8000_0000_0000_0000),
            server: Obj::new(&SERVER_VTBL, Back::unbound()),
            application: Obj::new(&APPLICATION_VTBL, Back::unbound()),
            site: Obj::new(&SITE_VTBL, Back::unbound()),
            trace: Obj::new(&TRACE_VTBL, TraceOwner::Host(Back::unbound())),
            trace_subscriptions: Subscriptions::default(),
            perf: perf_counters("server"),
            site_perf: perf_counters("site"),
            script_maps,
            file_cache: FileCache::default(),
            cache_arena: Arena::default(),
            fragments: Mutex::new(HashMap::new()),
            admin_manager: Obj::new(&crate::objects::admin::ADMIN_MANAGER_VTBL, Back::unbound()),
            config_sources,
            event_log_ext: Obj::new(&EVENT_LOG_VTBL, Back::unbound()),
            event_log: Mutex::new(Vec::new()),
            host_log_ext: Obj::new(&HOST_LOG_VTBL, Back::unbound()),
            module_log: Mutex::new(VecDeque::new()),
            module_ids: Mutex::new(Vec::new()),
            recycle_pending: AtomicBool::new(false),
            application_container: container(),
            site_container: container(),
            stats: Counters::default(),
            connections: Mutex::new(HashMap::new()),
            modules: RwLock::new(Arc::default()),
            owned: Mutex::new(Vec::new()),
            events: Mutex::new(VecDeque::new()),
            life: Mutex::new(Life::default()),
            life_changed: Condvar::new(),
            active: AtomicUsize::new(0),
            refusing: AtomicBool::new(false),
            next_request: AtomicU64::new(1),
        });
        let raw = Box::into_raw(boxed);
        // SAFETY: `raw` is the only pointer to the new allocation; nothing has
        // been handed out yet.
        unsafe {
            (*raw).server.data = Back(raw);
            (*raw).application.data = Back(raw);
            (*raw).site.data = Back(raw);
            (*raw).event_log_ext.data = Back(raw);
            (*raw).host_log_ext.data = Back(raw);
            (*raw).admin_manager.data = Back(raw);
            (*raw).perf.data.bind(raw);
            (*raw).site_perf.data.bind(raw);
            (*raw).trace.data = TraceOwner::Host(Back(raw));
        }
        raw
    }

    /// Loads and registers one module.
    fn load(&self, name: Option<String>, source: Source) -> Result<(), HostError> {
        let name = name.unwrap_or_else(|| match &source {
            Source::Library(path) => loader::default_name(path),
            Source::Function(_) => "module".to_owned(),
        });
        if self
            .modules()
            .iter()
            .any(|m| m.name.eq_ignore_ascii_case(&name))
        {
            return Err(HostError::DuplicateName(name));
        }
        let loaded = loader::open(&source)?;
        let registration = registration(&name);
        lock(&self.module_ids).push((
            registration.iface::<iis_sys::IHttpModuleRegistrationInfo>() as usize,
            name.clone(),
        ));
        // SAFETY: `register` is the entry point of the module just loaded;
        // the registration object and the server are live host objects.
        let hr = unsafe {
            loader::call_register(
                loaded.register,
                self.config.server_version,
                registration.iface(),
                self.server_ptr(),
            )
        };
        registration.data.close();
        let registered = registration.data.registered();
        let replaced = registration.data.take_replaced();
        lock(&self.owned).push(Owned { registration });
        for earlier in &replaced {
            self.terminate(&name, earlier);
        }
        if hr.is_err() {
            // What it registered before failing is never used: ended now.
            self.terminate(&name, &registered);
            let reported = lock(&self.module_log)
                .iter()
                .filter(|r| r.module.as_deref() == Some(name.as_str()))
                .map(|r| r.message.clone())
                .collect();
            return Err(HostError::RegisterFailed {
                module: name,
                origin: loaded.origin,
                hr,
                reported,
            });
        }
        let mut modules = self
            .modules
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut list = modules.to_vec();
        list.push(ModuleInfo {
            name: name.clone(),
            index: list.len(),
            registered,
        });
        *modules = Arc::new(ModuleSet::new(list));
        drop(modules);
        self.event(HostEvent::ModuleRegistered { module: name });
        Ok(())
    }

    /// Sends `GL_APPLICATION_START`.
    fn application_start(&self) {
        let provider = crate::objects::providers::application(self);
        engine::notify_global(
            self,
            GlobalNotification::ApplicationStart,
            provider.iface(),
            None,
        );
        let resolve = crate::objects::global_providers::resolve_modules(self);
        engine::notify_global(
            self,
            GlobalNotification::ApplicationResolveModules,
            resolve.iface(),
            None,
        );
        lock(&self.life).started = true;
    }

    /// After a request: `GL_THREAD_CLEANUP` (its thread goes back to the
    /// pool), then the application restart a `RecycleApplication` asked for.
    fn after_request(&self) {
        // Counted in like a request, so that shutdown waits for it and no
        // global module is called once shutdown began (they are terminated).
        if !self.enter() {
            return;
        }
        self.thread_cleanup();
        if self.recycle_pending.swap(false, Ordering::SeqCst) {
            self.restart_application();
        }
        self.leave();
    }

    /// ApplicationStop, the application's contexts cleaned up, then
    /// ApplicationStart and ApplicationResolveModules, as IIS recycles an
    /// application (no-op once shutdown began).
    pub(crate) fn restart_application(&self) {
        if lock(&self.life).stopping {
            return;
        }
        let app = crate::objects::providers::application(self);
        engine::notify_global(self, GlobalNotification::ApplicationStop, app.iface(), None);
        self.application_container.data.cleanup();
        self.application_start();
    }

    /// Sends `GL_THREAD_CLEANUP`: the thread that ran a request goes back to
    /// the pool.
    fn thread_cleanup(&self) {
        let provider = crate::objects::global_providers::thread_cleanup(self);
        engine::notify_global(
            self,
            GlobalNotification::ThreadCleanup,
            provider.iface(),
            None,
        );
    }

    /// New requests refused, StopListening, the requests in flight drained,
    /// ApplicationStop, contexts cleaned up, Terminate; once. As in IIS,
    /// `GL_STOP_LISTENING` comes when the process stops taking requests,
    /// before those in flight have finished (which is why its provider asks
    /// whether to drain them), so a module may finish its work meanwhile.
    fn shutdown(&self) {
        let started = {
            let mut life = lock(&self.life);
            if life.stopping {
                return;
            }
            life.stopping = true;
            self.refusing.store(true, Ordering::SeqCst);
            life.started
        };
        if started {
            let stop = crate::objects::providers::stop_listening(self);
            engine::notify_global(self, GlobalNotification::StopListening, stop.iface(), None);
        }
        {
            let mut life = lock(&self.life);
            while self.active.load(Ordering::SeqCst) > 0 {
                life = self
                    .life_changed
                    .wait(life)
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
            }
        }
        if started {
            let app = crate::objects::providers::application(self);
            engine::notify_global(self, GlobalNotification::ApplicationStop, app.iface(), None);
        }
        self.application_container.data.cleanup();
        self.site_container.data.cleanup();
        self.file_cache.cleanup();
        let connections: Vec<_> = lock(&self.connections).drain().map(|(_, c)| c).collect();
        for connection in connections {
            connection.end();
        }
        for module in self.modules().iter() {
            self.terminate(&module.name, &module.registered);
        }
    }

    /// `Terminate` on the factory and the global module of `r` (each
    /// registered by the module `name` and terminated once: at shutdown,
    /// when a failed or repeated registration leaves it unused).
    fn terminate(&self, name: &str, r: &Registered) {
        if !r.factory.is_null() {
            // SAFETY: a factory the module registered, alive until this
            // `Terminate`, called once (see above).
            unsafe { ((*(*r.factory.0).lpVtbl).Terminate)(r.factory.0) };
            self.stats
                .factories_terminated
                .fetch_add(1, Ordering::SeqCst);
            self.event(HostEvent::FactoryTerminate {
                module: name.to_owned(),
            });
        }
        if !r.global.is_null() {
            // SAFETY: a global module the module registered, alive until
            // this `Terminate`, called once (see above).
            unsafe { ((*(*r.global.0).lpVtbl).Terminate)(r.global.0) };
            self.stats.global_terminated.fetch_add(1, Ordering::SeqCst);
            self.event(HostEvent::GlobalTerminate {
                module: name.to_owned(),
            });
        }
    }
}

/// Builds a [`Host`]: which modules to load, in which order, with which configuration.
#[derive(Debug, Default)]
pub struct HostBuilder {
    modules: Vec<(Option<String>, Source)>,
    config: HostConfig,
}

impl HostBuilder {
    /// Loads the module library at `path` (`.so` on Linux, `.dll` on
    /// Windows), named after its file stem (without a Unix `lib` prefix).
    /// Modules load, register and (for equal priority) run in the order added.
    pub fn module(mut self, path: impl Into<PathBuf>) -> Self {
        self.modules.push((None, Source::Library(path.into())));
        self
    }

    /// A builder configured from an applicationHost.config
    /// ([`ApplicationHost::load`](crate::ApplicationHost::load)): its site
    /// (`site`, or the first), physical path, application pool and handler
    /// mappings, its `<globalModules>` loaded in order, and the file as the
    /// configuration `GetAdminSection` reads. Change
    /// [`config`](Self::config) after it only with care: it replaces the
    /// whole configuration.
    ///
    /// # Errors
    /// [`HostError::Configuration`] when the file cannot be read or has no
    /// such site.
    pub fn from_application_host(
        path: impl AsRef<std::path::Path>,
        site: Option<&str>,
    ) -> Result<Self, HostError> {
        let app =
            crate::ApplicationHost::load(path.as_ref(), site).map_err(HostError::Configuration)?;
        let mut builder = HostBuilder {
            modules: Vec::new(),
            config: app.config,
        };
        for (name, image) in app.global_modules {
            builder = builder.module_named(name, image);
        }
        Ok(builder)
    }

    /// The configuration the host will be built with.
    pub fn current_config(&self) -> &HostConfig {
        &self.config
    }

    /// The configuration schemas `GetAdminSection` knows (each the text of an
    /// IIS schema file), added to [`HostConfig::config_schemas`].
    pub fn config_schema(mut self, schema_xml: impl Into<String>) -> Self {
        self.config.config_schemas.push(schema_xml.into());
        self
    }

    /// Like [`module`](Self::module), with the name IIS config would give it.
    pub fn module_named(mut self, name: impl Into<String>, path: impl Into<PathBuf>) -> Self {
        self.modules
            .push((Some(name.into()), Source::Library(path.into())));
        self
    }

    /// Registers an in-process module by its `RegisterModule` function (for tests).
    pub fn module_fn(mut self, name: impl Into<String>, register: PFN_REGISTERMODULE) -> Self {
        self.modules
            .push((Some(name.into()), Source::Function(register)));
        self
    }

    /// The site, application and limits to emulate.
    pub fn config(mut self, config: HostConfig) -> Self {
        self.config = config;
        self
    }

    /// Loads every module (calling its `RegisterModule`), then sends
    /// `GL_APPLICATION_START`.
    ///
    /// # Errors
    ///
    /// [`HostError::Configuration`] when a configuration schema is invalid;
    /// the first module that fails to load: [`HostError::Load`],
    /// [`HostError::MissingExport`], [`HostError::RegisterFailed`] or
    /// [`HostError::DuplicateName`]. The modules registered before it are
    /// terminated.
    pub fn build(self) -> Result<Host, HostError> {
        let sources = crate::configuration::Sources::from_config(&self.config)
            .map_err(HostError::Configuration)?;
        let pool = engine::pool::start(self.config.worker_threads).map_err(HostError::Pool)?;
        let raw = HostCore::create(self.config, sources);
        let host = Host {
            // SAFETY: `Box::into_raw` never returns null.
            core: unsafe { NonNull::new_unchecked(raw) },
            pool: Some(pool),
        };
        for (name, source) in self.modules {
            host.core().load(name, source)?;
        }
        host.core().application_start();
        Ok(host)
    }
}

/// The IIS integrated pipeline, emulated: load modules with
/// [`Host::builder`], run requests in-process with [`run`](Host::run) or
/// over HTTP with [`serve`](Host::serve), and read what happened in the
/// [`Transcript`].
///
/// `Host` is `Send + Sync`: share it with an `Arc`. Dropping it shuts it down.
pub struct Host {
    core: NonNull<HostCore>,
    /// The worker pool the requests run on; `None` only while dropping.
    pool: Option<tokio::runtime::Runtime>,
}

/// The host core, for a request task on the pool.
struct CoreRef(*const HostCore);

// SAFETY: the core is shared across threads as `Host` is (see below); a
// task holds a `CoreRef` only between `enter` and `leave`, and `Host`'s drop
// waits for every request to leave before freeing the core.
unsafe impl Send for CoreRef {}

// SAFETY: all host state is behind mutexes or atomics; the module objects it
// calls are free-threaded by the IIS module contract (IIS calls factories,
// global modules and module instances from any worker thread).
unsafe impl Send for Host {}
// SAFETY: as above.
unsafe impl Sync for Host {}

impl std::fmt::Debug for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Host")
            .field("modules", &self.module_names())
            .field("config", &self.core().config)
            .finish()
    }
}

impl Host {
    /// A builder with no modules and the default [`HostConfig`].
    pub fn builder() -> HostBuilder {
        HostBuilder::default()
    }

    pub(crate) fn core(&self) -> &HostCore {
        // SAFETY: the core lives until `Drop`, which needs `&mut self`.
        unsafe { self.core.as_ref() }
    }

    /// Runs one request in-process (no socket; the client is
    /// `127.0.0.1`, on a fresh connection) and returns its transcript.
    ///
    /// The request runs on the worker pool, as over HTTP; this waits for it
    /// (`HostService`, with the `tower` feature, awaits it instead).
    pub fn run(&self, request: http::Request<Vec<u8>>) -> Transcript {
        crate::block_on::block_on(self.start(request)).unwrap_or_else(|_| lost_request())
    }

    /// Starts an in-process request on the worker pool; its transcript
    /// arrives on the receiver when it has ended.
    pub(crate) fn start(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> tokio::sync::oneshot::Receiver<Transcript> {
        let (parts, body) = request.into_parts();
        let target = parts
            .uri
            .path_and_query()
            .map_or_else(|| b"/".to_vec(), |pq| pq.as_str().as_bytes().to_vec());
        let mut headers: Vec<(String, Vec<u8>)> = parts
            .headers
            .iter()
            .map(|(name, value)| (canonical(name.as_str()), value.as_bytes().to_vec()))
            .collect();
        if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
            let host = parts.uri.authority().map_or("localhost", |a| a.as_str());
            headers.insert(0, ("Host".to_owned(), host.as_bytes().to_vec()));
        }
        if !body.is_empty()
            && !headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        {
            headers.push((
                "Content-Length".to_owned(),
                body.len().to_string().into_bytes(),
            ));
        }
        let port = 49152 + (self.core().next_request.load(Ordering::SeqCst) % 16384) as u16;
        let request = Request {
            method: parts.method,
            target,
            version: parts.version,
            headers,
            body,
            body_stream: None,
            remote_addr: SocketAddr::from(([127, 0, 0, 1], port)),
            local_addr: SocketAddr::from(([127, 0, 0, 1], 80)),
        };
        let (done, transcript) = tokio::sync::oneshot::channel();
        let core = self.core();
        if !core.enter() {
            let refused = engine::refuse(&mut RecordingSink::new(), 503, b"Service Unavailable");
            let _ = done.send(refused);
            return transcript;
        }
        let entered = CoreRef(core);
        self.pool().spawn(async move {
            let entered = entered;
            // SAFETY: counted in above, so the core lives until `leave`.
            let core = unsafe { &*entered.0 };
            let mut sink = RecordingSink::new();
            let mut transcript = engine::untranscribed(ConnectionFate::Closed);
            engine::execute(
                core,
                request,
                &mut sink,
                ConnectionMode::Single,
                Some(&mut transcript),
            )
            .await;
            core.after_request();
            core.leave();
            let _ = done.send(transcript);
        });
        transcript
    }

    /// The worker pool.
    fn pool(&self) -> &tokio::runtime::Runtime {
        self.pool.as_ref().expect("the pool lives until drop")
    }

    /// `GET path` in-process (see [`run`](Self::run)).
    ///
    /// # Panics
    ///
    /// If `path` is not a valid request-target.
    pub fn get(&self, path: &str) -> Transcript {
        let request = http::Request::get(path)
            .body(Vec::new())
            .expect("a valid request-target");
        self.run(request)
    }

    /// Runs a request that arrived on a client connection (what
    /// [`serve`](Self::serve) does for each request), answering into `sink`.
    /// Requests from the same client address share the connection's state
    /// while the responses keep it alive.
    ///
    /// The request runs on the calling thread (the sink is borrowed), which
    /// waits while a module leaves it pending.
    pub fn handle(&self, request: Request, sink: &mut dyn ResponseSink) -> Transcript {
        // The sink is borrowed, so the request runs here; its timers are the pool's.
        let _timers = self.pool().enter();
        let mut transcript = engine::untranscribed(ConnectionFate::Closed);
        crate::block_on::block_on(self.answer(
            request,
            sink,
            ConnectionMode::Keyed,
            Some(&mut transcript),
        ));
        transcript
    }

    /// Runs a request from a client connection to its end, answering into
    /// `sink` (what `serve`'s connection tasks await), into `transcript` or
    /// not (see `engine::execute`), on the connection `mode` gives.
    pub(crate) async fn answer<S: ResponseSink + ?Sized>(
        &self,
        request: Request,
        sink: &mut S,
        mode: ConnectionMode<'_>,
        transcript: Option<&mut Transcript>,
    ) {
        let core = self.core();
        if !core.enter() {
            let refused = engine::refuse(sink, 503, b"Service Unavailable");
            if let Some(transcript) = transcript {
                *transcript = refused;
            }
            return;
        }
        engine::execute(core, request, sink, mode, transcript).await;
        core.after_request();
        core.leave();
    }

    /// The client connection `key` (client and server address) ended: its
    /// contexts get `NotifyDisconnect` and `CleanupStoredContext` now, even
    /// while a request on it still runs.
    pub(crate) fn connection_closed(&self, key: (SocketAddr, SocketAddr)) {
        let connection = lock(&self.core().connections).remove(&key);
        if let Some(connection) = connection {
            connection.end();
        }
    }

    /// The worker pool's handle (for `serve`).
    pub(crate) fn pool_handle(&self) -> tokio::runtime::Handle {
        self.pool().handle().clone()
    }

    /// Sends `GL_CONFIGURATION_CHANGE` for `path` (as a change to
    /// applicationHost.config would); whether a module returned `GL_NOTIFICATION_HANDLED`.
    pub fn notify_configuration_change(&self, path: &str) -> bool {
        let units = crate::ffi::to_wide(path);
        let provider = crate::objects::providers::configuration_change(self.core(), &units);
        engine::notify_global(
            self.core(),
            GlobalNotification::ConfigurationChange,
            provider.iface(),
            None,
        )
    }

    /// Sends `GL_FILE_CHANGE` for `path`; whether a module returned `GL_NOTIFICATION_HANDLED`.
    pub fn notify_file_change(&self, path: &str) -> bool {
        let units = crate::ffi::to_wide(path);
        let provider = crate::objects::providers::file_change(self.core(), &units);
        engine::notify_global(
            self.core(),
            GlobalNotification::FileChange,
            provider.iface(),
            None,
        )
    }

    /// Shuts down once (later calls do nothing): waits for running requests,
    /// sends `GL_STOP_LISTENING` and `GL_APPLICATION_STOP`, cleans up the
    /// application, site and connection contexts, then calls `Terminate` on
    /// every factory and global module. Requests after this get `503`.
    /// Also done on drop.
    pub fn shutdown(&self) {
        self.core().shutdown();
    }

    /// Host-wide counters.
    pub fn stats(&self) -> HostStats {
        let c = &self.core().stats;
        HostStats {
            requests: c.requests.load(Ordering::SeqCst),
            instances_created: c.instances_created.load(Ordering::SeqCst),
            instances_disposed: c.instances_disposed.load(Ordering::SeqCst),
            factories_terminated: c.factories_terminated.load(Ordering::SeqCst),
            global_modules_terminated: c.global_terminated.load(Ordering::SeqCst),
            dispensed_containers_live: DISPENSED_LIVE.load(Ordering::SeqCst) as u64,
            events_dropped: c.events_dropped.load(Ordering::SeqCst),
        }
    }

    /// How many host-level events [`events`](Self::events) keeps: the
    /// latest ones (older ones are counted in [`HostStats::events_dropped`]).
    pub const MAX_EVENTS: usize = crate::state::host::MAX_EVENTS;

    /// The host-level events so far (registration, global notifications,
    /// termination, calls made outside requests), in order; the latest
    /// [`MAX_EVENTS`](Self::MAX_EVENTS) of them.
    pub fn events(&self) -> Vec<HostEvent> {
        lock(&self.core().events).iter().cloned().collect()
    }

    /// What modules wrote to the Windows event log so far, in order, from
    /// requests and from outside them (global notifications, registration,
    /// termination). iis-host offers the SDK an extension interface for it
    /// (`iis_module::event_log::EventLog` uses it; IIS answers `E_NOINTERFACE` and the
    /// SDK calls `ReportEventW`); each entry is also an
    /// [`ApiCall::ReportEvent`](crate::ApiCall::ReportEvent) in the transcript of the request that wrote
    /// it, or a [`HostEvent::Call`] outside requests.
    pub fn event_log(&self) -> Vec<EventLogEntry> {
        lock(&self.core().event_log).clone()
    }

    /// What the modules' SDKs reported (the errors they handled: a hook's
    /// `Err` or panic behind a 500, a global hook's `Err`, a misused API)
    /// and the `log` records modules forwarded
    /// (`iis_module::Registration::forward_log`), in order, from requests
    /// and from outside them; the latest [`MAX_EVENTS`](Self::MAX_EVENTS).
    /// iis-host offers the SDK an extension interface for them
    /// (`iis_sys::IHostLog`; IIS answers `E_NOINTERFACE` and the SDK keeps
    /// to IIS's channels); each record is also an
    /// [`ApiCall::Log`](crate::ApiCall::Log) in the transcript of the
    /// request it was made in ([`Transcript::module_log`](crate::Transcript::module_log)),
    /// or a [`HostEvent::Call`] outside requests, and goes to
    /// [`HostConfig::on_module_log`](crate::HostConfig::on_module_log).
    pub fn module_log(&self) -> Vec<ModuleLog> {
        lock(&self.core().module_log).iter().cloned().collect()
    }

    /// The registered modules' names, in load order.
    pub fn module_names(&self) -> Vec<String> {
        self.core()
            .modules()
            .iter()
            .map(|m| m.name.clone())
            .collect()
    }

    /// The configuration.
    pub fn config(&self) -> &HostConfig {
        &self.core().config
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        self.core().shutdown();
        // No request runs any more; the pool's threads end on their own
        // (this may be a pool thread or inside another runtime, where
        // waiting for them is not allowed).
        if let Some(pool) = self.pool.take() {
            pool.shutdown_background();
        }
        // SAFETY: the core came from `Box::into_raw` in `HostCore::create`;
        // after shutdown no request runs and no module calls the host
        // (factories and global modules are terminated).
        drop(unsafe { Box::from_raw(self.core.as_ptr()) });
    }
}

/// The transcript of a request whose task was dropped before it ended
/// (the pool shut down under it).
fn lost_request() -> Transcript {
    engine::refuse(&mut RecordingSink::new(), 503, b"Service Unavailable")
}

/// `content-type` → `Content-Type` (the `http` crate lowercases names).
fn canonical(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = true;
    for c in name.chars() {
        out.push(if upper { c.to_ascii_uppercase() } else { c });
        upper = c == '-';
    }
    out
}
