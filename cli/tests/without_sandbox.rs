//! A build without the `sandbox` feature (`cargo test -p connector-toolkit
//! --no-default-features`) keeps `connector sandbox` and `connector demo`, and both say
//! how to get a build that runs them instead of doing anything.
#![cfg(not(feature = "sandbox"))]

use std::process::{Command, Output};

fn connector(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_connector"))
        .args(args)
        .output()
        .expect("the connector binary runs")
}

fn assert_no_sandbox(output: &Output) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        "error: this build has no sandbox: rebuild with --features sandbox"
    );
    assert!(
        output.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[test]
fn sandbox_says_the_build_has_no_sandbox() {
    assert_no_sandbox(&connector(&["sandbox"]));
    assert_no_sandbox(&connector(&["sandbox", "--listen", "127.0.0.1:0"]));
}

#[test]
fn demo_says_the_build_has_no_sandbox() {
    assert_no_sandbox(&connector(&["demo"]));
    assert_no_sandbox(&connector(&["demo", "--keep", "/nonexistent"]));
}

#[test]
fn the_other_commands_still_work() {
    let output = connector(&["list"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("Zoom"));
}
