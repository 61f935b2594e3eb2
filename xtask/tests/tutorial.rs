//! `docs/adding-a-connector.md`, run end to end: in a copy of the workspace, `cargo xtask
//! gen new acme`, a test build that fails on the placeholders, the tutorial's spec (taken from
//! the page itself, so the page cannot rot), `cargo xtask gen`, `cargo xtask check`,
//! `cargo test -p connector-acme`, and the CLI's `list` and `sso acme`.
//!
//! The nested cargo commands build into `target/tutorial` (their own target directory, so
//! they never wait on the lock of the build that runs this test), from a copy at
//! `target/tutorial/workspace` that keeps the sources' modification times: a rerun reuses
//! the dependencies and the unchanged workspace crates, and rebuilds only what changed
//! plus the new connector and the CLI. A file lock keeps two runs from sharing the copy.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

/// The tutorial, relative to the workspace root.
const TUTORIAL: &str = "docs/adding-a-connector.md";

/// The comment that precedes the tutorial's finished spec.
const SPEC_MARKER: &str = "<!-- tutorial: connectors/acme/connector.toml";

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// Copies `from` into `to`, leaving out build output, version control and virtualenvs,
/// and keeping each file's modification time (so cargo's fingerprints stay fresh).
fn copy_tree(from: &Path, to: &Path) -> io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name == "target" || name == ".git" || name.starts_with(".venv") {
            continue;
        }
        let source = entry.path();
        let metadata = fs::metadata(&source)?;
        if metadata.is_dir() {
            copy_tree(&source, &to.join(&*name))?;
        } else if metadata.is_file() {
            let target = to.join(&*name);
            fs::copy(&source, &target)?;
            // Best effort: without the time, cargo merely rebuilds that crate.
            if let (Ok(file), Ok(modified)) = (
                File::options().write(true).open(&target),
                metadata.modified(),
            ) {
                let _ = file.set_modified(modified);
            }
        }
    }
    Ok(())
}

/// The fenced block that follows the marker in the tutorial.
fn tutorial_spec(tutorial: &str) -> String {
    let after = tutorial
        .split_once(SPEC_MARKER)
        .unwrap_or_else(|| panic!("{TUTORIAL} has no `{SPEC_MARKER}` comment"))
        .1;
    let block = after
        .split_once("```toml\n")
        .unwrap_or_else(|| panic!("{TUTORIAL}: no ```toml block after the marker"))
        .1;
    let (spec, _) = block
        .split_once("\n```")
        .unwrap_or_else(|| panic!("{TUTORIAL}: the spec block is not closed"));
    format!("{spec}\n")
}

/// Runs the nested cargo commands in the copy.
struct Nested {
    workspace: PathBuf,
    target_dir: PathBuf,
    offline: bool,
    started: Instant,
}

impl Nested {
    fn command(&self, args: &[&str]) -> Command {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut command = Command::new(cargo);
        command
            .args(args)
            .current_dir(&self.workspace)
            .env("CARGO_TARGET_DIR", &self.target_dir)
            .env("CARGO_TERM_COLOR", "never");
        // The variables the outer cargo set for this test binary (CARGO_PKG_*, ...) are not
        // the copy's: build scripts that watch them (ring's) would rebuild at every switch
        // between these commands and the ones `cargo xtask` runs (as xtask's cargo_env).
        for (name, _) in std::env::vars_os() {
            let text = name.to_string_lossy();
            if text.starts_with("CARGO_PKG_")
                || text.starts_with("CARGO_BIN_EXE_")
                || [
                    "CARGO_MANIFEST_DIR",
                    "CARGO_MANIFEST_PATH",
                    "CARGO_CRATE_NAME",
                    "CARGO_BIN_NAME",
                    "CARGO_PRIMARY_PACKAGE",
                    "CARGO_TARGET_TMPDIR",
                    "CARGO_RUSTC_CURRENT_DIR",
                ]
                .contains(&&*text)
            {
                command.env_remove(&name);
            }
        }
        if self.offline {
            command.env("CARGO_NET_OFFLINE", "true");
        }
        command
    }

    /// Runs `cargo <args>`, prints how long it took, and returns its output.
    fn run(&self, args: &[&str]) -> Output {
        let step = Instant::now();
        let output = self
            .command(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run cargo {}: {e}", args.join(" ")));
        println!(
            "tutorial: cargo {} ({}) in {:.0} s (total {:.0} s)",
            args.join(" "),
            output.status,
            step.elapsed().as_secs_f64(),
            self.started.elapsed().as_secs_f64()
        );
        output
    }

    /// Runs `cargo <args>` and fails the test unless it succeeds; returns its stdout.
    fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            output.status.success(),
            "`cargo {}` failed:\n{stdout}\n{}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
        stdout
    }
}

#[test]
fn the_adding_a_connector_tutorial_works() {
    let root = workspace_root();
    let tutorial_dir = root.join("target/tutorial");
    fs::create_dir_all(&tutorial_dir).unwrap();
    let lock = File::create(tutorial_dir.join("tutorial.lock")).unwrap();
    lock.lock().expect("the tutorial's lock file can be locked");

    let workspace = tutorial_dir.join("workspace");
    if workspace.exists() {
        fs::remove_dir_all(&workspace).unwrap();
    }
    copy_tree(&root, &workspace).unwrap();
    assert!(
        !workspace.join("connectors/acme").exists(),
        "the workspace already has connectors/acme; the tutorial creates it"
    );
    let mut nested = Nested {
        workspace: workspace.clone(),
        target_dir: tutorial_dir.clone(),
        offline: true,
        started: Instant::now(),
    };
    // Offline only when every crate of the lock file is already downloaded (it is after
    // the outer build of the whole workspace); otherwise let cargo fetch what it needs.
    nested.offline = nested
        .run(&["fetch", "--offline", "--quiet"])
        .status
        .success();

    // 1. Scaffold.
    let out = nested.ok(&["xtask", "gen", "new", "acme"]);
    assert!(out.contains("gen new: created connectors/acme/"), "{out}");
    for file in [
        "connector.toml",
        "Cargo.toml",
        "src/lib.rs",
        "README.md",
        "tests/sandbox.rs",
    ] {
        assert!(
            workspace.join("connectors/acme").join(file).is_file(),
            "{file}"
        );
    }

    // 2. The placeholders fail the build, each at its line, saying what to put there.
    // (`cargo test`, as the tutorial says, rather than `cargo build`: the dependencies it
    // builds before stopping have the feature set of step 5, so none is compiled twice.)
    let output = nested.run(&["test", "-p", "connector-acme"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success(),
        "the placeholder build succeeded:\n{stderr}"
    );
    // The tutorial quotes the first error, docs/spec.md the base URL's.
    for quoted in [
        "connectors/acme/connector.toml:19:11: `connector.vendor` is an unfilled placeholder: \
         the company behind the service, e.g. Acme, Inc.",
        "connectors/acme/connector.toml:60:13: `provisioning.base_url` is an unfilled \
         placeholder: the SCIM base URL, e.g. https://api.acme.example/scim/v2",
    ] {
        assert!(stderr.contains(quoted), "no `{quoted}` in:\n{stderr}");
    }
    assert!(
        !stderr.contains("malformed URL"),
        "placeholders only:\n{stderr}"
    );

    // 3. The tutorial's spec.
    let tutorial = fs::read_to_string(workspace.join(TUTORIAL)).unwrap();
    fs::write(
        workspace.join("connectors/acme/connector.toml"),
        tutorial_spec(&tutorial),
    )
    .unwrap();

    // 4. The derived files, then nothing stale.
    nested.ok(&["xtask", "gen"]);
    let readme = fs::read_to_string(workspace.join("connectors/acme/README.md")).unwrap();
    assert!(
        !readme.contains("This README is a\nplaceholder"),
        "`cargo xtask gen` did not write the README:\n{readme}"
    );
    let support = fs::read_to_string(workspace.join("docs/SUPPORT.md")).unwrap();
    assert!(support.contains("Acme AI"), "{support}");
    nested.ok(&["xtask", "check"]);

    // 5. The sandbox tests.
    let out = nested.ok(&["test", "-p", "connector-acme"]);
    assert!(
        out.contains("test capability_suite_passes_on_the_sandbox_tenant ... ok"),
        "{out}"
    );

    // 6. The CLI knows it.
    let list = nested.ok(&["run", "--quiet", "-p", "connector-toolkit", "--", "list"]);
    assert!(
        list.lines()
            .any(|l| l.starts_with("Acme AI ") && l.contains("SCIM 2.0")),
        "{list}"
    );
    let sso = nested.ok(&[
        "run",
        "--quiet",
        "-p",
        "connector-toolkit",
        "--",
        "sso",
        "acme",
        "--var",
        "workspace=demo",
    ]);
    assert!(
        sso.contains("https://demo.acme-ai.example/sso/saml/acs"),
        "{sso}"
    );
    println!(
        "tutorial: done in {:.0} s",
        nested.started.elapsed().as_secs_f64()
    );
}

#[test]
fn the_tutorial_spec_block_is_found() {
    let text = "intro\n<!-- tutorial: connectors/acme/connector.toml (x) -->\n```toml\nspec_version = 1\n```\nmore\n```toml\nother = 1\n```\n";
    assert_eq!(tutorial_spec(text), "spec_version = 1\n");
}
