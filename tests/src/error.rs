//! Why a fixture could not be set up.

use std::fmt;
use std::path::PathBuf;

/// Why [`Scim2Server`](crate::Scim2Server) could not start.
///
/// `Debug` prints the same text as `Display`, so `server.unwrap()` and `.expect(..)` in a
/// test show a readable message.
pub enum FixtureError {
    /// The `scim2-server` program is not installed where the fixture looked.
    PeerMissing {
        /// Where it was looked for.
        path: PathBuf,
        /// Whether the path came from the `SCIM2_SERVER_BIN` variable.
        from_env: bool,
    },
    /// An extension schema document is not usable (no string `id`).
    InvalidSchema(String),
    /// Reading the peer's defaults or writing the temporary files failed.
    Setup(String),
    /// The server process did not come up in time, or exited.
    Start {
        /// What happened.
        message: String,
        /// The server's output (standard error then standard output), possibly cut.
        output: String,
    },
}

impl fmt::Display for FixtureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PeerMissing { path, from_env } => {
                let origin = if *from_env {
                    "SCIM2_SERVER_BIN points to"
                } else {
                    "expected"
                };
                write!(
                    f,
                    "the scim2-server test peer is not installed ({origin} {}); \
                     run `cargo xtask peers` (or use `cargo xtask test`, which installs it)",
                    path.display()
                )
            }
            Self::InvalidSchema(message) => write!(f, "invalid extension schema: {message}"),
            Self::Setup(message) => write!(f, "cannot set up scim2-server: {message}"),
            Self::Start { message, output } => {
                write!(f, "scim2-server did not start: {message}")?;
                if output.trim().is_empty() {
                    write!(f, " (it printed nothing)")
                } else {
                    write!(f, "\n--- scim2-server output ---\n{}", output.trim_end())
                }
            }
        }
    }
}

impl fmt::Debug for FixtureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for FixtureError {}
