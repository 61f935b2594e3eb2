//! `connector sso plan|apply` against the sandbox's emulated Okta over loopback: the
//! Okta apps of ChatGPT (SAML app hidden, plus its bookmark tile) and Zoom created and
//! assigned, the SaaS-side settings and the `sso check` of each SAML app's metadata
//! printed, a second run with nothing to do, and the faults: a token without
//! `okta.apps.manage` (the scope named, nothing created) and a label matching two apps
//! (stop, both named).
#![cfg(feature = "sandbox")]

use std::path::Path;
use std::process::{Command, Output};

use connector_sandbox::{OktaApp, OktaOrg, RateLimitConfig, Sandbox, SandboxHandle, TenantSpec};
use serde_json::{Value, json};

const OKTA_TOKEN: &str = "okta-token-5c1d9e";

async fn start(org: OktaOrg) -> SandboxHandle {
    connector_tests::install_crypto_provider();
    Sandbox::builder()
        .tenant(
            TenantSpec::okta("okta", org)
                .token(OKTA_TOKEN)
                .rate_limit(RateLimitConfig::off()),
        )
        .start("127.0.0.1:0")
        .await
        .unwrap()
}

/// Three people: two engineers and one in sales.
fn org() -> OktaOrg {
    let person = |i: usize, group: &str| {
        let mut who = connector_tests::people::person(i, "example.com");
        who.groups = vec![group.to_owned()];
        who
    };
    OktaOrg::new()
        .person(person(1, "engineering"))
        .person(person(2, "engineering"))
        .person(person(3, "sales"))
}

/// Writes the assignments: ChatGPT and Zoom signed in by engineering.
fn write_assignments(sandbox: &SandboxHandle, dir: &Path) {
    let text = format!(
        "[idp.okta]\nurl = \"{}\"\ntoken_env = \"OKTA_API_TOKEN\"\n\n\
         [instances.chatgpt]\nconnector = \"chatgpt\"\ntoken_env = \"CHATGPT_TOKEN\"\n\n\
         [instances.zoom]\nconnector = \"zoom\"\ntoken_env = \"ZOOM_TOKEN\"\n\
         variables = {{ vanity = \"acme\" }}\n\n\
         [[sso]]\ninstance = \"chatgpt\"\ngroups = [\"engineering\"]\n\n\
         [[sso]]\ninstance = \"zoom\"\ngroups = [\"engineering\"]\n",
        sandbox.tenant("okta").unwrap().api_url()
    );
    std::fs::write(dir.join("assignments.toml"), text).unwrap();
}

/// `connector sso <command> -c assignments.toml` with ChatGPT's SP inputs.
fn sso(dir: &Path, command: &str, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_connector"))
        .args(["sso", command, "-c"])
        .arg(dir.join("assignments.toml"))
        .args([
            "--var",
            "chatgpt.acs_url=https://auth0.openai.com/login/callback?connection=acme",
            "--var",
            "chatgpt.entity_id=urn:auth0:openai:acme",
        ])
        .args(extra)
        .env("OKTA_API_TOKEN", OKTA_TOKEN)
        .output()
        .unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The org as its admin API shows it.
async fn admin_state(sandbox: &SandboxHandle) -> Value {
    let org = sandbox.tenant("okta").unwrap();
    reqwest::Client::new()
        .get(format!("{}/okta", org.admin_url()))
        .bearer_auth(org.admin_token().expose())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn apps_are_created_assigned_checked_and_found_again() {
    let sandbox = start(org()).await;
    let dir = tempfile::tempdir().unwrap();
    write_assignments(&sandbox, dir.path());

    let plan = sso(dir.path(), "plan", &[]);
    let out = text(&plan);
    assert_eq!(plan.status.code(), Some(2), "{out}");
    assert!(
        out.contains("chatgpt sign_on \"ChatGPT\" SAML_2_0: create; assign engineering"),
        "{out}"
    );
    assert!(
        out.contains("chatgpt tile \"ChatGPT\" BOOKMARK: create; assign engineering"),
        "{out}"
    );
    assert!(
        out.contains("zoom sign_on \"Zoom\" SAML_2_0: create; assign engineering"),
        "{out}"
    );
    assert!(
        admin_state(&sandbox).await["apps"]
            .as_array()
            .unwrap()
            .is_empty(),
        "plan writes nothing"
    );

    let apply = sso(dir.path(), "apply", &[]);
    let out = text(&apply);
    assert_eq!(apply.status.code(), Some(0), "{out}");
    assert!(out.contains("created, assigned engineering"), "{out}");
    assert!(out.contains("/sso/saml/metadata"), "{out}");
    assert!(
        out.contains("the app sends to ACS: https://acme.zoom.us/saml/SSO"),
        "{out}"
    );
    assert!(!out.contains(OKTA_TOKEN), "{out}");
    let state = admin_state(&sandbox).await;
    let apps = state["apps"].as_array().unwrap();
    assert_eq!(apps.len(), 3, "{state}");
    let chatgpt_saml = apps
        .iter()
        .find(|a| a["label"] == "ChatGPT" && a["signOnMode"] == "SAML_2_0")
        .unwrap();
    assert_eq!(
        chatgpt_saml["visibility"]["hide"]["web"], true,
        "the SAML app is hidden"
    );
    assert!(
        apps.iter()
            .all(|a| a["groups"].as_array().unwrap().len() == 1),
        "{state}"
    );

    // The certificate fingerprint printed is the one of the metadata Okta serves.
    let org = sandbox.tenant("okta").unwrap();
    let id = chatgpt_saml["id"].as_str().unwrap();
    let metadata = reqwest::Client::new()
        .get(format!(
            "{}/api/v1/apps/{id}/sso/saml/metadata",
            org.api_url()
        ))
        .header("Authorization", format!("SSWS {OKTA_TOKEN}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let cert: String = metadata
        .split("<ds:X509Certificate>")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap()
        .to_owned();
    use base64::Engine as _;
    use sha2::Digest as _;
    let der = base64::engine::general_purpose::STANDARD
        .decode(&cert)
        .unwrap();
    let hex: Vec<String> = sha2::Sha256::digest(&der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    assert!(out.contains(&hex.join(":")), "{out}");
    // sso check ran on it: the certificate passes; the sandbox's SSO URL is http.
    assert!(out.contains("sso check of the app's IdP metadata"), "{out}");
    assert!(out.contains("ok   signing_certificate"), "{out}");

    // Found again: nothing to change, no second app.
    let again = sso(dir.path(), "apply", &[]);
    let out = text(&again);
    assert_eq!(again.status.code(), Some(0), "{out}");
    assert!(out.contains("Nothing to change."), "{out}");
    let plan = sso(dir.path(), "plan", &[]);
    assert_eq!(plan.status.code(), Some(0), "{}", text(&plan));
    assert_eq!(
        admin_state(&sandbox).await["apps"]
            .as_array()
            .unwrap()
            .len(),
        3
    );

    // JSON: the plan as data.
    let json_plan = sso(dir.path(), "plan", &["--format", "json"]);
    let parsed: Value = serde_json::from_slice(&json_plan.stdout).unwrap();
    assert_eq!(parsed["apps"][0]["action"]["action"], "keep", "{parsed}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_without_the_scope_changes_nothing_and_says_which() {
    let sandbox = start(org()).await;
    let org = sandbox.tenant("okta").unwrap();
    reqwest::Client::new()
        .put(format!("{}/okta/faults", org.admin_url()))
        .bearer_auth(org.admin_token().expose())
        .json(&json!({"missing_scopes": ["okta.apps.manage"]}))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    write_assignments(&sandbox, dir.path());
    let apply = sso(dir.path(), "apply", &[]);
    let out = text(&apply);
    assert_eq!(apply.status.code(), Some(1), "{out}");
    assert!(out.contains("error: Okta refused POST /api/v1/apps: the API token lacks the scope `okta.apps.manage`"), "{out}");
    assert!(out.contains("Nothing was changed in"), "{out}");
    assert!(
        admin_state(&sandbox).await["apps"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_label_matching_two_apps_stops_and_lists_both() {
    let sandbox = start(
        org()
            .app(OktaApp::new("0oazoom1", "Zoom"))
            .app(OktaApp::new("0oazoom2", "Zoom")),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    write_assignments(&sandbox, dir.path());
    let apply = sso(dir.path(), "apply", &[]);
    let out = text(&apply);
    assert_eq!(apply.status.code(), Some(1), "{out}");
    assert!(
        out.contains("zoom: 2 Okta apps match the sign_on app \"Zoom\" (0oazoom1, 0oazoom2)"),
        "{out}"
    );
    assert_eq!(
        admin_state(&sandbox).await["apps"]
            .as_array()
            .unwrap()
            .len(),
        2,
        "nothing created"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn removals_over_the_limit_stop_apply_unless_allowed() {
    let sandbox = start(org()).await;
    let dir = tempfile::tempdir().unwrap();
    write_assignments(&sandbox, dir.path());
    let first = sso(dir.path(), "apply", &["--instance", "zoom"]);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first));
    // Sign-in moves from engineering to sales, with at most 0 removals.
    let path = dir.path().join("assignments.toml");
    let moved = std::fs::read_to_string(&path)
        .unwrap()
        .replace(
            "[[sso]]\ninstance = \"zoom\"\ngroups = [\"engineering\"]",
            "[[sso]]\ninstance = \"zoom\"\ngroups = [\"sales\"]",
        )
        .replace(
            "variables = { vanity = \"acme\" }\n",
            "variables = { vanity = \"acme\" }\n[instances.zoom.policy]\nmax_removals = 0\n",
        );
    std::fs::write(&path, moved).unwrap();
    let plan = sso(dir.path(), "plan", &["--instance", "zoom"]);
    let out = text(&plan);
    assert_eq!(plan.status.code(), Some(3), "{out}");
    assert!(out.contains("assign sales; unassign engineering"), "{out}");
    assert!(
        out.contains("zoom: 1 assignment removal(s), at most 0: apply would stop"),
        "{out}"
    );
    let stopped = sso(dir.path(), "apply", &["--instance", "zoom"]);
    let out = text(&stopped);
    assert_eq!(stopped.status.code(), Some(3), "{out}");
    assert!(out.contains("nothing was changed"), "{out}");
    let zoom = |state: &Value| {
        state["apps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["label"] == "Zoom")
            .unwrap()["groups"]
            .as_array()
            .unwrap()
            .len()
    };
    let state = admin_state(&sandbox).await;
    let engineering = state["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["profile"]["name"] == "engineering")
        .unwrap()["id"]
        .clone();
    assert_eq!(state["apps"][0]["groups"], json!([engineering]), "{state}");
    assert_eq!(zoom(&state), 1);
    let allowed = sso(
        dir.path(),
        "apply",
        &["--instance", "zoom", "--allow-removals"],
    );
    let out = text(&allowed);
    assert_eq!(allowed.status.code(), Some(0), "{out}");
    assert!(
        out.contains("assigned sales, unassigned engineering"),
        "{out}"
    );
}
