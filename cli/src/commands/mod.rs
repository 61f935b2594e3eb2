//! One module per subcommand.

pub mod apply;
pub mod audit;
pub mod demo;
pub mod engine_setup;
pub mod list;
pub mod plan;
pub mod sandbox;
pub mod sso;
pub mod state;
pub mod status;
