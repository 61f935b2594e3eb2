//! `cargo xtask publish [--dry-run]`: the workspace's crates in an order crates.io
//! accepts (every crate after the crates it depends on), read from `cargo metadata`.
//! With `--dry-run` the order is printed and nothing runs; without it each crate is
//! published in turn with `cargo publish -p <crate>`, stopping at the first failure.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// One publishable workspace package and the workspace packages it needs first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Package {
    /// The package name.
    pub name: String,
    /// Workspace packages that must be on the registry before this one.
    pub needs: BTreeSet<String>,
}

/// Runs the command with `args` (only `--dry-run` is accepted).
pub(crate) fn run(root: &Path, args: &[String]) -> Result<i32, String> {
    let dry_run = match args {
        [] => false,
        [flag] if flag == "--dry-run" => true,
        [other, ..] => return Err(format!("`publish` takes only `--dry-run` (got `{other}`)")),
    };
    let order = publish_order(&packages(&metadata(root)?)?)?;
    println!("Publish order ({} crates):", order.len());
    for (index, name) in order.iter().enumerate() {
        println!("{:>3}. {name}", index + 1);
    }
    if dry_run {
        println!("dry run: nothing published (`cargo package --workspace` verifies each crate)");
        return Ok(0);
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    for name in &order {
        let status = Command::new(&cargo)
            .current_dir(root)
            .args(["publish", "--package", name])
            .status()
            .map_err(|e| format!("cannot run cargo publish: {e}"))?;
        if !status.success() {
            return Err(format!(
                "`cargo publish --package {name}` failed; the crates before it are published"
            ));
        }
    }
    Ok(0)
}

/// `cargo metadata --no-deps` of the workspace.
fn metadata(root: &Path) -> Result<Value, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .current_dir(root)
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo metadata failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("cargo metadata printed something that is not JSON: {e}"))
}

/// The publishable packages of `metadata` (those without `publish = false`) with their
/// dependencies on other workspace packages. A dev-dependency counts only when it has a
/// version requirement: cargo drops version-less path dev-dependencies when packaging.
pub(crate) fn packages(metadata: &Value) -> Result<Vec<Package>, String> {
    let all = metadata["packages"]
        .as_array()
        .ok_or("cargo metadata has no `packages` array")?;
    let publishable: BTreeSet<&str> = all
        .iter()
        .filter(|p| !matches!(p["publish"].as_array(), Some(registries) if registries.is_empty()))
        .filter_map(|p| p["name"].as_str())
        .collect();
    let mut out = Vec::new();
    for package in all {
        let Some(name) = package["name"].as_str() else {
            continue;
        };
        if !publishable.contains(name) {
            continue;
        }
        let mut needs = BTreeSet::new();
        for dependency in package["dependencies"].as_array().into_iter().flatten() {
            let Some(dependency_name) = dependency["name"].as_str() else {
                continue;
            };
            let is_workspace = all
                .iter()
                .any(|p| p["name"].as_str() == Some(dependency_name));
            if !is_workspace || dependency_name == name {
                continue;
            }
            let is_dev = dependency["kind"].as_str() == Some("dev");
            let versioned = dependency["req"].as_str().is_some_and(|req| req != "*");
            if is_dev && !versioned {
                continue;
            }
            if !publishable.contains(dependency_name) {
                return Err(format!(
                    "{name} depends on {dependency_name}, which has `publish = false`"
                ));
            }
            needs.insert(dependency_name.to_owned());
        }
        out.push(Package {
            name: name.to_owned(),
            needs,
        });
    }
    Ok(out)
}

/// A topological order of `packages` (ties broken by name, so the order is stable).
pub(crate) fn publish_order(packages: &[Package]) -> Result<Vec<String>, String> {
    let mut waiting: BTreeMap<&str, &BTreeSet<String>> = packages
        .iter()
        .map(|p| (p.name.as_str(), &p.needs))
        .collect();
    let mut order: Vec<String> = Vec::new();
    while !waiting.is_empty() {
        let ready: Vec<&str> = waiting
            .iter()
            .filter(|(_, needs)| needs.iter().all(|n| order.contains(n)))
            .map(|(name, _)| *name)
            .collect();
        if ready.is_empty() {
            let stuck: Vec<&str> = waiting.keys().copied().collect();
            return Err(format!(
                "a dependency cycle among {}: crates.io needs an acyclic order",
                stuck.join(", ")
            ));
        }
        for name in ready {
            waiting.remove(name);
            order.push(name.to_owned());
        }
    }
    Ok(order)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn package(name: &str, needs: &[&str]) -> Package {
        Package {
            name: name.to_owned(),
            needs: needs.iter().map(|n| (*n).to_owned()).collect(),
        }
    }

    #[test]
    fn dependencies_come_first() {
        let order = publish_order(&[
            package("connector-zoom", &["connector-sdk"]),
            package("connector-sdk", &["connector-macros"]),
            package("connector-macros", &["connector-codegen"]),
            package("connector-codegen", &[]),
        ])
        .unwrap();
        assert_eq!(
            order,
            [
                "connector-codegen",
                "connector-macros",
                "connector-sdk",
                "connector-zoom"
            ]
        );
    }

    #[test]
    fn a_cycle_is_refused() {
        let error = publish_order(&[package("a", &["b"]), package("b", &["a"])]).unwrap_err();
        assert!(error.contains("a dependency cycle among a, b"), "{error}");
    }

    #[test]
    fn version_less_dev_dependencies_and_unpublished_crates_are_left_out() {
        let metadata = json!({ "packages": [
            { "name": "connector-zoom", "publish": null, "dependencies": [
                { "name": "connector-sdk", "kind": null, "req": "^0.1.0" },
                { "name": "connector-tests", "kind": "dev", "req": "*" },
                { "name": "serde", "kind": null, "req": "^1" } ] },
            { "name": "connector-sdk", "publish": null, "dependencies": [] },
            { "name": "connector-tests", "publish": [], "dependencies": [
                { "name": "connector-sdk", "kind": null, "req": "^0.1.0" } ] },
        ]});
        let packages = packages(&metadata).unwrap();
        assert_eq!(
            packages,
            [
                package("connector-zoom", &["connector-sdk"]),
                package("connector-sdk", &[])
            ]
        );
    }

    #[test]
    fn a_published_crate_needing_an_unpublished_one_is_an_error() {
        let metadata = json!({ "packages": [
            { "name": "connector-cli", "publish": null, "dependencies": [
                { "name": "connector-tests", "kind": null, "req": "*" } ] },
            { "name": "connector-tests", "publish": [], "dependencies": [] },
        ]});
        assert_eq!(
            packages(&metadata).unwrap_err(),
            "connector-cli depends on connector-tests, which has `publish = false`"
        );
    }
}
