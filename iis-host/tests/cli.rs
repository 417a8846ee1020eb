//! The `iis-host` command line.

use std::process::Command;

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
mod c_library;

fn iis_host() -> Command {
    Command::new(env!("CARGO_BIN_EXE_iis-host"))
}

#[test]
fn request_with_a_library_without_register_module_fails_clearly() {
    let library = if cfg!(windows) {
        "kernel32.dll"
    } else {
        "libm.so.6"
    };
    let output = iis_host()
        .args(["request", "--module", library, "GET", "/"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("does not export RegisterModule"),
        "{stderr}"
    );
}

#[test]
fn request_needs_a_module() {
    let output = iis_host().args(["request", "GET", "/"]).output().unwrap();
    assert!(!output.status.success());
}

/// A C module whose `RegisterModule` succeeds only when IIS names it
/// `chosen` (`IHttpModuleRegistrationInfo::GetName`, slot 0), as a DLL that
/// holds several modules picks one by name.
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn library_registering_only_chosen() -> std::path::PathBuf {
    c_library::build(
        "named",
        r#"
typedef const unsigned short *(*get_name_fn)(void *self);
struct info { get_name_fn *vtbl; };
int RegisterModule(unsigned version, struct info *info, void *server) {
    static const unsigned short chosen[] = { 'c','h','o','s','e','n',0 };
    const unsigned short *name = info->vtbl[0](info);
    for (int i = 0; chosen[i] || name[i]; i++)
        if (chosen[i] != name[i]) return (int)0x80004005;
    return 0;
}
"#,
    )
}

#[test]
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn module_name_chosen_with_name_equals_path() {
    let library = library_registering_only_chosen();
    let named = format!("chosen={}", library.display());
    let output = iis_host()
        .args(["request", "--module", &named, "GET", "/"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("HTTP/1.1 404 "));

    // Without a name the module is called `named` (the file stem) and refuses.
    let output = iis_host()
        .args(["request", "--module", library.to_str().unwrap(), "GET", "/"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("the module named (")
            && stderr.contains("RegisterModule returned 0x80004005"),
        "{stderr}"
    );
    c_library::remove(&library);
}

#[test]
fn module_argument_needs_a_name_and_a_path() {
    for bad in ["=lib.so", "name="] {
        let output = iis_host()
            .args(["request", "--module", bad, "GET", "/"])
            .output()
            .unwrap();
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("NAME=PATH"), "{bad}: {stderr}");
    }
}

#[test]
fn request_loads_the_global_modules_of_an_application_host_config() {
    let library = if cfg!(windows) {
        "kernel32.dll"
    } else {
        "libm.so.6"
    };
    let dir = std::env::temp_dir().join(format!("iis-host-cli-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("applicationHost.config");
    std::fs::write(
        &file,
        format!(
            r#"<configuration>
  <system.applicationHost>
    <sites>
      <site name="Contoso" id="7">
        <application path="/" applicationPool="ContosoPool">
          <virtualDirectory path="/" physicalPath="wwwroot" />
        </application>
        <bindings><binding protocol="http" bindingInformation="*:8081:" /></bindings>
      </site>
    </sites>
  </system.applicationHost>
  <system.webServer>
    <globalModules><add name="NotAModule" image="{library}" /></globalModules>
  </system.webServer>
</configuration>"#
        ),
    )
    .unwrap();
    // No --module: the file's <globalModules> is what gets loaded.
    let output = iis_host()
        .args(["request", "--config"])
        .arg(&file)
        .args(["GET", "/"])
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("does not export RegisterModule"),
        "{stderr}"
    );
}

/// `iis-host serve` prints why a request failed (what the module's SDK
/// reported) above the request's line.
#[test]
fn serve_prints_why_a_request_failed_next_to_its_line() {
    use std::io::{BufRead, BufReader, Read, Write};

    let library = iis_host::testing::build_cdylib("iis_test_modules").unwrap();
    let module = format!("fails={}", library.display());
    let mut child = iis_host()
        .args(["serve", "--module", &module, "--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_owned();

    let mut client = std::net::TcpStream::connect(&addr).unwrap();
    client
        .write_all(b"GET /x HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut response = String::new();
    client.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 500 "), "{response}");

    let mut printed = Vec::new();
    loop {
        line.clear();
        if stdout.read_line(&mut line).unwrap() == 0 {
            break;
        }
        printed.push(line.trim_end().to_owned());
        if line.starts_with("GET /x ") {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let [.., why, request] = printed.as_slice() else {
        panic!("{printed:?}");
    };
    assert!(request.starts_with("GET /x 500 "), "{printed:?}");
    assert!(
        why.starts_with("  error [fails] iis_module: ")
            && why.ends_with(
                "on_authorize_request failed: authorization backend unavailable (0x80004005)"
            ),
        "{printed:?}"
    );
}
