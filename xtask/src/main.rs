//! Project automation, run as `cargo xtask <command>` (the alias lives in `.cargo/config.toml`).
//!
//! Commands:
//! - `system [--check]`: check the Debian packages the build and tests need, and install
//!   the missing ones (apt-get, as root or through sudo);
//! - `peers`: create `.venv-peers` and install the pinned third-party test peers;
//! - `test [args]`: `system`, `peers`, then `cargo test --workspace --features
//!   connector-toolkit/saml-verify [args]` with the peers' paths in the environment (this
//!   is the project's test command);
//! - `schema [--check]`: write (or check) `schemas/connector.schema.json`;
//! - `gen [--check]` / `check`: regenerate (or check) every file derived from the specs;
//! - `gen new <app> [--scim | --rest | --from-service-provider-config <path>]`: scaffold a
//!   connector crate and wire it into the workspace and the CLI;
//! - `publish [--dry-run]`: the crates in publishing order, then publish them (or, with
//!   `--dry-run`, package and build each from its package);
//! - `mutate [<app>] [--list] [--only <fact>]`: change each vendor fact of a spec to a
//!   wrong value, one at a time in a scratch copy, and report the ones no test catches.
//!
//! Besides `connector-codegen` (for `schema` and `gen`) and `serde_json` (to read
//! `cargo metadata`), the crate uses the standard library only.

mod cards;
mod cargo_env;
mod connector_list;
mod generated;
mod mutate;
mod peers;
mod publish;
mod readmes;
mod scaffold;
mod schema;
mod system;
mod test;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// What `cargo xtask --help` prints.
const HELP: &str = "\
Project automation for the connector toolkit.

Usage: cargo xtask <COMMAND> [ARGS...]

Commands:
  system [--check]
                Check the Debian packages the build and the tests need (C
                compiler, Python venv, libclang, pkg-config, libxmlsec1,
                libxml2, OpenSSL headers, xmlsec1, xmllint, openssl) and
                install the missing ones with apt-get, as root or through
                sudo. Without either (or with --check, or XTASK_NO_INSTALL=1)
                stop, printing the command that installs exactly those
  peers         Create the Python virtualenv .venv-peers and install the pinned
                test peers (scim2-server, scim2-tester, scim2-cli); skipped
                when they are already installed
  test [ARGS]   Run `system` and `peers`, then `cargo test --workspace --features
                connector-toolkit/saml-verify [ARGS]` with SCIM2_SERVER_BIN and
                SCIM2_CLI_BIN set; exits with cargo's code (`--workspace` and the
                features are left out when ARGS select packages with -p)
  schema [--check]
                Write schemas/connector.schema.json (the spec format's JSON
                Schema) from connector-codegen; --check fails if it is stale
  gen [--check] Regenerate every file derived from the specs (the spec schema,
                connector READMEs and cards.json, the CLI's connector list,
                docs/SUPPORT.md);
                --check fails naming any stale file
  gen new <APP> [--scim | --rest | --from-service-provider-config <PATH>]
                Scaffold connectors/<APP>/ (a commented connector.toml whose
                TODO placeholders fail the build until filled in, Cargo.toml,
                src/lib.rs, README.md, tests/sandbox.rs) and add it to the
                workspace and the CLI. --rest: a vendor REST API instead of
                SCIM 2.0. --from-service-provider-config: prefill from a SCIM
                server's discovery documents, either a directory holding
                ServiceProviderConfig.json (and optionally Schemas.json,
                ResourceTypes.json) or a JSON file with those three keys (or
                the ServiceProviderConfig alone). See docs/adding-a-connector.md
  check         Same as `gen --check`
  publish [--dry-run]
                Print the order in which the crates are published (each after
                the crates it needs), then `cargo publish` each; with --dry-run,
                `cargo package --workspace` instead (builds each crate from its
                package, uploads nothing)
  mutate [<APP>] [--list] [--only <FACT>]
                Change each vendor fact of connectors/<APP>/connector.toml (each
                connector's without APP) to a plausible wrong value, one at a
                time in a scratch copy of the workspace under the target dir,
                run the connector's tests and the sandbox's tests that name it,
                and print per connector: fact, mutation, killed by which test
                (or by the spec checker) or SURVIVED, and the kill rate. Exits
                1 if a mutation survived. --list prints the mutations only;
                --only runs one fact (a dotted key from --list). See
                docs/mutation.md
  help          Print this help (also -h, --help)
";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(command) = args.next() else {
        print!("{HELP}");
        return ExitCode::SUCCESS;
    };
    let rest: Vec<String> = args.collect();
    let result = match command.as_str() {
        "help" | "-h" | "--help" => {
            print!("{HELP}");
            Ok(0)
        }
        "peers" => no_args("peers", &rest)
            .and_then(|()| peers::install(&workspace_root()))
            .map(|_| 0),
        "system" => match rest.as_slice() {
            [] => system::ensure(false).map(|()| 0),
            [flag] if flag == "--check" => system::ensure(true).map(|()| 0),
            [other, ..] => Err(format!("`system` takes only `--check` (got `{other}`)")),
        },
        "test" => test::run(&workspace_root(), &rest),
        "schema" => schema::run(&workspace_root(), &rest),
        "gen" if rest.first().is_some_and(|a| a == "new") => {
            scaffold::run(&workspace_root(), &rest[1..])
        }
        "gen" => generated::run(&workspace_root(), &rest, false),
        "publish" => publish::run(&workspace_root(), &rest),
        "mutate" => mutate::run(&workspace_root(), &rest),
        "check" => {
            no_args("check", &rest).and_then(|()| generated::run(&workspace_root(), &[], true))
        }
        other => {
            eprintln!("xtask: error: unknown command `{other}`\n\n{HELP}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        Err(message) => {
            eprintln!("xtask: error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Fails when a command that takes no arguments got some.
fn no_args(command: &str, rest: &[String]) -> Result<(), String> {
    match rest.first() {
        None => Ok(()),
        Some(arg) => Err(format!("`{command}` takes no arguments (got `{arg}`)")),
    }
}

/// The workspace root: the parent of this crate's directory.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in a workspace directory")
        .to_path_buf()
}
