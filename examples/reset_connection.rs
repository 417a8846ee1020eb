//! `cargo run --example reset_connection`: builds the reset-connection
//! module (examples/modules/reset_connection) as a real dynamic library and
//! serves it through iis-host. Every request ends in a TCP reset: the
//! client receives neither "Before Reset" nor "After Reset".

fn main() -> Result<(), Box<dyn std::error::Error>> {
    iis_module_examples::serve_example(
        "reset_connection",
        "reset_connection: every response is reset (curl reports \"Connection reset by peer\")",
    )
}
