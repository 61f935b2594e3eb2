//! SCIM 2.0 (RFC 7643/7644): the service description generated code implements, the
//! shared value types, and the client and connector that run any SCIM service.
//!
//! Modules, one job each:
//! - `app`: [`ScimApp`] (what generated code implements) and the SCIM value types;
//! - [`filter`]: filter expressions with correctly quoted values;
//! - [`path`]: attribute paths over JSON resources;
//! - [`patch`]: managed-attribute diffs and PATCH operations per [`PatchStyle`](crate::manifest::PatchStyle);
//! - `list`: [`ListResponse`] and paging;
//! - `client`: [`ScimClient`], the resource calls (and [`Written`], a write retried
//!   without the attributes the server refused, found by `refusal`);
//! - `account`: any User as an [`Account`](crate::Account);
//! - `connector`, `license` and `groups`: [`ScimConnector`], the
//!   [`Connector`](crate::Connector) (`groups`: group push on `/Groups`).

mod account;
mod app;
mod client;
mod connector;
pub mod filter;
mod groups;
mod license;
mod list;
pub mod patch;
pub mod path;
mod refusal;

pub use account::account_from_json;
pub use app::*;
pub use client::{SCIM_ACCEPT, SCIM_MEDIA_TYPE, ScimClient, Written};
pub use connector::{SCHEMAS_READ_EVERY, ScimConnector};
pub use list::{LIST_RESPONSE_SCHEMA, ListResponse};
