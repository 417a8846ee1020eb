//! `cargo run --example async_backend [ADDRESS]`: builds the async-backend
//! module (examples/modules/async_backend) as a real dynamic library and
//! serves it through iis-host. `GET /` waits 200 ms and calls a local
//! backend without holding an IIS thread, then streams the answer.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    iis_module_examples::serve_example(
        "async_backend",
        "async_backend: GET / awaits a timer and a TCP backend (no IIS thread held), then streams its answer",
    )
}
