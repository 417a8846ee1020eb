//! The views a hook works with: context, request, response, server, and
//! what surrounds them.

mod context;
mod headers;
mod memory;
mod request;
mod response;
mod server;
mod site;
mod stored;

pub use context::HttpContext;
pub use headers::HeaderKey;
pub use request::HttpRequest;
pub use response::{ConnectionReset, Http2Response, HttpResponse, ResponseStatus};
pub use server::HttpServer;
pub use site::{HttpApplication, HttpSite, HttpUser};
