//! `connector sso`: sign-in artifacts from a connector's spec, checks of SAML metadata,
//! and verification of SAML Responses.
//!
//! ```text
//! connector sso <app> [--format okta|metadata|json] [--var NAME=VALUE ...]
//! connector sso check [<app> | --app <app> | --instance <name> -c FILE]
//!                     [--idp-metadata <idp.xml>] [--sp <sp.xml>] [--var ...] [--format text|json]
//! connector sso verify <response>... (--app <app> | --instance <name> -c FILE)
//!                     --metadata <idp.xml> [--in-response-to ID] [--var ...] [--format text|json]
//! connector sso plan|apply -c FILE [--instance NAME]... [--var [INSTANCE.]NAME=VALUE]
//!                     [--allow-removals] [--format text|json]
//! ```
//!
//! `plan` and `apply` (module `apply`) manage each instance's Okta apps; their exit codes
//! follow `connector plan` / `apply` (see that module).
//!
//! Exit codes: 0 done (for `check`: every check passed, warnings allowed; for `verify`:
//! every Response is valid); 1 `check` found a failing check, or `verify` rejected a
//! Response; 2 the command could not run: unknown connector or instance, unknown or
//! missing inputs, an unreadable file, a file that is not SAML metadata (XML syntax errors
//! name the line), a build without `verify` (feature `saml-verify`), or a usage error.

mod apply;
mod check;
mod target;
#[cfg(feature = "saml-verify")]
mod verify;
mod verify_unavailable;
#[cfg(not(feature = "saml-verify"))]
use verify_unavailable as verify;
#[cfg(all(not(feature = "saml-verify"), feature = "sandbox"))]
pub(crate) use verify_unavailable::needs_saml_verify;

use std::path::Path;
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use connector_sdk::Manifest;
use connector_sdk::display::escape_lines;
use connector_sdk::manifest::SsoProtocol;
use connector_sso::{self as sso, SsoInputs};

use crate::connectors;

/// Exit code: done, or every check passed.
const EXIT_OK: u8 = 0;
/// Exit code: `check` found at least one failing check, or `verify` rejected a Response.
const EXIT_CHECK_FAILED: u8 = 1;
/// Exit code: the command could not run (bad input, unreadable file).
const EXIT_INPUT: u8 = 2;

/// Options of `connector sso`.
#[derive(Debug, Args)]
#[command(
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    after_help = "Inputs: each --var sets a tenant variable of the connector (`connector list --json` \
shows them) or an SP value: acs_url and entity_id for SAML (required when the service issues \
them per connection, as ChatGPT does; otherwise they replace the spec's values), redirect_uri \
for OIDC-only services.\n\nExit codes: 0 printed; 2 unknown connector or unknown/missing inputs \
(all listed). `sso check`: 0 every check passed, 1 a check failed, 2 a file cannot be read or \
is not SAML metadata. `sso verify`: 0 every Response valid, 1 a Response rejected, 2 bad input \
or a build without the `saml-verify` feature."
)]
pub(crate) struct SsoArgs {
    #[command(subcommand)]
    command: Option<SsoCommand>,
    /// The connector (`connector list` shows them).
    #[arg(required = true)]
    app: Option<String>,
    /// What to print: `okta` (Okta Apps API request bodies, a JSON array; notes on stderr),
    /// `metadata` (SAML SP metadata XML; notes on stderr) or `json` (everything).
    #[arg(long, value_enum, default_value_t = Format::Okta)]
    format: Format,
    /// A tenant variable or SP value, as NAME=VALUE (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    vars: Vec<String>,
}

/// The subcommands of `connector sso`.
#[derive(Debug, Subcommand)]
enum SsoCommand {
    /// Check an IdP's SAML metadata (--idp-metadata) and/or the service's SP metadata (--sp) against what the service needs.
    /// Exit 0: every check passed (warnings allowed), 1: a check failed, 2: a file cannot be read or is not SAML metadata.
    Check(check::CheckArgs),
    /// Verify SAML Responses (raw XML or the base64 SAMLResponse form value) as the service's SP would, against the IdP's metadata.
    /// Exit 0: every Response valid, 1: a Response rejected (the reason is printed), 2: bad input, or a build without the `saml-verify` feature.
    Verify(verify::VerifyArgs),
    /// Plan each instance's Okta apps from [idp.okta] (else [directory.okta]): apps to create or update, groups to assign or unassign.
    /// Exit 0: nothing to change, 2: changes pending, 3: group removals over max_removals, 1: an error.
    Plan(apply::AppsArgs),
    /// Create or update each instance's Okta apps and their group assignments, then fetch and check each SAML app's IdP metadata.
    /// Exit 0: done, 3: stopped by the removal breaker (nothing changed), 4: stopped part-way, 1: an error (nothing changed).
    Apply(apply::AppsArgs),
}

/// The output formats of `connector sso <app>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Okta Apps API request bodies (`POST /api/v1/apps`), as a JSON array in creation order.
    Okta,
    /// SAML 2.0 SP metadata (XML).
    Metadata,
    /// Everything as one stable JSON document.
    Json,
}

/// Runs `connector sso`.
pub(crate) fn run(args: &SsoArgs) -> ExitCode {
    let code = match &args.command {
        Some(SsoCommand::Check(args)) => check::run(args),
        Some(SsoCommand::Verify(args)) => verify::run(args),
        Some(SsoCommand::Plan(args)) => return apply::run(args, false),
        Some(SsoCommand::Apply(args)) => return apply::run(args, true),
        None => match &args.app {
            Some(app) => run_generate(app, args.format, &args.vars),
            None => fail("name a connector: connector sso <app>"),
        },
    };
    ExitCode::from(code)
}

/// Prints `message` (escaped for the terminal, line breaks kept) as an error.
fn fail(message: impl std::fmt::Display) -> u8 {
    eprintln!("error: {}", escape_lines(&message.to_string()));
    EXIT_INPUT
}

fn find(app: &str) -> Result<&'static Manifest, String> {
    let manifests = connectors::manifests();
    manifests
        .iter()
        .find(|m| m.name == app)
        .copied()
        .ok_or_else(|| {
            format!(
                "unknown connector `{app}`; known: {}",
                manifests
                    .iter()
                    .map(|m| m.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
}

fn run_generate(app: &str, format: Format, vars: &[String]) -> u8 {
    let manifest = match find(app) {
        Ok(manifest) => manifest,
        Err(message) => return fail(message),
    };
    let mut inputs = SsoInputs::new();
    for assignment in vars {
        if let Err(message) = inputs.set_assignment(assignment) {
            return fail(format!("--var {message}"));
        }
    }
    let artifacts = match sso::generate(manifest, &inputs) {
        Ok(artifacts) => artifacts,
        Err(error) => {
            eprintln!("error: {}", escape_lines(&error.to_string()));
            eprintln!("hint: pass each value as --var NAME=VALUE");
            return EXIT_INPUT;
        }
    };
    match format {
        Format::Json => {
            println!("{}", artifacts.to_json());
            return EXIT_OK;
        }
        Format::Okta => println!("{}", artifacts.okta.to_json()),
        Format::Metadata => match &artifacts.sp_metadata {
            Some(xml) => print!("{xml}"),
            None => {
                return fail(format!(
                    "{} signs in with {} only; there is no SAML SP metadata (use --format okta)",
                    manifest.display_name,
                    match artifacts.service_provider.protocol {
                        SsoProtocol::Oidc => "OIDC",
                        SsoProtocol::Saml2 => "SAML",
                    }
                ));
            }
        },
    }
    for note in &artifacts.notes {
        eprintln!("{}", escape_lines(&note.to_text()));
    }
    EXIT_OK
}

/// Reads `path` as UTF-8 text, naming the file in every error.
fn read(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let text = String::from_utf8(bytes)
        .map_err(|e| format!("{}: not UTF-8 text ({e})", path.display()))?;
    // A UTF-8 byte-order mark is legal before the XML declaration.
    Ok(text.strip_prefix('\u{feff}').unwrap_or(&text).to_owned())
}
