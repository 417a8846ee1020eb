//! [`HostCore`]: the emulated worker process's data: its configuration, its
//! objects (server, application, site, trace…), the registered modules, the
//! counters, events and connections, behind their locks. Loading, the
//! application's lifecycle and shutdown are the host's ([`crate::Host`]).

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::Instant;

use iis_sys::{GUID, IHttpApplication, IHttpServer};

use crate::config::HostConfig;
use crate::ffi::{Arena, WideStr, lock};
use crate::loader::ModuleSet;
use crate::state::current::record_in_current;
use crate::state::object::{Back, Obj};
use crate::state::object_data::{
    ConnectionShared, ContainerData, FileCache, MapData, PerfCounters, RegistrationData,
    Subscriptions, TraceOwner,
};
use crate::transcript::{ApiCall, EventLogEntry, HostEvent, ModuleLog};

/// How many host-level events are kept ([`crate::Host::MAX_EVENTS`]).
pub(crate) const MAX_EVENTS: usize = 10_000;

#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) requests: AtomicU64,
    pub(crate) instances_created: AtomicU64,
    pub(crate) instances_disposed: AtomicU64,
    pub(crate) factories_terminated: AtomicU64,
    pub(crate) global_terminated: AtomicU64,
    pub(crate) events_dropped: AtomicU64,
}

/// The strings the application and site objects return.
pub(crate) struct HostStrings {
    pub(crate) physical_path: WideStr,
    /// The physical path without its trailing separators, in UTF-16, and
    /// the separator its URLs map with (what `physical_path_wide_in`
    /// starts each mapping with).
    pub(crate) physical_root: (Vec<u16>, u16),
    pub(crate) application_id: WideStr,
    pub(crate) config_path: WideStr,
    pub(crate) site_name: WideStr,
    pub(crate) app_pool: WideStr,
}

/// A loaded module's registration info, kept until the host is dropped
/// (module libraries themselves stay loaded for the process, as in IIS).
pub(crate) struct Owned {
    #[allow(dead_code)]
    pub(crate) registration: Box<Obj<RegistrationData>>,
}

#[derive(Debug, Default)]
pub(crate) struct Life {
    /// ApplicationStart was sent.
    pub(crate) started: bool,
    /// Shutdown began: no new requests.
    pub(crate) stopping: bool,
}

/// The worker process: modules, server objects, records.
pub(crate) struct HostCore {
    pub(crate) config: HostConfig,
    pub(crate) strings: HostStrings,
    pub(crate) started: Instant,
    pub(crate) activity_id: GUID,
    pub(crate) server: Obj<Back<HostCore>>,
    pub(crate) application: Obj<Back<HostCore>>,
    pub(crate) site: Obj<Back<HostCore>>,
    pub(crate) trace: Obj<TraceOwner>,
    /// `SetTraceConfiguration`'s subscriptions.
    pub(crate) trace_subscriptions: Subscriptions,
    pub(crate) perf: Obj<PerfCounters>,
    pub(crate) site_perf: Obj<PerfCounters>,
    /// The handler mappings' `IScriptMapInfo` objects.
    pub(crate) script_maps: Vec<Obj<MapData>>,
    /// The file cache (`objects::file_info`).
    pub(crate) file_cache: FileCache,
    /// Cache keys and records made for cache operations, kept for the
    /// host's life.
    pub(crate) cache_arena: Arena,
    /// `IHttpServer::AddFragmentToCache`'s fragments, by name.
    pub(crate) fragments: Mutex<HashMap<String, Vec<u8>>>,
    /// `IHttpServer::GetAdminManager` (`objects::admin`).
    pub(crate) admin_manager: Obj<Back<HostCore>>,
    /// Where `GetAdminSection` reads configuration from.
    pub(crate) config_sources: crate::configuration::Sources,
    /// The event-log extension (`objects::event_log`).
    pub(crate) event_log_ext: Obj<Back<HostCore>>,
    /// What modules wrote to the event log, in order.
    pub(crate) event_log: Mutex<Vec<EventLogEntry>>,
    /// The diagnostics extension (`objects::host_log`).
    pub(crate) host_log_ext: Obj<Back<HostCore>>,
    /// What modules' SDKs reported and modules logged, the latest
    /// [`MAX_EVENTS`].
    pub(crate) module_log: Mutex<VecDeque<ModuleLog>>,
    /// Each registered module's `HTTP_MODULE_ID` (the address of its
    /// registration object) and name, from before its `RegisterModule`.
    pub(crate) module_ids: Mutex<Vec<(usize, String)>>,
    /// `IHttpServer::RecycleApplication` asked for a restart of the
    /// application, done once the current request ends.
    pub(crate) recycle_pending: AtomicBool,
    pub(crate) application_container: Obj<ContainerData>,
    pub(crate) site_container: Obj<ContainerData>,
    pub(crate) stats: Counters,
    pub(crate) connections: Mutex<HashMap<(SocketAddr, SocketAddr), Arc<ConnectionShared>>>,
    pub(crate) modules: RwLock<Arc<ModuleSet>>,
    pub(crate) owned: Mutex<Vec<Owned>>,
    pub(crate) events: Mutex<VecDeque<HostEvent>>,
    pub(crate) life: Mutex<Life>,
    pub(crate) life_changed: Condvar,
    /// Requests running now (counted without the `life` lock, which every
    /// request would take twice on every thread).
    pub(crate) active: AtomicUsize,
    /// `Life::stopping`, read without the lock.
    pub(crate) refusing: AtomicBool,
    pub(crate) next_request: AtomicU64,
}

impl HostCore {
    /// The registered modules, in load order.
    pub(crate) fn modules(&self) -> Arc<ModuleSet> {
        Arc::clone(
            &self
                .modules
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }

    /// A new request number.
    pub(crate) fn next_request_id(&self) -> u64 {
        self.next_request.fetch_add(1, Ordering::SeqCst)
    }

    /// `IHttpServer*`.
    pub(crate) fn server_ptr(&self) -> *mut IHttpServer {
        self.server.iface()
    }

    /// `IHttpApplication*`.
    pub(crate) fn application_ptr(&self) -> *mut IHttpApplication {
        self.application.iface()
    }

    /// Records a host-level event.
    pub(crate) fn event(&self, event: HostEvent) {
        let mut events = lock(&self.events);
        if events.len() == MAX_EVENTS {
            events.pop_front();
            self.stats.events_dropped.fetch_add(1, Ordering::Relaxed);
        }
        events.push_back(event);
    }

    /// Records a module→host call: into the request running on this thread
    /// if there is one, else as a host event.
    pub(crate) fn record(&self, call: ApiCall) {
        if let Some(call) = record_in_current(call) {
            self.event(HostEvent::Call(call));
        }
    }

    /// Records an event-log entry: in the host's event log and as an
    /// [`ApiCall::ReportEvent`] of the current request (or host event).
    pub(crate) fn report_event(&self, entry: EventLogEntry) {
        lock(&self.event_log).push(entry.clone());
        self.record(ApiCall::ReportEvent(entry));
    }

    /// Records what a module reported: in the host's module log, the
    /// current request's transcript (or a host event) and the configured
    /// hook.
    pub(crate) fn module_log(&self, record: ModuleLog) {
        if let Some(hook) = &self.config.on_module_log {
            hook.call(&record);
        }
        {
            let mut log = lock(&self.module_log);
            if log.len() == MAX_EVENTS {
                log.pop_front();
            }
            log.push_back(record.clone());
        }
        self.record(ApiCall::Log(record));
    }

    /// The name of the module whose `HTTP_MODULE_ID` is `id`.
    pub(crate) fn module_name_of(&self, id: iis_sys::HTTP_MODULE_ID) -> Option<String> {
        lock(&self.module_ids)
            .iter()
            .find(|(known, _)| *known == id.as_raw() as usize)
            .map(|(_, name)| name.clone())
    }

    /// Counts a request in; `false` once shutdown began.
    pub(crate) fn enter(&self) -> bool {
        // Counted first, then checked: a shutdown that set `refusing` before
        // this check is refused here; one after it sees the count and waits.
        self.active.fetch_add(1, Ordering::SeqCst);
        if self.refusing.load(Ordering::SeqCst) {
            self.leave();
            return false;
        }
        true
    }

    /// Counts a request out; the last one out during a shutdown wakes it
    /// (under the `life` lock, which the shutdown holds from its check of
    /// the count to its wait, so the wake is not lost).
    pub(crate) fn leave(&self) {
        if self.active.fetch_sub(1, Ordering::SeqCst) == 1 && self.refusing.load(Ordering::SeqCst) {
            let _life = lock(&self.life);
            self.life_changed.notify_all();
        }
    }
}
