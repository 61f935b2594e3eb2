//! `connector sso check`: an IdP's SAML metadata against what the service needs
//! (`--idp-metadata`), and an SP metadata file against the service's SP facts (`--sp`),
//! either or both. The checks are `connector_sso`'s; this module reads files and prints.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use clap::{Args, ValueEnum};
use connector_sdk::display::{escape, escape_lines};
use connector_sdk::manifest::SsoProtocol;
use connector_sso::{self as sso, CheckReport};

use super::target::{self, TargetArgs};
use super::{EXIT_CHECK_FAILED, EXIT_OK, fail, read};

/// Options of `connector sso check`.
#[derive(Debug, Args)]
pub(super) struct CheckArgs {
    /// The connector (`connector list` shows them); or give --app or --instance.
    #[arg(value_name = "APP", conflicts_with_all = ["app", "instance"])]
    connector: Option<String>,
    #[command(flatten)]
    target: TargetArgs,
    /// The IdP's SAML metadata file (Okta: the app's "Identity Provider metadata").
    #[arg(long, value_name = "FILE", required_unless_present = "sp")]
    idp_metadata: Option<PathBuf>,
    /// An SP metadata file for the service, checked against its SP facts (entity ID, an
    /// HTTP-POST AssertionConsumerService at its ACS URL with an index).
    #[arg(long, value_name = "FILE")]
    sp: Option<PathBuf>,
    /// `text` (one line per check) or `json` (the report; with both files, an object with
    /// `idp_metadata` and `sp_metadata`).
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    format: CheckFormat,
}

/// The output formats of `connector sso check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum CheckFormat {
    /// One line per check, then a summary.
    Text,
    /// The report as JSON.
    Json,
}

/// Runs `connector sso check`: exit 0 every check passed, 1 one failed, 2 could not run.
pub(super) fn run(args: &CheckArgs) -> u8 {
    let target = match target::resolve(args.connector.as_deref(), &args.target) {
        Ok(target) => target,
        Err(message) => return fail(message),
    };
    let manifest = target.manifest;
    if !manifest.sso.protocols.contains(&SsoProtocol::Saml2) {
        return fail(format!(
            "{} does not sign in with SAML 2.0, so SAML metadata does not apply",
            manifest.display_name
        ));
    }
    let mut reports: Vec<(&'static str, CheckReport)> = Vec::new();
    let mut text = String::new();
    if let Some(path) = &args.idp_metadata {
        let report = match idp_report(manifest, path) {
            Ok(report) => report,
            Err(message) => return fail(message),
        };
        text.push_str(&heading("IdP", path, manifest.display_name));
        text.push_str(&report.to_text());
        reports.push(("idp_metadata", report));
    }
    if let Some(path) = &args.sp {
        let report = match sp_report(&target, path) {
            Ok(report) => report,
            Err(message) => return fail(message),
        };
        text.push_str(&heading("SP", path, manifest.display_name));
        text.push_str(&report.to_text());
        reports.push(("sp_metadata", report));
    }
    let passed = reports.iter().all(|(_, report)| report.passed());
    match args.format {
        // The checks quote values from the metadata files.
        CheckFormat::Text => print!("{}", escape_lines(&text)),
        CheckFormat::Json => {
            let json = match reports.as_slice() {
                [(_, report)] => serde_json::to_string_pretty(report),
                _ => serde_json::to_string_pretty(
                    &reports
                        .iter()
                        .map(|(key, report)| (*key, report))
                        .collect::<std::collections::BTreeMap<_, _>>(),
                ),
            };
            match json {
                Ok(json) => println!("{json}"),
                Err(error) => return fail(error),
            }
        }
    }
    if passed { EXIT_OK } else { EXIT_CHECK_FAILED }
}

/// `IdP metadata FILE checked for Zoom:`, escaped.
fn heading(kind: &str, path: &Path, service: &str) -> String {
    format!(
        "{kind} metadata {} checked for {service}:\n",
        escape(&path.display().to_string())
    )
}

/// Where a metadata error is: `file:line: ...` for syntax errors, `file: ...` otherwise.
fn located(path: &Path, line: Option<usize>, error: impl std::fmt::Display) -> String {
    match line {
        Some(line) => format!("{}:{line}: {error}", path.display()),
        None => format!("{}: {error}", path.display()),
    }
}

fn idp_report(manifest: &connector_sdk::Manifest, path: &Path) -> Result<CheckReport, String> {
    let text = read(path)?;
    let metadata =
        sso::parse_idp_metadata(&text).map_err(|error| located(path, error.line(), &error))?;
    Ok(sso::check_idp_metadata(
        manifest,
        &metadata,
        SystemTime::now(),
    ))
}

fn sp_report(target: &target::Target, path: &Path) -> Result<CheckReport, String> {
    let (service, saml) = target.saml_service()?;
    let text = read(path)?;
    let metadata =
        sso::parse_sp_metadata(&text).map_err(|error| located(path, error.line(), &error))?;
    Ok(sso::check_sp_metadata(&service, &saml, &metadata))
}
