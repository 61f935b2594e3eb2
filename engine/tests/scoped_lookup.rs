//! A scoped plan that reads its people's accounts by id (`ScopeReads::ById`, what
//! `connector serve` does for each event) must decide exactly as one that lists every
//! account (`ScopeReads::List`).
//!
//! On the differential scenarios (`common/plan_scenario.rs`: awkward people, random
//! policies, accounts already in the apps, a prior apply, hand edits in the apps, then
//! leavers, renames and joiners), several scopes per scenario are planned both ways and
//! their steps, protected accounts, sign-in plans and removal counts compared. The test
//! also requires that both ways were really taken: reads by id on many instance plans,
//! and the fall-back to a listing (someone in scope without a link) on others.

mod common;
#[path = "common/plan_scenario.rs"]
mod plan_scenario;
#[path = "common/scenario_world.rs"]
mod scenario_world;

use std::collections::BTreeSet;

use common::NOW;
use connector_engine::plan::{InstancePlan, Plan};
use connector_engine::{Directory, Engine, PlanOptions, ScopeReads};
use connector_sandbox::TenantSpec;
use connector_sdk::IdentityStatus;
use plan_scenario::{Rng, Scenario, generate, scenario_seed};
use scenario_world::world_after;
use serde_json::{Value, json};

/// How many scenarios.
const SCENARIOS: usize = 16;
/// The seed every scenario's seed is derived from (not the goldens' seed: other worlds).
const BASE_SEED: u64 = 0x5C0F_ED00_2026_1207;
/// How many scenarios run at once.
const PARALLEL: usize = 4;

/// What must agree between the two ways of reading, per instance. Step ids are left
/// out: a plan numbers the steps of everyone before keeping the scope's, so the numbers
/// depend on what was read of the others.
fn decisions(plan: &InstancePlan) -> Value {
    let mut steps = serde_json::to_value(&plan.steps).expect("steps serialize");
    for step in steps.as_array_mut().into_iter().flatten() {
        step.as_object_mut().map(|s| s.remove("id"));
    }
    json!({
        "instance": plan.instance,
        "error": plan.error,
        "steps": steps,
        "protected": plan.protected,
        "sso": plan.sso,
        "removals": plan.removals.count,
        "reclaim": plan.reclaim,
    })
}

/// The scopes tried on a scenario: one person, a few people, everyone who changed
/// status, and everyone (directory ids, plus the ids of people who left it).
fn scopes(scenario: &Scenario, seed: u64) -> Vec<BTreeSet<String>> {
    let mut rng = Rng::new(seed ^ 0xA5A5);
    let after = &scenario.after.people;
    let before = &scenario.before.people;
    let mut scopes = Vec::new();
    if !after.is_empty() {
        scopes.push(BTreeSet::from([after[rng.below(after.len())].id.clone()]));
        let few = (0..5).map(|_| after[rng.below(after.len())].id.clone());
        scopes.push(few.collect());
    }
    let changed: BTreeSet<String> = before
        .iter()
        .filter(|was| {
            after
                .iter()
                .find(|now| now.id == was.id)
                .is_none_or(|now| now.status != was.status)
        })
        .map(|was| was.id.clone())
        .collect();
    if !changed.is_empty() {
        scopes.push(changed);
    }
    scopes.push(
        before
            .iter()
            .chain(after)
            .map(|who| who.id.clone())
            .collect(),
    );
    scopes
}

/// The scenario's plan for `scope`, reading the apps as `reads` says.
async fn plan_scoped(
    engine: &Engine,
    scenario: &Scenario,
    scope: &BTreeSet<String>,
    reads: ScopeReads,
) -> Result<Plan, connector_engine::EngineError> {
    let options = PlanOptions {
        now: Some(NOW),
        allow_removals: scenario.allow_removals,
        scope: Some(scope.clone()),
        scope_reads: reads,
        ..PlanOptions::default()
    };
    let connectors = engine.connectors(&[]);
    engine
        .plan_directory(&scenario.after, "test directory", &connectors, &options)
        .await
}

/// Runs one scenario; returns (plans compared, instance plans read by id, mismatches).
async fn run(n: usize) -> (usize, usize, Vec<String>) {
    let seed = scenario_seed(BASE_SEED, n);
    let scenario = generate(seed);
    let world = world_after(&scenario).await;
    let (mut compared, mut looked_up, mut mismatches) = (0, 0, Vec::new());
    for (k, scope) in scopes(&scenario, seed).into_iter().enumerate() {
        let by_id = plan_scoped(&world.engine, &scenario, &scope, ScopeReads::ById).await;
        let listed = plan_scoped(&world.engine, &scenario, &scope, ScopeReads::List).await;
        let (by_id, listed) = match (by_id, listed) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(a), Err(b)) if a.to_string() == b.to_string() => continue,
            (a, b) => {
                mismatches.push(format!(
                    "scenario {n} (seed {seed:#x}) scope {k}: by id {:?}, listed {:?}",
                    a.map(|_| "a plan").map_err(|e| e.to_string()),
                    b.map(|_| "a plan").map_err(|e| e.to_string()),
                ));
                continue;
            }
        };
        for (a, b) in by_id.instances.iter().zip(&listed.instances) {
            compared += 1;
            assert!(!b.looked_up, "a List plan read by id");
            looked_up += usize::from(a.looked_up);
            let (a_json, b_json) = (decisions(a), decisions(b));
            if a_json != b_json {
                mismatches.push(format!(
                    "scenario {n} (seed {seed:#x}) scope {k} ({} people), {}:\n  by id:  {a_json}\n  listed: {b_json}",
                    scope.len(),
                    a.instance
                ));
            }
        }
    }
    (compared, looked_up, mismatches)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reading_by_id_decides_as_listing_does() {
    let (mut compared, mut looked_up, mut mismatches) = (0, 0, Vec::new());
    let numbers: Vec<usize> = (0..SCENARIOS).collect();
    for batch in numbers.chunks(PARALLEL) {
        let tasks: Vec<_> = batch.iter().map(|&n| tokio::spawn(run(n))).collect();
        for task in tasks {
            let (c, l, m) = task.await.expect("the scenario runs");
            compared += c;
            looked_up += l;
            mismatches.extend(m);
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {compared} instance plans differ:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    // Both ways were taken: reads by id on a good share, listings on others.
    assert!(
        looked_up * 5 >= compared,
        "only {looked_up} of {compared} instance plans were read by id"
    );
    assert!(
        looked_up < compared,
        "every instance plan was read by id: the fall-back to a listing was never tested"
    );
    eprintln!("{compared} instance plans compared, {looked_up} read by id");
}

/// Each person's steps in `plan` (ids left out), by directory id.
fn steps_by_person(plan: &InstancePlan) -> std::collections::BTreeMap<String, Vec<Value>> {
    let mut by_person = std::collections::BTreeMap::<String, Vec<Value>>::new();
    for step in &plan.steps {
        let mut json = serde_json::to_value(step).expect("a step serializes");
        json.as_object_mut().map(|s| s.remove("id"));
        let person = step.target.identity_id.clone().unwrap_or_default();
        by_person.entry(person).or_default().push(json);
    }
    by_person
}

/// Whether the app holds the account `person` is linked to on `instance` disabled, or
/// no longer has it: a change behind the engine's back.
async fn changed_behind(world: &common::SandboxWorld, instance: &str, person: &str) -> bool {
    let links = world.engine.store().links(instance).await.unwrap();
    let Some(link) = links.get(person) else {
        return false;
    };
    let connectors = world.engine.connectors(&[]);
    let Some(Ok(connector)) = connectors.get(instance) else {
        return false;
    };
    let reference = connector_sdk::connector::AccountRef {
        id: link.account_id.clone(),
        user_name: link.user_name.clone(),
    };
    match connector.get(&reference).await {
        Ok(account) => !account.active,
        Err(connector_sdk::Error::NotFound { .. }) => true,
        Err(_) => false,
    }
}

/// Runs one scenario with leavers taken from their links; returns (instance plans taken
/// from links, people whose steps differ from a listing's because the app was changed,
/// unexplained differences).
async fn run_from_links(n: usize) -> (usize, usize, Vec<String>) {
    let seed = scenario_seed(BASE_SEED, n);
    let scenario = generate(seed);
    let world = world_after(&scenario).await;
    let (mut taken, mut explained, mut mismatches) = (0, 0, Vec::new());
    for (k, scope) in scopes(&scenario, seed).into_iter().enumerate() {
        let options = PlanOptions {
            now: Some(NOW),
            allow_removals: scenario.allow_removals,
            scope: Some(scope.clone()),
            trust_links: true,
            ..PlanOptions::default()
        };
        let connectors = world.engine.connectors(&[]);
        let trusted = world
            .engine
            .plan_directory(&scenario.after, "test directory", &connectors, &options)
            .await;
        let listed = plan_scoped(&world.engine, &scenario, &scope, ScopeReads::List).await;
        let (Ok(trusted), Ok(listed)) = (trusted, listed) else {
            continue;
        };
        for (a, b) in trusted.instances.iter().zip(&listed.instances) {
            if !a.from_links {
                continue;
            }
            taken += 1;
            let (mine, theirs) = (steps_by_person(a), steps_by_person(b));
            let people: BTreeSet<&String> = mine.keys().chain(theirs.keys()).collect();
            for person in people {
                if mine.get(person) == theirs.get(person) {
                    continue;
                }
                if changed_behind(&world, &a.instance, person).await {
                    explained += 1;
                } else {
                    mismatches.push(format!(
                        "scenario {n} (seed {seed:#x}) scope {k}, {} person {person}:\n  from links: {:?}\n  listed:     {:?}",
                        a.instance,
                        mine.get(person),
                        theirs.get(person)
                    ));
                }
            }
            if a.protected != b.protected || a.sso != b.sso {
                mismatches.push(format!(
                    "scenario {n} scope {k}, {}: protected or sign-in differ",
                    a.instance
                ));
            }
        }
    }
    (taken, explained, mismatches)
}

/// Leavers taken from their links ([`PlanOptions::trust_links`]) get a listing's steps,
/// except where the app was changed behind the engine's back (the account disabled or
/// deleted there), which only a read can see.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leavers_taken_from_their_links_differ_from_a_listing_only_where_the_app_was_changed() {
    let (mut taken, mut explained, mut mismatches) = (0, 0, Vec::new());
    let numbers: Vec<usize> = (0..SCENARIOS).collect();
    for batch in numbers.chunks(PARALLEL) {
        let tasks: Vec<_> = batch
            .iter()
            .map(|&n| tokio::spawn(run_from_links(n)))
            .collect();
        for task in tasks {
            let (t, e, m) = task.await.expect("the scenario runs");
            taken += t;
            explained += e;
            mismatches.extend(m);
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} unexplained differences:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    assert!(
        taken >= 20,
        "only {taken} instance plans were taken from links"
    );
    eprintln!(
        "{taken} instance plans taken from links; {explained} people planned differently because the app was changed"
    );
}

/// The tenant's requests since the `skip` first ones: `(method, path)`.
async fn requests_since(world: &common::SandboxWorld, skip: usize) -> Vec<(String, String)> {
    let tenant = world
        .sandbox
        .tenant("chatgpt")
        .expect("the tenant is served");
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
        .skip(skip)
        .map(|e| {
            let field = |k: &str| e[k].as_str().unwrap_or_default().to_owned();
            (field("method"), field("path"))
        })
        .collect()
}

/// A sandbox world whose instance `app` provisions group `eng`, with people `1..=n`
/// (all in `eng`) applied once; the people, to change.
async fn provisioned(
    manifest: &'static connector_sdk::Manifest,
    app: &str,
    n: usize,
) -> (common::SandboxWorld, Vec<connector_sdk::Identity>) {
    let world = common::SandboxWorld::start(
        TenantSpec::for_manifest(manifest),
        app,
        "",
        &format!("[[provision]]\ninstance = \"{app}\"\ngroups = [\"eng\"]\n"),
        common::registry(),
    )
    .await;
    let people: Vec<_> = (1..=n).map(|i| common::person(i, &["eng"])).collect();
    let report = world
        .engine
        .apply_directory(
            common::directory(people.clone()),
            "test",
            connector_engine::ApplyOptions::default(),
        )
        .await
        .unwrap();
    assert!(report.succeeded(), "{:#?}", report.results);
    (world, people)
}

/// A scoped plan with `reads`, for `people`, on `world` (instance `chatgpt`).
async fn plan_people(
    world: &common::SandboxWorld,
    after: &Directory,
    people: &[usize],
    reads: ScopeReads,
) -> Plan {
    let options = PlanOptions {
        now: Some(NOW),
        scope: Some(people.iter().map(|i| format!("00u{i:06}")).collect()),
        scope_reads: reads,
        ..PlanOptions::default()
    };
    let connectors = world.engine.connectors(&[]);
    world
        .engine
        .plan_directory(after, "test", &connectors, &options)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leaver_is_planned_from_reads_by_id_and_a_joiner_or_a_gone_account_from_a_listing() {
    let (world, mut people) = provisioned(&connector_chatgpt::MANIFEST, "chatgpt", 30).await;

    // Person 3 leaves; person 31 joins; person 4's account is deleted by hand in the app.
    people[2].status = IdentityStatus::Deprovisioned;
    people.push(common::person(31, &["eng"]));
    let after = common::directory(people);
    let links = world.engine.store().links("chatgpt").await.unwrap();
    let gone = &links["00u000004"].account_id;
    let tenant = world.sandbox.tenant("chatgpt").unwrap();
    let deleted = reqwest::Client::new()
        .delete(format!("{}/Users/{gone}", tenant.scim_url()))
        .bearer_auth(tenant.token().expose())
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);

    // The leaver: their one account read by id, nothing listed.
    let seen = requests_since(&world, 0).await.len();
    let plan = plan_people(&world, &after, &[3], ScopeReads::Fewest).await;
    let app = &plan.instances[0];
    assert!(app.looked_up, "{app:#?}");
    assert_eq!(app.accounts, 1);
    assert_eq!(common::steps(&plan, "chatgpt").len(), 1, "{app:#?}");
    assert_eq!(app.steps[0].action.name(), "disable");
    let asked = requests_since(&world, seen).await;
    let reads: Vec<_> = asked
        .iter()
        .filter(|(method, path)| method == "GET" && path.starts_with("/Users"))
        .collect();
    let account = &links["00u000003"].account_id;
    assert_eq!(reads.len(), 1, "{asked:?}");
    assert_eq!(reads[0].1, format!("/Users/{account}"), "{asked:?}");

    // The joiner, and the person whose account is gone: a listing decides.
    for person in [31, 4] {
        let seen = requests_since(&world, 0).await.len();
        let plan = plan_people(&world, &after, &[person], ScopeReads::Fewest).await;
        let app = &plan.instances[0];
        assert!(!app.looked_up, "person {person}: {app:#?}");
        assert_eq!(app.accounts, 29, "person {person}");
        assert_eq!(app.steps.len(), 1, "person {person}: {app:#?}");
        assert_eq!(app.steps[0].action.name(), "create", "person {person}");
        let asked = requests_since(&world, seen).await;
        assert!(
            asked
                .iter()
                .any(|(method, path)| method == "GET" && path.starts_with("/Users?")),
            "person {person}: no listing in {asked:?}"
        );
    }

    // Nine people on an app of 30 linked accounts that declares no rate limit: their
    // reads take two rounds of eight, one page lists them all, so the default lists;
    // `ById` reads the nine.
    let nine = [5, 6, 7, 8, 9, 10, 11, 12, 13];
    let listed = plan_people(&world, &after, &nine, ScopeReads::Fewest).await;
    assert!(!listed.instances[0].looked_up, "{:#?}", listed.instances[0]);
    let by_id = plan_people(&world, &after, &nine, ScopeReads::ById).await;
    assert!(by_id.instances[0].looked_up, "{:#?}", by_id.instances[0]);
    assert_eq!(by_id.instances[0].accounts, 9);
    assert_eq!(listed.instances[0].steps, by_id.instances[0].steps);
}

/// A leaver's plan with [`PlanOptions::trust_links`] takes the account from the link:
/// no request before the disable, the same step as a read would give, and a person who
/// stays (or joins) is still read (or listed).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leaver_taken_from_the_link_is_disabled_with_no_read_before() {
    let (world, mut people) = provisioned(&connector_chatgpt::MANIFEST, "chatgpt", 5).await;
    people[2].status = IdentityStatus::Deprovisioned;
    people[3].status = IdentityStatus::Suspended;
    let after = common::directory(people);
    let links = world.engine.store().links("chatgpt").await.unwrap();
    let trusted = |scope: &[usize]| PlanOptions {
        now: Some(NOW),
        scope: Some(scope.iter().map(|i| format!("00u{i:06}")).collect()),
        trust_links: true,
        ..PlanOptions::default()
    };

    // Two leavers: planned from their links, nothing asked of the app.
    let seen = requests_since(&world, 0).await.len();
    let connectors = world.engine.connectors(&[]);
    let plan = world
        .engine
        .plan_directory(&after, "test", &connectors, &trusted(&[3, 4]))
        .await
        .unwrap();
    let app = &plan.instances[0];
    assert!(app.from_links && app.looked_up, "{app:#?}");
    let asked = requests_since(&world, seen).await;
    assert!(asked.iter().all(|(method, _)| method != "GET"), "{asked:?}");
    let read = plan_people(&world, &after, &[3, 4], ScopeReads::ById).await;
    assert_eq!(app.steps, read.instances[0].steps, "as a read decides");
    let text = connector_engine::plan::render::render(&plan);
    assert!(
        text.contains("2 accounts of leavers in scope, taken from their links (not read)"),
        "{text}"
    );

    // Applied: the disables are the only requests, and the app holds them.
    let seen = requests_since(&world, 0).await.len();
    let report = world
        .engine
        .apply_directory(
            after.clone(),
            "test",
            connector_engine::ApplyOptions {
                plan: trusted(&[3, 4]),
                ..connector_engine::ApplyOptions::default()
            },
        )
        .await
        .unwrap();
    assert!(report.succeeded(), "{:#?}", report.results);
    let asked = requests_since(&world, seen).await;
    let mut expected: Vec<(String, String)> = ["00u000003", "00u000004"]
        .iter()
        .map(|id| {
            (
                "PATCH".to_owned(),
                format!("/Users/{}", links[*id].account_id),
            )
        })
        .collect();
    expected.sort();
    let mut writes: Vec<_> = asked.into_iter().filter(|(m, _)| m != "GET").collect();
    writes.sort();
    assert_eq!(writes, expected);
    let connectors = world.engine.connectors(&[]);
    let chatgpt = connectors["chatgpt"]
        .as_ref()
        .expect("the connector builds");
    for id in ["00u000003", "00u000004"] {
        let link = &links[id];
        let reference = connector_sdk::connector::AccountRef {
            id: link.account_id.clone(),
            user_name: link.user_name.clone(),
        };
        let account = chatgpt.get(&reference).await.expect("the account is there");
        assert!(!account.active, "{id} disabled in the app");
    }

    // Someone in scope who keeps the account: the app is read.
    let plan = world
        .engine
        .plan_directory(&after, "test", &connectors, &trusted(&[3, 5]))
        .await
        .unwrap();
    assert!(!plan.instances[0].from_links, "{:#?}", plan.instances[0]);
}

/// On an app whose accounts show their seats (Zoom's licence type is an attribute), a
/// leaver's account is read even with [`PlanOptions::trust_links`]: a seat given in the
/// app by hand is visible only there, and it is reclaimed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leaver_on_an_app_showing_seats_is_read_even_when_links_are_trusted() {
    let (world, mut people) = provisioned(&connector_zoom::MANIFEST, "zoom", 3).await;
    people[1].status = IdentityStatus::Deprovisioned;
    let options = PlanOptions {
        now: Some(NOW),
        scope: Some(BTreeSet::from(["00u000002".to_owned()])),
        trust_links: true,
        scope_reads: ScopeReads::ById,
        ..PlanOptions::default()
    };
    let connectors = world.engine.connectors(&[]);
    let plan = world
        .engine
        .plan_directory(&common::directory(people), "test", &connectors, &options)
        .await
        .unwrap();
    let app = &plan.instances[0];
    assert!(app.looked_up && !app.from_links, "{app:#?}");
    assert_eq!(app.accounts, 1, "the leaver's account was read");
}
