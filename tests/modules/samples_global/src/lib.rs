//! Microsoft's IIS sample modules (global group), re-done in safe Rust from
//! their documented behaviour. IIS calls `RegisterModule` once per
//! configured module name; each name registers one sample: the sample's
//! folder (`CGlobalModuleHelloWorld`), or `folder/file` for folders of
//! several samples (`IGlobalRSCAQueryProvider/GetFunctionName`).
#![forbid(unsafe_code)]

mod cache;
mod cache_policy;
mod file_info;
mod helpers;
mod notifications;
mod providers;
mod registration;
mod report;
mod script_map;
mod server;
mod trace;
mod user;
mod xml;

use iis_module::prelude::*;

/// `RegisterModule`: one sample per configured name.
#[register_module]
fn register(module: &mut Registration) -> Result<()> {
    let name = module.name()?;
    let registered = [
        notifications::register,
        helpers::register,
        providers::register,
        registration::register,
        server::register,
        cache_policy::register,
        user::register,
        file_info::register,
        cache::register,
        script_map::register,
        trace::register,
    ]
    .iter()
    .find_map(|register| register(&name, module));
    registered.unwrap_or_else(|| Err(Error::msg(format!("no sample module named {name}"))))
}
