//! The module, loaded through iis-host exactly as IIS loads it.

use iis_host::Host;
use iis_host::testing::build_cdylib;

#[test]
fn the_router_answers_through_iis() {
    // Has cargo build the module's DLL (.so on Linux) and loads it.
    let module = build_cdylib("{{name}}").expect("the module builds");
    let host = Host::builder().module(module).build().expect("the module loads");

    let hello = host.get("/hello");
    assert_eq!(hello.status, 200, "{hello}");
    assert_eq!(hello.body, b"Hello from axum in IIS\n");

    // The router's own 404.
    let other = host.get("/other");
    assert_eq!(other.status, 404, "{other}");
}
