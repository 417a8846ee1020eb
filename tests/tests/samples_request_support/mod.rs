//! Helpers of the `samples_request*` tests: hosts with the samples of
//! `tests/modules/samples_request` loaded by name, requests, and views of a
//! transcript.

#![allow(dead_code)]

use iis_host::{Host, HostConfig, Transcript};

/// A host with the named sample modules, in this order.
pub fn samples(names: &[&str]) -> Host {
    samples_with(names, HostConfig::default())
}

/// A host with the named sample modules, in this order, and `config`.
pub fn samples_with(names: &[&str], config: HostConfig) -> Host {
    let library = iis_host::testing::cdylib_path("iis_samples_request");
    names
        .iter()
        .fold(Host::builder().config(config), |builder, name| {
            builder.module_named(*name, &library)
        })
        .build()
        .expect("the sample modules load")
}

/// A request with headers and a body.
pub fn request(
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> http::Request<Vec<u8>> {
    let mut builder = http::Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(body.to_vec()).expect("a valid request")
}

/// Status, body and Content-Type of a response.
pub fn answer(t: &Transcript) -> (u16, String, Option<String>) {
    (
        t.status,
        t.body_text(),
        t.header("Content-Type")
            .map(|v| String::from_utf8_lossy(v).into_owned()),
    )
}

/// What a request gets with no module at all (iis-host's 404.0).
pub fn baseline(uri: &str) -> Transcript {
    Host::builder().build().expect("an empty host").get(uri)
}

/// The module→host calls of a request, as text.
pub fn calls(t: &Transcript) -> Vec<String> {
    t.calls.iter().map(ToString::to_string).collect()
}
