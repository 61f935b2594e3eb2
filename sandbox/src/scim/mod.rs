//! The SCIM protocol pieces the handlers share, one job per module:
//! - [`error`]: SCIM error and resource responses;
//! - [`value`]: case-insensitive attribute access, clean-up, timestamps;
//! - [`attr_path`]: attribute paths;
//! - [`filter`] (and `filter_eval`): filter parsing and evaluation;
//! - [`patch`] (and `patch_apply`): PATCH parsing and application;
//! - [`projection`]: `attributes` / `excludedAttributes`.

pub(crate) mod attr_path;
pub(crate) mod error;
pub(crate) mod filter;
mod filter_eval;
pub(crate) mod patch;
mod patch_apply;
pub(crate) mod projection;
pub(crate) mod value;
