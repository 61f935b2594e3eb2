//! The engine's error type.

use crate::config::ConfigError;
use crate::directory::DirectoryError;
use crate::directory::guard::SourceStop;
use crate::state::StateError;

/// Why the engine could not plan or apply.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The assignments file is wrong (every problem at `file:line:column`).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The directory could not be loaded.
    #[error(transparent)]
    Directory(#[from] DirectoryError),
    /// The state store failed.
    #[error(transparent)]
    State(#[from] StateError),
    /// The source guard stopped the run (empty or shrinking directory).
    #[error(transparent)]
    SourceStop(#[from] SourceStop),
    /// Anything else (an audit file that cannot be opened, a secret that is not set).
    #[error("{0}")]
    Other(String),
}

impl EngineError {
    /// Whether a safety check (not a failure) stopped the run.
    pub fn is_safety_stop(&self) -> bool {
        matches!(self, Self::SourceStop(_))
    }
}
