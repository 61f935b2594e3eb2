//! The README's main command works: `connector demo` provisions the bundled directory into
//! every emulated service (one per connector that provisions), handles the leavers, ends
//! with nothing to do, and disables a person deactivated in an emulated Okta org through
//! the Event Hook. Needs the (default) `sandbox` feature; `without_sandbox.rs`
//! covers builds without it.
#![cfg(feature = "sandbox")]

use std::process::Command;

#[test]
fn demo_runs_end_to_end_and_converges() {
    let folder = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_connector"))
        .args(["demo", "--keep"])
        .arg(folder.path())
        .output()
        .expect("the connector binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let services = provisioning_connectors();
    assert!(
        stdout.contains(&format!("Sandbox: {services} services emulated")),
        "expected all {services} provisioning connectors emulated:\n{stdout}"
    );
    assert!(stdout.contains("(0 failed, 0 not attempted)"), "{stdout}");
    assert!(stdout.contains("Seats reclaimed:"), "{stdout}");
    assert!(stdout.contains("Nothing to do"), "{stdout}");
    // Groups are pushed into the apps that support it (run 1), and leavers leave them.
    assert!(stdout.contains("2 new, +189/-0 members"), "{stdout}");
    assert!(stdout.contains("+0/-7 members"), "{stdout}");
    // The sign-in side: the Okta apps created and assigned, found again.
    assert!(
        stdout.contains("chatgpt         tile    ChatGPT                BOOKMARK       created"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Okta apps in http://127.0.0.1:")
            && stdout.contains("a second plan: nothing to change"),
        "{stdout}"
    );
    // Run 4: a person deactivated in the emulated Okta org is disabled, through the
    // Event Hook and `serve`'s queue, in each app they have an account in (read back from
    // the apps).
    let run4 = stdout
        .split("== Run 4")
        .nth(1)
        .unwrap_or_else(|| panic!("no Run 4:\n{stdout}"));
    assert!(run4.contains("/hooks/okta: VERIFIED"), "{run4}");
    let claimed: usize = run4
        .split("deactivated in Okta; their ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no account count:\n{run4}"));
    assert!(claimed >= 5, "{run4}");
    assert_eq!(
        run4.lines().filter(|l| l.contains(" disabled, ")).count(),
        claimed,
        "{run4}"
    );
    // The audit log is OCSF Account Change (accounts) and Group Management (pushed
    // groups), and names no secret.
    let audit = std::fs::read_to_string(folder.path().join("audit.jsonl")).unwrap();
    assert!(
        audit.lines().count() > 3000,
        "{} audit events",
        audit.lines().count()
    );
    assert!(
        audit
            .lines()
            .all(|l| l.contains("\"class_uid\":3001") || l.contains("\"class_uid\":3006"))
    );
    let added = audit
        .lines()
        .filter(|l| {
            l.contains("\"class_uid\":3006") && l.contains("\"activity_name\":\"Add User\"")
        })
        .count();
    assert_eq!(
        added,
        189 + 128 + 155 + 61 + 61 + 128 + 49 + 27,
        "one Add User event per member added"
    );
    assert!(!audit.contains("Bearer "));
}

/// How many connectors the CLI knows that provision accounts (`connector list --json`),
/// each of which the demo emulates: adding a connector changes the number, not the test.
fn provisioning_connectors() -> usize {
    let output = Command::new(env!("CARGO_BIN_EXE_connector"))
        .args(["list", "--json"])
        .output()
        .expect("the connector binary runs");
    assert!(output.status.success());
    let all: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    let count = all
        .iter()
        .filter(|m| m["provisioning"]["protocol"].as_str() != Some("none"))
        .count();
    assert!(count > 0, "no connector provisions: {all:?}");
    count
}
