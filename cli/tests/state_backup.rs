//! `connector state backup`: a copy that opens as a state, never over an existing file
//! without `--force`, never from a file that is not a state.

use std::path::Path;
use std::process::{Command, Output};

use connector_engine::state::{RunStatus, Store};

/// Runs `connector state backup --state STATE FILE [extra]`.
fn backup(state: &Path, file: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_connector"))
        .args(["state", "backup", "--state"])
        .arg(state)
        .arg(file)
        .args(extra)
        .output()
        .expect("the connector binary runs")
}

/// What the command printed, both streams.
fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[tokio::test]
async fn a_backup_opens_as_the_state_and_is_not_overwritten_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.db");
    let store = Store::open(&state).await.unwrap();
    store.start_run("r-1", "people.json", 3).await.unwrap();
    let summary = serde_json::json!({});
    store
        .finish_run("r-1", RunStatus::Completed, &summary)
        .await
        .unwrap();

    let copy = dir.path().join("copy.db");
    let output = backup(&state, &copy, &[]);
    assert!(output.status.success(), "{}", text(&output));
    assert!(text(&output).contains("Backed up"), "{}", text(&output));
    let copied = Store::open(&copy).await.unwrap();
    let runs = copied.runs(5).await.unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].id, "r-1");
    assert_eq!(runs[0].status, RunStatus::Completed);
    drop(copied);

    store.start_run("r-2", "people.json", 3).await.unwrap();
    let output = backup(&state, &copy, &[]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        text(&output).contains("exists; give --force"),
        "{}",
        text(&output)
    );
    let output = backup(&state, &copy, &["--force"]);
    assert!(output.status.success(), "{}", text(&output));
    let copied = Store::open(&copy).await.unwrap();
    assert_eq!(copied.runs(5).await.unwrap().len(), 2);
}

#[test]
fn a_missing_or_empty_state_is_not_backed_up() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.db");
    let output = backup(&missing, &dir.path().join("a.db"), &[]);
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output).contains("no state at"), "{}", text(&output));
    assert!(!missing.exists(), "the backup created a state");

    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    let output = backup(&empty, &dir.path().join("b.db"), &[]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output).contains("empty (0 bytes)"),
        "{}",
        text(&output)
    );
    assert!(!dir.path().join("b.db").exists());
}
