//! iis-host: the IIS integrated pipeline emulated in Rust.
//!
//! (Being built: see the crate README.)

pub mod http;
