//! `connector demo`: the whole job on the embedded defaults. Starts the sandbox in this
//! process (every service emulated on 127.0.0.1), loads a bundled directory of 300
//! people, plans and applies to all twelve apps, lets some people leave, applies again,
//! shows that a third run has nothing to do, creates the Okta apps, and disables a person
//! deactivated in an emulated Okta org through `connector serve`'s hook. No account,
//! token or server to set up.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use clap::Args;
use connector_engine::plan::{Action, GroupAction, Plan};
use connector_engine::{
    ApplyOptions, ApplyReport, Assignments, AuditSink, Engine, FileSource, MapSecrets, PlanOptions,
};
use connector_sandbox::{RateLimitConfig, Sandbox, SandboxHandle, TenantSpec};
use connector_sdk::manifest::Protocol;
use connector_sdk::{Connector, Identity, IdentityStatus};

use super::engine_setup::{EXIT_ERROR, block_on, fail};
use crate::progress::{ProgressMode, reporter};
use crate::{connectors, table};

const PEOPLE: &str = include_str!("../../demo/people.csv");
const GROUPS: &str = include_str!("../../demo/groups.csv");

/// Who gets what: (instance, groups, licences), then per-instance settings.
const RULES: &[(&str, &[&str], &[&str])] = &[
    ("chatgpt", &["ai-pilot"], &["enterprise_seat"]),
    ("claude", &["engineering"], &["enterprise_seat"]),
    ("perplexity", &["research", "sales"], &["enterprise_seat"]),
    ("gemini", &["everyone"], &[]),
    ("gemini", &["ai-pilot"], &["gemini_enterprise"]),
    ("copilot", &["sales", "finance"], &["copilot"]),
    ("github_copilot", &["engineering"], &["copilot"]),
    ("notion", &["everyone"], &["member_seat"]),
    ("miro", &["design", "marketing"], &["full"]),
    ("canva", &["design", "marketing"], &["team_seat"]),
    ("slack", &["everyone"], &["member"]),
    ("slack", &["ai-pilot"], &["slack_ai"]),
    ("zoom", &["everyone"], &[]),
    ("zoom", &["design"], &["whiteboard"]),
    ("box", &["everyone"], &[]),
    ("box", &["ai-pilot"], &["box_ai"]),
];

/// Group push (`[[push_groups]]`): instance, directory groups, name in the app. Canva's
/// SCIM API never lists a group's members: the engine compares with what it pushed.
const PUSHED_GROUPS: &[(&str, &[&str], &str)] = &[
    ("slack", &["engineering", "design"], "ai-{group}"),
    ("canva", &["design"], "{group}"),
    ("box", &["engineering"], "{group}"),
    ("copilot", &["sales"], "{group}"),
    ("gemini", &["research"], "{group}"),
    ("github_copilot", &["engineering"], "{group}"),
    ("notion", &["engineering", "research"], "{group}"),
    ("zoom", &["design"], "{group}"),
];

/// Monthly list prices used for the money column (USD, indicative).
const PRICES: &[(&str, &str, f64)] = &[
    ("chatgpt", "enterprise_seat", 60.0),
    ("claude", "enterprise_seat", 60.0),
    ("perplexity", "enterprise_seat", 40.0),
    ("gemini", "gemini_enterprise", 30.0),
    ("copilot", "copilot", 30.0),
    ("github_copilot", "copilot", 19.0),
    ("notion", "member_seat", 20.0),
    ("miro", "full", 16.0),
    ("canva", "team_seat", 10.0),
    ("slack", "member", 8.75),
    ("slack", "slack_ai", 10.0),
    ("zoom", "whiteboard", 2.5),
    ("box", "box_ai", 15.0),
];

/// People who leave between the first and the second run (directory ids).
const LEAVERS: &[&str] = &[
    "00u0002", "00u0010", "00u0021", "00u0033", "00u0047", "00u0058", "00u0064", "00u0079",
    "00u0091", "00u0105", "00u0123", "00u0150",
];

/// Options of `connector demo`.
#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Keep the directory, assignments, state and audit log in this folder (default: a
    /// temporary folder, removed at the end).
    #[arg(long)]
    keep: Option<PathBuf>,
}

/// Runs the demo.
pub(crate) fn run(args: &DemoArgs) -> ExitCode {
    match block_on(demo(args)) {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(message)) | Err(message) => fail(EXIT_ERROR, &message),
    }
}

async fn demo(args: &DemoArgs) -> Result<(), String> {
    let started = Instant::now();
    let temp = tempfile::tempdir().map_err(|e| format!("cannot create a temporary folder: {e}"))?;
    let folder = match &args.keep {
        Some(folder) => {
            std::fs::create_dir_all(folder).map_err(|e| format!("{}: {e}", folder.display()))?;
            folder.clone()
        }
        None => temp.path().to_owned(),
    };
    let sandbox = start_sandbox().await?;
    println!(
        "Sandbox: {} services emulated at {}",
        sandbox.tenants().len(),
        sandbox.base_url()
    );

    let people = folder.join("people.csv");
    let groups = folder.join("groups.csv");
    write(&people, PEOPLE)?;
    write(&groups, GROUPS)?;
    let (text, secrets) = assignments_for(&sandbox);
    let assignments_path = folder.join("assignments.toml");
    write(&assignments_path, &text)?;
    seed_existing_accounts(&sandbox).await?;

    let registry = connectors::registry();
    let assignments =
        Assignments::parse(&assignments_path, &text, &registry).map_err(|e| e.to_string())?;
    let engine = Engine::open(assignments, registry, Arc::new(secrets))
        .await
        .map_err(|e| e.to_string())?;
    let source = FileSource::new(&people, Some(groups.clone()));
    let audit_path = folder.join("audit.jsonl");

    println!(
        "\n== Run 1: 300 people join; seats assigned by group; groups pushed into the apps =="
    );
    let report = apply(&engine, &source, &audit_path).await?;
    print_report(&report);

    println!(
        "\n== Run 2: {} people leave; their accounts are disabled and their seats reclaimed ==",
        LEAVERS.len()
    );
    write(&people, &with_leavers(PEOPLE))?;
    let report = apply(&engine, &source, &audit_path).await?;
    print_report(&report);

    println!("\n== Run 3: nothing changed in the directory ==");
    let plan = engine
        .plan(&source, &PlanOptions::default())
        .await
        .map_err(|e| e.to_string())?;
    if plan.summary.failed_instances > 0 {
        return Err(format!(
            "the third run could not reach {} apps",
            plan.summary.failed_instances
        ));
    } else if plan.summary.changes == 0 {
        println!("Nothing to do: every app matches the directory.");
    } else {
        return Err(format!(
            "the third run still plans {} changes",
            plan.summary.changes
        ));
    }
    sign_in(&text).await;
    super::demo_events::leaver_through_okta(engine, Arc::new(source), &audit_path).await?;
    println!(
        "\nDone in {:.1} s. Audit log (OCSF Account Change and Group Management): {}{}",
        started.elapsed().as_secs_f64(),
        audit_path.display(),
        if args.keep.is_some() {
            ""
        } else {
            " (temporary; use --keep DIR to look at it)"
        }
    );
    sandbox.shutdown().await;
    Ok(())
}

/// The sign-in side (`connector sso apply`'s engine calls): an emulated Okta org with
/// the directory's groups gets each SAML or OIDC service's app (and ChatGPT's bookmark
/// tile), assigned the groups of the rules, then a second plan has nothing to do.
/// Creating SAML apps needs `openssl` (each app's key); without it the section says so.
async fn sign_in(assignments_text: &str) {
    println!("\n== Sign-in: the Okta apps, created and assigned in an emulated Okta org ==");
    if let Err(message) = sign_in_apps(assignments_text).await {
        println!("Skipped: {message}");
    }
}

async fn sign_in_apps(assignments_text: &str) -> Result<(), String> {
    use connector_engine::idp::{AppRole, DesiredApp, Done, OktaApps, desired_groups};
    let mut org = connector_sandbox::OktaOrg::new();
    for line in GROUPS.lines().skip(1) {
        if let Some((name, rest)) = line.split_once(',') {
            org = org.group(name, rest.split(',').next().unwrap_or_default());
        }
    }
    let sandbox = Sandbox::builder()
        .tenant(TenantSpec::okta("okta", org).rate_limit(RateLimitConfig::off()))
        .start("127.0.0.1:0")
        .await
        .map_err(|e| format!("the Okta org did not start: {e}"))?;
    let tenant = sandbox.tenant("okta").ok_or("no Okta org")?;
    let text = format!(
        "{assignments_text}\n[idp.okta]\nurl = \"{}\"\ntoken_env = \"DEMO_OKTA_TOKEN\"\n",
        tenant.api_url()
    );
    let assignments = Assignments::parse(
        Path::new("assignments.toml"),
        &text,
        &connectors::registry(),
    )
    .map_err(|e| e.to_string())?;
    let mut desired = Vec::new();
    for (name, instance) in &assignments.instances {
        let mut inputs = connector_sso::SsoInputs::new();
        for (variable, value) in &instance.connection.variables {
            inputs.set(variable, value);
        }
        // Services that issue their SP values per connection (ChatGPT): demo values.
        if instance.manifest.sso.acs_url.is_none() {
            inputs.set("acs_url", format!("https://sso.example.com/{name}/acs"));
            inputs.set("entity_id", format!("https://sso.example.com/{name}"));
        }
        let Ok(artifacts) = connector_sso::generate(instance.manifest, &inputs) else {
            continue;
        };
        let (groups, _, _) = desired_groups(&assignments, name, connector_engine::clock::now());
        for app in artifacts.okta.apps() {
            let body = serde_json::to_value(app).map_err(|e| e.to_string())?;
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
    let okta = OktaApps::new(tenant.api_url(), tenant.token()).map_err(|e| e.to_string())?;
    let plan = okta
        .plan(&assignments, &desired, false)
        .await
        .map_err(|e| e.to_string())?;
    let report = okta.apply(&plan).await;
    for app in &report.apps {
        let groups: Vec<&str> = app
            .done
            .iter()
            .filter_map(|d| match d {
                Done::Assigned { group } => Some(group.as_str()),
                _ => None,
            })
            .collect();
        let created = if app.done.contains(&Done::Created) {
            "created"
        } else {
            "kept"
        };
        println!(
            "  {:<15} {:<7} {:<22} {:<14} {created} {}, assigned {}",
            app.instance,
            app.role.as_str(),
            app.label,
            app.sign_on_mode,
            app.id,
            groups.join(", ")
        );
    }
    if let Some(error) = &report.error {
        return Err(error.to_string());
    }
    let again = okta
        .plan(&assignments, &desired, false)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "{} Okta apps in {}; a second plan: {}",
        report.apps.len(),
        report.org,
        if again.is_empty() {
            "nothing to change"
        } else {
            "changes pending (unexpected)"
        }
    );
    sandbox.shutdown().await;
    Ok(())
}

/// Every connector's emulation, without server-side rate limits (a demo, not a load test).
async fn start_sandbox() -> Result<SandboxHandle, String> {
    let mut builder = Sandbox::builder();
    for manifest in connectors::manifests() {
        if manifest.provisioning.protocol != Protocol::None {
            builder = builder
                .tenant(TenantSpec::for_manifest(manifest).rate_limit(RateLimitConfig::off()));
        }
    }
    builder
        .start("127.0.0.1:0")
        .await
        .map_err(|e| format!("the sandbox did not start: {e}"))
}

/// The assignments file pointing every instance at its sandbox tenant, and the tokens.
fn assignments_for(sandbox: &SandboxHandle) -> (String, MapSecrets) {
    let mut text = String::from(
        "# Written by `connector demo`: every instance points at the in-process sandbox.\n\
         [settings]\nstate = \"state.db\"\naudit_log = \"audit.jsonl\"\ncurrency = \"USD\"\n\n\
         [directory]\npeople = \"people.csv\"\ngroups = \"groups.csv\"\n",
    );
    let mut secrets = MapSecrets::default();
    for tenant in sandbox.tenants() {
        let Some(manifest) = tenant.manifest() else {
            continue;
        };
        let name = manifest.name;
        let config = tenant.config();
        let token_env = format!("DEMO_{}_TOKEN", name.to_uppercase());
        secrets = secrets.with(token_env.clone(), tenant.token());
        text.push_str(&format!("\n[instances.{name}]\nconnector = \"{name}\"\n"));
        if let Some(base) = &config.base_url {
            text.push_str(&format!("base_url = \"{base}\"\n"));
        }
        text.push_str(&format!(
            "token_env = \"{token_env}\"\nclient_rate_limit = false\n"
        ));
        let variables: Vec<String> = config
            .variables
            .iter()
            .map(|(k, v)| format!("{k} = \"{v}\""))
            .collect();
        if !variables.is_empty() {
            text.push_str(&format!("variables = {{ {} }}\n", variables.join(", ")));
        }
        text.push_str(&format!("[instances.{name}.policy]\nmax_removals = 100\n"));
        if name == "chatgpt" {
            // A consumer account being migrated is linked, never duplicated.
            text.push_str("existing_accounts = \"adopt\"\n");
        }
        let prices: Vec<String> = PRICES
            .iter()
            .filter(|(i, _, _)| *i == name)
            .map(|(_, sku, p)| format!("{sku} = {p}"))
            .collect();
        if !prices.is_empty() {
            text.push_str(&format!(
                "[instances.{name}.prices]\n{}\n",
                prices.join("\n")
            ));
        }
    }
    for (instance, groups, licenses) in RULES {
        let quote = |items: &[&str]| {
            items
                .iter()
                .map(|i| format!("\"{i}\""))
                .collect::<Vec<_>>()
                .join(", ")
        };
        text.push_str(&format!(
            "\n[[provision]]\ninstance = \"{instance}\"\ngroups = [{}]\nlicenses = [{}]\n",
            quote(groups),
            quote(licenses)
        ));
    }
    for (instance, groups, name) in PUSHED_GROUPS {
        let groups: Vec<String> = groups.iter().map(|g| format!("\"{g}\"")).collect();
        text.push_str(&format!(
            "\n[[push_groups]]\ninstance = \"{instance}\"\ngroups = [{}]\nname = \"{name}\"\n",
            groups.join(", ")
        ));
    }
    (text, secrets)
}

/// Accounts that exist before provisioning: a person's own ChatGPT account to adopt, and
/// a contractor's Slack account that matches nobody (protected and reported).
async fn seed_existing_accounts(sandbox: &SandboxHandle) -> Result<(), String> {
    let person = |id: &str, email: &str, first: &str, last: &str| Identity {
        id: id.to_owned(),
        login: email.to_owned(),
        email: email.to_owned(),
        first_name: Some(first.to_owned()),
        last_name: Some(last.to_owned()),
        status: IdentityStatus::Active,
        ..Identity::default()
    };
    let adoptee = PEOPLE
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("id,"))
        .find(|l| l.contains("ai-pilot"))
        .and_then(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            Some(person(
                cells.first()?,
                cells.get(2)?,
                cells.get(3)?,
                cells.get(4)?,
            ))
        })
        .ok_or("the bundled directory has no ai-pilot member")?;
    for (tenant, who) in [
        ("chatgpt", adoptee),
        (
            "slack",
            person(
                "contractor",
                "sam.contractor@partner.example",
                "Sam",
                "Contractor",
            ),
        ),
    ] {
        let handle = sandbox
            .tenant(tenant)
            .ok_or_else(|| format!("no sandbox tenant {tenant}"))?;
        let connector: Box<dyn Connector> = match tenant {
            "chatgpt" => {
                Box::new(connector_chatgpt::connect(handle.config()).map_err(|e| e.to_string())?)
            }
            _ => Box::new(connector_slack::connect(handle.config()).map_err(|e| e.to_string())?),
        };
        connector
            .create(&who)
            .await
            .map_err(|e| format!("seeding {tenant}: {e}"))?;
    }
    Ok(())
}

/// The bundled directory with the leavers deprovisioned.
fn with_leavers(people: &str) -> String {
    people
        .lines()
        .map(|line| {
            let id = line.split(',').next().unwrap_or_default();
            if LEAVERS.contains(&id) {
                line.replacen(",active,", ",deprovisioned,", 1)
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

async fn apply(engine: &Engine, source: &FileSource, audit: &Path) -> Result<ApplyReport, String> {
    let sink = AuditSink::file(audit).map_err(|e| format!("audit log {}: {e}", audit.display()))?;
    let options = ApplyOptions {
        plan: PlanOptions::default(),
        audit: sink,
        concurrency: Some(16),
        max_attempts: None,
        progress: reporter(ProgressMode::BarsOnly),
        run_id: None,
    };
    let report = engine
        .apply(source, options)
        .await
        .map_err(|e| e.to_string())?;
    if let Some(stopped) = &report.stopped {
        return Err(format!("the run stopped: {stopped}"));
    }
    Ok(report)
}

/// One line per app, then the totals: accounts, seats, money, tasks.
fn print_report(report: &ApplyReport) {
    let plan: &Plan = &report.plan;
    let mut rows = Vec::new();
    let (mut seat_cost, mut manual) = (0.0, 0u64);
    for instance in &plan.instances {
        let mut count: BTreeMap<&str, u64> = BTreeMap::new();
        for step in &instance.steps {
            *count.entry(step.action.name()).or_default() += 1;
            match &step.action {
                Action::AssignLicense {
                    monthly_price: Some(p),
                    ..
                } => seat_cost += p,
                Action::ManualTask {
                    operation,
                    monthly_price,
                    ..
                } => {
                    manual += 1;
                    if operation == "assign" {
                        seat_cost += monthly_price.unwrap_or(0.0);
                    }
                }
                _ => {}
            }
        }
        let n = |k: &str| count.get(k).copied().unwrap_or(0).to_string();
        let (mut created, mut added, mut removed) = (0, 0, 0);
        for step in &instance.groups {
            match &step.action {
                GroupAction::CreateGroup { .. } => created += 1,
                GroupAction::AddMembers { members } => added += members.len(),
                GroupAction::RemoveMembers { members } => removed += members.len(),
                _ => {}
            }
        }
        let groups = if instance.groups.is_empty() {
            String::new()
        } else {
            format!("{created} new, +{added}/-{removed} members")
        };
        rows.push(vec![
            instance.display_name.clone(),
            instance.accounts.to_string(),
            n("create"),
            n("link"),
            n("update"),
            n("disable"),
            n("assign_license"),
            n("revoke_license"),
            n("manual_task"),
            groups,
            instance.protected.len().to_string(),
            instance.error.clone().unwrap_or_default(),
        ]);
    }
    print!(
        "{}",
        table::render(
            &[
                "app",
                "accounts before",
                "create",
                "link",
                "update",
                "disable",
                "seats +",
                "seats -",
                "manual tasks",
                "groups pushed",
                "protected",
                "error"
            ],
            &rows
        )
    );
    let c = &report.counts;
    println!(
        "Applied {} changes ({} failed, {} not attempted); {} manual tasks raised for a person.",
        c.applied, c.failed, c.skipped, manual
    );
    if seat_cost > 0.0 {
        println!("Seats assigned this run: {seat_cost:.2} USD a month.");
    }
    if plan.summary.reclaimed_seats > 0 {
        println!(
            "Seats reclaimed: {} ({:.2} USD a month saved).",
            plan.summary.reclaimed_seats, plan.summary.monthly_saving
        );
    }
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
