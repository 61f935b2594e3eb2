//! `cargo xtask publish [--dry-run]`: the workspace's crates in an order crates.io
//! accepts (every crate after the crates it depends on), read from `cargo metadata`.
//! With `--dry-run` the order is printed and every publishable crate is packaged and
//! built from its packaged form (`cargo package --workspace`), nothing is uploaded;
//! without it each crate is published in turn with `cargo publish -p <crate>`, stopping
//! at the first failure.
//!
//! Both first forget what an earlier packaging left behind. Cargo verifies a package
//! against the others as if they came from a registry, and a registry crate never
//! changes: an earlier run's unpacked copy of `connector-toolkit-sdk-0.1.0` in
//! `$CARGO_HOME/registry/src` (or its build in `target/`) would be used again as is, and
//! the crates that need the SDK's newer code would fail to build against the old one.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::cargo_env::cargo;

/// One publishable workspace package and the workspace packages it needs first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Package {
    /// The package name.
    pub name: String,
    /// The package version.
    pub version: String,
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
    let metadata = metadata(root)?;
    let packages = packages(&metadata)?;
    let order = publish_order(&packages)?;
    println!("Publish order ({} crates):", order.len());
    for (index, name) in order.iter().enumerate() {
        println!("{:>3}. {name}", index + 1);
    }
    let target_dir = metadata["target_directory"]
        .as_str()
        .ok_or("cargo metadata has no `target_directory`")?;
    forget_earlier_packages(&packages, &cargo_home()?, Path::new(target_dir))?;
    if dry_run {
        let mut command = cargo();
        command.current_dir(root).args(["package", "--workspace"]);
        for name in unpublished(&metadata) {
            command.args(["--exclude", name]);
        }
        let status = command
            .status()
            .map_err(|e| format!("cannot run cargo package: {e}"))?;
        if !status.success() {
            return Err("`cargo package --workspace` failed (its output is above)".to_owned());
        }
        println!("dry run: every crate packaged and built from its package; nothing published");
        return Ok(0);
    }
    for name in &order {
        let status = cargo()
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

/// Cargo's home: `$CARGO_HOME`, else `~/.cargo`.
fn cargo_home() -> Result<PathBuf, String> {
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        return Ok(PathBuf::from(home));
    }
    std::env::var_os("HOME")
        .map(|home| Path::new(&home).join(".cargo"))
        .ok_or_else(|| "neither CARGO_HOME nor HOME is set".to_owned())
}

/// Removes, for each of `packages`, the copies an earlier `cargo package` or `cargo
/// publish` unpacked under `cargo_home` (`registry/src/<index>/<name>-<version>`) and
/// the fingerprints of its builds under `target_dir` (`*/.fingerprint/<name>-*`), so
/// that the verification unpacks and builds the crates of this checkout. The only cost
/// is a rebuild of the workspace's own crates.
pub(crate) fn forget_earlier_packages(
    packages: &[Package],
    cargo_home: &Path,
    target_dir: &Path,
) -> Result<(), String> {
    let unpacked: Vec<PathBuf> = subdirectories(&cargo_home.join("registry").join("src"))?
        .iter()
        .flat_map(|index| {
            packages
                .iter()
                .map(move |p| index.join(format!("{}-{}", p.name, p.version)))
        })
        .filter(|copy| copy.is_dir())
        .collect();
    let mut fingerprints = Vec::new();
    for profile in subdirectories(target_dir)? {
        for entry in subdirectories(&profile.join(".fingerprint"))? {
            let file_name = entry.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let ours = packages.iter().any(|p| {
                file_name
                    .strip_prefix(p.name.as_str())
                    .and_then(|rest| rest.strip_prefix('-'))
                    .is_some_and(|hash| hash.chars().all(|c| c.is_ascii_hexdigit()))
            });
            if ours {
                fingerprints.push(entry);
            }
        }
    }
    for path in unpacked.iter().chain(&fingerprints) {
        std::fs::remove_dir_all(path)
            .map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
    }
    Ok(())
}

/// The directories directly inside `dir` (none when `dir` does not exist).
fn subdirectories(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("cannot read {}: {e}", dir.display())),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            out.push(entry.path());
        }
    }
    Ok(out)
}

/// The workspace packages with `publish = false`.
fn unpublished(metadata: &Value) -> Vec<&str> {
    metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| matches!(p["publish"].as_array(), Some(registries) if registries.is_empty()))
        .filter_map(|p| p["name"].as_str())
        .collect()
}

/// `cargo metadata --no-deps` of the workspace.
fn metadata(root: &Path) -> Result<Value, String> {
    let output = cargo()
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
            version: package["version"].as_str().unwrap_or_default().to_owned(),
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
            version: "0.1.0".to_owned(),
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
            { "name": "connector-zoom", "version": "0.1.0", "publish": null, "dependencies": [
                { "name": "connector-sdk", "kind": null, "req": "^0.1.0" },
                { "name": "connector-tests", "kind": "dev", "req": "*" },
                { "name": "serde", "kind": null, "req": "^1" } ] },
            { "name": "connector-sdk", "version": "0.1.0", "publish": null, "dependencies": [] },
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

    #[test]
    fn an_earlier_packaging_is_forgotten_and_nothing_else() {
        let scratch = std::env::temp_dir().join(format!("xtask-forget-{}", std::process::id()));
        let home = scratch.join("cargo-home");
        let target = scratch.join("target");
        let keep = [
            home.join("registry/src/index.crates.io-1949cf8c6b5b557f/serde-1.0.0"),
            home.join("registry/src/-22c3805da5a543b4/connector-toolkit-sdk-0.0.9"),
            target.join("debug/.fingerprint/serde-0123456789abcdef"),
            target.join("debug/.fingerprint/connector-toolkit-sdk-extra-0123456789abcdef"),
        ];
        let forget = [
            home.join("registry/src/-22c3805da5a543b4/connector-toolkit-sdk-0.1.0"),
            home.join("registry/src/index.crates.io-1949cf8c6b5b557f/connector-zoom-0.1.0"),
            target.join("debug/.fingerprint/connector-toolkit-sdk-0123456789abcdef"),
            target.join("release/.fingerprint/connector-zoom-fedcba9876543210"),
        ];
        for dir in keep.iter().chain(&forget) {
            std::fs::create_dir_all(dir.join("src")).unwrap();
        }
        let packages = [
            package("connector-toolkit-sdk", &[]),
            package("connector-zoom", &["connector-toolkit-sdk"]),
        ];
        forget_earlier_packages(&packages, &home, &target).unwrap();
        for dir in &keep {
            assert!(dir.is_dir(), "{} was removed", dir.display());
        }
        for dir in &forget {
            assert!(!dir.exists(), "{} is still there", dir.display());
        }
        std::fs::remove_dir_all(&scratch).unwrap();
    }

    #[test]
    fn nothing_to_forget_on_a_fresh_machine() {
        let scratch = std::env::temp_dir().join(format!("xtask-fresh-{}", std::process::id()));
        forget_earlier_packages(
            &[package("connector-zoom", &[])],
            &scratch.join("cargo-home"),
            &scratch.join("target"),
        )
        .unwrap();
    }
}
