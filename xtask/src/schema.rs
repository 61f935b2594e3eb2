//! `cargo xtask schema`: writes (or checks) `schemas/connector.schema.json`, the JSON Schema
//! of the spec format, from `connector-codegen` (the single source of the format).

use std::fs;
use std::path::Path;

/// The generated file, relative to the workspace root.
const SCHEMA_PATH: &str = "schemas/connector.schema.json";

/// Writes the schema, or with `--check` fails when the committed file is stale.
pub fn run(root: &Path, args: &[String]) -> Result<i32, String> {
    let check = match args {
        [] => false,
        [flag] if flag == "--check" => true,
        [other, ..] => return Err(format!("`schema` takes only `--check` (got `{other}`)")),
    };
    let path = root.join(SCHEMA_PATH);
    let wanted = connector_codegen::spec_json_schema();
    let current = fs::read_to_string(&path).ok();
    if current.as_deref() == Some(wanted.as_str()) {
        println!("schema: {SCHEMA_PATH} is up to date");
        return Ok(0);
    }
    if check {
        return Err(format!(
            "{SCHEMA_PATH} is {}; run `cargo xtask schema` and commit it",
            if current.is_some() {
                "stale"
            } else {
                "missing"
            }
        ));
    }
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    fs::write(&path, wanted).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("schema: wrote {SCHEMA_PATH}");
    Ok(0)
}
