//! The cards over HTTP of `connector serve`, over real sockets: the sandbox (in this
//! process) emulates ChatGPT and Zoom on 127.0.0.1 and `serve` runs as a child process
//! with a real state file. The tests check that the cards endpoint is off without a
//! token, refuses a missing or wrong bearer token (401), runs a card whose output is
//! what the app holds, names the JSON path of a bad input (400), suggests a misspelt
//! instance or card (404), maps the app's 5xx to 502, refuses `custom_api_call` outside
//! the instance's allow-list (403) and runs it inside, and audits every call without the
//! token; that `/openapi.json` is a valid OpenAPI 3.1 document (Python's
//! `openapi-spec-validator`) whose documented response schema the real answer fits
//! (Python's `jsonschema`); and that `/metrics` parses and counts a processed event.
#![cfg(feature = "sandbox")]

#[path = "common/serve.rs"]
mod serve_fixture;

use serve_fixture::Serve;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use connector_engine::state::{AuditFilter, Store};
use connector_sandbox::{Faults, RateLimitConfig, Sandbox, SandboxHandle, TenantSpec};
use connector_tests::StateChecker;
use serde_json::{Value, json};

/// The apps.
const APPS: [&str; 2] = ["chatgpt", "zoom"];
/// The hook's shared secret.
const SECRET: &str = "hook-secret-3f9a1c07d2b84e65";
/// The cards' bearer token.
const TOKEN: &str = "cards-token-8d1e55b0c7a94f23";

/// The sandbox and a folder with the assignments, people and state, everyone applied.
struct World {
    sandbox: SandboxHandle,
    dir: tempfile::TempDir,
}

/// A person of the test directory.
fn person(i: usize) -> Value {
    json!({
        "id": format!("00u{i:06}"),
        "login": format!("person{i}@example.com"),
        "email": format!("person{i}@example.com"),
        "first_name": "Person",
        "last_name": format!("Number{i}"),
        "groups": if i <= 3 { vec!["ai"] } else { vec![] },
    })
}

impl World {
    async fn start() -> Self {
        connector_tests::install_crypto_provider();
        let mut builder = Sandbox::builder();
        for manifest in [&connector_chatgpt::MANIFEST, &connector_zoom::MANIFEST] {
            builder = builder
                .tenant(TenantSpec::for_manifest(manifest).rate_limit(RateLimitConfig::off()));
        }
        let sandbox = builder.start("127.0.0.1:0").await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::new();
        for app in APPS {
            let tenant = sandbox.tenant(app).unwrap();
            text.push_str(&format!(
                "[instances.{app}]\nconnector = \"{app}\"\nbase_url = \"{}\"\n\
                 token_env = \"{}_TOKEN\"\nclient_rate_limit = false\ntimeout_secs = 5\n\n\
                 [[provision]]\ninstance = \"{app}\"\ngroups = [\"ai\"]\n\n",
                tenant.scim_url(),
                app.to_uppercase()
            ));
        }
        // ChatGPT allows reading its users through custom_api_call; Zoom allows nothing.
        text.push_str(
            "[instances.chatgpt.cards]\n\
             custom_api_call = { methods = [\"GET\"], path_prefixes = [\"/Users\"] }\n",
        );
        std::fs::write(dir.path().join("assignments.toml"), text).unwrap();
        let people: Vec<Value> = (1..=5).map(person).collect();
        std::fs::write(
            dir.path().join("people.json"),
            json!({ "people": people }).to_string(),
        )
        .unwrap();
        let world = Self { sandbox, dir };
        let mut apply = world.command(&["apply", "--no-progress"]);
        apply.arg("--people").arg(world.path("people.json"));
        let applied = tokio::task::spawn_blocking(move || apply.output().unwrap())
            .await
            .unwrap();
        assert!(
            applied.status.success(),
            "{}",
            String::from_utf8_lossy(&applied.stderr)
        );
        world
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A `connector` command on this world's files and tokens.
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_connector"));
        command
            .args(args)
            .arg("-c")
            .arg(self.path("assignments.toml"))
            .arg("--state")
            .arg(self.path("state.db"));
        for app in APPS {
            let token = self.sandbox.tenant(app).unwrap().token();
            command.env(format!("{}_TOKEN", app.to_uppercase()), token.expose());
        }
        command
    }

    /// Starts `connector serve` on a free port, with `extra` options.
    fn serve(&self, extra: &[&str]) -> Serve {
        let mut command = self.command(&["serve"]);
        command
            .arg("--people")
            .arg(self.path("people.json"))
            .args(["--listen", "127.0.0.1:0"])
            .args(extra)
            .env("OKTA_HOOK_SECRET", SECRET)
            .env("CONNECTOR_CARDS_TOKEN", TOKEN);
        Serve::spawn(
            command,
            std::fs::File::create(self.path("serve.log")).unwrap(),
        )
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.path("serve.log")).unwrap_or_default()
    }

    /// Person `i`'s account in `app`, as the app holds it.
    async fn account(&self, app: &str, i: usize) -> Value {
        let tenant = self.sandbox.tenant(app).unwrap();
        let checker = StateChecker::new(tenant.admin_scim_url(), tenant.admin_token());
        let found = checker
            .find_by_user_name(&format!("person{i}@example.com"))
            .await;
        found.first().cloned().expect("the account exists")
    }

    async fn faults(&self, app: &str, faults: Faults) {
        let tenant = self.sandbox.tenant(app).unwrap();
        let response = reqwest::Client::new()
            .put(format!("{}/faults", tenant.admin_url()))
            .bearer_auth(tenant.admin_token().expose())
            .json(&faults)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success());
    }

    /// The stored audit events of card calls.
    async fn card_events(&self) -> Vec<Value> {
        let store = Store::open_existing(&self.path("state.db")).await.unwrap();
        let filter = AuditFilter {
            activity: Some("Card".to_owned()),
            ..AuditFilter::default()
        };
        store
            .audit_events(&filter)
            .await
            .unwrap()
            .iter()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    }
}

impl Serve {
    /// Posts `input` to `/cards/{instance}/{card}` with `token` as the bearer token.
    async fn card(
        &self,
        instance: &str,
        card: &str,
        token: Option<&str>,
        input: &Value,
    ) -> (u16, Value) {
        let mut request = reqwest::Client::new()
            .post(format!("{}/cards/{instance}/{card}", self.url))
            .header("user-agent", "serve-cards-test")
            .json(input);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(Value::Null);
        (status, body)
    }

    async fn get(&self, path: &str) -> (u16, String) {
        let response = reqwest::get(format!("{}{path}", self.url)).await.unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_token_the_cards_endpoint_is_off() {
    let world = World::start().await;
    let serve = world.serve(&[]);
    let input = json!({"account": {"id": "1", "user_name": "person1@example.com"}});
    let (status, body) = serve.card("zoom", "get_account", Some(TOKEN), &input).await;
    assert_eq!(status, 404, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("--cards-token-env"),
        "{body}"
    );
    assert!(world.card_events().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cards_run_authenticated_validated_allowed_and_audited() {
    let world = World::start().await;
    let serve = world.serve(&["--cards-token-env", "CONNECTOR_CARDS_TOKEN"]);
    let zoom = world.account("zoom", 1).await;
    let id = zoom["id"].as_str().unwrap();
    let input = json!({"account": {"id": id, "user_name": "person1@example.com"}});

    // No token, a wrong token.
    let (status, _) = serve.card("zoom", "get_account", None, &input).await;
    assert_eq!(status, 401);
    let (status, body) = serve
        .card("zoom", "get_account", Some("not-the-token"), &input)
        .await;
    assert_eq!(status, 401, "{body}");

    // A valid call: the output is the account as the app holds it.
    let (status, body) = serve.card("zoom", "get_account", Some(TOKEN), &input).await;
    assert_eq!(status, 200, "{body}\n{}", world.log());
    assert_eq!(body["account"]["id"], zoom["id"]);
    assert_eq!(body["account"]["user_name"], zoom["userName"]);
    assert_eq!(body["account"]["active"], zoom["active"]);

    // A bad input names its JSON path.
    let bad = json!({"account": {"id": 42, "user_name": "person1@example.com"}});
    let (status, body) = serve.card("zoom", "get_account", Some(TOKEN), &bad).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["path"], "account.id", "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("account.id"),
        "{body}"
    );

    // Misspelt instance and card.
    let (status, body) = serve.card("zom", "get_account", Some(TOKEN), &input).await;
    assert_eq!(status, 404);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("did you mean `zoom`"),
        "{body}"
    );
    let (status, body) = serve.card("zoom", "get_acount", Some(TOKEN), &input).await;
    assert_eq!(status, 404);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("did you mean `get_account`"),
        "{body}"
    );

    // custom_api_call: Zoom allows none; ChatGPT allows GET under /Users only.
    let users = json!({"method": "GET", "path": "/Users", "query": {"count": "1"}});
    let (status, body) = serve
        .card("zoom", "custom_api_call", Some(TOKEN), &users)
        .await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("off over HTTP"),
        "{body}"
    );
    let (status, body) = serve
        .card("chatgpt", "custom_api_call", Some(TOKEN), &users)
        .await;
    assert_eq!(status, 200, "{body}\n{}", world.log());
    assert_eq!(body["status"], 200, "{body}");
    assert!(
        body["body"]["totalResults"].as_u64().unwrap() >= 3,
        "{body}"
    );
    for refused in [
        json!({"method": "DELETE", "path": "/Users/x"}),
        json!({"method": "GET", "path": "/Groups"}),
        json!({"method": "GET", "path": "/Users/../Groups"}),
    ] {
        let (status, body) = serve
            .card("chatgpt", "custom_api_call", Some(TOKEN), &refused)
            .await;
        assert_eq!(status, 403, "{refused}: {body}");
    }

    // The app's 5xx is a 502 carrying its status.
    world.faults("zoom", Faults::none().error_rate(1.0)).await;
    let (status, body) = serve.card("zoom", "get_account", Some(TOKEN), &input).await;
    world.faults("zoom", Faults::none()).await;
    assert_eq!(status, 502, "{body}");
    assert!(body["app_status"].as_u64().unwrap() >= 500, "{body}");

    // Every call is audited, with card, instance, caller and outcome; never the token.
    let events = world.card_events().await;
    assert_eq!(events.len(), 12, "{events:#?}");
    let text = serde_json::to_string(&events).unwrap();
    assert!(!text.contains(TOKEN) && !text.contains("not-the-token"));
    let ok = events
        .iter()
        .find(|e| e["api"]["operation"] == "get_account" && e["status"] == "Success")
        .expect("the successful get_account is audited");
    assert_eq!(ok["api"]["service"]["uid"], "zoom");
    assert_eq!(ok["user"]["uid"], id);
    assert!(
        ok["actor"]["user"]["name"]
            .as_str()
            .unwrap()
            .contains("serve-cards-test"),
        "{ok}"
    );
    let refused: Vec<&Value> = events
        .iter()
        .filter(|e| e["http_response"]["code"] == 403)
        .collect();
    assert_eq!(refused.len(), 4);
    assert!(refused.iter().all(|e| e["status"] == "Failure"));
    assert_eq!(
        events
            .iter()
            .filter(|e| e["http_response"]["code"] == 401)
            .count(),
        2
    );

    // `connector audit` shows them too.
    let output = world
        .command(&["audit", "--activity", "card", "--json"])
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&output.stdout).lines().count();
    assert_eq!(listed, 12, "{}", String::from_utf8_lossy(&output.stderr));
}

/// The Python of the test peers: `$PEERS_PYTHON`, else the workspace's `.venv-peers`;
/// `None` (skipped, outside CI) when it lacks `openapi_spec_validator` or `jsonschema`.
fn python() -> Option<PathBuf> {
    let python = std::env::var_os("PEERS_PYTHON").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv-peers/bin/python"),
        PathBuf::from,
    );
    let ready = Command::new(&python)
        .args(["-c", "import openapi_spec_validator, jsonschema"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ready {
        let reason = format!(
            "{} cannot import openapi_spec_validator; run `cargo xtask peers`",
            python.display()
        );
        assert!(std::env::var_os("CI").is_none(), "{reason}");
        eprintln!("skipping the OpenAPI validation: {reason}");
        return None;
    }
    Some(python)
}

/// Validates the document (argv 1) as OpenAPI 3.1 with every `$ref` resolving in it,
/// then the answer (argv 3) against
/// the 200 schema of the path (argv 2); prints `ok`.
const VALIDATE: &str = r##"
import json, sys
from openapi_spec_validator import validate
from openapi_spec_validator.validation import OpenAPIV31SpecValidator
from jsonschema import Draft202012Validator
document = json.load(open(sys.argv[1]))
validate(document, cls=OpenAPIV31SpecValidator)
# Every reference resolves against the document (the validator does not follow them).
def refs(value):
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "$ref":
                yield item
            else:
                yield from refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from refs(item)
for ref in refs(document):
    assert ref.startswith("#/components/schemas/"), ref
    assert ref.split("/")[-1] in document["components"]["schemas"], ref
operation = document["paths"][sys.argv[2]]["post"]
schema = dict(operation["responses"]["200"]["content"]["application/json"]["schema"])
schema["components"] = document["components"]
Draft202012Validator(schema).validate(json.loads(sys.argv[3]))
request = dict(operation["requestBody"]["content"]["application/json"]["schema"])
request["components"] = document["components"]
Draft202012Validator(request).validate(json.loads(sys.argv[4]))
assert not Draft202012Validator(request).is_valid({"account": {"id": 42}})
print("ok")
"##;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_validates_and_documents_a_real_answer() {
    let world = World::start().await;
    let serve = world.serve(&["--cards-token-env", "CONNECTOR_CARDS_TOKEN"]);
    let (status, text) = serve.get("/openapi.json").await;
    assert_eq!(status, 200);
    let document: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    // Each instance's cards, and nothing a connector does not declare.
    let paths = document["paths"].as_object().unwrap();
    assert!(paths.contains_key("/cards/chatgpt/find_account"));
    assert!(paths.contains_key("/cards/zoom/assign_license"));
    assert!(!paths.keys().any(|p| p.contains("person_deactivated")));
    // Call the documented path.
    let path = "/cards/zoom/get_account";
    let operation = &paths[path]["post"];
    assert!(operation["responses"]["401"].is_object());
    let zoom = world.account("zoom", 2).await;
    let input = json!({"account": {"id": zoom["id"], "user_name": "person2@example.com"}});
    let response = reqwest::Client::new()
        .post(format!("{}{path}", serve.url))
        .bearer_auth(TOKEN)
        .json(&input)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["account"]["id"], zoom["id"]);
    let Some(python) = python() else { return };
    let file = world.path("openapi.json");
    std::fs::write(&file, &text).unwrap();
    let output = Command::new(python)
        .args(["-c", VALIDATE])
        .arg(&file)
        .arg(path)
        .arg(answer.to_string())
        .arg(input.to_string())
        .output()
        .unwrap();
    assert!(
        output.status.success() && String::from_utf8_lossy(&output.stdout).trim() == "ok",
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// An Okta Event Hook delivery deactivating person `i`.
fn leaver(uuid: &str, i: usize) -> Value {
    json!({
        "eventType": "com.okta.event_hook",
        "data": { "events": [{
            "uuid": uuid,
            "published": "2026-03-01T12:00:00.000Z",
            "eventType": "user.lifecycle.deactivate",
            "target": [{
                "id": format!("00u{i:06}"), "type": "User",
                "alternateId": format!("person{i}@example.com")
            }]
        }]}
    })
}

/// The value of the sample `series` (name and labels as written) in `text`, checking
/// that every line is a sample or a `# HELP` / `# TYPE` comment.
fn sample(text: &str, series: &str) -> f64 {
    let mut found = None;
    for line in text.lines().filter(|l| !l.is_empty()) {
        if line.starts_with("# HELP ") || line.starts_with("# TYPE ") {
            continue;
        }
        let (name, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("{line}"));
        let value: f64 = value.parse().unwrap_or_else(|_| panic!("{line}"));
        if name == series {
            found = Some(value);
        }
    }
    found.unwrap_or_else(|| panic!("no {series} in\n{text}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_a_processed_event_and_card_calls() {
    let world = World::start().await;
    let serve = world.serve(&["--cards-token-env", "CONNECTOR_CARDS_TOKEN"]);
    let (status, text) = serve.get("/metrics").await;
    assert_eq!(status, 200);
    assert_eq!(sample(&text, "connector_events_processed_total"), 0.0);
    let response = reqwest::Client::new()
        .post(format!("{}/hooks/okta", serve.url))
        .header("authorization", SECRET)
        .json(&leaver("0b7a3f4e-metrics-1", 2))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let deadline = Instant::now() + Duration::from_secs(10);
    let text = loop {
        let (_, text) = serve.get("/metrics").await;
        if sample(&text, "connector_events_processed_total") >= 1.0 {
            break text;
        }
        assert!(
            Instant::now() < deadline,
            "never processed:\n{}",
            world.log()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(sample(&text, "connector_events_accepted_total"), 1.0);
    assert_eq!(sample(&text, "connector_events_processed_total"), 1.0);
    assert_eq!(sample(&text, "connector_events_dead_lettered_total"), 0.0);
    assert_eq!(sample(&text, "connector_event_queue_depth"), 0.0);
    assert_eq!(sample(&text, "connector_event_latency_seconds_count"), 1.0);
    assert_eq!(
        sample(&text, "connector_event_latency_seconds_bucket{le=\"+Inf\"}"),
        1.0
    );
    assert_eq!(world.account("zoom", 2).await["active"], false);
    let ping = json!({});
    let (status, _) = serve.card("zoom", "ping", Some(TOKEN), &ping).await;
    assert_eq!(status, 200);
    let (_, text) = serve.get("/metrics").await;
    assert_eq!(
        sample(
            &text,
            "connector_card_calls_total{instance=\"zoom\",card=\"ping\",status=\"200\"}"
        ),
        1.0
    );
    let _ = std::io::stdout().flush();
}
