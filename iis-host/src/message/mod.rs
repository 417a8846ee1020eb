//! The plain data of an HTTP exchange, shared by the transport
//! ([`crate::http`], which fills and sends it) and the request state (which
//! holds it): [`Request`], its [`BodyStream`], [`ResponseHead`] and
//! [`ConnectionFate`], and the server's settings ([`ServerConfig`], which
//! [`HostConfig`](crate::HostConfig) carries). Public as [`crate::http`]'s
//! types; this module knows neither the transport nor the pipeline.

mod body_stream;
mod request;
mod response;
mod server_config;
pub(crate) mod syntax;

pub use body_stream::BodyStream;
pub(crate) use body_stream::Read as BodyRead;
pub use request::Request;
pub use response::{ConnectionFate, ResponseHead};
pub use server_config::{RequestLog, RequestLogHook, ServerConfig};
