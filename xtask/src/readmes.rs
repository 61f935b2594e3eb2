//! The files derived from each connector's `connector.toml`: its `README.md` (the
//! crates.io page and crate documentation, from `connector_codegen::emit::readme`) and,
//! when it declares SCIM vendor extensions, `scim-schemas.json` (the RFC 7643 `/Schemas`
//! documents of those extensions, as the connector serves them to tools and sandboxes),
//! the "Cards" section of the README from `cards.json` (see `crate::cards`),
//! and `manifest.json` (the compiled manifest, as `connector list --json` prints it: what
//! the engine, the sandbox and the CLI read, for review and for tools outside Rust).

use std::fs;
use std::path::{Path, PathBuf};

use crate::generated::ensure_file;

/// One connector crate of the workspace.
pub(crate) struct ConnectorCrate {
    /// `connectors/<dir>`, relative to the workspace root.
    pub dir: String,
    /// The package name from its `Cargo.toml` (`connector-zoom`).
    pub package: String,
}

/// Every `connectors/*/` directory holding both a `connector.toml` and a `Cargo.toml`,
/// sorted by directory name.
pub(crate) fn connector_crates(root: &Path) -> Result<Vec<ConnectorCrate>, String> {
    let connectors = root.join("connectors");
    let entries = fs::read_dir(&connectors)
        .map_err(|e| format!("cannot list {}: {e}", connectors.display()))?;
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.join("connector.toml").is_file() && path.join("Cargo.toml").is_file())
        .collect();
    dirs.sort();
    dirs.iter()
        .map(|dir| {
            let name = dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            Ok(ConnectorCrate {
                package: package_name(&dir.join("Cargo.toml"))?,
                dir: format!("connectors/{name}"),
            })
        })
        .collect()
}

/// The `name` of the `[package]` table of a `Cargo.toml` (a line scan: the xtask stays
/// free of a TOML editor, and every connector manifest is written by `gen new`).
fn package_name(manifest: &Path) -> Result<String, String> {
    let text = fs::read_to_string(manifest)
        .map_err(|e| format!("cannot read {}: {e}", manifest.display()))?;
    let mut in_package = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_package = line == "[package]";
            continue;
        }
        if in_package
            && let Some(value) = line.strip_prefix("name")
            && let Some(value) = value.trim_start().strip_prefix('=')
        {
            return Ok(value.trim().trim_matches('"').to_owned());
        }
    }
    Err(format!(
        "{}: no `name` in its [package] table",
        manifest.display()
    ))
}

/// Writes (or with `check`, checks) the derived files of every connector whose spec checks.
/// A spec that does not check yet (a fresh scaffold with placeholders) is reported and
/// skipped: building the crate shows its errors at their spec lines.
pub(crate) fn run(root: &Path, check: bool) -> Result<(), String> {
    for krate in connector_crates(root)? {
        let spec_path = format!("{}/connector.toml", krate.dir);
        let source = fs::read_to_string(root.join(&spec_path))
            .map_err(|e| format!("cannot read {spec_path}: {e}"))?;
        match connector_codegen::load_model(&source, &spec_path) {
            Ok(model) => {
                let mut readme = connector_codegen::emit::readme(&model, &krate.package);
                // The cards section comes from the committed `cards.json` (written from
                // the built CLI's `connector cards --json` just before).
                if let Ok(cards) = fs::read_to_string(root.join(&krate.dir).join("cards.json")) {
                    readme.push('\n');
                    readme.push_str(&crate::cards::readme_section(&cards)?);
                }
                ensure_file(root, &format!("{}/README.md", krate.dir), &readme, check)?;
                let schemas = connector_codegen::emit::extension_schemas(&model);
                if !schemas.is_empty() {
                    let mut json = serde_json::to_string_pretty(&schemas)
                        .map_err(|e| format!("cannot render the schemas of {spec_path}: {e}"))?;
                    json.push('\n');
                    ensure_file(
                        root,
                        &format!("{}/scim-schemas.json", krate.dir),
                        &json,
                        check,
                    )?;
                }
            }
            Err(errors) => println!(
                "gen: {spec_path} does not check yet ({} problem(s); `cargo build -p {}` shows \
                 them): its derived files are left as they are",
                errors.diagnostics.len(),
                krate.package
            ),
        }
    }
    Ok(())
}

/// Writes (or checks) each connector's `manifest.json` from `list_json`, the output of
/// `connector list --json`; connectors whose spec does not check yet are skipped.
pub(crate) fn manifests(root: &Path, list_json: &str, check: bool) -> Result<(), String> {
    let all: Vec<serde_json::Value> = serde_json::from_str(list_json)
        .map_err(|e| format!("`connector list --json` printed something else than a list: {e}"))?;
    per_connector_json(root, &all, "list --json", "manifest.json", check)
}

/// Writes (or checks) `<connector dir>/<file>` for every connector whose spec checks,
/// from its entry (matched by `name`) among `entries`, what `connector <command>` printed.
pub(crate) fn per_connector_json(
    root: &Path,
    entries: &[serde_json::Value],
    command: &str,
    file: &str,
    check: bool,
) -> Result<(), String> {
    for krate in connector_crates(root)? {
        let spec_path = format!("{}/connector.toml", krate.dir);
        let source = fs::read_to_string(root.join(&spec_path))
            .map_err(|e| format!("cannot read {spec_path}: {e}"))?;
        let Ok(model) = connector_codegen::load_model(&source, &spec_path) else {
            continue;
        };
        let entry = entries
            .iter()
            .find(|m| m["name"].as_str() == Some(model.name.as_str()))
            .ok_or_else(|| {
                format!(
                    "`connector {command}` has no connector `{}` ({spec_path}): run `cargo xtask gen` to add it to the CLI",
                    model.name
                )
            })?;
        let mut json = serde_json::to_string_pretty(entry)
            .map_err(|e| format!("cannot render the {file} of {spec_path}: {e}"))?;
        json.push('\n');
        ensure_file(root, &format!("{}/{file}", krate.dir), &json, check)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The workspace root (the xtask crate sits one level below it).
    fn workspace_root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
    }

    #[test]
    fn every_committed_connector_readme_is_up_to_date() {
        let root = workspace_root();
        assert!(connector_crates(&root).unwrap().len() >= 12);
        if let Err(message) = run(&root, true) {
            panic!("{message}");
        }
    }

    #[test]
    fn check_names_a_stale_readme() {
        let root = workspace_root();
        let copy = tempfile::tempdir().unwrap();
        let dir = copy.path().join("connectors/zoom");
        fs::create_dir_all(&dir).unwrap();
        for file in [
            "connector.toml",
            "Cargo.toml",
            "README.md",
            "scim-schemas.json",
            "cards.json",
        ] {
            fs::copy(root.join("connectors/zoom").join(file), dir.join(file)).unwrap();
        }
        run(copy.path(), true).expect("the copied README is current");
        fs::write(dir.join("README.md"), "# zoom, edited by hand\n").unwrap();
        let error = run(copy.path(), true).unwrap_err();
        assert_eq!(
            error,
            "connectors/zoom/README.md is stale; run `cargo xtask gen` and commit it"
        );
        run(copy.path(), false).unwrap();
        run(copy.path(), true).expect("gen rewrote it");
    }

    #[test]
    fn the_package_name_comes_from_the_package_table() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = dir.path().join("Cargo.toml");
        fs::write(
            &manifest,
            "[workspace]\nname = \"no\"\n\n[package]\nname = \"connector-acme\"\n",
        )
        .unwrap();
        assert_eq!(package_name(&manifest).unwrap(), "connector-acme");
        fs::write(&manifest, "[dependencies]\nname = \"x\"\n").unwrap();
        assert!(
            package_name(&manifest)
                .unwrap_err()
                .ends_with("no `name` in its [package] table")
        );
    }
}
