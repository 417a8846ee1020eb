//! Shared by the example runners: serve a module library through iis-host
//! until Ctrl-C, telling the user how to try it and how to install it.

use iis_host::{Host, HostConfig};
use std::error::Error;
use std::path::Path;
use std::sync::Arc;

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
    let server = host.serve(listen.as_str())?;
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
