//! The whole leaver path through loopback, with Okta's side played by the sandbox's Okta
//! org: the org is the directory source (`[directory.okta]`), an event hook is registered
//! and verified through its Management API against a running `connector serve`, and a
//! person deactivated through that API is disabled in every app they have, as the apps
//! hold it. Prints the time from the deactivation call to the last app's account disabled.
#![cfg(feature = "sandbox")]

#[path = "common/serve.rs"]
mod serve_fixture;

use serve_fixture::Serve;

use std::process::Command;
use std::time::{Duration, Instant};

use connector_sandbox::{OktaOrg, RateLimitConfig, Sandbox, SandboxHandle, TenantSpec};
use connector_tests::StateChecker;
use serde_json::{Value, json};

/// The apps every engineer is provisioned to.
const APPS: [&str; 2] = ["chatgpt", "zoom"];
/// The org's API token.
const OKTA_TOKEN: &str = "okta-token";
/// The hook's shared secret, sent by the org in the `Authorization` header.
const SECRET: &str = "hook-secret-6c1e0f9ab2d84c37";
/// Ada Lovelace in `OktaOrg::sample`: an engineer, provisioned to both apps.
const ADA: (&str, &str) = ("00usample00000000000", "ada.lovelace@example.com");
/// Grace Hopper: an engineer who stays.
const GRACE: &str = "grace.hopper@example.com";

async fn start_sandbox() -> SandboxHandle {
    connector_tests::install_crypto_provider();
    let mut builder = Sandbox::builder().tenant(
        TenantSpec::okta("okta", OktaOrg::sample("example.com"))
            .token(OKTA_TOKEN)
            .rate_limit(RateLimitConfig::off()),
    );
    for manifest in [&connector_chatgpt::MANIFEST, &connector_zoom::MANIFEST] {
        builder =
            builder.tenant(TenantSpec::for_manifest(manifest).rate_limit(RateLimitConfig::off()));
    }
    builder.start("127.0.0.1:0").await.unwrap()
}

/// The assignments: the Okta org as the directory, engineers in both apps.
fn assignments(sandbox: &SandboxHandle) -> String {
    let mut text = format!(
        "[directory.okta]\nurl = \"{}\"\ntoken_env = \"OKTA_API_TOKEN\"\n\n",
        sandbox.tenant("okta").unwrap().api_url()
    );
    for app in APPS {
        text.push_str(&format!(
            "[instances.{app}]\nconnector = \"{app}\"\nbase_url = \"{}\"\n\
             token_env = \"{}_TOKEN\"\nclient_rate_limit = false\n\n\
             [[provision]]\ninstance = \"{app}\"\ngroups = [\"engineering\"]\n\n",
            sandbox.tenant(app).unwrap().scim_url(),
            app.to_uppercase()
        ));
    }
    text
}

/// A `connector` command on `dir`'s files, with every token in its variable.
fn connector(sandbox: &SandboxHandle, dir: &std::path::Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_connector"));
    command
        .args(args)
        .arg("-c")
        .arg(dir.join("assignments.toml"))
        .arg("--state")
        .arg(dir.join("state.db"))
        .env("OKTA_API_TOKEN", OKTA_TOKEN)
        .env("OKTA_HOOK_SECRET", SECRET);
    for app in APPS {
        let token = sandbox.tenant(app).unwrap().token();
        command.env(format!("{}_TOKEN", app.to_uppercase()), token.expose());
    }
    command
}

/// Starts `connector serve` on a free port, with `extra` options.
fn serve(sandbox: &SandboxHandle, dir: &std::path::Path, extra: &[&str]) -> Serve {
    let mut command = connector(sandbox, dir, &["serve", "--listen", "127.0.0.1:0"]);
    command.args(extra);
    Serve::spawn(
        command,
        std::fs::File::create(dir.join("serve.log")).unwrap(),
    )
}

/// One call to the org's Management API; answers the status and the JSON body.
async fn okta(sandbox: &SandboxHandle, path: &str, body: Option<Value>) -> (u16, Value) {
    let url = format!(
        "{}/api/v1/{path}",
        sandbox.tenant("okta").unwrap().api_url()
    );
    let mut request = reqwest::Client::new()
        .post(url)
        .header("authorization", format!("SSWS {OKTA_TOKEN}"));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Whether `user_name`'s account in `app` is active, as the app holds it.
async fn active(sandbox: &SandboxHandle, app: &str, user_name: &str) -> Option<bool> {
    let tenant = sandbox.tenant(app).unwrap();
    let checker = StateChecker::new(tenant.admin_scim_url(), tenant.admin_token());
    let found = checker.find_by_user_name(user_name).await;
    found.first().map(|u| u["active"].as_bool().unwrap_or(true))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_deactivated_in_okta_is_disabled_in_every_app_through_the_hook() {
    leaver_through_the_hook(&[]).await;
}

/// The same path with the stock flows of `docs/examples/flows.toml` deciding what the
/// event does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stock_leaver_flow_disables_a_person_deactivated_in_okta() {
    let flows = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/examples/flows.toml");
    leaver_through_the_hook(&["--flows", flows]).await;
}

/// Provisions the engineers, starts `serve` with `extra` options, registers and verifies
/// a hook through the org's API, deactivates Ada there and waits until every app holds
/// her account disabled.
async fn leaver_through_the_hook(extra: &[&str]) {
    let sandbox = start_sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("assignments.toml"), assignments(&sandbox)).unwrap();
    let applied = connector(&sandbox, dir.path(), &["apply", "--no-progress"])
        .output()
        .unwrap();
    assert!(
        applied.status.success(),
        "{}{}",
        String::from_utf8_lossy(&applied.stdout),
        String::from_utf8_lossy(&applied.stderr)
    );
    for app in APPS {
        assert_eq!(active(&sandbox, app, ADA.1).await, Some(true), "{app}");
    }

    let serve = serve(&sandbox, dir.path(), extra);
    let log = || std::fs::read_to_string(dir.path().join("serve.log")).unwrap_or_default();

    // Register the hook through Okta's API; the org verifies it against `serve`.
    let (status, hook) = okta(
        &sandbox,
        "eventHooks",
        Some(json!({
            "name": "leavers",
            "events": {"type": "EVENT_TYPE", "items": [
                "user.lifecycle.deactivate", "user.lifecycle.suspend"
            ]},
            "channel": {"type": "HTTP", "version": "1.0.0", "config": {
                "uri": format!("{}/hooks/okta", serve.url),
                "authScheme": {"type": "HEADER", "key": "Authorization", "value": SECRET},
            }},
        })),
    )
    .await;
    assert_eq!(status, 200, "{hook}");
    let id = hook["id"].as_str().unwrap();
    let (status, verified) =
        okta(&sandbox, &format!("eventHooks/{id}/lifecycle/verify"), None).await;
    assert_eq!(status, 200, "{verified}\n{}", log());
    assert_eq!(verified["verificationStatus"], "VERIFIED");

    // Ada leaves: deactivated in Okta, and nothing else is done by hand.
    let started = Instant::now();
    let (status, answer) = okta(
        &sandbox,
        &format!("users/{}/lifecycle/deactivate", ADA.0),
        None,
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let deadline = started + Duration::from_secs(20);
    loop {
        let mut disabled = 0;
        for app in APPS {
            if active(&sandbox, app, ADA.1).await == Some(false) {
                disabled += 1;
            }
        }
        if disabled == APPS.len() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "Ada is still active somewhere after 20 s:\n{}",
            log()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    println!(
        "deactivated in Okta -> disabled in {} apps: {} ms {extra:?}",
        APPS.len(),
        started.elapsed().as_millis()
    );
    // Nobody else was touched.
    for app in APPS {
        assert_eq!(active(&sandbox, app, GRACE).await, Some(true), "{app}");
    }
    assert!(!log().contains(SECRET), "the hook secret reached the log");
}
