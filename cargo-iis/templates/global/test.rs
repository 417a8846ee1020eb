//! The module, loaded through iis-host exactly as IIS loads it.

use iis_host::Host;
use iis_host::testing::build_cdylib;

#[test]
fn every_request_is_counted() {
    // Has cargo build the module's DLL (.so on Linux) and loads it.
    let module = build_cdylib("{{name}}").expect("the module builds");
    let host = Host::builder().module(module).build().expect("the module loads");

    for expected in ["1", "2"] {
        // Nothing here handles the request, so IIS answers 404, with the header.
        let response = host.get("/");
        assert_eq!(response.status, 404, "{response}");
        assert_eq!(response.header("x-request-count"), Some(expected.as_bytes()), "{response}");
    }
}
