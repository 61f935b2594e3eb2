//! Directory sources: who the company's people are and which groups they belong to.
//!
//! A [`DirectorySource`] loads a [`Directory`]; [`FileSource`] reads the documented JSON
//! and CSV formats (`docs/directory-format.md`), [`OktaSource`] reads Okta's Management
//! API: users, groups, members and app assignments (`engine/docs/okta.md`).
//! [`guard::check_size`] stops a run whose source came back empty or shrank too much.

mod csv_format;
mod error;
mod file;
pub mod guard;
mod json_format;
mod lines;
mod model;
mod okta;
mod profile_column;

pub use error::DirectoryError;
pub use file::FileSource;
pub use model::{Directory, Group};
pub(crate) use okta::OktaClient;
pub use okta::OktaSource;
pub(crate) use okta::{Sent, lacking_scope};
pub use profile_column::ProfileColumn;
pub(crate) use profile_column::text_columns;

use async_trait::async_trait;

/// Where the people and groups come from (files, Okta, another identity provider).
#[async_trait]
pub trait DirectorySource: Send + Sync {
    /// A short description for reports (`file people.csv`, `okta https://acme.okta.com`).
    fn describe(&self) -> String;

    /// Reads every person and group. A source that cannot read everything fails: a
    /// partial listing must never look like people who left.
    async fn load(&self) -> Result<Directory, DirectoryError>;
}
