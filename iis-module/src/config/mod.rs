//! Module configuration: reading a section of IIS's configuration system
//! (`IHttpServer::GetAdminManager` → `IAppHostAdminManager::GetAdminSection`)
//! as a Rust type, and the IIS schema file that installs the section.
//!
//! A module declares its section as a type implementing [`ConfigSection`]
//! (name, [`ElementSchema`], how to read it), then reads the effective value
//! for the request's URL with [`HttpContext::config`](crate::HttpContext::config)
//! or for any site or application path with
//! [`HttpServer::config`](crate::HttpServer::config). IIS merges every level
//! (applicationHost.config, `<location>`, `web.config`) and fills in schema
//! defaults; errors are [`ConfigError`]s naming the configuration path, the
//! section and the attribute. Returned from a hook, they answer the request
//! with a 500 like every other hook error.

mod element;
mod error;
mod schema;

pub use element::{ConfigElement, ConfigEnum, ConfigSection};
pub use error::{ConfigError, ConfigErrorKind};
pub use schema::{AttributeSchema, AttributeType, CollectionSchema, ElementSchema, schema_xml};
