//! `cargo run --example need_disconnect`: the reset-connection module with
//! `set_need_disconnect` instead: the client gets the whole body, then the
//! server closes the connection.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    iis_module_examples::serve_example(
        "need_disconnect",
        "need_disconnect: the body is sent, then the connection is closed",
    )
}
