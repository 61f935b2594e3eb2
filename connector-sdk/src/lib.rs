//! # connector-sdk
//!
//! The runtime every AI-SaaS connector runs on.
//!
//! A connector crate is a spec and one line:
//!
//! ```ignore
//! connector_sdk::connector!("connector.toml");
//! ```
//!
//! The macro (from `connector-macros`, over the `connector-codegen` library) reads the spec
//! at compile time and generates the service's typed SCIM User, the mapping from the
//! directory profile ([`Identity`]) as Rust code, the [`Manifest`] as a `static`, and an
//! implementation of [`scim::ScimApp`] (or [`rest::RestApp`] for a declared REST API);
//! [`scim::ScimConnector`] (or [`rest::RestConnector`]) turns that into a [`Connector`],
//! the one trait the engine, the flows and the CLI use.
//!
//! Modules:
//! - [`identity`]: the directory profile every mapping reads;
//! - [`connector`](mod@connector): the trait and the values it exchanges;
//! - [`manifest`]: what a connector declares;
//! - [`http`]: timeouts, retry with backoff and jitter, `Retry-After`, rate limiting, auth;
//! - [`scim`]: the SCIM 2.0 client and its dialects;
//! - [`rest`]: declared REST operations, for services without SCIM and for licence calls;
//! - [`mapping`]: the functions generated mappings call;
//! - [`cards`]: the card vocabulary (typed action and event cards) and their dispatcher.

pub mod attribute_key;
pub mod cards;
pub mod config;
pub mod connector;
pub mod display;
pub mod error;
pub mod http;
pub mod identity;
pub mod manifest;
pub mod mapping;
/// The directory profile's field table (shared with codegen).
pub use connector_model::profile;
pub mod rest;
pub mod scim;
pub mod secret;
/// The typed template language (shared with codegen).
pub use connector_model::template;
/// The template language's one parser (flows parse their path templates with it).
pub use connector_model::template_parse;

pub use config::{Credentials, InstanceConfig, RateLimitSetting, RetryPolicy};
pub use connector::{
    Account, AccountRef, AppGroup, Connector, Drift, LicenseOutcome, ManualTask, Page, PageRequest,
    RefusedAttribute, list_all,
};
pub use connector_macros::connector;
pub use error::{Error, Operation, Result};
pub use identity::{CustomValue, Identity, IdentityStatus};
pub use manifest::{Capability, LicenseMode, LicenseSku, Manifest};
pub use secret::Secret;

/// Re-exports that generated code names, so connector crates need no direct dependency
/// on them. Not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use schemars;
    pub use serde;
    pub use serde_json;
}
