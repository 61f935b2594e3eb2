//! Okta's custom profile attributes through `[directory.okta.attributes]`, end to end:
//! `connector apply` reads the sandbox's Okta org (whose users carry `countryCode` and
//! the custom `startDate`), and Microsoft 365 Copilot's `usageLocation` (without which
//! Graph refuses the licence) and Slack's `startDate` reach the apps. An attribute of the
//! wrong kind in Okta stops `plan` and `apply` with the user, the attribute and the
//! profile value named, before anything is written.

#![cfg(feature = "sandbox")]

use std::path::Path;
use std::process::{Command, Output};

use connector_sandbox::{OktaOrg, RateLimitConfig, Sandbox, SandboxHandle, TenantSpec};
use connector_sdk::{CustomValue, Identity};
use connector_tests::StateChecker;
use serde_json::{Value, json};

const OKTA_TOKEN: &str = "okta-token";
const APPS: [&str; 2] = ["copilot", "slack"];

/// Person `i` in `engineering`, with the Okta attributes `countryCode` and `startDate`.
fn person(i: usize, country: &str, start: &str) -> Identity {
    let mut who = connector_tests::people::person(i, "example.com");
    who.groups = vec!["engineering".to_owned()];
    for (name, value) in [("countryCode", country), ("startDate", start)] {
        who.custom
            .insert(name.to_owned(), CustomValue::Text(value.to_owned()));
    }
    who
}

async fn start_sandbox() -> SandboxHandle {
    connector_tests::install_crypto_provider();
    let org = OktaOrg::new()
        .group("engineering", "")
        .person(person(1, "FR", "2026-01-05T09:00:00Z"))
        .person(person(2, "DE", "2025-11-17T09:00:00Z"));
    let mut builder = Sandbox::builder().tenant(
        TenantSpec::okta("okta", org)
            .token(OKTA_TOKEN)
            .rate_limit(RateLimitConfig::off()),
    );
    for manifest in [&connector_copilot::MANIFEST, &connector_slack::MANIFEST] {
        builder =
            builder.tenant(TenantSpec::for_manifest(manifest).rate_limit(RateLimitConfig::off()));
    }
    builder.start("127.0.0.1:0").await.unwrap()
}

/// The assignments file: Okta with the attributes table, Copilot with its licence, Slack.
fn assignments(sandbox: &SandboxHandle) -> String {
    let mut text = format!(
        "[directory.okta]\nurl = \"{}\"\ntoken_env = \"OKTA_API_TOKEN\"\n\n\
         [directory.okta.attributes]\ncountryCode = \"custom.usage_location\"\n\
         startDate = \"custom.start_date\"\n\n",
        sandbox.tenant("okta").unwrap().api_url()
    );
    for app in APPS {
        let tenant = sandbox.tenant(app).unwrap();
        let config = tenant.config();
        let variables: Vec<String> = config
            .variables
            .iter()
            .map(|(k, v)| format!("{k} = \"{v}\""))
            .collect();
        text.push_str(&format!(
            "[instances.{app}]\nconnector = \"{app}\"\nbase_url = \"{}\"\n\
             token_env = \"{}_TOKEN\"\nclient_rate_limit = false\nvariables = {{ {} }}\n\n\
             [[provision]]\ninstance = \"{app}\"\ngroups = [\"engineering\"]\n{}\n",
            config.base_url.unwrap(),
            app.to_uppercase(),
            variables.join(", "),
            if app == "copilot" {
                "licenses = [\"copilot\"]\n"
            } else {
                ""
            }
        ));
    }
    text
}

/// Runs `connector <args> -c assignments.toml --state state.db` with the tokens set.
fn connector(sandbox: &SandboxHandle, dir: &Path, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_connector"));
    command
        .args(args)
        .arg("-c")
        .arg(dir.join("assignments.toml"))
        .arg("--state")
        .arg(dir.join("state.db"))
        .env("OKTA_API_TOKEN", OKTA_TOKEN);
    for app in APPS {
        let token = sandbox.tenant(app).unwrap().token();
        command.env(format!("{}_TOKEN", app.to_uppercase()), token.expose());
    }
    command.output().unwrap()
}

/// The tenant's admin API at `path`.
async fn admin(
    sandbox: &SandboxHandle,
    tenant: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> Value {
    let tenant = sandbox.tenant(tenant).unwrap();
    let mut request = reqwest::Client::new()
        .request(method, format!("{}{path}", tenant.admin_url()))
        .bearer_auth(tenant.admin_token().expose());
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    response.json().await.unwrap()
}

/// Graph's user whose `userPrincipalName` is `upn`.
async fn graph_user(sandbox: &SandboxHandle, upn: &str) -> Value {
    let state = admin(sandbox, "copilot", reqwest::Method::GET, "/api", None).await;
    state["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["userPrincipalName"].as_str() == Some(upn))
        .cloned()
        .unwrap_or_else(|| panic!("no Graph user {upn} in {state}"))
}

/// Slack's SCIM user whose `userName` is `user_name`.
async fn slack_user(sandbox: &SandboxHandle, user_name: &str) -> Value {
    let tenant = sandbox.tenant("slack").unwrap();
    let checker = StateChecker::new(tenant.admin_scim_url(), tenant.admin_token());
    let found = checker.find_by_user_name(user_name).await;
    found
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no Slack user {user_name}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_okta_attributes_reach_copilot_and_slack_and_a_wrong_kind_stops_the_run() {
    let sandbox = start_sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("assignments.toml"), assignments(&sandbox)).unwrap();

    let applied = connector(&sandbox, dir.path(), &["apply", "--no-progress"]);
    let stdout = String::from_utf8_lossy(&applied.stdout);
    let stderr = String::from_utf8_lossy(&applied.stderr);
    assert!(applied.status.success(), "{stdout}\n{stderr}");

    for (i, country, start) in [
        (1, "FR", "2026-01-05T09:00:00Z"),
        (2, "DE", "2025-11-17T09:00:00Z"),
    ] {
        let who = connector_tests::people::person(i, "example.com");
        let graph = graph_user(&sandbox, &who.email).await;
        assert_eq!(graph["usageLocation"], json!(country), "{graph}");
        assert!(
            graph["assignedLicenses"]
                .as_array()
                .is_some_and(|l| l.len() == 1),
            "the licence Graph refuses without usageLocation: {graph}"
        );
        let local = who.email.split('@').next().unwrap().to_lowercase();
        let slack = slack_user(&sandbox, &local).await;
        let profile = &slack["urn:ietf:params:scim:schemas:extension:slack:profile:2.0:User"];
        assert_eq!(profile["startDate"], json!(start), "{slack}");
    }

    // A person whose startDate is a list in Okta: the load fails, naming them; nothing
    // is written to either app.
    admin(
        &sandbox,
        "okta",
        reqwest::Method::POST,
        "/okta/users",
        Some(json!({
            "id": "00ubadkind000000000",
            "profile": {"login": "bo@example.com", "email": "bo@example.com",
                        "countryCode": "FR", "startDate": ["2026-02-01"]},
        })),
    )
    .await;
    let before = admin(&sandbox, "slack", reqwest::Method::GET, "/requests", None)
        .await
        .as_array()
        .unwrap()
        .len();
    for command in [&["plan"][..], &["apply", "--no-progress"][..]] {
        let run = connector(&sandbox, dir.path(), command);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(!run.status.success(), "{command:?} succeeded: {stderr}");
        assert!(
            stderr.contains(
                "Okta user `00ubadkind000000000` (bo@example.com): profile attribute \
                 `startDate` holds a list, but [directory.okta.attributes] reads it into \
                 `custom.start_date`, which is text"
            ),
            "{command:?}: {stderr}"
        );
    }
    let after = admin(&sandbox, "slack", reqwest::Method::GET, "/requests", None)
        .await
        .as_array()
        .unwrap()
        .len();
    assert_eq!(before, after, "Slack was called after the failed load");
}
