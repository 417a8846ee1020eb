//! Microsoft's `IHttpFileInfo` samples and `IHttpServerGetFileInfo`,
//! ported to safe Rust (tests/modules/samples_global) and run in iis-host,
//! whose file cache reports the real files under the application root.

mod samples_global_support;

use samples_global_support::{host_with, rooted, web_file, web_root};

/// The ETag IIS computes for the tests' files: the last-write FILETIME.
const ETAG: &str = "\"1d710b41567c980:0\"";

/// Runs `GET /index.htm` through `sample` over a root holding
/// `index.htm` ("hello"); returns the body and the file's path.
fn report(sample: &str, test: &str) -> (String, String) {
    let root = web_root(test);
    let file = web_file(&root, "index.htm", b"hello");
    let t = host_with(&[sample], rooted(&root)).get("/index.htm");
    assert_eq!(
        t.header("Content-Type"),
        Some(&b"text/plain"[..]),
        "{sample}"
    );
    (t.body_text(), file.display().to_string())
}

#[test]
fn each_file_info_line_sample_reports_its_lines() {
    let root = web_root("lines");
    let file = web_file(&root, "index.htm", b"hello").display().to_string();
    let root_text = format!("{}/", root.display());
    let table: [(&str, String); 14] = [
        ("AccessCheck", "Access:  0\r\n".to_owned()),
        (
            "CheckIfFileHasChanged",
            "File Changed:  false\r\n".to_owned(),
        ),
        (
            "GetAttributes",
            "Attributes:  32\r\nRead only:  false\r\nHidden:  false\r\nArchive:  true\r\n"
                .to_owned(),
        ),
        (
            "GetETag",
            format!("ETag:  {ETAG}\r\nETag Value:  {}\r\n", ETAG.len()),
        ),
        ("GetFileBuffer", "File Buffer:  hello\r\n".to_owned()),
        (
            "GetFileHandle",
            "File Handle:  INVALID_HANDLE_VALUE\r\n".to_owned(),
        ),
        ("GetFilePath", format!("File Path:  {file}\r\n")),
        (
            "GetHttpCacheAllowed",
            "Cache Allowed:  true\r\nTime-to-Live:  0\r\n".to_owned(),
        ),
        (
            "GetLastModifiedString",
            "Last Modified String:  Thu, 04 Mar 2021 05:06:07 GMT\r\n".to_owned(),
        ),
        (
            "GetLastModifiedTime",
            "Last Modified Time:  3/4/2021  5:6\r\n".to_owned(),
        ),
        ("GetModuleContextContainer", "Context:  true\r\n".to_owned()),
        ("GetSize", "Size:  5\r\n".to_owned()),
        ("GetVrPath", format!("VR Path:  {root_text}\r\n")),
        ("GetVrToken", "VR Token:  NULL\r\n".to_owned()),
    ];
    let mut all = String::new();
    for (name, expected) in &table {
        let sample = format!("IHttpFileInfo/{name}");
        let t = host_with(&[&sample], rooted(&root)).get("/index.htm");
        assert_eq!(
            t.header("Content-Type"),
            Some(&b"text/plain"[..]),
            "{sample}"
        );
        assert_eq!(&t.body_text(), expected, "{sample}");
        assert!(
            t.notification_lines()
                .contains(&format!("{sample}: OnSendResponse -> FINISH_REQUEST")),
            "{sample}"
        );
        all.push_str(expected);
    }
    // IHttpFileInfo.cpp writes every line, in the same order.
    let t = host_with(&["IHttpFileInfo"], rooted(&root)).get("/index.htm");
    assert_eq!(t.body_text(), all);
}

#[test]
fn requests_that_map_to_no_file_are_left_alone() {
    let root = web_root("nofile");
    for sample in ["IHttpFileInfo", "IHttpFileInfoGetSize"] {
        let t = host_with(&[sample], rooted(&root)).get("/missing.htm");
        assert_eq!(t.status, 404, "{sample}");
        assert_eq!(
            t.notification_lines(),
            [format!("{sample}: OnSendResponse -> CONTINUE")],
            "{sample}"
        );
    }
}

#[test]
fn the_single_value_samples_answer_as_text() {
    let (body, _) = report("IHttpFileInfoGetAttributes", "attributes");
    assert_eq!(body, "\nRead only: No\nHidden: No\nArchive: Yes");
    let (body, _) = report("IHttpFileInfoGetETag", "etag");
    assert_eq!(body, format!("ETag: {ETAG}"));
    let (body, file) = report("IHttpFileInfoGetFilePath", "path");
    assert_eq!(body, format!("File path: {file}"));
    let (body, _) = report("IHttpFileInfoGetLastModifiedString", "lmstring");
    assert_eq!(body, "Last modified: Thu, 04 Mar 2021 05:06:07 GMT");
    let (body, _) = report("IHttpFileInfoGetLastModifiedTime", "lmtime");
    assert_eq!(body, "Last modified: 03/04/2021  05:06");
    let (body, _) = report("IHttpFileInfoGetSize", "size");
    assert_eq!(body, "File size: 5");
}

#[test]
fn a_read_only_file_reports_the_read_only_attribute() {
    let root = web_root("readonly");
    let file = web_file(&root, "index.htm", b"hello");
    let mut permissions = std::fs::metadata(&file).expect("metadata").permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(&file, permissions).expect("read-only");
    let t = host_with(&["IHttpFileInfoGetAttributes"], rooted(&root)).get("/index.htm");
    assert_eq!(t.body_text(), "\nRead only: Yes\nHidden: No\nArchive: Yes");
}

#[test]
fn the_server_file_cache_gives_the_etag_of_a_mapped_file() {
    let root = web_root("server");
    let host = host_with(&["IHttpServerGetFileInfo"], rooted(&root));
    // Without the file the request continues to the static file handler:
    // the folder has no default document, IIS's 403.14.
    assert_eq!(host.get("/").status, 403);
    web_file(&root, "example/default.asp", b"<% %>");
    let t = host.get("/");
    assert_eq!(t.status, 200, "{}", t.body_text());
    assert_eq!(t.header("Content-Type"), Some(&b"text/plain"[..]));
    assert_eq!(t.body_text(), format!("ETag: {ETAG}"));
}
