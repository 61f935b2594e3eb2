//! Test fixtures shared by the connector crates.
//!
//! - [`Scim2Server`] runs the third-party Python `scim2-server` peer on a free local port,
//!   with the vendor's extension schemas, and kills it on drop.
//! - [`StateChecker`] reads and seeds that server with plain HTTP, independently of any
//!   connector, so tests check what the server really holds rather than a connector's echo.
//! - [`run_capability_suite`] drives a [`connector_sdk::Connector`] through every capability
//!   its manifest declares and checks the server after each step; it runs against any
//!   [`ScimBackend`]: the scim2-server peer, or (feature `sandbox`) a tenant of the
//!   connector sandbox, which behaves as the vendor's dialect says.
//!
//! The peer is installed by `cargo xtask peers` (and `cargo xtask test`, the project's test
//! command). When it is missing, [`Scim2Server::start`] fails with an error that says so:
//! tests fail rather than skip.
//!
//! ```no_run
//! # async fn demo() {
//! use connector_tests::Scim2Server;
//!
//! let server = Scim2Server::start(&[]).expect("scim2-server starts");
//! let config = server.config(); // an InstanceConfig pointed at the server
//! let state = server.state();
//! assert_eq!(state.count_users().await, 0);
//! # let _ = config;
//! # }
//! ```

#![warn(missing_docs)]

mod backend;
mod error;
pub mod people;
mod schemas;
mod scim2_server;
mod state;
mod suite;

pub use backend::ScimBackend;
pub use error::FixtureError;
pub use scim2_server::{DEFAULT_START_TIMEOUT, Scim2Server};
pub use state::StateChecker;
pub use suite::{CapabilitySuite, StepOutcome, StepReport, SuiteReport, run_capability_suite};

/// Installs the process-wide rustls crypto provider (ring) that reqwest needs, since the
/// workspace builds reqwest without one. Idempotent; an already installed provider is kept.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
