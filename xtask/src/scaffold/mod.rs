//! `cargo xtask gen new <app> [--scim | --rest | --from-service-provider-config <path>]`:
//! scaffolds `connectors/<app>/` (a commented spec with placeholders, `Cargo.toml`,
//! `src/lib.rs`, a placeholder `README.md`, `tests/sandbox.rs`), adds the crate to the
//! root `Cargo.toml` and regenerates the CLI's connector list.
//!
//! Everything is checked and rendered before the first file is written, so a refused name
//! or a bad discovery document leaves the workspace untouched.

mod cargo_edit;
mod crate_files;
mod names;
mod spc_import;
mod spec_template;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::connector_list;
use crate::readmes::{ConnectorCrate, connector_crates};
use names::Names;
use spec_template::Protocol;

/// The command line of `gen new`.
pub(crate) const USAGE: &str = "usage: cargo xtask gen new <app> [--scim | --rest | \
                         --from-service-provider-config <file or directory>]";

/// What `gen new` was asked for.
#[derive(Debug, PartialEq, Eq)]
struct Options {
    app: String,
    protocol: Protocol,
    service_provider_config: Option<PathBuf>,
}

/// Runs `gen new` with `args` (what follows `new`).
pub(crate) fn run(root: &Path, args: &[String]) -> Result<i32, String> {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return Ok(0);
    }
    let options = parse(args)?;
    let names = Names::new(&options.app)?;
    let root_manifest = connector_list::read(root, "Cargo.toml")?;
    refuse_existing(root, &names, &root_manifest)?;
    let prefill = options
        .service_provider_config
        .as_deref()
        .map(spc_import::load)
        .transpose()?;

    // Render everything first: nothing is written unless all of it is right.
    let files = [
        (
            "connector.toml",
            spec_template::render(&names, options.protocol, prefill.as_ref()),
        ),
        (
            "Cargo.toml",
            crate_files::cargo_toml(&names, options.protocol),
        ),
        ("src/lib.rs", crate_files::lib_rs()),
        ("README.md", crate_files::readme(&names)),
        (
            "tests/sandbox.rs",
            crate_files::sandbox_test(&names, options.protocol),
        ),
    ];
    let root_manifest = cargo_edit::add_connector(&root_manifest, &names.app, &names.package)?;
    let mut crates = connector_crates(root)?;
    crates.push(ConnectorCrate {
        dir: names.dir(),
        package: names.package.clone(),
    });
    crates.sort_by(|a, b| a.dir.cmp(&b.dir));
    let lists = connector_list::render_all(root, &crates)?;

    let dir = names.dir();
    for (file, text) in &files {
        write(root, &format!("{dir}/{file}"), text)?;
    }
    write(root, "Cargo.toml", &root_manifest)?;
    for (relative, text) in &lists {
        write(root, relative, text)?;
    }
    format_rust(root, &[&format!("{dir}/tests/sandbox.rs")]);

    println!(
        "gen new: created {dir}/ (connector.toml, Cargo.toml, src/lib.rs, README.md, tests/sandbox.rs)"
    );
    println!(
        "gen new: added {} to Cargo.toml (members, [workspace.dependencies]), {}",
        names.package,
        list_of(lists.iter().map(|(relative, _)| *relative))
    );
    println!(
        "next: replace every TODO in {dir}/connector.toml (`cargo test -p {}` shows each at its \
         line), then run `cargo xtask gen`; docs/adding-a-connector.md walks through it",
        names.package
    );
    Ok(0)
}

/// `a, b and c`.
fn list_of<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let items: Vec<&str> = items.collect();
    match items.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => items.concat(),
    }
}

/// Reads the arguments after `new`.
fn parse(args: &[String]) -> Result<Options, String> {
    let mut app = None;
    let mut kinds: Vec<&str> = Vec::new();
    let mut service_provider_config = None;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--scim" | "--rest" => kinds.push(arg),
            "--from-service-provider-config" => {
                let path = iter.next().ok_or_else(|| {
                    format!("`--from-service-provider-config` needs a file or directory; {USAGE}")
                })?;
                service_provider_config = Some(PathBuf::from(path));
                kinds.push("--from-service-provider-config");
            }
            other if other.starts_with("--from-service-provider-config=") => {
                let path = &other["--from-service-provider-config=".len()..];
                service_provider_config = Some(PathBuf::from(path));
                kinds.push("--from-service-provider-config");
            }
            other if other.starts_with('-') => {
                return Err(format!("`gen new` does not know `{other}`; {USAGE}"));
            }
            other => {
                if let Some(first) = &app {
                    return Err(format!(
                        "`gen new` takes one app name (got `{first}` and `{other}`); {USAGE}"
                    ));
                }
                app = Some(other.to_owned());
            }
        }
    }
    let app = app.ok_or_else(|| format!("`gen new` needs the app name; {USAGE}"))?;
    let protocol = match kinds.as_slice() {
        [] | ["--scim"] | ["--from-service-provider-config"] => Protocol::Scim,
        ["--scim", "--from-service-provider-config"]
        | ["--from-service-provider-config", "--scim"] => Protocol::Scim,
        ["--rest"] => Protocol::Rest,
        _ => {
            return Err(format!(
                "choose one of --scim, --rest and --from-service-provider-config (a SCIM \
                 server's documents; got {}); {USAGE}",
                kinds.join(" ")
            ));
        }
    };
    Ok(Options {
        app,
        protocol,
        service_provider_config,
    })
}

/// Fails when the directory, the package or the spec's machine name is taken.
fn refuse_existing(root: &Path, names: &Names, root_manifest: &str) -> Result<(), String> {
    let dir = names.dir();
    if root.join(&dir).exists() {
        return Err(format!(
            "{dir} already exists: pick another name, or remove it to start over"
        ));
    }
    for member in cargo_edit::members(root_manifest)? {
        let manifest = root.join(&member).join("Cargo.toml");
        let Ok(text) = fs::read_to_string(&manifest) else {
            continue;
        };
        if table_value(&text, "[package]", "name").as_deref() == Some(names.package.as_str()) {
            return Err(format!(
                "the package `{}` already exists ({member}/Cargo.toml): pick another name",
                names.package
            ));
        }
    }
    for krate in connector_crates(root)? {
        let spec = root.join(&krate.dir).join("connector.toml");
        let Ok(text) = fs::read_to_string(&spec) else {
            continue;
        };
        if table_value(&text, "[connector]", "name").as_deref() == Some(names.machine.as_str()) {
            return Err(format!(
                "{}/connector.toml already uses the connector name `{}`: pick another name",
                krate.dir, names.machine
            ));
        }
    }
    Ok(())
}

/// The quoted value of `key` in `table` (a line scan, enough for the files `gen new`
/// writes and the workspace's own manifests).
fn table_value(text: &str, table: &str, key: &str) -> Option<String> {
    let mut inside = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            inside = line == table;
        } else if inside
            && let Some(rest) = line.strip_prefix(key)
            && let Some(value) = rest.trim_start().strip_prefix('=')
        {
            return Some(value.trim().trim_matches('"').to_owned());
        }
    }
    None
}

/// Writes `text` to `root/relative`, creating its folder.
fn write(root: &Path, relative: &str, text: &str) -> Result<(), String> {
    let path = root.join(relative);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    fs::write(&path, text).map_err(|e| format!("cannot write {relative}: {e}"))
}

/// Formats generated Rust files with rustfmt when it is installed (an app name long enough
/// to push a line past the width would otherwise fail `cargo fmt --check`).
fn format_rust(root: &Path, files: &[&str]) {
    let status = Command::new("rustfmt")
        .args(["--edition", "2024"])
        .args(files)
        .current_dir(root)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !status.is_ok_and(|s| s.success()) {
        println!("gen new: rustfmt did not run; run `cargo fmt` before committing");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connector_list::{CLI_MANIFEST, LIST_PATH, SAML_LIST_PATH, SAML_MANIFEST};

    #[test]
    fn written_files_are_listed_as_a_sentence() {
        assert_eq!(list_of(["a", "b", "c"].into_iter()), "a, b and c");
        assert_eq!(list_of(["a"].into_iter()), "a");
        assert_eq!(list_of([].into_iter()), "");
    }

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn options_are_parsed() {
        assert_eq!(
            parse(&args(&["acme"])).unwrap(),
            Options {
                app: "acme".to_owned(),
                protocol: Protocol::Scim,
                service_provider_config: None,
            }
        );
        assert_eq!(
            parse(&args(&["--rest", "acme"])).unwrap().protocol,
            Protocol::Rest
        );
        let options = parse(&args(&[
            "acme",
            "--from-service-provider-config",
            "spc.json",
        ]))
        .unwrap();
        assert_eq!(
            options.service_provider_config,
            Some(PathBuf::from("spc.json"))
        );
        let options = parse(&args(&[
            "acme",
            "--scim",
            "--from-service-provider-config=d",
        ]))
        .unwrap();
        assert_eq!(options.service_provider_config, Some(PathBuf::from("d")));
    }

    #[test]
    fn bad_options_are_one_line_errors_with_the_usage() {
        for (given, expected) in [
            (&[][..], "needs the app name"),
            (&["acme", "zoom"][..], "takes one app name"),
            (&["acme", "--soap"][..], "does not know `--soap`"),
            (&["acme", "--rest", "--scim"][..], "choose one of"),
            (
                &["acme", "--rest", "--from-service-provider-config", "x"][..],
                "choose one of",
            ),
            (
                &["acme", "--from-service-provider-config"][..],
                "needs a file or directory",
            ),
        ] {
            let error = parse(&args(given)).unwrap_err();
            assert!(error.contains(expected), "{given:?}: {error}");
            assert!(error.ends_with(USAGE) && !error.contains('\n'), "{error}");
        }
    }

    /// A workspace with the real root and CLI manifests and the `zoom` connector.
    fn workspace() -> tempfile::TempDir {
        let real = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .unwrap()
            .to_path_buf();
        let copy = tempfile::tempdir().unwrap();
        for file in [
            "Cargo.toml",
            "cli/Cargo.toml",
            "saml-sp/Cargo.toml",
            "connectors/zoom/Cargo.toml",
            "connectors/zoom/connector.toml",
        ] {
            let to = copy.path().join(file);
            fs::create_dir_all(to.parent().unwrap()).unwrap();
            fs::copy(real.join(file), to).unwrap();
        }
        copy
    }

    #[test]
    fn a_new_connector_is_scaffolded_and_wired() {
        let ws = workspace();
        let root = ws.path();
        assert_eq!(run(root, &args(&["acme-ai"])).unwrap(), 0);
        for file in [
            "connector.toml",
            "Cargo.toml",
            "src/lib.rs",
            "README.md",
            "tests/sandbox.rs",
        ] {
            assert!(
                root.join("connectors/acme-ai").join(file).is_file(),
                "{file}"
            );
        }
        let manifest = fs::read_to_string(root.join("Cargo.toml")).unwrap();
        assert!(manifest.contains("    \"connectors/acme-ai\",\n"));
        assert!(manifest.contains(
            "connector-acme-ai = { path = \"connectors/acme-ai\", version = \"0.1.0\" }"
        ));
        let cli = fs::read_to_string(root.join(CLI_MANIFEST)).unwrap();
        assert!(
            cli.contains("connector-acme-ai.workspace = true\nconnector-zoom.workspace = true\n")
        );
        let list = fs::read_to_string(root.join(LIST_PATH)).unwrap();
        assert!(list.contains("&connector_acme_ai::MANIFEST,\n        &connector_zoom::MANIFEST,"));
        let saml = fs::read_to_string(root.join(SAML_MANIFEST)).unwrap();
        assert!(
            saml.contains("connector-acme-ai.workspace = true\nconnector-zoom.workspace = true\n")
        );
        let saml_list = fs::read_to_string(root.join(SAML_LIST_PATH)).unwrap();
        assert!(
            saml_list.contains("&connector_acme_ai::MANIFEST,\n        &connector_zoom::MANIFEST,")
        );
        // The lists are what `cargo xtask gen` would write.
        connector_list::run(root, true).unwrap();

        let error = run(root, &args(&["acme-ai"])).unwrap_err();
        assert_eq!(
            error,
            "connectors/acme-ai already exists: pick another name, or remove it to start over"
        );
    }

    #[test]
    fn taken_names_leave_the_workspace_untouched() {
        let ws = workspace();
        let root = ws.path();
        let before = fs::read_to_string(root.join("Cargo.toml")).unwrap();
        let error = run(root, &args(&["cli"])).unwrap_err();
        assert!(error.contains("reserved"), "{error}");
        let error = run(root, &args(&["Zoom"])).unwrap_err();
        assert!(error.contains("not a valid app name"), "{error}");
        // A directory renamed away from its spec's machine name still holds the name.
        fs::rename(
            root.join("connectors/zoom"),
            root.join("connectors/zoom-old"),
        )
        .unwrap();
        let error = run(root, &args(&["zoom"])).unwrap_err();
        assert!(error.contains("already"), "{error}");
        let error = run(
            root,
            &args(&["acme", "--from-service-provider-config", "nope.json"]),
        )
        .unwrap_err();
        assert!(error.starts_with("nope.json does not exist"), "{error}");
        assert_eq!(fs::read_to_string(root.join("Cargo.toml")).unwrap(), before);
        assert!(!root.join("connectors/acme").exists());
    }
}
