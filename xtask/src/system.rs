//! `cargo xtask system`: the Debian packages the build and the tests need beyond Rust and
//! Python, checked on every `cargo xtask test` and installed when missing.
//!
//! This is the one list (`.ci/run` calls `cargo xtask system`). Present packages cost two
//! quick probes: one `dpkg-query` for the libraries and a `PATH` lookup per program. When
//! some are missing, they are installed with `apt-get update` then `apt-get install`, as
//! root or through `sudo`; without either (or with `XTASK_NO_INSTALL=1`), the command
//! stops at once and prints the one command line that installs exactly what is missing.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};

/// How a requirement is found present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Check {
    /// A program on `PATH`.
    Program(&'static str),
    /// An installed Debian package (libraries and headers, which have no program).
    Package,
    /// Python's `venv` module with `ensurepip` (Debian ships it as `python3-venv`).
    PythonVenv,
}

/// One Debian package the workspace needs, and why.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Requirement {
    /// The Debian package that provides it.
    pub package: &'static str,
    /// How it is found present.
    pub check: Check,
    /// What needs it.
    pub why: &'static str,
}

/// Everything `cargo xtask test` needs besides `rustc`, `cargo` and the network.
pub(crate) const REQUIRED: &[Requirement] = &[
    Requirement {
        package: "gcc",
        check: Check::Program("cc"),
        why: "rustc links through `cc`; ring compiles C",
    },
    Requirement {
        package: "libc6-dev",
        check: Check::Package,
        why: "the C library headers for the C code of ring and xmlsec's bindings",
    },
    Requirement {
        package: "python3",
        check: Check::Program("python3"),
        why: "the third-party test peers of `cargo xtask peers`",
    },
    Requirement {
        package: "python3-venv",
        check: Check::PythonVenv,
        why: "the peers' virtualenv .venv-peers",
    },
    Requirement {
        package: "pkg-config",
        check: Check::Program("pkg-config"),
        why: "samael's build finds libxmlsec1, libxml2 and OpenSSL with it",
    },
    Requirement {
        package: "libclang-dev",
        check: Check::Package,
        why: "bindgen (samael's build script) loads libclang",
    },
    Requirement {
        package: "libxmlsec1-dev",
        check: Check::Package,
        why: "samael's `xmlsec` feature verifies SAML signatures with it",
    },
    Requirement {
        package: "libxml2-dev",
        check: Check::Package,
        why: "samael parses XML with libxml2",
    },
    Requirement {
        package: "libssl-dev",
        check: Check::Package,
        why: "xmlsec's OpenSSL backend",
    },
    Requirement {
        package: "xmlsec1",
        check: Check::Program("xmlsec1"),
        why: "the SAML tests sign Responses with it, and pysaml2 signs through it",
    },
    Requirement {
        package: "libxml2-utils",
        check: Check::Program("xmllint"),
        why: "the SAML tests validate metadata with `xmllint --schema`",
    },
    Requirement {
        package: "openssl",
        check: Check::Program("openssl"),
        why: "the SAML tests generate throwaway keys and certificates",
    },
];

/// Set to `1` to never install: a missing package stops the command with the install line.
pub(crate) const NO_INSTALL_VAR: &str = "XTASK_NO_INSTALL";

/// What the machine has.
pub(crate) trait Probe {
    /// Whether `program` is on `PATH`.
    fn has_program(&self, program: &str) -> bool;
    /// Which of `packages` are installed, or `None` when this is not a Debian system.
    fn installed_packages(&self, packages: &[&str]) -> Option<BTreeSet<String>>;
    /// Whether `python3 -m venv` can create a virtualenv with pip.
    fn has_python_venv(&self) -> bool;
}

/// Who can run `apt-get install`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Privilege {
    /// This process runs as root.
    Root,
    /// `sudo` is available (it may ask for a password).
    Sudo,
    /// Neither, or installing was turned off with [`NO_INSTALL_VAR`].
    None,
}

/// The missing requirements. On a system without `dpkg-query` the libraries cannot be
/// checked and are assumed present (their programs are still checked).
pub(crate) fn missing(probe: &dyn Probe) -> Vec<&'static Requirement> {
    let libraries: Vec<&str> = REQUIRED
        .iter()
        .filter(|r| r.check == Check::Package)
        .map(|r| r.package)
        .collect();
    let installed = probe.installed_packages(&libraries);
    REQUIRED
        .iter()
        .filter(|r| match r.check {
            Check::Program(program) => !probe.has_program(program),
            Check::Package => installed
                .as_ref()
                .is_some_and(|set| !set.contains(r.package)),
            Check::PythonVenv => !probe.has_python_venv(),
        })
        .collect()
}

/// The command line that installs `packages`, for a person to run.
pub(crate) fn install_line(packages: &[&str]) -> String {
    format!(
        "sudo apt-get update && sudo apt-get install -y --no-install-recommends {}",
        packages.join(" ")
    )
}

/// The commands that install `packages` with `privilege` (`apt-get update` once, then one
/// `apt-get install`), or the message that stops the run when nobody can.
pub(crate) fn install_commands(
    packages: &[&str],
    privilege: Privilege,
) -> Result<Vec<Vec<String>>, String> {
    let prefix: Vec<String> = match privilege {
        Privilege::Root => vec!["apt-get".into()],
        Privilege::Sudo => vec![
            "sudo".into(),
            "DEBIAN_FRONTEND=noninteractive".into(),
            "apt-get".into(),
        ],
        Privilege::None => {
            return Err(format!(
                "missing system packages: {}; install them (as root or with sudo) with:\n    {}",
                packages.join(", "),
                install_line(packages)
            ));
        }
    };
    let command = |args: &[&str]| -> Vec<String> {
        prefix
            .iter()
            .cloned()
            .chain(args.iter().map(|a| (*a).to_owned()))
            .collect()
    };
    let mut install = vec!["install", "-y", "--no-install-recommends"];
    install.extend_from_slice(packages);
    Ok(vec![command(&["update"]), command(&install)])
}

/// Checks the machine and installs what is missing. `check_only` never installs.
pub(crate) fn ensure(check_only: bool) -> Result<(), String> {
    let missing = missing(&Machine);
    if missing.is_empty() {
        println!(
            "system: the {} required packages are present",
            REQUIRED.len()
        );
        return Ok(());
    }
    for requirement in &missing {
        println!(
            "system: missing {} ({})",
            requirement.package, requirement.why
        );
    }
    let packages: Vec<&str> = missing.iter().map(|r| r.package).collect();
    if !Machine.has_program("apt-get") {
        return Err(format!(
            "missing programs from the Debian packages {}; this is not a Debian system, so \
             install their equivalents with its package manager",
            packages.join(", ")
        ));
    }
    let privilege = if check_only {
        Privilege::None
    } else {
        privilege()
    };
    for command in install_commands(&packages, privilege)? {
        println!("system: {}", command.join(" "));
        let mut process = Command::new(&command[0]);
        process
            .args(&command[1..])
            .env("DEBIAN_FRONTEND", "noninteractive");
        let status = process
            .status()
            .map_err(|e| format!("cannot run {}: {e}", command[0]))?;
        if !status.success() {
            return Err(format!(
                "`{}` failed ({status}); install the packages yourself with:\n    {}",
                command.join(" "),
                install_line(&packages)
            ));
        }
    }
    let still = missing_names(&Machine);
    if !still.is_empty() {
        return Err(format!(
            "still missing after apt-get install: {}",
            still.join(", ")
        ));
    }
    Ok(())
}

/// The packages [`missing`] names.
fn missing_names(probe: &dyn Probe) -> Vec<&'static str> {
    missing(probe).iter().map(|r| r.package).collect()
}

/// Root, sudo or neither (or neither when [`NO_INSTALL_VAR`] is `1`).
fn privilege() -> Privilege {
    if std::env::var(NO_INSTALL_VAR).is_ok_and(|v| v == "1") {
        return Privilege::None;
    }
    let uid = Command::new("id")
        .arg("-u")
        .stderr(Stdio::null())
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    if uid.as_deref() == Some("0") {
        Privilege::Root
    } else if Machine.has_program("sudo") {
        Privilege::Sudo
    } else {
        Privilege::None
    }
}

/// The machine this runs on.
pub(crate) struct Machine;

impl Probe for Machine {
    fn has_program(&self, program: &str) -> bool {
        std::env::var_os("PATH").is_some_and(|paths| {
            std::env::split_paths(&paths).any(|dir| is_executable(&dir.join(program)))
        })
    }

    fn installed_packages(&self, packages: &[&str]) -> Option<BTreeSet<String>> {
        // Exits 1 when a name is unknown to dpkg, still listing the others.
        let output = Command::new("dpkg-query")
            .args(["-W", "-f", "${Package} ${Status}\\n"])
            .args(packages)
            .stderr(Stdio::null())
            .output()
            .ok()?;
        Some(parse_dpkg_query(&String::from_utf8_lossy(&output.stdout)))
    }

    fn has_python_venv(&self) -> bool {
        Command::new("python3")
            .args(["-c", "import venv, ensurepip"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }
}

/// The installed packages in `dpkg-query -W -f '${Package} ${Status}\n'` output.
fn parse_dpkg_query(output: &str) -> BTreeSet<String> {
    output
        .lines()
        .filter_map(|line| line.split_once(' '))
        .filter(|(_, status)| status.trim() == "install ok installed")
        .map(|(package, _)| package.to_owned())
        .collect()
}

/// Whether `path` is a file someone may execute.
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A machine with exactly the given programs and packages.
    struct Fake {
        programs: &'static [&'static str],
        packages: Option<&'static [&'static str]>,
        venv: bool,
    }

    impl Probe for Fake {
        fn has_program(&self, program: &str) -> bool {
            self.programs.contains(&program)
        }
        fn installed_packages(&self, packages: &[&str]) -> Option<BTreeSet<String>> {
            self.packages.map(|have| {
                packages
                    .iter()
                    .filter(|p| have.contains(p))
                    .map(|p| (*p).to_owned())
                    .collect()
            })
        }
        fn has_python_venv(&self) -> bool {
            self.venv
        }
    }

    const ALL_PROGRAMS: &[&str] = &[
        "cc",
        "python3",
        "pkg-config",
        "xmlsec1",
        "xmllint",
        "openssl",
    ];
    const ALL_PACKAGES: &[&str] = &[
        "libc6-dev",
        "libclang-dev",
        "libxmlsec1-dev",
        "libxml2-dev",
        "libssl-dev",
    ];

    #[test]
    fn a_complete_machine_needs_nothing() {
        let fake = Fake {
            programs: ALL_PROGRAMS,
            packages: Some(ALL_PACKAGES),
            venv: true,
        };
        assert!(missing_names(&fake).is_empty());
    }

    #[test]
    fn a_fresh_debian_with_rust_and_python_misses_the_saml_stack() {
        let fake = Fake {
            programs: &["cc", "python3"],
            packages: Some(&["libc6-dev"]),
            venv: false,
        };
        assert_eq!(
            missing_names(&fake),
            [
                "python3-venv",
                "pkg-config",
                "libclang-dev",
                "libxmlsec1-dev",
                "libxml2-dev",
                "libssl-dev",
                "xmlsec1",
                "libxml2-utils",
                "openssl"
            ]
        );
    }

    #[test]
    fn without_dpkg_only_programs_are_checked() {
        let fake = Fake {
            programs: &["cc", "python3", "pkg-config", "xmlsec1", "openssl"],
            packages: None,
            venv: true,
        };
        assert_eq!(missing_names(&fake), ["libxml2-utils"]);
    }

    #[test]
    fn root_and_sudo_update_once_then_install_exactly_the_missing_packages() {
        let packages = ["xmlsec1", "libxml2-utils"];
        assert_eq!(
            install_commands(&packages, Privilege::Root).unwrap(),
            [
                vec!["apt-get", "update"],
                vec![
                    "apt-get",
                    "install",
                    "-y",
                    "--no-install-recommends",
                    "xmlsec1",
                    "libxml2-utils"
                ]
            ]
        );
        let sudo = install_commands(&packages, Privilege::Sudo).unwrap();
        assert_eq!(sudo.len(), 2);
        assert_eq!(
            sudo[0],
            [
                "sudo",
                "DEBIAN_FRONTEND=noninteractive",
                "apt-get",
                "update"
            ]
        );
        assert_eq!(
            sudo[1][..3],
            ["sudo", "DEBIAN_FRONTEND=noninteractive", "apt-get"]
        );
        assert_eq!(sudo[1][6..], ["xmlsec1", "libxml2-utils"]);
    }

    #[test]
    fn without_root_or_sudo_the_run_stops_with_the_install_line() {
        let error = install_commands(&["libclang-dev", "openssl"], Privilege::None).unwrap_err();
        assert_eq!(
            error,
            "missing system packages: libclang-dev, openssl; install them (as root or with \
             sudo) with:\n    sudo apt-get update && sudo apt-get install -y \
             --no-install-recommends libclang-dev openssl"
        );
    }

    #[test]
    fn dpkg_query_output_counts_installed_packages_only() {
        let output = "libssl-dev install ok installed\n\
                      libxml2-dev deinstall ok config-files\n\
                      libclang-dev unknown ok not-installed\n";
        let installed = parse_dpkg_query(output);
        assert_eq!(installed.into_iter().collect::<Vec<_>>(), ["libssl-dev"]);
    }

    #[test]
    fn this_machine_is_probed_for_real() {
        // `sh` is on every PATH the tests run with; a made-up program is not.
        assert!(Machine.has_program("sh"));
        assert!(!Machine.has_program("xtask-no-such-program"));
        if let Some(installed) = Machine.installed_packages(&["dpkg", "xtask-no-such-package"]) {
            assert_eq!(installed.into_iter().collect::<Vec<_>>(), ["dpkg"]);
        }
    }
}
