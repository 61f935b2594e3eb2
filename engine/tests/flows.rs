//! Flows (`flows.toml`): the checker, one test per kind of mistake with its exact
//! `file:line:column` and suggestion; the three stock flows of `docs/examples/flows.toml`
//! pass it; and run by the event queue against the sandbox's ChatGPT and Zoom on
//! 127.0.0.1 with a real state file: the leaver flow disables the person's accounts
//! (read back from the apps) with journal and audit naming the event, a flow that
//! does not match changes nothing, a step on an instance whose switch is off is skipped
//! as `apply` skips it, and a card step runs through `cards::run`, audited.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use common::{directory, person, registry};
use connector_engine::events::okta_hook::parse_delivery;
use connector_engine::events::{QueuePolicy, process_due};
use connector_engine::flows::{self, Catalogue, Conversion, Flows, Scalar};
use connector_engine::state::{EventState, Store};
use connector_engine::{ApplyOptions, Assignments, Engine, FileSource, MapSecrets};
use connector_sandbox::{Faults, RateLimitConfig, Sandbox, SandboxHandle, TenantSpec};
use connector_sdk::Identity;
use connector_tests::StateChecker;
use serde_json::{Value, json};

/// The card catalogues of the connectors the tests use.
fn catalogue() -> Catalogue {
    [
        (connector_chatgpt::MANIFEST.name, connector_chatgpt::CARDS),
        (connector_slack::MANIFEST.name, connector_slack::CARDS),
        (connector_zoom::MANIFEST.name, connector_zoom::CARDS),
    ]
    .into_iter()
    .map(|(n, c)| (n.to_owned(), c))
    .collect()
}

/// The stock flows shipped with the docs.
fn stock_flows() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/examples/flows.toml")
}

/// Assignments with ChatGPT, Slack and Zoom (never connected by the checker).
fn assignments(dir: &Path) -> Assignments {
    let mut text = String::new();
    for app in ["chatgpt", "slack", "zoom"] {
        text.push_str(&format!(
            "[instances.{app}]\nconnector = \"{app}\"\nbase_url = \"https://{app}.example.invalid/scim/v2\"\ntoken_env = \"T\"\n\n"
        ));
    }
    let path = dir.join("assignments.toml");
    std::fs::write(&path, text).unwrap();
    Assignments::load(&path, &registry()).unwrap_or_else(|e| panic!("{e}"))
}

/// The checker's errors for `text`, each `flows.toml:line:col: message`.
fn errors(text: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("flows.toml");
    match flows::parse(&path, text, &assignments(dir.path()), &catalogue()) {
        Ok(_) => Vec::new(),
        Err(error) => error
            .diagnostics
            .iter()
            .map(|d| format!("flows.toml:{}:{}: {}", d.line, d.column, d.message))
            .collect(),
    }
}

/// Asserts exactly one error, starting with `at` and containing `says`.
fn one_error(text: &str, at: &str, says: &str) {
    let found = errors(text);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].starts_with(at), "{found:#?}");
    assert!(found[0].contains(says), "{found:#?}");
}

/// A flow on `on` with one step `body` (the step starts at line 5).
fn flow(on: &str, body: &str) -> String {
    format!("[[flow]]\nname = \"f\"\non = \"{on}\"\n\n[[flow.step]]\n{body}\n")
}

#[test]
fn the_stock_flows_pass_the_checker() {
    let dir = tempfile::tempdir().unwrap();
    let checked = flows::load(&stock_flows(), &assignments(dir.path()), &catalogue())
        .unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<&str> = checked.flows.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["leaver", "mover", "joiner"]);
    assert_eq!(
        checked.flows[0].on,
        ["person_deactivated", "person_suspended"]
    );
}

#[test]
fn the_stock_flows_in_the_docs_are_the_example_file() {
    let docs =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/flows.md"))
            .unwrap();
    let section = docs.split("### The three stock flows").nth(1).unwrap();
    let block = section
        .split("```toml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let assignments = assignments(dir.path());
    let shown = flows::parse(Path::new("flows.md"), block, &assignments, &catalogue())
        .unwrap_or_else(|e| panic!("{e}"));
    let file = flows::load(&stock_flows(), &assignments, &catalogue()).unwrap();
    let outline = |flows: &Flows| -> Vec<String> {
        flows
            .flows
            .iter()
            .map(|f| {
                let steps: Vec<String> = f
                    .steps
                    .iter()
                    .map(|s| format!("{}:{}:{:?}", s.name, s.card, s.instance))
                    .collect();
                format!("{} {:?} {:?} {steps:?}", f.name, f.on, f.when)
            })
            .collect()
    };
    assert_eq!(outline(&shown), outline(&file));
}

#[test]
fn an_unknown_event_card_is_an_error_at_its_place() {
    one_error(
        &flow(
            "person_deactivate",
            "name = \"d\"\ncard = \"disable_account\"\ninstance = \"*\"",
        ),
        "flows.toml:3:6: unknown event card `person_deactivate` (did you mean `person_deactivated`?)",
        "person_added_to_group",
    );
}

#[test]
fn a_card_the_instance_does_not_have_is_an_error() {
    one_error(
        &flow(
            "person_deactivated",
            "name = \"d\"\ncard = \"disable_acount\"\ninstance = \"zoom\"",
        ),
        "flows.toml:7:8: instance `zoom` has no card `disable_acount` (did you mean `disable_account`?)",
        "its cards are:",
    );
    // Slack's spec does not declare `delete`: no `delete_account` card for it.
    one_error(
        &flow(
            "person_deactivated",
            "name = \"d\"\ncard = \"delete_account\"\ninstance = \"slack\"",
        ),
        "flows.toml:7:8: instance `slack` has no card `delete_account`",
        "disable_account",
    );
}

#[test]
fn an_unknown_instance_is_an_error() {
    one_error(
        &flow(
            "person_deactivated",
            "name = \"d\"\ncard = \"disable_account\"\ninstance = \"zom\"",
        ),
        "flows.toml:8:12: unknown instance `zom` (did you mean `zoom`?)",
        "chatgpt, slack, zoom",
    );
}

#[test]
fn an_input_the_card_does_not_have_is_an_error() {
    one_error(
        &flow(
            "person_deactivated",
            "name = \"g\"\ncard = \"get_account\"\ninstance = \"zoom\"\ninput = { acount = { id = \"1\", user_name = \"a\" } }",
        ),
        "flows.toml:9:11: card `get_account` has no input `acount` (did you mean `account`?)",
        "its inputs are: account",
    );
}

#[test]
fn a_template_reading_a_field_the_event_does_not_output_is_an_error() {
    // Column 35 is the path's first letter inside the string.
    one_error(
        &flow(
            "person_deactivated",
            "name = \"g\"\ncard = \"get_account\"\ninstance = \"zoom\"\ninput = { account = { id = \"{event.person.logn}\", user_name = \"a\" } }",
        ),
        "flows.toml:9:30: event card `person_deactivated` outputs no `event.person.logn` (did you mean `login`?)",
        "the fields there: display_name, id, login",
    );
    // A lifecycle event has no group.
    one_error(
        &flow(
            "person_suspended",
            "name = \"g\"\ncard = \"get_account\"\ninstance = \"zoom\"\ninput = { account = { id = \"{event.group.name}\", user_name = \"a\" } }",
        ),
        "flows.toml:9:30: event card `person_suspended` outputs no `event.group`",
        "event_id, person, published",
    );
}

#[test]
fn a_template_mistake_is_reported_by_the_shared_parser_at_its_place() {
    // The model's one parser (the one codegen uses) finds it; column 30 is the `lowr`.
    one_error(
        &flow(
            "person_deactivated",
            "name = \"g\"\ncard = \"get_account\"\ninstance = \"zoom\"\ninput = { account = { id = \"{lowr(event.person.login)}\", user_name = \"a\" } }",
        ),
        "flows.toml:9:30: template: unknown function `lowr` (did you mean `lower`?); the functions are `lower`,",
        "`slug`",
    );
    // Flows cannot mint credentials: `random_secret` is not among their functions.
    one_error(
        &flow(
            "person_deactivated",
            "name = \"g\"\ncard = \"get_account\"\ninstance = \"zoom\"\ninput = { account = { id = \"{random_secret()}\", user_name = \"a\" } }",
        ),
        "flows.toml:9:30: template: unknown function `random_secret`",
        "the functions are",
    );
}

#[test]
fn reading_a_later_step_or_an_apply_step_is_an_error() {
    let text = "[[flow]]\nname = \"f\"\non = \"person_deactivated\"\n\n\
        [[flow.step]]\nname = \"off\"\ncard = \"disable_account\"\ninstance = \"*\"\n\n\
        [[flow.step]]\nname = \"read\"\ncard = \"get_account\"\ninstance = \"zoom\"\n\
        input = { account = { id = \"{steps.off.account.id}\", user_name = \"{steps.lookup.x}\" } }\n";
    let found = errors(text);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(
        found[0].starts_with("flows.toml:14:30: step `off` (`disable_account`) runs through apply: it has no output to read"),
        "{found:#?}"
    );
    assert!(
        found[1].starts_with("flows.toml:14:68: no earlier step `lookup`"),
        "{found:#?}"
    );
}

#[test]
fn type_mismatches_are_errors() {
    // A string where the card wants an object.
    one_error(
        &flow(
            "person_deactivated",
            "name = \"g\"\ncard = \"get_account\"\ninstance = \"zoom\"\ninput = { account = \"{event.person.login}\" }",
        ),
        "flows.toml:9:21: type mismatch: `account` of `get_account` wants an object (id, user_name), found a string",
        "",
    );
    // A SKU outside the spec's list.
    one_error(
        &flow(
            "person_added_to_group",
            "name = \"s\"\ncard = \"assign_license\"\ninstance = \"zoom\"\ninput = { sku = \"whitebord\" }",
        ),
        "flows.toml:9:17: type mismatch: `whitebord` is not a value of `sku` of `assign_license` (did you mean `whiteboard`?)",
        "custom_ai_companion, translated_captions, whiteboard",
    );
    // A filter on an object.
    one_error(
        "[[flow]]\nname = \"f\"\non = \"person_added_to_group\"\nwhen = { group = \"ai\" }\n\n\
         [[flow.step]]\nname = \"c\"\ncard = \"create_account\"\ninstance = \"*\"\n",
        "flows.toml:4:18: type mismatch: `group` is an object (id, name); filter on one of its fields, e.g. `group.id`",
        "",
    );
    // The account of a card that runs through apply is the plan's.
    one_error(
        &flow(
            "person_deactivated",
            "name = \"d\"\ncard = \"disable_account\"\ninstance = \"zoom\"\ninput = { account = { id = \"1\", user_name = \"a\" } }",
        ),
        "flows.toml:9:11: `account` is not given to `disable_account` in a flow",
        "",
    );
}

#[test]
fn a_template_where_a_card_wants_a_number_is_converted_when_it_runs() {
    let dir = tempfile::tempdir().unwrap();
    let text = flow(
        "person_deactivated",
        "name = \"page\"\ncard = \"list_accounts\"\ninstance = \"zoom\"\n\
         input = { start_index = \"{event.person.id}\", count = 2 }",
    );
    let checked = flows::parse(
        Path::new("flows.toml"),
        &text,
        &assignments(dir.path()),
        &catalogue(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let step = &checked.flows[0].steps[0];
    assert_eq!(
        step.conversions,
        [Conversion {
            pointer: "/start_index".to_owned(),
            path: "start_index".to_owned(),
            to: Scalar::Integer,
        }],
        "the literal `count` needs none"
    );
    // A literal of the wrong type is still a mistake, at its place.
    one_error(
        &flow(
            "person_deactivated",
            "name = \"page\"\ncard = \"list_accounts\"\ninstance = \"zoom\"\ninput = { count = \"2\" }",
        ),
        "flows.toml:9:19: type mismatch: `count` of `list_accounts` wants an integer, found a string",
        "",
    );
}

#[test]
fn a_card_step_on_every_instance_loads_but_its_output_cannot_be_read() {
    let each = "[[flow]]\nname = \"f\"\non = \"person_deactivated\"\n\n\
        [[flow.step]]\nname = \"alive\"\ncard = \"ping\"\ninstance = \"*\"\n";
    assert_eq!(errors(each), Vec::<String>::new());
    let text = format!(
        "{each}\n[[flow.step]]\nname = \"off\"\ncard = \"disable_account\"\ninstance = \"zoom\"\n\
         if = \"{{steps.alive.latency_ms}}\"\n"
    );
    one_error(
        &text,
        "flows.toml:14:8: step `alive` (`ping`) runs on every instance the person has an account in (`instance = \"*\"`): it has one output per instance, so no later step can read it",
        "",
    );
}

#[test]
fn a_step_name_used_twice_is_an_error() {
    let text = "[[flow]]\nname = \"f\"\non = \"person_deactivated\"\n\n\
        [[flow.step]]\nname = \"off\"\ncard = \"disable_account\"\ninstance = \"*\"\n\n\
        [[flow.step]]\nname = \"off\"\ncard = \"revoke_license\"\ninstance = \"*\"\n";
    one_error(
        text,
        "flows.toml:11:8: step name `off` is used twice in flow `f` (first at line 6)",
        "",
    );
}

#[test]
fn a_file_that_is_not_toml_and_unknown_keys_are_errors() {
    let found = errors("[[flow]]\nname = \"f\"\non = \n");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].starts_with("flows.toml:3:"), "{found:#?}");
    one_error(
        &flow(
            "person_deactivated",
            "name = \"d\"\ncard = \"disable_account\"\ninstance = \"*\"\ninputs = {}",
        ),
        "flows.toml:9:1: unknown key `inputs` in a step (did you mean `input`?)",
        "",
    );
}

// ---- Running flows against the sandbox ----

/// The apps.
const APPS: [&str; 2] = ["chatgpt", "zoom"];

/// ChatGPT and Zoom for group `staff`, people 1..=3 in it, applied once.
struct World {
    sandbox: SandboxHandle,
    engine: Engine,
    source: FileSource,
    dir: tempfile::TempDir,
}

impl World {
    /// `extra` is appended to the assignments (a policy switch).
    async fn start(extra: &str) -> Self {
        Self::start_with(extra, Vec::new()).await
    }

    /// As [`World::start`], with `more` people in the directory besides 1..=3.
    async fn start_with(extra: &str, more: Vec<Identity>) -> Self {
        connector_tests::install_crypto_provider();
        let mut builder = Sandbox::builder();
        for manifest in [&connector_chatgpt::MANIFEST, &connector_zoom::MANIFEST] {
            builder = builder
                .tenant(TenantSpec::for_manifest(manifest).rate_limit(RateLimitConfig::off()));
        }
        let sandbox = builder.start("127.0.0.1:0").await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::new();
        let mut secrets = MapSecrets::default();
        for app in APPS {
            let tenant = sandbox.tenant(app).unwrap();
            let env = format!("{}_TOKEN", app.to_uppercase());
            text.push_str(&format!(
                "[instances.{app}]\nconnector = \"{app}\"\nbase_url = \"{}\"\n\
                 token_env = \"{env}\"\nclient_rate_limit = false\n\n\
                 [[provision]]\ninstance = \"{app}\"\ngroups = [\"staff\"]\n\n",
                tenant.scim_url(),
            ));
            secrets = secrets.with(&env, tenant.token());
        }
        text.push_str(extra);
        let path = dir.path().join("assignments.toml");
        std::fs::write(&path, &text).unwrap();
        let assignments = Assignments::load(&path, &registry()).unwrap_or_else(|e| panic!("{e}"));
        let store = Store::open(&dir.path().join("state.db")).await.unwrap();
        let engine = Engine::with_store(assignments, registry(), Arc::new(secrets), store);
        let people_path = dir.path().join("people.json");
        let mut people: Vec<Identity> = (1..=3).map(|i| person(i, &["staff"])).collect();
        people.extend(more);
        std::fs::write(
            &people_path,
            serde_json::to_string(&directory(people)).unwrap(),
        )
        .unwrap();
        let source = FileSource::new(&people_path, None);
        let report = engine
            .apply(&source, ApplyOptions::default())
            .await
            .unwrap();
        assert!(report.succeeded(), "{:#?}", report.results);
        Self {
            sandbox,
            engine,
            source,
            dir,
        }
    }

    /// `text` checked as this world's flows file.
    fn flows(&self, text: &str) -> Arc<Flows> {
        let path = self.dir.path().join("flows.toml");
        std::fs::write(&path, text).unwrap();
        let flows = flows::load(&path, self.engine.assignments(), &catalogue())
            .unwrap_or_else(|e| panic!("{e}"));
        Arc::new(flows)
    }

    /// Whether person `i`'s account in `app` is active, as the app holds it.
    async fn active(&self, app: &str, i: usize) -> Option<bool> {
        let tenant = self.sandbox.tenant(app).unwrap();
        let checker = StateChecker::new(tenant.admin_scim_url(), tenant.admin_token());
        let found = checker.find_by_user_name(&person(i, &[]).login).await;
        found.first().map(|u| u["active"].as_bool().unwrap_or(true))
    }

    /// Queues one Okta event of `event_type` about person `i`, then processes until
    /// nothing is due; the event's detail.
    async fn event(&self, uuid: &str, event_type: &str, i: usize, flows: Arc<Flows>) -> String {
        self.event_with(uuid, event_type, i, &[], flows).await
    }

    /// As [`World::event`], with `more` targets after the User (a `UserGroup`).
    async fn event_with(
        &self,
        uuid: &str,
        event_type: &str,
        i: usize,
        more: &[Value],
        flows: Arc<Flows>,
    ) -> String {
        let (state, detail) = self.process(uuid, event_type, i, more, flows).await;
        assert_eq!(state, EventState::Done, "{detail}");
        detail
    }

    /// Queues the event and processes until nothing is due: where it ended, and why.
    async fn process(
        &self,
        uuid: &str,
        event_type: &str,
        i: usize,
        more: &[Value],
        flows: Arc<Flows>,
    ) -> (EventState, String) {
        let who = person(i, &[]);
        let mut targets = vec![json!({ "id": who.id, "type": "User", "alternateId": who.login })];
        targets.extend(more.iter().cloned());
        let body = json!({ "data": { "events": [{
            "uuid": uuid,
            "published": "2026-03-01T12:00:00.000Z",
            "eventType": event_type,
            "target": targets
        }]}});
        let events = parse_delivery(body.to_string().as_bytes()).unwrap();
        self.engine.store().enqueue_events(&events).await.unwrap();
        let policy = QueuePolicy {
            max_attempts: 1,
            flows: Some(flows),
            ..QueuePolicy::default()
        };
        let mut last = None;
        while let Some(batch) = process_due(&self.engine, &self.source, &policy)
            .await
            .unwrap()
        {
            last = batch.outcomes.into_iter().last();
        }
        let outcome = last.expect("the event was processed");
        assert_eq!(outcome.uuid, uuid);
        (outcome.state, outcome.detail)
    }

    /// Sets `app`'s faults.
    async fn faults(&self, app: &str, faults: Faults) {
        let tenant = self.sandbox.tenant(app).unwrap();
        let response = reqwest::Client::new()
            .put(format!("{}/faults", tenant.admin_url()))
            .bearer_auth(tenant.admin_token().expose())
            .json(&faults)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{}", response.status());
    }

    /// The requests `app` answered since it started: `METHOD /path?query`.
    async fn requests(&self, app: &str) -> Vec<String> {
        let tenant = self.sandbox.tenant(app).unwrap();
        let log: Value = reqwest::Client::new()
            .get(format!("{}/requests", tenant.admin_url()))
            .bearer_auth(tenant.admin_token().expose())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        log.as_array()
            .unwrap()
            .iter()
            .map(|e| {
                format!(
                    "{} {}",
                    e["method"].as_str().unwrap(),
                    e["path"].as_str().unwrap()
                )
            })
            .collect()
    }

    /// The audit events stored in the state.
    async fn audit(&self) -> Vec<Value> {
        self.engine
            .store()
            .audit_events(&Default::default())
            .await
            .unwrap()
            .iter()
            .map(|e| serde_json::from_str(e).unwrap())
            .collect()
    }

    /// Journal entries of `action` about person `i`, over every run.
    async fn journaled(&self, action: &str, i: usize) -> usize {
        let who = person(i, &[]).id;
        let mut count = 0;
        for run in self.engine.store().runs(1000).await.unwrap() {
            count += self
                .engine
                .store()
                .journal(&run.id)
                .await
                .unwrap()
                .iter()
                .filter(|e| e.action == action && e.identity_id.as_deref() == Some(&who))
                .count();
        }
        count
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_leaver_flow_disables_every_account_with_journal_and_audit() {
    let world = World::start("").await;
    let stock = std::fs::read_to_string(stock_flows()).unwrap();
    let flows = world.flows(&stock);
    let detail = world
        .event("flow-leaver-1", "user.lifecycle.deactivate", 1, flows)
        .await;
    assert!(detail.contains("2 changes applied"), "{detail}");
    for app in APPS {
        assert_eq!(world.active(app, 1).await, Some(false), "{app}: disabled");
        assert_eq!(world.active(app, 2).await, Some(true), "{app}: others kept");
    }
    assert_eq!(world.journaled("disable", 1).await, 2, "one per app");
    let audit = world.audit().await;
    let disabled: Vec<&Value> = audit
        .iter()
        .filter(|e| {
            e["metadata"]["correlation_uid"]
                .as_str()
                .is_some_and(|c| c.starts_with("ev-flow-leaver-1-"))
                && e["api"]["operation"] == "disable"
        })
        .collect();
    assert_eq!(disabled.len(), 2, "{audit:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flow_that_does_not_match_changes_nothing() {
    let world = World::start("").await;
    // Only a joiner: a leaver event matches no flow, so its apply keeps no change.
    let flows = world.flows(
        "[[flow]]\nname = \"joiner\"\non = \"person_added_to_group\"\n\n\
         [[flow.step]]\nname = \"create\"\ncard = \"create_account\"\ninstance = \"*\"\n",
    );
    let detail = world
        .event("flow-nomatch-1", "user.lifecycle.deactivate", 1, flows)
        .await;
    assert!(detail.contains("nothing to do"), "{detail}");
    for app in APPS {
        assert_eq!(world.active(app, 1).await, Some(true), "{app}: untouched");
    }
    // A flow on one instance only: the other instance is left alone.
    let flows = world.flows(
        "[[flow]]\nname = \"leaver\"\non = \"person_deactivated\"\n\n\
         [[flow.step]]\nname = \"off\"\ncard = \"disable_account\"\ninstance = \"zoom\"\n",
    );
    world
        .event("flow-zoom-only-1", "user.lifecycle.deactivate", 2, flows)
        .await;
    assert_eq!(world.active("zoom", 2).await, Some(false));
    assert_eq!(world.active("chatgpt", 2).await, Some(true));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_on_an_instance_whose_switch_is_off_is_skipped_as_apply_skips_it() {
    let world = World::start("[instances.zoom.policy]\ndeactivate = false\n").await;
    let stock = std::fs::read_to_string(stock_flows()).unwrap();
    let flows = world.flows(&stock);
    world
        .event("flow-policy-1", "user.lifecycle.deactivate", 1, flows)
        .await;
    assert_eq!(world.active("chatgpt", 1).await, Some(false));
    assert_eq!(
        world.active("zoom", 1).await,
        Some(true),
        "the switch is off"
    );
    let audit = world.audit().await;
    let skipped = audit.iter().any(|e| {
        e["metadata"]["correlation_uid"]
            .as_str()
            .is_some_and(|c| c.starts_with("ev-flow-policy-1-"))
            && e.to_string().contains("policy switches `deactivate` off")
    });
    assert!(skipped, "{audit:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_step_runs_through_cards_run_and_is_audited_with_the_event() {
    let world = World::start("").await;
    let flows = world.flows(
        "[[flow]]\nname = \"check\"\non = \"person_suspended\"\n\n\
         [[flow.step]]\nname = \"alive\"\ncard = \"ping\"\ninstance = \"zoom\"\n\n\
         [[flow.step]]\nname = \"off\"\ncard = \"disable_account\"\ninstance = \"chatgpt\"\n\
         if = \"{steps.alive.latency_ms}\"\n",
    );
    world
        .event("flow-card-1", "user.lifecycle.suspend", 3, flows)
        .await;
    assert_eq!(
        world.active("chatgpt", 3).await,
        Some(false),
        "the `if` held"
    );
    assert_eq!(world.active("zoom", 3).await, Some(true));
    let audit = world.audit().await;
    let card = audit
        .iter()
        .find(|e| e["activity_name"] == "Card")
        .unwrap_or_else(|| panic!("{audit:#?}"));
    assert_eq!(card["api"]["operation"], "ping");
    assert_eq!(card["api"]["service"]["uid"], "zoom");
    assert_eq!(card["status"], "Success");
    let caller = card["actor"]["user"]["name"].as_str().unwrap();
    assert!(caller.contains("flow-card-1"), "{caller}");
    assert!(
        card["metadata"]["correlation_uid"]
            .as_str()
            .unwrap()
            .starts_with("ev-flow-card-1-"),
        "{card}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_whose_if_fails_is_audited_as_skipped_and_changes_nothing() {
    let world = World::start("").await;
    let flows = world.flows(
        "[[flow]]\nname = \"check\"\non = \"person_suspended\"\n\n\
         [[flow.step]]\nname = \"alive\"\ncard = \"ping\"\ninstance = \"zoom\"\n\n\
         [[flow.step]]\nname = \"off\"\ncard = \"disable_account\"\ninstance = \"chatgpt\"\n\
         if = \"{steps.alive.identity}\"\n",
    );
    // SCIM has no "who am I": Zoom's ping names no identity, so the `if` fails.
    let detail = world
        .event("flow-skip-1", "user.lifecycle.suspend", 3, flows)
        .await;
    assert_eq!(world.active("chatgpt", 3).await, Some(true), "{detail}");
    let audit = world.audit().await;
    let skipped = audit
        .iter()
        .find(|e| e["activity_name"] == "Card" && e["api"]["operation"] == "disable_account")
        .unwrap_or_else(|| panic!("no card event for the skipped step: {audit:#?}"));
    assert_eq!(skipped["api"]["operation"], "disable_account");
    assert_eq!(skipped["api"]["service"]["uid"], "chatgpt");
    assert_eq!(skipped["status"], "Other");
    assert!(skipped.get("http_response").is_none(), "{skipped}");
    let why = skipped["status_detail"].as_str().unwrap_or_default();
    assert!(
        why.contains("flow-skip-1") && why.ends_with("skipped (its `if` is not met)"),
        "{skipped}"
    );
}

#[test]
fn a_filter_on_a_field_of_the_event_passes() {
    let text = "[[flow]]\nname = \"ai\"\non = [\"person_added_to_group\", \"person_removed_from_group\"]\n\
        when = { group.name = [\"ai\", \"ml\"] }\n\n\
        [[flow.step]]\nname = \"create\"\ncard = \"create_account\"\ninstance = \"chatgpt\"\n";
    assert_eq!(errors(text), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flow_runs_only_for_the_events_its_filter_matches() {
    let world = World::start("").await;
    let flows = world.flows(&format!(
        "[[flow]]\nname = \"one\"\non = \"person_deactivated\"\nwhen = {{ person.login = \"{}\" }}\n\n\
         [[flow.step]]\nname = \"off\"\ncard = \"disable_account\"\ninstance = \"*\"\n",
        person(2, &[]).login
    ));
    let detail = world
        .event("flow-when-1", "user.lifecycle.deactivate", 1, flows.clone())
        .await;
    assert!(detail.contains("nothing to do"), "{detail}");
    world
        .event("flow-when-2", "user.lifecycle.deactivate", 2, flows)
        .await;
    for app in APPS {
        assert_eq!(
            world.active(app, 1).await,
            Some(true),
            "{app}: filtered out"
        );
        assert_eq!(world.active(app, 2).await, Some(false), "{app}: matched");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_membership_event_gives_okta_s_group_id_to_the_flow() {
    let world = World::start("").await;
    // `custom_api_call` puts the id in its path: the app's request log shows it.
    let flows = world.flows(
        "[[flow]]\nname = \"look\"\non = \"person_added_to_group\"\n\n\
         [[flow.step]]\nname = \"group\"\ncard = \"custom_api_call\"\ninstance = \"zoom\"\n\
         input = { method = \"GET\", path = \"Groups/{event.group.id}\" }\n",
    );
    let group = json!({ "id": "00gAiTeam42", "type": "UserGroup", "displayName": "ai" });
    world
        .event_with(
            "flow-group-id-1",
            "group.user_membership.add",
            1,
            &[group],
            flows,
        )
        .await;
    let requests = world.requests("zoom").await;
    assert!(
        requests.iter().any(|r| r == "GET /Groups/00gAiTeam42"),
        "{requests:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_templated_integer_reaches_the_card_as_a_number() {
    let world = World::start("").await;
    // The second page starts where the first said: `next.start_index` read as text,
    // given to `list_accounts` as the integer its schema wants.
    let flows = world.flows(
        "[[flow]]\nname = \"pages\"\non = \"person_suspended\"\n\n\
         [[flow.step]]\nname = \"first\"\ncard = \"list_accounts\"\ninstance = \"zoom\"\n\
         input = { count = 1 }\n\n\
         [[flow.step]]\nname = \"second\"\ncard = \"list_accounts\"\ninstance = \"zoom\"\n\
         input = { start_index = \"{steps.first.next.start_index}\", count = \"{steps.first.next.count}\" }\n",
    );
    world
        .event("flow-int-1", "user.lifecycle.suspend", 3, flows)
        .await;
    let pages: Vec<String> = world
        .requests("zoom")
        .await
        .into_iter()
        .filter(|r| r.starts_with("GET /Users?"))
        .collect();
    assert_eq!(pages.len(), 3, "apply's read and two pages: {pages:#?}");
    assert!(pages[2].contains("startIndex=2"), "{pages:#?}");
    let audit = world.audit().await;
    let runs: Vec<&Value> = audit
        .iter()
        .filter(|e| e["activity_name"] == "Card" && e["api"]["operation"] == "list_accounts")
        .collect();
    assert_eq!(runs.len(), 2, "{audit:#?}");
    assert!(runs.iter().all(|e| e["status"] == "Success"), "{runs:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_templated_number_that_does_not_convert_fails_the_step() {
    let world = World::start("").await;
    let flows = world.flows(
        "[[flow]]\nname = \"pages\"\non = \"person_suspended\"\n\n\
         [[flow.step]]\nname = \"first\"\ncard = \"list_accounts\"\ninstance = \"zoom\"\n\
         input = { count = \"{event.person.login}\" }\n\n\
         [[flow.step]]\nname = \"off\"\ncard = \"disable_account\"\ninstance = \"chatgpt\"\n",
    );
    world
        .event("flow-int-2", "user.lifecycle.suspend", 3, flows)
        .await;
    assert_eq!(
        world.active("chatgpt", 3).await,
        Some(true),
        "the flow stopped at the failed step"
    );
    let audit = world.audit().await;
    let failed = audit
        .iter()
        .find(|e| e["activity_name"] == "Card" && e["api"]["operation"] == "list_accounts")
        .unwrap_or_else(|| panic!("{audit:#?}"));
    assert_eq!(failed["status"], "Failure", "{failed}");
    let why = failed["status_detail"].as_str().unwrap_or_default();
    let login = person(3, &[]).login;
    assert!(
        why.ends_with(&format!(
            "`count` of `list_accounts` wants an integer; `{login}` is not one"
        )),
        "{failed}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_step_on_every_instance_runs_where_the_person_has_an_account() {
    // Person 4 is a contractor: an account in Zoom only.
    let world = World::start_with(
        "[[provision]]\ninstance = \"zoom\"\ngroups = [\"contractors\"]\n",
        vec![person(4, &["contractors"])],
    )
    .await;
    let flows = world.flows(
        "[[flow]]\nname = \"check\"\non = \"person_suspended\"\n\n\
         [[flow.step]]\nname = \"alive\"\ncard = \"ping\"\ninstance = \"*\"\n",
    );
    let pinged = |audit: &[Value], uuid: &str| -> Vec<String> {
        audit
            .iter()
            .filter(|e| {
                e["activity_name"] == "Card"
                    && e["api"]["operation"] == "ping"
                    && e["actor"]["user"]["name"]
                        .as_str()
                        .is_some_and(|c| c.contains(uuid))
            })
            .map(|e| {
                assert_eq!(e["status"], "Success", "{e}");
                e["api"]["service"]["uid"].as_str().unwrap().to_owned()
            })
            .collect()
    };
    let detail = world
        .event("flow-each-4", "user.lifecycle.suspend", 4, flows.clone())
        .await;
    assert_eq!(pinged(&world.audit().await, "flow-each-4"), ["zoom"]);
    assert!(
        detail.ends_with("; flow check: step alive ran `ping` on zoom"),
        "the event's detail says what its flow did: {detail}"
    );
    let detail = world
        .event("flow-each-1", "user.lifecycle.suspend", 1, flows)
        .await;
    assert!(
        detail.ends_with("; flow check: step alive ran `ping` on chatgpt, zoom"),
        "{detail}"
    );
    assert_eq!(
        pinged(&world.audit().await, "flow-each-1"),
        ["chatgpt", "zoom"],
        "one run, audited, per instance"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_on_one_instance_does_not_stop_the_runs_on_the_others() {
    let world = World::start("").await;
    let flows = world.flows(
        "[[flow]]\nname = \"check\"\non = \"person_suspended\"\n\n\
         [[flow.step]]\nname = \"alive\"\ncard = \"ping\"\ninstance = \"*\"\n\n\
         [[flow.step]]\nname = \"off\"\ncard = \"disable_account\"\ninstance = \"zoom\"\n",
    );
    world
        .faults("chatgpt", Faults::none().error_rate(1.0))
        .await;
    // ChatGPT answers nothing but errors, so the event's apply fails too: where the
    // event ends is the queue's business, not this test's.
    let (_, detail) = world
        .process("flow-each-fail-1", "user.lifecycle.suspend", 1, &[], flows)
        .await;
    assert!(
        detail.contains("flow check: step alive ran `ping` on zoom; failed on chatgpt ("),
        "the event's detail names the instance that failed: {detail}"
    );
    let audit = world.audit().await;
    let status = |app: &str| {
        audit
            .iter()
            .find(|e| {
                e["activity_name"] == "Card"
                    && e["api"]["operation"] == "ping"
                    && e["api"]["service"]["uid"] == app
            })
            .unwrap_or_else(|| panic!("no ping on {app}: {audit:#?}"))["status"]
            .clone()
    };
    assert_eq!(status("chatgpt"), "Failure");
    assert_eq!(status("zoom"), "Success", "run after ChatGPT's failure");
    assert_eq!(
        world.active("zoom", 1).await,
        Some(true),
        "the flow's later step was not run"
    );
}
