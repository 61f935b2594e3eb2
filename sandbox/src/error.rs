//! Why a sandbox could not start.

use std::fmt;

/// Why [`SandboxBuilder::start`](crate::SandboxBuilder::start) failed.
#[derive(Debug)]
pub enum SandboxError {
    /// A tenant's name or settings are not valid, or two tenants share a name.
    InvalidTenant(String),
    /// The listen address does not parse or cannot be bound.
    Bind {
        /// The address asked for.
        address: String,
        /// What went wrong.
        message: String,
    },
}

impl fmt::Display for SandboxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidTenant(message) => write!(f, "invalid sandbox tenant: {message}"),
            Self::Bind { address, message } => write!(f, "cannot listen on {address}: {message}"),
        }
    }
}

impl std::error::Error for SandboxError {}
