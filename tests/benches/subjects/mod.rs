//! What both dispatch benches measure: an SDK module with an empty hook,
//! and a raw `CHttpModule` written against iis-sys alone, as a C++ author
//! would write it (the baseline, in `raw.rs`, which `callgrind_async`
//! shares). Each bench supplies the raw hooks it measures; every other raw
//! slot is an empty hook.

mod raw;

pub use raw::{raw_continue, raw_object, raw_vtable};

use iis_module::{
    Flow, HttpContext, HttpModule, Registration, http_module, register_module, request::Event,
};

/// The SDK side: subscribed to BeginRequest, does nothing there.
#[derive(Debug)]
pub struct Empty;

#[http_module]
impl HttpModule for Empty {
    fn on_begin_request(&mut self, _: &mut HttpContext, _: &mut Event) -> iis_module::Result<Flow> {
        Ok(Flow::Continue)
    }
}

/// `RegisterModule` of [`Empty`], as a module DLL would export it.
#[register_module]
pub fn register(module: &mut Registration) -> iis_module::Result<()> {
    module.request_module(|| Empty)
}
