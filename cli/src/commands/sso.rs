//! `connector sso`: sign-in artifacts from a connector's spec, and checks of an IdP's
//! SAML metadata.
//!
//! ```text
//! connector sso <app> [--format okta|metadata|json] [--var NAME=VALUE ...]
//! connector sso check <app> --idp-metadata <file.xml> [--format text|json]
//! ```
//!
//! Exit codes: 0 done (for `check`: every check passed, warnings allowed); 1 `check` found a
//! failing check; 2 the command could not run: unknown connector, unknown or missing
//! inputs, an unreadable file, a file that is not SAML IdP metadata (XML syntax errors name
//! the line), or a usage error.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::SystemTime;

use clap::{Args, Subcommand, ValueEnum};
use connector_sdk::Manifest;
use connector_sdk::display::{escape, escape_lines};
use connector_sdk::manifest::SsoProtocol;
use connector_sso::{self as sso, SsoInputs};

use crate::connectors;

/// Exit code: done, or every check passed.
const EXIT_OK: u8 = 0;
/// Exit code: `check` found at least one failing check.
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
(all listed). `sso check`: 0 every check passed, 1 a check failed, 2 the file cannot be read or \
is not SAML IdP metadata."
)]
pub struct SsoArgs {
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
    /// Check an IdP's SAML metadata against what the service needs.
    /// Exit 0: every check passed (warnings allowed), 1: a check failed, 2: the file cannot be read or is not IdP metadata.
    Check(CheckArgs),
}

/// Options of `connector sso check`.
#[derive(Debug, Args)]
struct CheckArgs {
    /// The connector (`connector list` shows them).
    app: String,
    /// The IdP's SAML metadata file (Okta: the app's "Identity Provider metadata").
    #[arg(long, value_name = "FILE")]
    idp_metadata: PathBuf,
    /// `text` (one line per check) or `json`.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    format: CheckFormat,
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

/// The output formats of `connector sso check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum CheckFormat {
    /// One line per check, then a summary.
    Text,
    /// The report as JSON.
    Json,
}

/// Runs `connector sso`.
pub fn run(args: &SsoArgs) -> ExitCode {
    let code = match &args.command {
        Some(SsoCommand::Check(check)) => run_check(check),
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

fn run_check(args: &CheckArgs) -> u8 {
    let manifest = match find(&args.app) {
        Ok(manifest) => manifest,
        Err(message) => return fail(message),
    };
    if !manifest.sso.protocols.contains(&SsoProtocol::Saml2) {
        return fail(format!(
            "{} does not sign in with SAML 2.0, so SAML IdP metadata does not apply",
            manifest.display_name
        ));
    }
    let path = args.idp_metadata.as_path();
    let text = match read(path) {
        Ok(text) => text,
        Err(message) => return fail(message),
    };
    let metadata = match sso::parse_idp_metadata(&text) {
        Ok(metadata) => metadata,
        Err(error) => {
            return fail(match error.line() {
                Some(line) => format!("{}:{line}: {error}", path.display()),
                None => format!("{}: {error}", path.display()),
            });
        }
    };
    let report = sso::check_idp_metadata(manifest, &metadata, SystemTime::now());
    match args.format {
        CheckFormat::Text => {
            println!(
                "IdP metadata {} checked for {}:",
                escape(&path.display().to_string()),
                manifest.display_name
            );
            // The checks quote values from the metadata file.
            print!("{}", escape_lines(&report.to_text()));
        }
        CheckFormat::Json => match serde_json::to_string_pretty(&report) {
            Ok(json) => println!("{json}"),
            Err(error) => return fail(error),
        },
    }
    if report.passed() {
        EXIT_OK
    } else {
        EXIT_CHECK_FAILED
    }
}

/// Reads `path` as UTF-8 text, naming the file in every error.
fn read(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let text = String::from_utf8(bytes)
        .map_err(|e| format!("{}: not UTF-8 text ({e})", path.display()))?;
    // A UTF-8 byte-order mark is legal before the XML declaration.
    Ok(text.strip_prefix('\u{feff}').unwrap_or(&text).to_owned())
}
