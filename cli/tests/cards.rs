//! Cards: `connector cards` lists exactly the cards each spec declares; every emitted
//! JSON Schema is valid for an independent validator (Python `jsonschema`, in the peers'
//! virtualenv) which accepts one valid and refuses one invalid sample input per card,
//! in agreement with the Rust types; the dispatcher runs cards on the sandbox; and
//! `connector ping` checks an instance's credentials over a real socket.
#![cfg(feature = "sandbox")]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use connector_sandbox::{Sandbox, TenantSpec};
use connector_sdk::Connector as _;
use connector_sdk::cards::{self, Card};
use serde_json::{Value, json};

fn connector(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_connector"))
        .args(args)
        .output()
        .expect("the connector binary runs")
}

fn cards_json(args: &[&str]) -> Value {
    let output = connector(args);
    assert!(output.status.success(), "{output:?}");
    serde_json::from_slice(&output.stdout).unwrap()
}

fn names(document: &Value, app: &str) -> Vec<String> {
    document["connectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == app)
        .unwrap()["cards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_card_exists_only_for_a_declared_capability() {
    let all = cards_json(&["cards", "--json"]);
    // Notion declares neither `delete` nor `reactivate`; Zoom declares both.
    let notion = names(&all, "notion");
    assert!(!notion.contains(&"delete_account".to_owned()), "{notion:?}");
    assert!(!notion.contains(&"enable_account".to_owned()), "{notion:?}");
    assert!(notion.contains(&"disable_account".to_owned()));
    let zoom = names(&all, "zoom");
    for card in [
        "delete_account",
        "enable_account",
        "assign_license",
        "ping",
        "custom_api_call",
    ] {
        assert!(zoom.contains(&card.to_owned()), "{card} missing: {zoom:?}");
    }
    assert_eq!(all["events"].as_array().unwrap().len(), 6);
    // One app, and an unknown one.
    let one = cards_json(&["cards", "slack", "--json"]);
    assert_eq!(one["connectors"].as_array().unwrap().len(), 1);
    let output = connector(&["cards", "nope"]);
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("no connector `nope`; the connectors: ")
    );
    let table = connector(&["cards", "zoom"]);
    let table = String::from_utf8_lossy(&table.stdout);
    assert!(
        table.contains("assign_license   action  license     account, sku"),
        "{table}"
    );
}

/// One valid and one invalid sample input for `card` (SKUs from `manifest`).
fn samples(card: &Card, sku: Option<&str>) -> (Value, Value) {
    let person = json!({"id": "u1", "login": "ada@example.com", "email": "ada@example.com"});
    let account = json!({"id": "42", "user_name": "ada@example.com"});
    match card.name {
        "find_account" | "create_account" => {
            (json!({"person": person}), json!({"person": {"id": 1}}))
        }
        "get_account" | "disable_account" | "enable_account" | "delete_account" => (
            json!({"account": account}),
            json!({"account": {"id": "42"}}),
        ),
        "update_account" => (
            json!({"account": account, "person": person}),
            json!({"account": account}),
        ),
        "list_accounts" => (json!({"count": 5}), json!({"count": "five"})),
        "assign_license" | "revoke_license" => (
            json!({"account": account, "sku": sku.unwrap()}),
            json!({"account": account, "sku": "no_such_sku"}),
        ),
        "ping" => (json!({}), json!({"verbose": true})),
        "custom_api_call" => (
            json!({"method": "GET", "path": "Users", "query": {"count": "1"}}),
            json!({"method": "TRACE", "path": "Users"}),
        ),
        other => panic!("no samples for card `{other}`: add them"),
    }
}

fn python() -> Option<PathBuf> {
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv-peers/bin/python");
    let ready = Command::new(&python)
        .args(["-c", "import jsonschema"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ready {
        let reason = format!(
            "{} cannot import jsonschema; run `cargo xtask peers`",
            python.display()
        );
        assert!(std::env::var_os("CI").is_none(), "{reason}");
        eprintln!("skipping the JSON Schema validation: {reason}");
        return None;
    }
    Some(python)
}

/// For each `(schema, instance)`: whether the schema is a valid Draft 2020-12 schema
/// (else the test fails) and whether `instance` is valid against it.
const VALIDATE: &str = r#"
import json, sys
from jsonschema import Draft202012Validator
for line in sys.stdin:
    case = json.loads(line)
    Draft202012Validator.check_schema(case["schema"])
    valid = Draft202012Validator(case["schema"]).is_valid(case["instance"])
    print(json.dumps(valid))
"#;

#[test]
fn every_card_schema_validates_its_samples_like_the_rust_types() {
    let Some(python) = python() else { return };
    let mut cases: Vec<(String, Value, Value, bool)> = Vec::new();
    let catalogues: Vec<(&connector_sdk::Manifest, &[Card])> = vec![
        (&connector_zoom::MANIFEST, connector_zoom::CARDS),
        (&connector_slack::MANIFEST, connector_slack::CARDS),
        (&connector_notion::MANIFEST, connector_notion::CARDS),
        (&connector_gemini::MANIFEST, connector_gemini::CARDS),
        (&connector_box::MANIFEST, connector_box::CARDS),
    ];
    for (manifest, catalogue) in catalogues {
        let sku = manifest.licenses.first().map(|l| l.name);
        for card in catalogue {
            let schema = serde_json::to_value((card.input_schema)()).unwrap();
            let (valid, invalid) = samples(card, sku);
            let parse = card.parse.unwrap();
            assert!(parse(valid.clone()).is_ok(), "{}: {valid}", card.name);
            assert!(parse(invalid.clone()).is_err(), "{}: {invalid}", card.name);
            let what = format!("{}/{}", manifest.name, card.name);
            cases.push((what.clone(), schema.clone(), valid, true));
            cases.push((what.clone(), schema, invalid, false));
            let output = serde_json::to_value((card.output_schema)()).unwrap();
            cases.push((format!("{what} output"), output, json!(null), false));
        }
    }
    for card in cards::events::EVENT_CARDS {
        let output = serde_json::to_value((card.output_schema)()).unwrap();
        let mut event = json!({
            "event_id": "e1", "published": "2026-12-07T12:00:00Z",
            "person": {"id": "00u1", "login": "ada@example.com"}
        });
        if card.name.contains("group") {
            event["group"] = json!({"id": "00g1", "name": "ai"});
        }
        cases.push((card.name.to_owned(), output.clone(), event, true));
        cases.push((
            card.name.to_owned(),
            output,
            json!({"event_id": "e1"}),
            false,
        ));
    }
    let mut child = Command::new(&python)
        .args(["-c", VALIDATE])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let input: String = cases
        .iter()
        .map(|(_, schema, instance, _)| {
            format!("{}\n", json!({"schema": schema, "instance": instance}))
        })
        .collect();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let verdicts: Vec<bool> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| l == "true")
        .collect();
    assert_eq!(verdicts.len(), cases.len());
    for ((what, _, instance, expected), verdict) in cases.iter().zip(verdicts) {
        assert_eq!(verdict, *expected, "{what}: {instance}");
    }
}

#[test]
fn the_dispatcher_runs_cards_on_the_sandbox_and_names_bad_input() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let sandbox = Sandbox::builder()
            .tenant(TenantSpec::for_manifest(&connector_zoom::MANIFEST))
            .start("127.0.0.1:0")
            .await
            .unwrap();
        let zoom = connector_zoom::connect(sandbox.tenant("zoom").unwrap().config()).unwrap();
        let person = json!({"id": "u1", "login": "ada@example.com", "email": "ada@example.com",
            "first_name": "Ada", "last_name": "Lovelace"});
        let created = cards::run(&zoom, "create_account", json!({"person": person}))
            .await
            .unwrap();
        let account =
            json!({"id": created["account"]["id"], "user_name": created["account"]["user_name"]});
        let done = cards::run(&zoom, "disable_account", json!({"account": account}))
            .await
            .unwrap();
        assert_eq!(done["account"], account);
        let got = cards::run(&zoom, "get_account", json!({"account": account}))
            .await
            .unwrap();
        assert_eq!(got["account"]["active"], false);
        // custom_api_call goes through the connector's auth to the same API.
        let raw = cards::run(
            &zoom,
            "custom_api_call",
            json!({"method": "GET", "path": "Users",
            "query": {"filter": "userName eq \"ada@example.com\""}}),
        )
        .await
        .unwrap();
        assert_eq!(raw["status"], 200, "{raw}");
        assert_eq!(raw["body"]["totalResults"], 1, "{raw}");
        let escape = cards::run(
            &zoom,
            "custom_api_call",
            json!({"method": "GET", "path": "Users/%2e%2e/_admin"}),
        )
        .await
        .unwrap_err()
        .to_string();
        assert!(
            escape.starts_with(
                "input of `custom_api_call` at `path`: custom_api_call path `Users/%2e%2e/_admin` is refused"
            ),
            "{escape}"
        );
        let bad = cards::run(
            &zoom,
            "assign_license",
            json!({"account": account, "sku": "gold"}),
        )
        .await
        .unwrap_err()
        .to_string();
        assert!(
            bad.starts_with("input of `assign_license` at `sku`: unknown variant `gold`"),
            "{bad}"
        );
        let unknown = cards::run(&zoom, "person_deactivated", json!({}))
            .await
            .unwrap_err()
            .to_string();
        assert!(
            unknown.starts_with("zoom has no card `person_deactivated`; its cards: find_account, "),
            "{unknown}"
        );
        let ping = cards::run(&zoom, "ping", json!({})).await.unwrap();
        assert!(ping["latency_ms"].is_u64(), "{ping}");
        assert_eq!(zoom.cards().len(), connector_zoom::CARDS.len());
        drop(sandbox);
    });
}

#[test]
fn ping_checks_an_instance_against_the_sandbox() {
    const TOKEN_ENV: &str = "CLI_CARDS_PING_TOKEN";
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let sandbox = runtime.block_on(async {
        Sandbox::builder()
            .tenant(TenantSpec::for_manifest(&connector_chatgpt::MANIFEST))
            .start("127.0.0.1:0")
            .await
            .unwrap()
    });
    let tenant = sandbox.tenant("chatgpt").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("assignments.toml");
    std::fs::write(
        &config,
        format!(
            "[settings]\nstate = \"{}\"\n\n[instances.chatgpt]\nconnector = \"chatgpt\"\n\
             base_url = \"{}\"\ntoken_env = \"{TOKEN_ENV}\"\n",
            dir.path().join("state.db").display(),
            tenant.api_url()
        ),
    )
    .unwrap();
    let ping = |instance: &str, token: &str| {
        Command::new(env!("CARGO_BIN_EXE_connector"))
            .args(["ping", instance, "-c"])
            .arg(&config)
            .env(TOKEN_ENV, token)
            .output()
            .unwrap()
    };
    let token = tenant.token().expose().to_owned();
    let ok = ping("chatgpt", &token);
    let stdout = String::from_utf8_lossy(&ok.stdout);
    assert!(ok.status.success(), "{ok:?}");
    assert!(stdout.starts_with("chatgpt: ok in "), "{stdout}");
    assert!(stdout.contains(" ms (list one account)"), "{stdout}");
    let refused = ping("chatgpt", "wrong-token-value");
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("chatgpt: ping failed: authentication failed"),
        "{stderr}"
    );
    assert!(!stderr.contains("wrong-token-value"), "{stderr}");
    let unknown = ping("claude", &token);
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no instance `claude`"));
    assert!(!dir.path().join("state.db").exists(), "ping opens no state");
}

#[test]
fn docs_examples() {
    let page =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/flows.md"))
            .unwrap();
    let block = page
        .split("```json assign_license\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("docs/flows.md has the assign_license example");
    let card = connector_zoom::CARDS
        .iter()
        .find(|c| c.name == "assign_license")
        .unwrap();
    let input: Value = serde_json::from_str(block).unwrap();
    assert!((card.parse.unwrap())(input).is_ok(), "{block}");
    let listed = connector(&["cards", "zoom"]);
    assert!(String::from_utf8_lossy(&listed.stdout).contains("custom_api_call"));
}
