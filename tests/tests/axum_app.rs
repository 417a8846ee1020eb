//! The axum example (examples/modules/axum_app) loaded from its real module
//! library: an axum Router running inside the IIS pipeline through
//! iis-tower.

use iis_module_tests::example_host;

fn request(
    method: &str,
    uri: &str,
    content_type: Option<&str>,
    body: &[u8],
) -> http::Request<Vec<u8>> {
    let mut builder = http::Request::builder()
        .method(method)
        .uri(uri)
        .header("Host", "localhost");
    if let Some(content_type) = content_type {
        builder = builder.header("Content-Type", content_type);
    }
    builder.body(body.to_vec()).expect("valid request")
}

#[test]
fn the_router_answers_inside_the_pipeline() {
    let host = example_host("axum_app");
    let t = host.get("/");
    assert_eq!(
        (t.status, t.body_text().as_str()),
        (200, "hello from axum inside IIS\n"),
        "{t}"
    );

    let t = host.get("/users/7");
    assert_eq!(t.status, 200, "{t}");
    assert_eq!(t.body_text(), r#"{"id":7,"name":"user 7"}"#);
    assert_eq!(host.get("/users/0").status, 404);

    let t = host.get("/search?q=iis%20module&page=2");
    assert_eq!(t.body_text(), r#"{"q":"iis module","page":2}"#, "{t}");

    let t = host.run(request(
        "POST",
        "/orders",
        Some("application/json"),
        br#"{"item":"book","quantity":3,"unit_price_cents":1250}"#,
    ));
    assert_eq!(t.status, 201, "{t}");
    assert_eq!(
        t.body_text(),
        r#"{"item":"book","quantity":3,"total_cents":3750}"#
    );

    let t = host.get("/whoami");
    assert_eq!(t.body_text(), "anonymous\n", "{t}");
}
