//! `cargo xtask test`: the project's test command.

use std::path::Path;
use std::process::Command;

use crate::{peers, system};

/// The CLI features the whole-workspace run turns on: `saml-verify` (`connector sso
/// verify`, the sandbox's SAML SPs) links connector-saml-sp, which the workspace tests
/// build anyway, so its tests run without building the workspace a second time.
pub(crate) const WORKSPACE_FEATURES: &str = "connector-toolkit/saml-verify";

/// Checks (and installs) the system packages, installs the peers, then runs `cargo test --workspace --features
/// connector-toolkit/saml-verify <args>` from the workspace root with `SCIM2_SERVER_BIN`
/// and `SCIM2_CLI_BIN` set (arguments that pick packages replace `--workspace` and the
/// features). Returns cargo's exit code.
pub(crate) fn run(root: &Path, args: &[String]) -> Result<i32, String> {
    system::ensure(false)?;
    let peers = peers::install(root)?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(&cargo);
    command.arg("test");
    if !selects_packages(args) {
        command.args(["--workspace", "--features", WORKSPACE_FEATURES]);
    }
    command
        .args(args)
        .current_dir(root)
        .env("SCIM2_SERVER_BIN", &peers.scim2_server)
        .env("SCIM2_CLI_BIN", &peers.scim2_cli);
    println!(
        "test: SCIM2_SERVER_BIN={} SCIM2_CLI_BIN={}",
        peers.scim2_server.display(),
        peers.scim2_cli.display()
    );
    let status = command
        .status()
        .map_err(|e| format!("cannot run {}: {e}", Path::new(&cargo).display()))?;
    // A signal-killed cargo has no code; report it as a failure.
    Ok(status.code().unwrap_or(1))
}

/// Whether cargo arguments (before a `--`) pick packages themselves, in which case adding
/// `--workspace` would override them.
fn selects_packages(args: &[String]) -> bool {
    args.iter()
        .take_while(|arg| *arg != "--")
        .any(|arg| arg == "--workspace" || arg.starts_with("-p") || arg.starts_with("--package"))
}

#[cfg(test)]
mod tests {
    use super::selects_packages;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn package_selection_is_detected_before_the_separator_only() {
        assert!(!selects_packages(&args(&[])));
        assert!(!selects_packages(&args(&["--release", "--", "-p"])));
        assert!(selects_packages(&args(&["-p", "connector-tests"])));
        assert!(selects_packages(&args(&["-pconnector-tests"])));
        assert!(selects_packages(&args(&["--package=xtask"])));
        assert!(selects_packages(&args(&["--workspace"])));
    }
}
