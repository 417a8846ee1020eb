//! `cargo iis`: create, serve, build, check and deploy IIS native modules
//! written with `iis-module`.
//!
//! Cargo runs `cargo-iis iis ARGS…` for `cargo iis ARGS…`; the parser below
//! takes that leading `iis` as clap's `bin_name = "cargo"` convention for
//! cargo subcommands. Each subcommand lives in its own module.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

mod build;
mod cargo;
mod deploy;
mod doctor;
mod error;
mod new;
mod serve;
mod watch;

pub(crate) use error::{Error, Result};

/// The cargo subcommand: `cargo iis …`.
#[derive(Debug, Parser)]
#[command(name = "cargo", bin_name = "cargo", styles = clap::builder::Styles::plain())]
enum Cargo {
    /// Create, serve, build, check and deploy IIS native modules.
    #[command(name = "iis", version, about)]
    Iis(Iis),
}

#[derive(Debug, Args)]
struct Iis {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a module crate that builds and tests out of the box.
    New(new::NewArgs),
    /// Build the module and serve it through iis-host (with --watch, rebuild
    /// and reload on every change).
    Serve(serve::ServeArgs),
    /// Build the DLLs for IIS's x64 and/or 32-bit application pools and check
    /// them with `doctor`.
    Build(build::BuildArgs),
    /// Check a module DLL for what would make IIS refuse it, with a fix for
    /// each problem.
    Doctor(doctor::DoctorArgs),
    /// Write a deployment folder: the DLLs in a versioned folder, install
    /// and uninstall scripts for IIS or IIS Express.
    Deploy(deploy::DeployArgs),
}

fn main() -> ExitCode {
    let Cargo::Iis(iis) = Cargo::parse();
    let result = match iis.command {
        Command::New(args) => new::run(&args),
        Command::Serve(args) => serve::run(&args),
        Command::Build(args) => build::run(&args),
        Command::Doctor(args) => doctor::run(&args),
        Command::Deploy(args) => deploy::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// A path given on the command line, made absolute against the current
/// directory (so it stays right when cargo runs elsewhere).
pub(crate) fn absolute(path: &std::path::Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}
