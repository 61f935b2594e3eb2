//! The README's main command works: `connector demo` provisions the bundled directory into
//! all twelve emulated services, handles the leavers, and ends with nothing to do. Needs
//! the (default) `sandbox` feature; `without_sandbox.rs` covers builds without it.
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
    assert!(stdout.contains("12 services emulated"), "{stdout}");
    assert!(stdout.contains("(0 failed, 0 not attempted)"), "{stdout}");
    assert!(stdout.contains("Seats reclaimed:"), "{stdout}");
    assert!(stdout.contains("Nothing to do"), "{stdout}");
    // The audit log is OCSF Account Change and names no secret.
    let audit = std::fs::read_to_string(folder.path().join("audit.jsonl")).unwrap();
    assert!(
        audit.lines().count() > 3000,
        "{} audit events",
        audit.lines().count()
    );
    assert!(audit.lines().all(|l| l.contains("\"class_uid\":3001")));
    assert!(!audit.contains("Bearer "));
}
