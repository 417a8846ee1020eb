//! The module, loaded through iis-host exactly as IIS loads it.

use iis_host::Host;
use iis_host::testing::build_cdylib;

#[test]
fn echo_returns_the_body() {
    // Has cargo build the module's DLL (.so on Linux) and loads it.
    let module = build_cdylib("{{name}}").expect("the module builds");
    let host = Host::builder().module(module).build().expect("the module loads");

    let request = http::Request::post("/echo").body(b"ping".to_vec()).unwrap();
    let echo = host.run(request);
    assert_eq!(echo.status, 200, "{echo}");
    assert_eq!(echo.body, b"ping");

    // Not ours: nothing handles it, so IIS answers 404.
    let other = host.get("/other");
    assert_eq!(other.status, 404, "{other}");
}
