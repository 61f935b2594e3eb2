//! What the CLI prints is safe and in its place, running the real binary against the
//! sandbox's ChatGPT tenant: names from the directory and the app are escaped and
//! lookalikes flagged, reports go to stdout and diagnostics to stderr, an instance that
//! cannot be read is never reported as matching, and a refused or unusable token is named
//! by its variable, never shown.
#![cfg(feature = "sandbox")]

use std::path::Path;
use std::process::{Command, Output};

use connector_sandbox::{Sandbox, SandboxHandle, TenantSpec};
use tempfile::TempDir;

/// The variable the assignments file names for the ChatGPT token.
const TOKEN_ENV: &str = "CLI_SAFE_OUTPUT_CHATGPT_TOKEN";

/// Moves the cursor up a line and erases it.
const ERASE_LINE: &str = "\u{1b}[1A\u{1b}[2K";

/// A sandbox serving ChatGPT (on its own runtime, alive as long as this value), and a
/// folder with an assignments file, a people file and the state.
struct World {
    /// Dropped first: dropping the handle stops the server.
    sandbox: SandboxHandle,
    dir: TempDir,
    /// Runs the sandbox's server.
    _runtime: tokio::runtime::Runtime,
}

impl World {
    fn new() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let sandbox = runtime.block_on(async {
            Sandbox::builder()
                .tenant(TenantSpec::for_manifest(&connector_chatgpt::MANIFEST))
                .start("127.0.0.1:0")
                .await
                .unwrap()
        });
        let dir = tempfile::tempdir().unwrap();
        let path = |name: &str| dir.path().join(name).display().to_string();
        let assignments = format!(
            "[settings]\nstate = \"{}\"\n\n[directory]\npeople = \"{}\"\n\n\
             [instances.chatgpt]\nconnector = \"chatgpt\"\nbase_url = \"{}\"\ntoken_env = \"{TOKEN_ENV}\"\n\n\
             [[provision]]\ninstance = \"chatgpt\"\ngroups = [\"ai\"]\n",
            path("state.db"),
            path("people.csv"),
            sandbox.tenant("chatgpt").unwrap().api_url()
        );
        std::fs::write(dir.path().join("assignments.toml"), assignments).unwrap();
        let eve = format!("eve{ERASE_LINE}@example.com");
        let people = format!(
            "id,login,email,first_name,last_name,title,department,status,groups\n\
             u1,{eve},{eve},Eve,Evil,,,active,ai\n\
             u2,\u{0430}lice@example.com,\u{0430}lice@example.com,Alice,Look,,,active,ai\n\
             u3,carol@example.com,carol@example.com,Carol,Plain,,,active,ai\n"
        );
        std::fs::write(dir.path().join("people.csv"), people).unwrap();
        Self {
            sandbox,
            dir,
            _runtime: runtime,
        }
    }

    /// The tenant's real token.
    fn token(&self) -> String {
        self.sandbox
            .tenant("chatgpt")
            .unwrap()
            .token()
            .expose()
            .to_owned()
    }

    /// Runs `connector <args> -c assignments.toml` with `token` in the token variable.
    fn run(&self, args: &[&str], token: &str) -> Output {
        run_in(self.dir.path(), args, token)
    }
}

fn run_in(dir: &Path, args: &[&str], token: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_connector"))
        .args(args)
        .arg("-c")
        .arg(dir.join("assignments.toml"))
        .env(TOKEN_ENV, token)
        .output()
        .expect("the connector binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// No raw control character but line breaks.
fn terminal_safe(text: &str) -> bool {
    !text.chars().any(|c| c.is_control() && c != '\n')
}

#[test]
fn plan_escapes_names_and_flags_lookalikes() {
    let world = World::new();
    let output = world.run(&["plan"], &world.token());
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(2), "{out}\n{}", stderr(&output));
    assert!(terminal_safe(&out), "{out:?}");
    assert!(
        out.contains("+ create   eve\\u{1b}[1A\\u{1b}[2K@example.com"),
        "{out}"
    );
    assert!(
        out.contains("\u{0430}lice@example.com [⚠ mixed scripts: Latin+Cyrillic]"),
        "{out}"
    );
    // The JSON plan is JSON: serde escapes the control characters.
    let output = world.run(&["plan", "--json"], &world.token());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(json.to_string().contains("eve\\u001b[1A"), "{json}");
    assert!(!stdout(&output).contains('\u{1b}'));
}

#[test]
fn apply_reports_on_stdout_and_audit_and_status_are_escaped() {
    let world = World::new();
    let output = world.run(&["apply"], &world.token());
    let (out, err) = (stdout(&output), stderr(&output));
    assert_eq!(output.status.code(), Some(0), "{out}\n{err}");
    assert!(out.contains("Run ") && out.contains("3 applied"), "{out}");
    assert!(terminal_safe(&out), "{out:?}");
    // Standard error carries the progress lines only.
    assert!(err.lines().all(|line| line.starts_with("apply: ")), "{err}");

    let output = world.run(&["audit"], &world.token());
    let out = stdout(&output);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(terminal_safe(&out), "{out:?}");
    assert!(out.contains("eve\\u{1b}[1A\\u{1b}[2K@example.com"), "{out}");
    let output = world.run(&["audit", "--json"], &world.token());
    for line in stdout(&output).lines() {
        let event: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(event["class_uid"], 3001);
    }

    let output = world.run(&["status"], &world.token());
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("chatgpt: 3"),
        "{}",
        stdout(&output)
    );

    // With the audit events on stdout, the report steps aside to stderr.
    let output = world.run(
        &["apply", "--audit-log", "-", "--no-progress"],
        &world.token(),
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains("Run "), "{}", stderr(&output));
    assert!(!stdout(&output).contains("Run "), "{}", stdout(&output));
}

#[test]
fn an_instance_refusing_the_token_is_not_reached_and_the_variable_is_named() {
    let world = World::new();
    let wrong = "wrong-token-5678";
    let output = world.run(&["plan"], wrong);
    let (out, err) = (stdout(&output), stderr(&output));
    assert_eq!(output.status.code(), Some(1), "{out}\n{err}");
    assert!(!out.contains("No changes. Every account"), "{out}");
    assert!(
        out.contains("chatgpt (ChatGPT): not reached (") && out.contains("HTTP 401"),
        "{out}"
    );
    assert!(
        out.contains(&format!("using the bearer token in {TOKEN_ENV}")),
        "{out}"
    );
    assert!(out.contains("; nothing planned for it"), "{out}");
    assert!(!out.contains(wrong) && !err.contains(wrong), "{out}\n{err}");
}

#[test]
fn a_token_that_cannot_be_a_header_is_named_with_its_position() {
    let world = World::new();
    let output = world.run(&["plan"], "sk-t\u{f6}ken");
    let (out, err) = (stdout(&output), stderr(&output));
    assert_eq!(output.status.code(), Some(1), "{out}\n{err}");
    assert!(
        out.contains(&format!(
            "the bearer token in {TOKEN_ENV} cannot be sent in an HTTP header: it contains a \
             non-ASCII character at position 5"
        )),
        "{out}"
    );
    assert!(
        !out.contains("sk-t") && !err.contains("sk-t"),
        "{out}\n{err}"
    );
}
