//! [`Host`]'s triggers of the global notifications IIS raises on its own
//! schedule or on outside events: an application recycle, the cache
//! scavenger, WAS's health ping, runtime status and control queries, and
//! operations of the server caches.

use crate::engine;
use crate::host::Host;
use crate::objects::cache::{CacheItem, CacheOp};
use crate::objects::global_providers::RscaResult;
use crate::transcript::GlobalNotification;

impl Host {
    /// Recycles the application as IIS does: `GL_APPLICATION_STOP`, the
    /// application's module contexts cleaned up, then `GL_APPLICATION_START`
    /// and `GL_APPLICATION_RESOLVE_MODULES`. (A module's
    /// `IHttpServer::RecycleApplication` for the application does this once
    /// the current request ends.)
    pub fn recycle_application(&self) {
        self.core().restart_application();
    }

    /// Sends `GL_CACHE_CLEANUP` (IIS's periodic cache scavenger pass); whether
    /// a module returned `GL_NOTIFICATION_HANDLED`.
    pub fn notify_cache_cleanup(&self) -> bool {
        engine::notify_global(
            self.core(),
            GlobalNotification::CacheCleanup,
            std::ptr::null_mut(),
            None,
        )
    }

    /// Sends `GL_HEALTH_CHECK` (WAS's periodic ping of the worker process);
    /// whether a module returned `GL_NOTIFICATION_HANDLED`.
    pub fn notify_health_check(&self) -> bool {
        engine::notify_global(
            self.core(),
            GlobalNotification::HealthCheck,
            std::ptr::null_mut(),
            None,
        )
    }

    /// Sends `GL_RSCA_QUERY` for `function` with `parameters` (what a runtime
    /// status and control query, e.g. `appcmd list requests`, makes IIS
    /// send) and returns what the modules answered.
    pub fn notify_rsca_query(&self, function: &str, parameters: &str) -> RscaResult {
        let (function, parameters) = (
            crate::ffi::to_wide(function),
            crate::ffi::to_wide(parameters),
        );
        let provider =
            crate::objects::global_providers::rsca_query(self.core(), &function, &parameters);
        let handled = engine::notify_global(
            self.core(),
            GlobalNotification::RscaQuery,
            provider.iface(),
            None,
        );
        provider.data.result(handled)
    }

    /// Raises `GL_CACHE_OPERATION` for `item` (a file, URL or logged-on
    /// user of IIS's file, URI or token cache): the key and record iis-host
    /// makes for it are what the modules' `ICacheProvider` returns (see
    /// [`CacheItem`]). Whether a module returned `GL_NOTIFICATION_HANDLED`.
    pub fn notify_cache_operation(&self, operation: CacheOp, item: &CacheItem) -> bool {
        let core = self.core();
        let (key, record) = crate::objects::cache::item_objects(core, item);
        crate::objects::cache::notify(core, operation.raw(), key, record).0
    }
}
