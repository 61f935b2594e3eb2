//! The schema and resource-type files a [`Scim2Server`](crate::Scim2Server) serves: the
//! peer's own defaults with the test's extension schemas appended.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::error::FixtureError;

/// The files to pass to `--schema` and `--resource-type`.
pub(crate) struct SchemaFiles {
    /// The schemas (a JSON list).
    pub schemas: PathBuf,
    /// The resource types (a JSON list).
    pub resource_types: PathBuf,
}

/// Writes the peer's default schemas and resource types into `dir`, with `extensions`
/// appended to the schemas and declared (not required) on the `User` resource type.
pub(crate) fn write(
    binary: &Path,
    extensions: &[Value],
    dir: &Path,
) -> Result<SchemaFiles, FixtureError> {
    let resources = resources_dir(binary)?;
    let mut schemas = read_list(&resources.join("default-schemas.json"))?;
    let mut resource_types = read_list(&resources.join("default-resource-types.json"))?;

    let user = resource_types
        .iter_mut()
        .find(|rt| rt.get("id").and_then(Value::as_str) == Some("User"))
        .ok_or_else(|| {
            FixtureError::Setup("the peer's default resource types have no `User`".to_owned())
        })?;
    let user = user
        .as_object_mut()
        .ok_or_else(|| FixtureError::Setup("the `User` resource type is not an object".into()))?;
    let declared = user
        .entry("schemaExtensions")
        .or_insert_with(|| Value::Array(Vec::new()))
        .as_array_mut()
        .ok_or_else(|| FixtureError::Setup("`User.schemaExtensions` is not a list".into()))?;

    for extension in extensions {
        let id = extension.get("id").and_then(Value::as_str).ok_or_else(|| {
            FixtureError::InvalidSchema(format!(
                "an extension schema needs a string `id` (its URN): {extension}"
            ))
        })?;
        if schemas
            .iter()
            .any(|s| s.get("id").and_then(Value::as_str) == Some(id))
        {
            return Err(FixtureError::InvalidSchema(format!(
                "schema `{id}` is already served (a default or given twice)"
            )));
        }
        schemas.push(extension.clone());
        declared.push(json!({ "schema": id, "required": false }));
    }

    let files = SchemaFiles {
        schemas: dir.join("schemas.json"),
        resource_types: dir.join("resource-types.json"),
    };
    write_json(&files.schemas, &Value::Array(schemas))?;
    write_json(&files.resource_types, &Value::Array(resource_types))?;
    Ok(files)
}

/// The `resources/` directory of the installed `scim2_server` package, asked of the Python
/// that runs `binary`.
fn resources_dir(binary: &Path) -> Result<PathBuf, FixtureError> {
    let python = python_for(binary);
    let output = Command::new(&python)
        .args([
            "-c",
            "import scim2_server, os; print(os.path.dirname(scim2_server.__file__))",
        ])
        .output()
        .map_err(|e| FixtureError::Setup(format!("cannot run {}: {e}", python.display())))?;
    if !output.status.success() {
        return Err(FixtureError::Setup(format!(
            "{} cannot import scim2_server ({}): {}; run `cargo xtask peers`",
            python.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    let package = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    Ok(package.join("resources"))
}

/// The Python interpreter of a console script: `python` next to it (a virtualenv's `bin/`),
/// else the interpreter its `#!` line names, else `python3`.
fn python_for(binary: &Path) -> PathBuf {
    if let Some(sibling) = binary.parent().map(|bin| bin.join("python"))
        && sibling.is_file()
    {
        return sibling;
    }
    let shebang = fs::read_to_string(binary)
        .ok()
        .and_then(|text| text.lines().next().map(str::to_owned))
        .and_then(|line| line.strip_prefix("#!").map(str::to_owned));
    if let Some(line) = shebang {
        let mut words = line.split_whitespace();
        match (words.next(), words.next()) {
            (Some(env), Some(program)) if env.ends_with("/env") => return program.into(),
            (Some(interpreter), _) => return interpreter.into(),
            _ => {}
        }
    }
    PathBuf::from("python3")
}

/// Reads a JSON file holding a list.
fn read_list(path: &Path) -> Result<Vec<Value>, FixtureError> {
    let text = fs::read_to_string(path)
        .map_err(|e| FixtureError::Setup(format!("cannot read {}: {e}", path.display())))?;
    match serde_json::from_str(&text) {
        Ok(Value::Array(items)) => Ok(items),
        Ok(_) => Err(FixtureError::Setup(format!(
            "{} is not a JSON list",
            path.display()
        ))),
        Err(e) => Err(FixtureError::Setup(format!(
            "{} is not JSON: {e}",
            path.display()
        ))),
    }
}

/// Writes pretty JSON to `path`.
fn write_json(path: &Path, value: &Value) -> Result<(), FixtureError> {
    let text = serde_json::to_string_pretty(value).expect("JSON values always serialize");
    fs::write(path, text)
        .map_err(|e| FixtureError::Setup(format!("cannot write {}: {e}", path.display())))
}
