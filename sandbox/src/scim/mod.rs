//! The SCIM protocol pieces the handlers share, one job per module:
//! - [`error`]: SCIM error and resource responses;
//! - [`value`]: case-insensitive attribute access, clean-up, timestamps;
//! - [`attr_path`]: attribute paths;
//! - [`filter`] (and `filter_eval`): filter parsing and evaluation;
//! - [`patch`] (and `patch_apply`): PATCH parsing and application;
//! - [`projection`]: `attributes` / `excludedAttributes`.

pub mod attr_path;
pub mod error;
pub mod filter;
mod filter_eval;
pub mod patch;
mod patch_apply;
pub mod projection;
pub mod value;
