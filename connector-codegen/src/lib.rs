//! # connector-codegen
//!
//! Reads a connector spec (`connectors/<app>/connector.toml`), checks it with every
//! problem located at its spec line, and generates the typed connector as Rust tokens:
//! the service's SCIM User struct, the mapping from the directory profile, the manifest,
//! and the SCIM schema documents of its vendor extensions.
//!
//! A plain library (like progenitor-impl), so that the `connector!` proc macro, `cargo
//! xtask` and tests all call the same code.

pub mod catalog;
pub mod check;
pub mod diagnostic;
pub mod emit;
pub mod ir;
pub mod spec;
pub mod template;

use proc_macro2::TokenStream;

pub use diagnostic::{Diagnostic, SpecErrors};
pub use ir::Model;

/// Parses and checks a spec's text. `path` is how messages name the file.
pub fn load_model(source: &str, path: &str) -> Result<Model, SpecErrors> {
    let errors = |diagnostics| SpecErrors {
        path: path.to_owned(),
        source: source.to_owned(),
        diagnostics,
    };
    // Unfilled placeholders first: each is an error that says what to put there, and
    // reporting the same values again as malformed URLs or unknown names would only blur it.
    let placeholders = check::find_placeholders(source);
    if !placeholders.is_empty() {
        return Err(errors(placeholders));
    }
    let spec = spec::parse_spec(source).map_err(|d| errors(vec![d]))?;
    check::check(&spec, source).map_err(errors)
}

/// Parses, checks and generates: the tokens a `connector!` invocation expands to.
pub fn generate(source: &str, path: &str) -> Result<TokenStream, SpecErrors> {
    load_model(source, path).map(|model| emit::connector_tokens(&model))
}

/// The JSON Schema of the spec format (`schemas/connector.schema.json`).
pub fn spec_json_schema() -> String {
    let schema = schemars::schema_for!(spec::model::SpecFile);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
