//! One module per subcommand.

pub mod apply;
pub mod audit;
#[cfg(feature = "sandbox")]
pub mod demo;
pub mod engine_setup;
pub mod list;
pub mod plan;
#[cfg(feature = "sandbox")]
pub mod sandbox;
#[cfg(all(feature = "sandbox", feature = "saml-verify"))]
mod sandbox_saml;
pub mod sso;
pub mod state;
pub mod status;
#[cfg(not(feature = "sandbox"))]
mod without_sandbox;

/// `connector demo` in a build without the `sandbox` feature.
#[cfg(not(feature = "sandbox"))]
pub mod demo {
    pub use super::without_sandbox::{Unavailable as DemoArgs, run_demo as run};
}

/// `connector sandbox` in a build without the `sandbox` feature.
#[cfg(not(feature = "sandbox"))]
pub mod sandbox {
    pub use super::without_sandbox::{Unavailable as SandboxArgs, run_sandbox as run};
}
