//! Building one connector's tests and the sandbox's in the scratch workspace, and running
//! them: the verdict on one mutation.
//!
//! cargo only builds (`--no-run`), so the target directory's lock is held for the build
//! alone; the test programs are then run one by one, the connector's own first, and the
//! first one that fails names the killer.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::cargo_env;

/// The longest one test program may run before it counts as a kill by timeout.
const TEST_TIMEOUT: Duration = Duration::from_secs(300);

/// What happened to a mutation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// The spec checker refused the mutated spec (its first error line).
    Checker(String),
    /// Something else failed to compile (a test naming a generated item that went away).
    Build(String),
    /// A test failed: `<target>::<test>`.
    Test(String),
    /// Every test passed: the wrong fact went unnoticed.
    Survived,
    /// Not run: the vendor documents this value too (why, with the source).
    Equivalent(&'static str),
}

impl Verdict {
    /// Whether the mutation was caught.
    pub(crate) fn killed(&self) -> bool {
        matches!(self, Self::Checker(_) | Self::Build(_) | Self::Test(_))
    }

    /// Whether the mutation went unnoticed (a missing test).
    pub(crate) fn survived(&self) -> bool {
        matches!(self, Self::Survived)
    }
}

/// One test program to run.
#[derive(Debug, Clone)]
pub(crate) struct TestProgram {
    /// `<package>/<target>`.
    pub name: String,
    /// The executable.
    executable: PathBuf,
    /// Its package's directory (cargo test runs programs there).
    package_dir: PathBuf,
}

/// How to build and run one connector's tests in the scratch workspace.
pub(crate) struct Runner<'a> {
    /// The scratch workspace.
    pub workspace: &'a Path,
    /// The target directory cargo builds the scratch workspace into (never the
    /// workspace's own: see [`super::run()`]).
    pub target_dir: &'a Path,
    /// The connector's package (`connector-slack`).
    pub package: String,
    /// The connector's crate name in Rust source (`connector_slack`).
    pub crate_name: String,
    /// Environment for the test programs (the Python peers).
    pub env: Vec<(String, PathBuf)>,
}

impl Runner<'_> {
    /// Builds and runs the tests; `Ok(verdict)`, or `Err` when cargo itself cannot run.
    pub(crate) fn verdict(&self) -> Result<Verdict, String> {
        let programs = match self.build()? {
            Ok(programs) => programs,
            Err(verdict) => return Ok(verdict),
        };
        for program in &programs {
            if let Some(killer) = self.run(program)? {
                return Ok(Verdict::Test(killer));
            }
        }
        Ok(Verdict::Survived)
    }

    /// `cargo test --no-run` for the connector and the sandbox: the programs to run (the
    /// connector's, then the sandbox's that name the connector), or the build's verdict.
    fn build(&self) -> Result<Result<Vec<TestProgram>, Verdict>, String> {
        let output = cargo_env::cargo()
            .args([
                "test",
                "--no-run",
                "--message-format=json-render-diagnostics",
            ])
            .args(["-p", &self.package, "-p", "connector-sandbox"])
            .env("CARGO_TARGET_DIR", self.target_dir)
            .current_dir(self.workspace)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            return Ok(Err(build_verdict(&stderr)));
        }
        let mut programs = Vec::new();
        for line in stdout.lines() {
            let Ok(message) = serde_json::from_str::<Value>(line) else {
                continue;
            };
            if let Some(program) = test_program(&message) {
                let own = program.name.starts_with(&format!("{}/", self.package));
                if own || names_connector(&message, &self.crate_name) {
                    programs.push((!own, program));
                }
            }
        }
        // The connector's own programs first: they are the closest to the spec.
        programs.sort_by_key(|(sandbox, _)| *sandbox);
        Ok(Ok(programs.into_iter().map(|(_, p)| p).collect()))
    }

    /// Runs one program; `Some(killer)` when it fails.
    fn run(&self, program: &TestProgram) -> Result<Option<String>, String> {
        let log = self
            .target_dir
            .join(format!("{}.log", program.name.replace('/', "-")));
        let file =
            fs::File::create(&log).map_err(|e| format!("cannot create {}: {e}", log.display()))?;
        let errors = file
            .try_clone()
            .map_err(|e| format!("cannot use {}: {e}", log.display()))?;
        let mut command = Command::new(&program.executable);
        command
            .current_dir(&program.package_dir)
            .env("CARGO_MANIFEST_DIR", &program.package_dir)
            .stdin(Stdio::null())
            .stdout(file)
            .stderr(errors);
        for (name, value) in &self.env {
            command.env(name, value);
        }
        let mut child = command
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", program.executable.display()))?;
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child
                .try_wait()
                .map_err(|e| format!("cannot wait for {}: {e}", program.name))?
            {
                break Some(status);
            }
            if started.elapsed() > TEST_TIMEOUT {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        let Some(status) = status else {
            return Ok(Some(format!(
                "{} (timed out after {}s)",
                program.name,
                TEST_TIMEOUT.as_secs()
            )));
        };
        if status.success() {
            return Ok(None);
        }
        let output = fs::read_to_string(&log).unwrap_or_default();
        Ok(Some(match failed_tests(&output).first() {
            Some(test) => format!("{}::{test}", program.name),
            None => format!("{} ({status})", program.name),
        }))
    }
}

/// A test program from a `compiler-artifact` message, if it is one.
fn test_program(message: &Value) -> Option<TestProgram> {
    if message["reason"] != "compiler-artifact" || message["profile"]["test"] != true {
        return None;
    }
    let executable = PathBuf::from(message["executable"].as_str()?);
    let manifest = Path::new(message["manifest_path"].as_str()?);
    let package_dir = manifest.parent()?.to_path_buf();
    let package = package_name(message["package_id"].as_str()?)?;
    let target = message["target"]["name"].as_str()?;
    Some(TestProgram {
        name: format!("{package}/{target}"),
        executable,
        package_dir,
    })
}

/// The package name in a package id: `path+file:///ws/sandbox#connector-sandbox@0.1.0`
/// (or the older `connector-sandbox 0.1.0 (path+file://...)`).
fn package_name(id: &str) -> Option<String> {
    if let Some((_, fragment)) = id.rsplit_once('#') {
        let name = fragment.split('@').next()?;
        // `#0.1.0` alone: the name is the directory's.
        if name.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            let dir = id.split('#').next()?.rsplit('/').next()?;
            return Some(dir.to_owned());
        }
        return Some(name.to_owned());
    }
    id.split(' ').next().map(str::to_owned)
}

/// Whether the test target's source file mentions the connector's crate.
fn names_connector(message: &Value, crate_name: &str) -> bool {
    message["target"]["src_path"]
        .as_str()
        .and_then(|path| fs::read_to_string(path).ok())
        .is_some_and(|source| source.contains(crate_name))
}

/// A failed build: the checker's refusal when the first error points into a spec, else a
/// build failure, each with its first error line.
fn build_verdict(stderr: &str) -> Verdict {
    let mut lines = stderr.lines();
    let Some(first) = lines.by_ref().find(|l| l.starts_with("error")) else {
        return Verdict::Build("cargo failed without an error message".to_owned());
    };
    let location = lines.take(3).find(|l| l.contains("-->")).unwrap_or("");
    let message = first.trim_start_matches("error: ").trim().to_owned();
    if location.contains("connector.toml") || stderr.contains("connector.toml:") {
        Verdict::Checker(message)
    } else {
        Verdict::Build(message)
    }
}

/// The names of the failed tests in a libtest output (`test name ... FAILED`).
fn failed_tests(output: &str) -> Vec<String> {
    output
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("test ")?;
            let name = rest.strip_suffix(" ... FAILED")?;
            Some(name.to_owned())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{Verdict, build_verdict, failed_tests, package_name, test_program};
    use serde_json::json;

    #[test]
    fn failed_tests_are_read_from_libtest_output() {
        let output =
            "running 2 tests\ntest a::ok ... ok\ntest slack_pages ... FAILED\n\nfailures:\n";
        assert_eq!(failed_tests(output), vec!["slack_pages".to_owned()]);
        assert!(failed_tests("test result: ok. 2 passed").is_empty());
    }

    #[test]
    fn package_names_come_from_both_id_formats() {
        assert_eq!(
            package_name("path+file:///w/sandbox#connector-sandbox@0.1.0").as_deref(),
            Some("connector-sandbox")
        );
        assert_eq!(
            package_name("path+file:///w/connectors/slack#0.1.0").as_deref(),
            Some("slack")
        );
        assert_eq!(
            package_name("connector-slack 0.1.0 (path+file:///w)").as_deref(),
            Some("connector-slack")
        );
    }

    #[test]
    fn only_test_artifacts_are_programs() {
        let artifact = |test: bool| {
            json!({
                "reason": "compiler-artifact",
                "package_id": "path+file:///w/sandbox#connector-sandbox@0.1.0",
                "manifest_path": "/w/sandbox/Cargo.toml",
                "target": {"name": "vendors", "src_path": "/w/sandbox/tests/vendors.rs"},
                "profile": {"test": test},
                "executable": "/t/debug/deps/vendors-1"
            })
        };
        let program = test_program(&artifact(true)).unwrap();
        assert_eq!(program.name, "connector-sandbox/vendors");
        assert_eq!(program.package_dir.to_str(), Some("/w/sandbox"));
        assert!(test_program(&artifact(false)).is_none());
    }

    #[test]
    fn a_refusal_pointing_into_a_spec_is_the_checkers() {
        let checker = "error: DELETE deactivates on this service, so it cannot also offer capability `delete`\n  --> connectors/slack/connector.toml:40:14\n";
        assert!(
            matches!(build_verdict(checker), Verdict::Checker(m) if m.starts_with("DELETE deactivates"))
        );
        let build = "error[E0425]: cannot find value `X`\n  --> sandbox/tests/vendors.rs:3:1\n";
        assert!(
            matches!(build_verdict(build), Verdict::Build(m) if m.contains("cannot find value"))
        );
        assert!(!Verdict::Survived.killed() && Verdict::Survived.survived());
        assert!(!Verdict::Equivalent("both").killed() && !Verdict::Equivalent("both").survived());
        assert!(Verdict::Test("a/b::c".into()).killed());
    }
}
