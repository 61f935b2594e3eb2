//! `cargo xtask peers`: the Python virtualenv that holds the third-party test peers.
//!
//! The peers are pinned. A marker file in the virtualenv records the set that was
//! installed, so a second run does nothing unless the pins (or the venv) changed.

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The pinned Python packages, as pip requirements.
pub(crate) const PINNED: &[&str] = &[
    "scim2-server==0.8.3",
    "scim2-tester==0.5.2",
    "scim2-cli==0.6.0",
    // SAML peers (connector-saml-sp and connector-sdk tests): python3-saml ships the OASIS
    // SAML XSDs and validates signatures with python-xmlsec; pysaml2 signs as an IdP
    // through the Debian `xmlsec1` program.
    "python3-saml==1.16.0",
    "pysaml2==7.5.5",
    // OCSF peer (connector-engine's siem test): ocsf-json-schema ships the OCSF class
    // schemas (1.3.0 among them) and turns them into JSON Schemas; jsonschema checks the
    // engine's audit events against them.
    "ocsf-json-schema==1.2.0",
    "jsonschema==4.25.1",
    // OpenAPI peer (the CLI's serve_cards test): validates the document `connector serve`
    // answers on GET /openapi.json. 0.8.5, the newest that accepts jsonschema 4.25 (0.9.0
    // needs 4.26).
    "openapi-spec-validator==0.8.5",
];

/// The oldest Python the peers support (scim2-server requires 3.11).
const MIN_PYTHON: (u32, u32) = (3, 11);

/// The virtualenv directory, relative to the workspace root (gitignored).
const VENV_DIR: &str = ".venv-peers";

/// The marker file, inside the virtualenv, that records the installed pins.
const MARKER: &str = "xtask-peers.txt";

/// Where the installed peers are.
#[derive(Debug, Clone)]
pub(crate) struct Peers {
    /// The `scim2-server` console script.
    pub scim2_server: PathBuf,
    /// The `scim2` console script (from scim2-cli).
    pub scim2_cli: PathBuf,
}

/// Creates the virtualenv if needed, installs the pinned peers unless the marker says they
/// are there, and returns their paths.
pub(crate) fn install(root: &Path) -> Result<Peers, String> {
    let venv = root.join(VENV_DIR);
    let bin = venv.join("bin");
    let python = bin.join("python");
    let peers = Peers {
        scim2_server: bin.join("scim2-server"),
        scim2_cli: bin.join("scim2"),
    };
    let marker = venv.join(MARKER);
    let wanted = marker_text();

    if venv.exists() && !venv_works(&python) {
        println!(
            "peers: {} is broken (no working python or pip); recreating it",
            venv.display()
        );
        fs::remove_dir_all(&venv).map_err(|e| format!("cannot remove {}: {e}", venv.display()))?;
    }
    if !venv.exists() {
        let system_python = check_system_python()?;
        println!(
            "peers: creating virtualenv {} with {system_python}",
            venv.display()
        );
        let output = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .output()
            .map_err(|e| format!("cannot run `python3 -m venv`: {e}"))?;
        if !output.status.success() {
            // A half-made venv would look "broken" next time anyway; clean it now.
            let _ = fs::remove_dir_all(&venv);
            return Err(format!(
                "`python3 -m venv {}` failed ({}):\n{}{}\n\
                 hint: on Debian/Ubuntu install the venv module with `apt-get install python3-venv`",
                venv.display(),
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr),
            ));
        }
    }

    let installed = fs::read_to_string(&marker).ok();
    if installed.as_deref() == Some(wanted.as_str())
        && peers.scim2_server.is_file()
        && peers.scim2_cli.is_file()
    {
        println!(
            "peers: up to date in {} ({})",
            venv.display(),
            PINNED.join(" ")
        );
        return Ok(peers);
    }

    println!(
        "peers: installing {} into {}",
        PINNED.join(" "),
        venv.display()
    );
    // Remove the marker first so an interrupted install is retried next time.
    let _ = fs::remove_file(&marker);
    let status = Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--progress-bar",
            "off",
        ])
        .args(PINNED)
        .status()
        .map_err(|e| format!("cannot run {} -m pip: {e}", python.display()))?;
    if !status.success() {
        return Err(format!(
            "`pip install {}` failed ({status}); see pip's output above",
            PINNED.join(" ")
        ));
    }
    for script in [&peers.scim2_server, &peers.scim2_cli] {
        if !script.is_file() {
            return Err(format!("pip succeeded but {} is missing", script.display()));
        }
    }
    fs::write(&marker, &wanted).map_err(|e| format!("cannot write {}: {e}", marker.display()))?;
    println!(
        "peers: installed; scim2-server is {}",
        peers.scim2_server.display()
    );
    Ok(peers)
}

/// The marker's content: the pinned requirements, one a line.
fn marker_text() -> String {
    let mut text = String::from("# written by `cargo xtask peers`; delete to force a reinstall\n");
    for pin in PINNED {
        text.push_str(pin);
        text.push('\n');
    }
    text
}

/// Whether an existing virtualenv has a python that runs and has pip.
fn venv_works(python: &Path) -> bool {
    Command::new(python)
        .args(["-c", "import pip"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// Checks that `python3` exists, is recent enough and has the venv module; returns its
/// version for the log.
fn check_system_python() -> Result<String, String> {
    let output = Command::new("python3")
        .args(["-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"])
        .output()
        .map_err(|e| {
            if e.kind() == ErrorKind::NotFound {
                "python3 is not installed (the test peers are Python programs); \
                 on Debian/Ubuntu run `apt-get install python3 python3-venv`"
                    .to_owned()
            } else {
                format!("cannot run python3: {e}")
            }
        })?;
    if !output.status.success() {
        return Err(format!(
            "python3 failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let version = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    let mut parts = version
        .split('.')
        .map(|part| part.parse::<u32>().unwrap_or(0));
    let major_minor = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    if major_minor < MIN_PYTHON {
        return Err(format!(
            "python3 is {version}; the test peers need Python {}.{} or newer",
            MIN_PYTHON.0, MIN_PYTHON.1
        ));
    }
    let venv_ok = Command::new("python3")
        .args(["-c", "import venv, ensurepip"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !venv_ok {
        return Err(format!(
            "python3 ({version}) has no usable venv module (ensurepip is missing); \
             on Debian/Ubuntu run `apt-get install python3-venv`"
        ));
    }
    Ok(format!("Python {version}"))
}
