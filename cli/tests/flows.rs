//! `connector flows check` and `connector serve --flows`: the documented stock flows
//! pass the check; a flows file with a mistake is refused with the mistake at its
//! `file:line:column`, and `serve` does not start with it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Assignments with ChatGPT and Zoom (nothing is connected by these commands).
fn world() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for app in ["chatgpt", "zoom"] {
        text.push_str(&format!(
            "[instances.{app}]\nconnector = \"{app}\"\nbase_url = \"https://{app}.example.invalid/scim/v2\"\ntoken_env = \"{}_TOKEN\"\n\n",
            app.to_uppercase()
        ));
    }
    std::fs::write(dir.path().join("assignments.toml"), text).unwrap();
    dir
}

/// The stock flows of `docs/flows.md`.
fn stock() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/examples/flows.toml")
}

fn connector(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_connector"))
        .args(args)
        .arg("-c")
        .arg(dir.join("assignments.toml"))
        .env("OKTA_HOOK_SECRET", "a-secret-for-the-test")
        .output()
        .unwrap()
}

/// A flows file whose step names an instance with a typo (line 8, column 12).
const TYPO: &str = "[[flow]]\nname = \"leaver\"\non = \"person_deactivated\"\n\n\
    [[flow.step]]\nname = \"off\"\ncard = \"disable_account\"\ninstance = \"zom\"\n";

#[test]
fn the_stock_flows_check_ok() {
    let dir = world();
    let out = connector(dir.path(), &["flows", "check", stock().to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.starts_with("OK: "), "{stdout}");
    assert!(stdout.contains("(3 flows)"), "{stdout}");
    assert!(
        stdout.contains("leaver: on person_deactivated | person_suspended -> disable_account on * (apply), revoke_license on * (apply)"),
        "{stdout}"
    );
}

#[test]
fn a_flow_file_with_a_mistake_is_refused_at_its_line() {
    let dir = world();
    let file = dir.path().join("flows.toml");
    std::fs::write(&file, TYPO).unwrap();
    let out = connector(dir.path(), &["flows", "check", file.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{}:8:12: unknown instance `zom` (did you mean `zoom`?)",
            file.display()
        )),
        "{stderr}"
    );
}

#[test]
fn serve_does_not_start_with_a_flow_file_with_a_mistake() {
    let dir = world();
    let file = dir.path().join("flows.toml");
    std::fs::write(&file, TYPO).unwrap();
    let state = dir.path().join("state.db");
    let out = connector(
        dir.path(),
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--state",
            state.to_str().unwrap(),
            "--flows",
            file.to_str().unwrap(),
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(!stdout.contains("listening"), "{stdout}");
    assert!(
        stderr.contains(&format!("{}:8:12: unknown instance `zom`", file.display())),
        "{stderr}"
    );
}
