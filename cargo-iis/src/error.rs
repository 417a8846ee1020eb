//! The error of every subcommand: a message for the user, with what failed
//! and, where one is known, what to do.

use std::fmt;

/// What went wrong, as the user should read it.
#[derive(Debug)]
pub(crate) struct Error(String);

/// `Result` with [`Error`].
pub(crate) type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// An error with this message.
    pub(crate) fn msg(message: impl Into<String>) -> Self {
        Error(message.into())
    }

    /// An I/O error, with the operation and path it happened on.
    pub(crate) fn io(what: impl fmt::Display, error: std::io::Error) -> Self {
        Error(format!("{what}: {error}"))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}
