//! `cargo run --example axum_app [ADDRESS]`: builds the axum application
//! module (examples/modules/axum_app) as a real dynamic library and serves
//! it through iis-host: an axum `Router` running inside the IIS pipeline,
//! in-process, through iis-tower.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    iis_module_examples::serve_example(
        "axum_app",
        "axum_app: an axum Router inside IIS (try /, /users/7, /search?q=iis, /events, /whoami)",
    )
}
