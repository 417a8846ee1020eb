//! The request's handler, at the end of ExecuteRequestHandler when no
//! module has handled the request: the handler mapping IIS chose (after
//! MapRequestHandler, where a module may have set another with
//! `IMapHandlerProvider::SetScriptMap`, or changed the method or URL the
//! choice is made from) decides who answers.
//!
//! * A mapping whose modules are one of IIS's built-in handlers
//!   ([`crate::handlers`]: `StaticFileModule`, `DefaultDocumentModule`,
//!   `ProtocolSupportModule`) gets that handler's answer.
//! * A mapping that names a module the host loaded: that module is the
//!   handler; it had its ExecuteRequestHandler, and what it left (an empty
//!   `200` if nothing) is the response, as in IIS.
//! * A mapping to a handler iis-host does not have (ASP's `IsapiModule`,
//!   ASP.NET's `ManagedPipelineHandler`, …): IIS's `404.0`.
//! * No mapping at all: `404.4`, no handler was found.
//!
//! Unlike IIS, iis-host raises ExecuteRequestHandler to every module that
//! subscribed to it, not only to the mapped handler's modules; a module
//! that writes, sets a status or calls `SetRequestHandled` takes the
//! request, and no built-in handler runs after it.

use std::path::PathBuf;

use crate::engine::send;
use crate::handlers::{Answer, BuiltIn, Resource};
use crate::objects::context::physical;
use crate::objects::script_map::handler_modules;
use crate::state::RequestCore;

/// The description of IIS's `404.4` page.
const NO_HANDLER: &str =
    "The resource you are looking for does not have a handler associated with it.";

/// Runs the request's handler (see the module documentation).
pub(crate) fn execute(core: &RequestCore) {
    let answer = match handler_modules(core) {
        None => Some(Answer::error(404, 4, "Not Found", NO_HANDLER)),
        Some(modules) => match BuiltIn::among(&modules) {
            Some(built_in) => Some(answer_of(core, built_in).unwrap_or_else(Answer::not_found)),
            None if names_loaded_module(core, &modules) => None,
            None => Some(Answer::not_found()),
        },
    };
    if let Some(answer) = answer {
        send::answer(core, answer);
    }
}

/// Whether `modules` (a mapping's, comma-separated) names a module the host
/// loaded.
fn names_loaded_module(core: &RequestCore, modules: &str) -> bool {
    modules.split(',').map(str::trim).any(|name| {
        core.modules
            .iter()
            .any(|m| m.name.eq_ignore_ascii_case(name))
    })
}

/// The answer of `built_in` for the request. The request's state is
/// copied out first, so the file is read without holding its lock.
fn answer_of(core: &RequestCore, built_in: BuiltIn) -> Option<Answer> {
    let path = PathBuf::from(crate::ffi::from_wide(&physical(core)));
    let documents = core.host().config.default_documents.clone();
    let text = |v: Option<Vec<u8>>| v.map(|v| String::from_utf8_lossy(&v).into_owned());
    let (method, url, query, host, since, tags) = core.with_state(|s| {
        (
            s.req.method.to_string(),
            s.req.decoded_path().into_owned(),
            text(s.req.query().map(<[u8]>::to_vec)),
            text(s.req.headers.get("Host")),
            text(s.req.headers.get("If-Modified-Since")),
            text(s.req.headers.get("If-None-Match")),
        )
    });
    built_in.answer(&Resource {
        method: &method,
        url: &url,
        query: query.as_deref(),
        host: host.as_deref(),
        physical: path,
        if_modified_since: since.as_deref(),
        if_none_match: tags.as_deref(),
        default_documents: &documents,
    })
}
