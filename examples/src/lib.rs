//! Shared by the example runners: serve a module library through iis-host
//! until Ctrl-C, telling the user how to try it and how to install it.

use iis_host::{Host, HostConfig, ServeHandle};
use std::error::Error;
use std::fmt;
use std::io;
use std::path::Path;
use std::sync::Arc;

/// An error an example's `main` returns: its `Debug`, which is what Rust
/// prints when `main` fails (`Error: …`), is the message itself, not the
/// structure of an `io::Error`.
pub struct ExampleError(String);

impl fmt::Display for ExampleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for ExampleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Error for ExampleError {}

/// Serves `host` on `listen` for the example `name`; an address in use
/// says how to pick another.
fn serve_on(host: &Arc<Host>, name: &str, listen: &str) -> Result<ServeHandle, ExampleError> {
    host.serve(listen).map_err(|error| {
        let mut message = format!("cannot listen on {listen}: {error}");
        if error.kind() == io::ErrorKind::AddrInUse {
            message.push_str(&format!(
                "\nto serve on another address, pass it: cargo run --example {name} -- 127.0.0.1:8081"
            ));
        }
        ExampleError(message)
    })
}

/// Serves the module library `name` (which cargo builds first, in the
/// example's profile: `iis_host::testing::build_cdylib`) on `127.0.0.1:8080`, or on the address given
/// as the first argument, until Ctrl-C.
///
/// # Errors
/// When the library cannot be found or loaded, or the address bound.
pub fn serve_example(name: &str, what: &str) -> Result<(), Box<dyn Error>> {
    serve_example_with(name, what, HostConfig::default())
}

/// [`serve_example`] with a host configuration (a site's physical path,
/// applicationHost.config, configuration schemas).
///
/// # Errors
/// As [`serve_example`].
pub fn serve_example_with(
    name: &str,
    what: &str,
    config: HostConfig,
) -> Result<(), Box<dyn Error>> {
    let library = iis_host::testing::build_cdylib(name)?;
    let listen = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".to_string());
    let host = Arc::new(Host::builder().config(config).module(&library).build()?);
    let server = serve_on(&host, name, &listen)?;
    let url = format!("http://{}/", server.local_addr());

    println!("{what}");
    println!();
    println!("module library: {}", library.display());
    println!("serving on:     {url}");
    println!("try it:         curl -v {url}");
    println!();
    println!("To install the Windows build into IIS (elevated prompt):");
    println!("  {}", appcmd_line(name, &library));
    println!();
    println!("Ctrl-C stops the server (StopListening, ApplicationStop, Terminate).");

    let (stop, stopped) = std::sync::mpsc::channel();
    ctrlc::set_handler(move || {
        let _ = stop.send(());
    })?;
    let _ = stopped.recv();
    server.shutdown()?;
    host.shutdown();
    println!("stopped");
    Ok(())
}

/// The `appcmd` command that installs the module into IIS.
fn appcmd_line(name: &str, library: &Path) -> String {
    let dll = if cfg!(windows) {
        library.display().to_string()
    } else {
        format!("C:\\path\\to\\{name}.dll")
    };
    format!(r#"%windir%\system32\inetsrv\appcmd.exe install module /name:{name} /image:"{dll}""#)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_port_says_how_to_choose_another() {
        let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = busy.local_addr().unwrap().to_string();
        let host = Arc::new(Host::builder().build().unwrap());
        let error = serve_on(&host, "reset_connection", &addr).unwrap_err();
        // What `main` prints when it returns the error.
        let printed = format!("Error: {:?}", Box::<dyn Error>::from(error));
        assert!(
            printed.starts_with(&format!("Error: cannot listen on {addr}: ")),
            "{printed}"
        );
        assert!(
            printed.contains("another program is listening on that port"),
            "{printed}"
        );
        assert!(
            printed.contains("cargo run --example reset_connection -- 127.0.0.1:8081"),
            "{printed}"
        );
        assert!(
            !printed.contains("Os {") && !printed.contains("Custom {"),
            "{printed}"
        );
    }
}
