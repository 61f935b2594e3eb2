//! # connector-engine
//!
//! Keeps every AI SaaS's accounts and paid seats in line with the company directory,
//! over any [`connector_sdk::Connector`].
//!
//! - [`directory`]: where people come from ([`DirectorySource`]: JSON/CSV files, Okta)
//!   and the empty/shrinking-source guard;
//! - [`config`]: the assignments file (instances, per-instance policies, who gets which
//!   app and seat, until when), every error at `file:line:column`;
//! - [`state`]: one SQLite file with links, attribute hashes, licences, runs, the journal,
//!   manual tasks and audit events;
//! - [`plan`]: directory + assignments + imported accounts + state → ordered steps per
//!   instance, with the policies and the removal circuit breaker;
//! - [`apply`]: concurrent, journaled, resumable execution of a plan;
//! - [`audit`]: OCSF Account Change events;
//! - [`events`]: the durable event queue of `connector serve` (Okta Event Hooks) and
//!   its handling as scoped applies;
//! - [`flows`]: `flows.toml`, checked at `file:line:column`, run for each event;
//! - [`Engine`]: the three together (`plan`, `apply`, `status`).
//!
//! ```no_run
//! # async fn demo(registry: connector_engine::Registry) -> Result<(), connector_engine::EngineError> {
//! use std::sync::Arc;
//! use connector_engine::{Assignments, Engine, EnvSecrets, FileSource, PlanOptions};
//!
//! let assignments = Assignments::load("assignments.toml".as_ref(), &registry)?;
//! let engine = Engine::open(assignments, registry, Arc::new(EnvSecrets)).await?;
//! let plan = engine.plan(&FileSource::new("people.csv", None), &PlanOptions::default()).await?;
//! print!("{}", connector_engine::plan::render::render(&plan));
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

pub mod apply;
pub mod attrs;
pub mod audit;
pub mod clock;
pub mod config;
mod connect;
pub mod directory;
mod engine;
mod error;
pub mod events;
pub mod flows;
pub mod idp;
pub mod plan;
mod registry;
pub mod state;
mod status;
#[cfg(test)]
mod testing;

pub use apply::{
    ApplyCounts, ApplyProgress, ApplyReport, ProgressHandle, ResumedIntent, StepResult, StepStatus,
};
pub use audit::AuditSink;
pub use config::{Assignments, ConfigError, Diagnostic};
pub use connect::{connect, instance_config};
pub use directory::{Directory, DirectoryError, DirectorySource, FileSource, Group, OktaSource};
pub use engine::{ApplyOptions, Engine, PlanOptions, ScopeReads};
pub use error::EngineError;
pub use plan::Plan;
pub use registry::{ConnectFn, ConnectorKind, EnvSecrets, MapSecrets, Registry, Secrets};
pub use status::StatusReport;
