//! Running cargo from inside a process that cargo started (`cargo xtask` is `cargo run`).

use std::ffi::OsStr;
use std::process::Command;

/// The cargo that started this process (`$CARGO`, else `cargo` on the PATH), without the
/// variables `cargo run` set for the xtask package (`CARGO_MANIFEST_DIR`, `CARGO_PKG_*`,
/// ...). Some build scripts watch those (ring's does): inherited, they would make the
/// nested build rebuild such crates, and the next plain cargo command rebuild them again.
pub(crate) fn cargo() -> Command {
    let program = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(program);
    for (name, _) in std::env::vars_os() {
        if is_package_variable(&name) {
            command.env_remove(name);
        }
    }
    command
}

/// Whether `name` is one of the variables cargo sets for the package it runs.
fn is_package_variable(name: &OsStr) -> bool {
    let Some(name) = name.to_str() else {
        return false;
    };
    name.starts_with("CARGO_PKG_")
        || name.starts_with("CARGO_BIN_EXE_")
        || matches!(
            name,
            "CARGO_MANIFEST_DIR"
                | "CARGO_MANIFEST_PATH"
                | "CARGO_CRATE_NAME"
                | "CARGO_BIN_NAME"
                | "CARGO_PRIMARY_PACKAGE"
                | "CARGO_TARGET_TMPDIR"
                | "CARGO_RUSTC_CURRENT_DIR"
        )
}

#[cfg(test)]
mod tests {
    use super::is_package_variable;

    #[test]
    fn only_the_running_package_variables_are_dropped() {
        for name in [
            "CARGO_PKG_NAME",
            "CARGO_MANIFEST_DIR",
            "CARGO_BIN_EXE_xtask",
        ] {
            assert!(is_package_variable(name.as_ref()), "{name}");
        }
        for name in [
            "CARGO_HOME",
            "CARGO_TARGET_DIR",
            "CARGO_NET_OFFLINE",
            "CARGO",
            "PATH",
        ] {
            assert!(!is_package_variable(name.as_ref()), "{name}");
        }
    }
}
