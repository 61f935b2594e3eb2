//! `cargo xtask schema`: writes (or checks) `schemas/connector.schema.json`, the JSON Schema
//! of the spec format, from `connector-codegen` (the single source of the format).

use std::path::Path;

/// The generated file, relative to the workspace root.
pub(crate) const SCHEMA_PATH: &str = "schemas/connector.schema.json";

/// Writes the schema, or with `--check` fails when the committed file is stale.
pub(crate) fn run(root: &Path, args: &[String]) -> Result<i32, String> {
    let check = match args {
        [] => false,
        [flag] if flag == "--check" => true,
        [other, ..] => return Err(format!("`schema` takes only `--check` (got `{other}`)")),
    };
    crate::generated::ensure_file(
        root,
        SCHEMA_PATH,
        &connector_codegen::spec_json_schema(),
        check,
    )?;
    Ok(0)
}
