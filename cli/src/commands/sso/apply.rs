//! `connector sso plan|apply -c FILE`: each instance's Okta apps (from the generated
//! definitions) created or updated in the org of `[idp.okta]` (else `[directory.okta]`),
//! the rules' groups assigned, then, for SAML apps, the app's IdP metadata fetched and
//! checked as `sso check` does, and the values to enter on the SaaS side printed.
//!
//! Exit codes (as `connector plan` / `apply`): `plan` 0 nothing to change, 2 changes
//! pending, 3 the removal breaker would stop apply, 1 an error; `apply` 0 done, 3 stopped
//! by the breaker before any call, 4 stopped part-way (the calls made are listed), 1 an
//! error before any change.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::SystemTime;

use base64::Engine as _;
use clap::Args;
use connector_engine::Assignments;
use connector_engine::idp::{
    AppAction, AppOutcome, AppRole, AppsPlan, AppsReport, DesiredApp, Done, OktaApps,
    desired_groups,
};
use connector_sdk::display::escape_lines;
use connector_sdk::{Manifest, Secret};
use connector_sso::{SsoInputs, check_idp_metadata, generate, parse_idp_metadata};
use sha2::{Digest as _, Sha256};

use super::super::engine_setup::{
    EXIT_CHANGES, EXIT_ERROR, EXIT_OK, EXIT_PARTIAL, EXIT_STOPPED, block_on, fail,
};

/// Options of `connector sso plan` and `connector sso apply`.
#[derive(Debug, Args)]
pub(crate) struct AppsArgs {
    /// The assignments file (`[idp.okta]` or `[directory.okta]`, instances, rules).
    #[arg(short = 'c', long = "config", default_value = "assignments.toml")]
    config: PathBuf,
    /// Only these instances (repeatable); default: every instance an `[[sso]]` rule names.
    #[arg(long = "instance", value_name = "NAME")]
    instances: Vec<String>,
    /// An SP input (`acs_url`, `entity_id`, `redirect_uri`) or tenant variable, as
    /// NAME=VALUE for every chosen instance or INSTANCE.NAME=VALUE for one (repeatable).
    #[arg(long = "var", value_name = "[INSTANCE.]NAME=VALUE")]
    vars: Vec<String>,
    /// Apply even when group removals exceed an instance's `max_removals`.
    #[arg(long)]
    allow_removals: bool,
    /// `text` (default) or `json`.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    format: String,
}

/// Runs `sso plan` (`apply` false) or `sso apply`.
pub(crate) fn run(args: &AppsArgs, apply: bool) -> ExitCode {
    match block_on(run_async(args, apply)) {
        Ok(code) => code,
        Err(message) => fail(EXIT_ERROR, &message),
    }
}

async fn run_async(args: &AppsArgs, apply: bool) -> ExitCode {
    let registry = crate::connectors::registry();
    let assignments = match Assignments::load(&args.config, &registry) {
        Ok(assignments) => assignments,
        Err(error) => return fail(EXIT_ERROR, &error.to_string()),
    };
    let Some(idp) = assignments.idp.clone() else {
        return fail(
            EXIT_ERROR,
            &format!(
                "{}: no Okta org to create the apps in: add [idp.okta] with `url` and \
                 `token_env` (or read people from [directory.okta])",
                args.config.display()
            ),
        );
    };
    let desired = match desired_apps(&assignments, args) {
        Ok(desired) => desired,
        Err(message) => return fail(EXIT_ERROR, &message),
    };
    let token = match Secret::from_env(&idp.token_env) {
        Ok(token) => token,
        Err(message) => {
            return fail(
                EXIT_ERROR,
                &format!("the Okta API token ({}): {message}", idp.token_env),
            );
        }
    };
    let okta = match OktaApps::new(&idp.url, token) {
        Ok(okta) => okta,
        Err(error) => return fail(EXIT_ERROR, &error.to_string()),
    };
    let plan = match okta.plan(&assignments, &desired, args.allow_removals).await {
        Ok(plan) => plan,
        Err(error) => return fail(EXIT_ERROR, &error.to_string()),
    };
    let json = args.format == "json";
    if !apply {
        if json {
            println!(
                "{}",
                serde_json::to_string_pretty(&plan).unwrap_or_default()
            );
        } else {
            print!("{}", escape_lines(&plan_text(&plan)));
        }
        return ExitCode::from(if !plan.tripped().is_empty() {
            EXIT_STOPPED
        } else if plan.is_empty() {
            EXIT_OK
        } else {
            EXIT_CHANGES
        });
    }
    let report = okta.apply(&plan).await;
    let mut checks = Vec::new();
    for app in &report.apps {
        if app.sign_on_mode == "SAML_2_0" && !app.id.is_empty() {
            let manifest = manifest_of(&assignments, &app.instance);
            let fetched = okta.metadata(&app.id).await.map_err(|e| e.to_string());
            checks.push(SamlSide::new(&okta, app, manifest, fetched));
        }
    }
    if json {
        let value = serde_json::json!({
            "report": report,
            "saml": checks.iter().map(SamlSide::to_json).collect::<Vec<_>>(),
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        );
    } else {
        print!("{}", escape_lines(&report_text(&report, &checks)));
    }
    if !report.tripped.is_empty() {
        let over: Vec<String> = plan
            .tripped()
            .iter()
            .map(|r| format!("{} ({} of at most {})", r.instance, r.count, r.max))
            .collect();
        return fail(
            EXIT_STOPPED,
            &format!(
                "group removals over the limit in {}: nothing was changed; rerun with \
                 --allow-removals if they are intended",
                over.join(", ")
            ),
        );
    }
    match &report.error {
        None => ExitCode::from(EXIT_OK),
        Some(error) if report.changes() == 0 => fail(
            EXIT_ERROR,
            &format!("{error}\nNothing was changed in {}.", report.org),
        ),
        Some(error) => fail(
            EXIT_PARTIAL,
            &format!(
                "{error}\n{} change(s) were made before it (listed above); run again once fixed.",
                report.changes()
            ),
        ),
    }
}

/// The apps of the chosen instances from their generated definitions.
fn desired_apps(assignments: &Assignments, args: &AppsArgs) -> Result<Vec<DesiredApp>, String> {
    let chosen: Vec<String> = if args.instances.is_empty() {
        let mut names: Vec<String> = assignments.sso.iter().map(|r| r.instance.clone()).collect();
        names.sort();
        names.dedup();
        names
    } else {
        args.instances.clone()
    };
    if chosen.is_empty() {
        return Err(format!(
            "{}: no [[sso]] rule names an instance; name one with --instance",
            assignments.path.display()
        ));
    }
    let mut per_connector: BTreeMap<&str, usize> = BTreeMap::new();
    for name in &chosen {
        let instance = assignments.instance(name).ok_or_else(|| {
            format!(
                "{}: no instance `{name}`; instances: {}",
                assignments.path.display(),
                assignments
                    .instances
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?;
        *per_connector.entry(instance.manifest.name).or_default() += 1;
    }
    for assignment in &args.vars {
        if let Some((key, _)) = assignment.split_once('=')
            && let Some((scope, _)) = key.split_once('.')
            && assignments.instance(scope).is_none()
        {
            return Err(format!(
                "--var {assignment}: {} has no instance `{scope}` (instances: {})",
                assignments.path.display(),
                assignments
                    .instances
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    let mut desired = Vec::new();
    let mut problems = Vec::new();
    for name in &chosen {
        let Some(instance) = assignments.instance(name) else {
            continue;
        };
        let mut inputs = SsoInputs::new();
        for (variable, value) in &instance.connection.variables {
            inputs.set(variable, value);
        }
        for assignment in &args.vars {
            let (scope, rest) = match assignment.split_once('=') {
                Some((key, _)) if key.contains('.') => {
                    let (scope, _) = key.split_once('.').unwrap_or_default();
                    (Some(scope), &assignment[scope.len() + 1..])
                }
                _ => (None, assignment.as_str()),
            };
            if scope.is_none_or(|s| s == name)
                && let Err(message) = inputs.set_assignment(rest)
            {
                return Err(format!("--var {message}"));
            }
        }
        let artifacts = match generate(instance.manifest, &inputs) {
            Ok(artifacts) => artifacts,
            Err(error) => {
                problems.push(format!("{name}: {error}"));
                continue;
            }
        };
        let (groups, _, _) = desired_groups(assignments, name, connector_engine::clock::now());
        let shared = per_connector
            .get(instance.manifest.name)
            .is_some_and(|count| *count > 1);
        for app in artifacts.okta.apps() {
            let mut body = serde_json::to_value(app).map_err(|e| e.to_string())?;
            if shared {
                let label = format!("{} ({name})", body["label"].as_str().unwrap_or_default());
                body["label"] = serde_json::json!(label);
            }
            let role = if body["signOnMode"] == "BOOKMARK" {
                AppRole::Tile
            } else {
                AppRole::SignOn
            };
            desired.push(DesiredApp {
                instance: name.clone(),
                role,
                body,
                groups: groups.clone(),
            });
        }
    }
    if problems.is_empty() {
        Ok(desired)
    } else {
        Err(format!(
            "{}\nhint: pass each value as --var NAME=VALUE (or --var INSTANCE.NAME=VALUE)",
            problems.join("\n")
        ))
    }
}

/// The manifest of `instance`.
fn manifest_of(assignments: &Assignments, instance: &str) -> Option<&'static Manifest> {
    assignments.instance(instance).map(|i| i.manifest)
}

/// The plan as text.
fn plan_text(plan: &AppsPlan) -> String {
    let mut out = format!("Okta org {}\n", plan.org);
    for app in &plan.apps {
        let action = match &app.action {
            AppAction::Create => "create".to_owned(),
            AppAction::Update { id, changed } => format!("update {id} ({})", changed.join(", ")),
            AppAction::Keep { id } => format!("unchanged {id}"),
        };
        out.push_str(&format!(
            "  {} {} \"{}\" {}: {action}",
            app.instance,
            app.role.as_str(),
            app.label,
            app.sign_on_mode
        ));
        for group in &app.assign {
            out.push_str(&format!("; assign {}", group.name));
        }
        for group in &app.unassign {
            out.push_str(&format!("; unassign {}", group.name));
        }
        for person in &app.assign_people {
            out.push_str(&format!("; assign {} (person)", person.name));
        }
        for person in &app.unassign_people {
            out.push_str(&format!("; unassign {} (person)", person.name));
        }
        out.push('\n');
    }
    for removal in &plan.removals {
        if removal.count > 0 {
            out.push_str(&format!(
                "  {}: {} assignment removal(s), at most {}{}\n",
                removal.instance,
                removal.count,
                removal.max,
                if removal.tripped {
                    ": apply would stop (--allow-removals)"
                } else {
                    ""
                }
            ));
        }
    }
    if plan.is_empty() {
        out.push_str("Nothing to change.\n");
    }
    out
}

/// The report as text.
fn report_text(report: &AppsReport, checks: &[SamlSide]) -> String {
    let mut out = format!("Okta org {}\n", report.org);
    for app in &report.apps {
        let done: Vec<String> = app
            .done
            .iter()
            .map(|d| match d {
                Done::Created => "created".to_owned(),
                Done::Updated => "updated".to_owned(),
                Done::Assigned { group } => format!("assigned {group}"),
                Done::Unassigned { group } => format!("unassigned {group}"),
                Done::AssignedPerson { person } => format!("assigned {person} (person)"),
                Done::UnassignedPerson { person } => format!("unassigned {person} (person)"),
            })
            .collect();
        out.push_str(&format!(
            "  {} {} \"{}\" {} {}: {}\n",
            app.instance,
            app.role.as_str(),
            app.label,
            app.sign_on_mode,
            if app.id.is_empty() { "-" } else { &app.id },
            if done.is_empty() {
                "unchanged".to_owned()
            } else {
                done.join(", ")
            }
        ));
    }
    if report.tripped.is_empty() && report.error.is_none() && report.changes() == 0 {
        out.push_str("Nothing to change.\n");
    }
    for side in checks {
        out.push_str(&side.text());
    }
    out
}

/// A SAML app's settings for the SaaS side and the check of its metadata.
struct SamlSide {
    instance: String,
    app_id: String,
    acs_url: String,
    entity_id: String,
    metadata_url: String,
    idp_entity_id: Option<String>,
    sso_url: Option<String>,
    fingerprint: Option<String>,
    check: Result<connector_sso::CheckReport, String>,
}

impl SamlSide {
    fn new(
        okta: &OktaApps,
        app: &AppOutcome,
        manifest: Option<&'static Manifest>,
        fetched: Result<String, String>,
    ) -> Self {
        let sign_on = &app.app["settings"]["signOn"];
        let text = |key: &str| sign_on[key].as_str().unwrap_or_default().to_owned();
        let mut side = Self {
            instance: app.instance.clone(),
            app_id: app.id.clone(),
            acs_url: text("ssoAcsUrl"),
            entity_id: text("audience"),
            metadata_url: okta.metadata_url(&app.id),
            idp_entity_id: None,
            sso_url: None,
            fingerprint: None,
            check: Err(String::new()),
        };
        side.check = fetched.and_then(|xml| {
            let metadata = parse_idp_metadata(&xml).map_err(|e| e.to_string())?;
            side.idp_entity_id.clone_from(&metadata.entity_id);
            side.sso_url = metadata.sso_services.first().map(|s| s.location.clone());
            side.fingerprint = metadata
                .signing_certificates
                .first()
                .and_then(|c| fingerprint(&c.base64));
            let manifest = manifest.ok_or("unknown instance")?;
            Ok(check_idp_metadata(manifest, &metadata, SystemTime::now()))
        });
        side
    }

    fn text(&self) -> String {
        let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".to_owned());
        let mut out = format!(
            "\n{} (Okta app {}): enter in the service's SSO settings\n  IdP metadata (API):   {}\n  IdP entity ID:        {}\n  IdP SSO URL:          {}\n  certificate SHA-256:  {}\n  the app sends to ACS: {} (audience {})\n",
            self.instance,
            self.app_id,
            self.metadata_url,
            or_dash(&self.idp_entity_id),
            or_dash(&self.sso_url),
            or_dash(&self.fingerprint),
            self.acs_url,
            self.entity_id,
        );
        match &self.check {
            Ok(report) => {
                out.push_str("  sso check of the app's IdP metadata:\n");
                for line in report.to_text().lines() {
                    out.push_str(&format!("    {line}\n"));
                }
            }
            Err(error) => out.push_str(&format!("  cannot check the IdP metadata: {error}\n")),
        }
        out
    }

    fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "instance": self.instance,
            "app_id": self.app_id,
            "acs_url": self.acs_url,
            "entity_id": self.entity_id,
            "metadata_url": self.metadata_url,
            "idp_entity_id": self.idp_entity_id,
            "sso_url": self.sso_url,
            "certificate_sha256": self.fingerprint,
            "check": match &self.check {
                Ok(report) => serde_json::to_value(report).unwrap_or_default(),
                Err(error) => serde_json::json!({"error": error}),
            },
        })
    }
}

/// The SHA-256 fingerprint (`AB:CD:...`) of a base64 DER certificate.
fn fingerprint(base64_der: &str) -> Option<String> {
    let der = base64::engine::general_purpose::STANDARD
        .decode(base64_der)
        .ok()?;
    let digest = Sha256::digest(&der);
    Some(
        digest
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect::<Vec<_>>()
            .join(":"),
    )
}
