//! The connector toolkit's one vocabulary, shared by the code generator and the runtime:
//! the spec's enums ([`vocab`]), the directory profile's fields ([`profile`]), the typed
//! mapping-template language ([`template`], parsed once by [`template_parse`], with its Okta
//! form in [`okta`]) and the
//! `{variable}` placeholder scanner ([`placeholder`]).
//!
//! Generated code names these through the SDK's re-exports (`::connector_sdk::...`), so a
//! connector crate depends on the SDK alone.

pub mod okta;
pub mod placeholder;
pub mod profile;
pub mod template;
pub mod template_parse;
pub mod vocab;

pub use profile::{
    Field, FieldKind, FieldValue, PROFILE_FIELDS, Profile, ProfileField, profile_field,
};
pub use template::{Expr, Func, Part, Template};
pub use vocab::{
    AuthKind, Capability, CustomKind, DeactivateMethod, FederationVia, HttpMethod, LicenseMode,
    NameIdFormat, PatchStyle, Protocol, ScimType, SsoProtocol, UpdateMethod,
};
