//! `docs/SUPPORT.md` is what the connectors' manifests say today.

use std::process::Command;

#[test]
fn support_matrix_file_is_up_to_date() {
    let output = Command::new(env!("CARGO_BIN_EXE_connector"))
        .args(["list", "--markdown"])
        .output()
        .expect("the connector binary runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let generated = String::from_utf8(output.stdout).unwrap();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/SUPPORT.md");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/SUPPORT.md is stale: run `cargo xtask gen` and commit it"
    );
    // One row per connector the CLI knows, every one with its sources.
    let rows = generated
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| service"))
        .count();
    let sections = generated.lines().filter(|l| l.starts_with("### ")).count();
    assert_eq!(rows, sections);
    // The groups column says how each app takes pushed groups.
    let row = |service: &str| {
        generated
            .lines()
            .find(|l| l.starts_with(&format!("| {service} |")))
            .unwrap_or_else(|| panic!("no row for {service}"))
            .to_owned()
    };
    assert!(
        row("Slack").contains("| pushed (SCIM /Groups, 5000 members per request) |"),
        "{}",
        row("Slack")
    );
    assert!(
        row("Canva").contains("members never listed: the engine keeps what it pushed"),
        "{}",
        row("Canva")
    );
    assert!(
        row("Box").contains("pushed (the vendor's group API, one request per member)"),
        "{}",
        row("Box")
    );
}

#[test]
fn every_connector_manifest_json_is_up_to_date() {
    let output = Command::new(env!("CARGO_BIN_EXE_connector"))
        .args(["list", "--json"])
        .output()
        .expect("the connector binary runs");
    assert!(output.status.success());
    let all: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    let connectors = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../connectors");
    let mut checked = 0;
    for manifest in &all {
        let name = manifest["name"].as_str().unwrap();
        let path = connectors
            .join(name.replace('_', "-"))
            .join("manifest.json");
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        let mut generated = serde_json::to_string_pretty(manifest).unwrap();
        generated.push('\n');
        assert!(
            committed == generated,
            "{} is stale: run `cargo xtask gen` and commit it",
            path.display()
        );
        checked += 1;
    }
    assert!(checked >= 12);
}
