//! One module per subcommand.

pub(crate) mod apply;
pub(crate) mod audit;
pub(crate) mod cards;
#[cfg(feature = "sandbox")]
pub(crate) mod demo;
#[cfg(feature = "sandbox")]
mod demo_events;
pub(crate) mod engine_setup;
pub(crate) mod events;
pub(crate) mod flows;
pub(crate) mod list;
pub(crate) mod ping;
pub(crate) mod plan;
#[cfg(feature = "sandbox")]
pub(crate) mod sandbox;
#[cfg(all(feature = "sandbox", feature = "saml-verify"))]
mod sandbox_saml;
pub(crate) mod serve;
mod serve_cards;
mod serve_http;
mod serve_metrics;
mod serve_openapi;
pub(crate) mod sso;
pub(crate) mod state;
pub(crate) mod status;
#[cfg(not(feature = "sandbox"))]
mod without_sandbox;

/// `connector demo` in a build without the `sandbox` feature.
#[cfg(not(feature = "sandbox"))]
pub(crate) mod demo {
    pub(crate) use super::without_sandbox::{Unavailable as DemoArgs, run_demo as run};
}

/// `connector sandbox` in a build without the `sandbox` feature.
#[cfg(not(feature = "sandbox"))]
pub(crate) mod sandbox {
    pub(crate) use super::without_sandbox::{Unavailable as SandboxArgs, run_sandbox as run};
}
