//! The module, loaded through iis-host exactly as IIS loads it.

use iis_host::Host;
use iis_host::testing::build_cdylib;

#[test]
fn hello_answers_its_path_and_nothing_else() {
    // Has cargo build the module's DLL (.so on Linux) and loads it.
    let module = build_cdylib("{{name}}").expect("the module builds");
    let host = Host::builder().module(module).build().expect("the module loads");

    let hello = host.get("/hello");
    assert_eq!(hello.status, 200, "{hello}");
    assert_eq!(hello.header("content-type"), Some(&b"text/plain; charset=utf-8"[..]));
    assert_eq!(hello.body, b"Hello from Rust\n");
    // What IIS did to produce it.
    assert_eq!(
        hello.notification_lines(),
        ["{{lib}}: OnBeginRequest -> FINISH_REQUEST"]
    );

    // Not ours: nothing handles it, so IIS answers 404.
    let other = host.get("/other");
    assert_eq!(other.status, 404, "{other}");
}
