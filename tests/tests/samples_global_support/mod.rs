//! Helpers of the `samples_global*` tests: hosts with the samples of
//! `tests/modules/samples_global` loaded by name, and views of what they
//! wrote to the event log.

#![allow(dead_code)]

use iis_host::{EventLogEntry, EventLogType, Host, HostConfig};
use std::path::PathBuf;

/// The sample library.
pub fn library() -> PathBuf {
    iis_host::testing::cdylib_path("iis_samples_global")
}

/// A host with the named samples, in this order.
pub fn host(names: &[&str]) -> Host {
    host_with(names, HostConfig::default())
}

/// A host with the named samples and `config`.
pub fn host_with(names: &[&str], config: HostConfig) -> Host {
    names
        .iter()
        .fold(Host::builder().config(config), |builder, name| {
            builder.module_named(*name, library())
        })
        .build()
        .unwrap_or_else(|e| panic!("{names:?} load: {e}"))
}

/// The strings of every event-log entry, asserting each is an information
/// entry of the `IISADMIN` source with category and event id 0.
pub fn entries(host: &Host) -> Vec<Vec<String>> {
    host.event_log().iter().map(information).collect()
}

/// The strings of one `IISADMIN` information entry.
pub fn information(entry: &EventLogEntry) -> Vec<String> {
    assert_eq!(entry.source, "IISADMIN", "{entry}");
    assert_eq!(entry.kind, EventLogType::Information, "{entry}");
    assert_eq!((entry.category, entry.event_id), (0, 0), "{entry}");
    entry.strings.clone()
}

/// The one-string entries' texts.
pub fn texts(host: &Host) -> Vec<String> {
    entries(host).into_iter().map(|e| e.join("\n")).collect()
}

/// `[[a], [b], …]` as owned strings.
pub fn lines(items: &[&[&str]]) -> Vec<Vec<String>> {
    items
        .iter()
        .map(|e| e.iter().map(|s| (*s).to_owned()).collect())
        .collect()
}

/// A fresh directory under the system temp dir, for a test's web root.
pub fn web_root(test: &str) -> std::path::PathBuf {
    let dir =
        std::env::temp_dir().join(format!("iis-samples-global-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the web root");
    dir
}

/// 2021-03-04 05:06:07 UTC, the modification time of the tests' files.
pub const MODIFIED: std::time::Duration = std::time::Duration::from_secs(1_614_834_367);

/// Writes `relative` (with `/` separators) under `root` with `content`,
/// last modified at [`MODIFIED`].
pub fn web_file(root: &std::path::Path, relative: &str, content: &[u8]) -> std::path::PathBuf {
    let path = relative
        .split('/')
        .fold(root.to_path_buf(), |path, part| path.join(part));
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create the file's directory");
    }
    std::fs::write(&path, content).expect("write the file");
    let file = std::fs::File::options()
        .write(true)
        .open(&path)
        .expect("open the file");
    file.set_modified(std::time::UNIX_EPOCH + MODIFIED)
        .expect("set the modification time");
    path
}

/// A configuration whose application root is `root`.
pub fn rooted(root: &std::path::Path) -> HostConfig {
    HostConfig {
        physical_path: format!("{}/", root.display()),
        ..HostConfig::default()
    }
}
