//! {{name}}: a global module. IIS creates it once, when the worker process
//! loads the DLL, and calls it for server-wide events; here, before each
//! request begins, it adds an `X-Request-Count` header to the response.
#![forbid(unsafe_code)]

use std::sync::atomic::{AtomicU64, Ordering};

use iis_module::prelude::*;

/// The module: one for the whole worker process, shared by its threads.
struct RequestCounter {
    seen: AtomicU64,
}

// Subscribes the module to exactly the global notifications it implements.
#[global_module]
impl GlobalModule for RequestCounter {
    fn on_pre_begin_request(&self, provider: &mut PreBeginRequest) -> Result<GlobalFlow> {
        let count = self.seen.fetch_add(1, Ordering::Relaxed) + 1;
        provider.with_context(|cx| cx.response().set_header("X-Request-Count", count.to_string()))??;
        Ok(GlobalFlow::Continue)
    }
}

/// The exported `RegisterModule` IIS calls when it loads the DLL.
#[register_module]
fn register(module: &mut Registration) -> Result<()> {
    module.global_module(RequestCounter {
        seen: AtomicU64::new(0),
    })
}
