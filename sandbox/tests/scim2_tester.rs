//! The third-party conformance tool `scim2-tester` (through the `scim2` command of
//! scim2-cli) against the strict `generic` tenant: every check must be SUCCESS.
//!
//! The program is `$SCIM2_CLI_BIN` (`cargo xtask test` sets it), else
//! `<workspace>/.venv-peers/bin/scim2` (`cargo xtask peers` installs it). A missing
//! program fails the test rather than skipping it.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use connector_sandbox::Sandbox;

/// The `scim2` program.
fn scim2_cli() -> PathBuf {
    let path = match std::env::var_os("SCIM2_CLI_BIN") {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.venv-peers/bin/scim2"),
    };
    assert!(
        path.is_file(),
        "the scim2 CLI (scim2-cli + scim2-tester) is not installed at {}; run `cargo xtask peers` \
         (or use `cargo xtask test`, which installs it and sets SCIM2_CLI_BIN)",
        path.display()
    );
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scim2_tester_passes_against_the_generic_tenant() {
    let sandbox = Sandbox::builder()
        .generic("generic")
        .start("127.0.0.1:0")
        .await
        .expect("the sandbox starts");
    let tenant = sandbox.tenant("generic").expect("the generic tenant");
    let mut command = tokio::process::Command::new(scim2_cli());
    command
        .arg("--url")
        .arg(tenant.scim_url())
        .arg("-h")
        .arg(format!("Authorization: Bearer {}", tenant.token().expose()))
        .arg("test")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .kill_on_drop(true);
    // Generous: the tool is slow to start on a loaded machine; this is no performance bound.
    let output = tokio::time::timeout(Duration::from_secs(600), command.output())
        .await
        .expect("scim2 test finished within 10 minutes")
        .expect("scim2 runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "scim2 test failed ({}):\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}",
        output.status
    );
    let statuses: Vec<&str> = stdout
        .lines()
        .filter(|line| !line.starts_with(char::is_whitespace))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|word| word.len() > 3 && word.chars().all(|c| c.is_ascii_uppercase()))
        .collect();
    let failed: Vec<&&str> = statuses.iter().filter(|s| **s != "SUCCESS").collect();
    assert!(
        failed.is_empty() && statuses.len() > 50,
        "expected only SUCCESS checks (got {} statuses, others: {failed:?}):\n{stdout}",
        statuses.len()
    );
    for check in [
        "object_creation",
        "object_deletion",
        "check_replace_attribute",
        "search_with_attributes",
    ] {
        assert!(
            stdout.contains(check),
            "the tool did not run `{check}`:\n{stdout}"
        );
    }
    sandbox.shutdown().await;
}
