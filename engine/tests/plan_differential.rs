//! The differential plan test: a refactoring of the engine must not change any plan.
//!
//! From a fixed seed, [`SCENARIOS`] random scenarios (`common/plan_scenario.rs`): a
//! directory of awkward people (accents, other scripts, mixed case, missing fields,
//! suspended and deprovisioned people), two to four instances of ChatGPT, Slack and Zoom
//! in one sandbox with random policies (`existing_accounts`, `drift`, `prune`,
//! `removal`, breakers, switches, prices), `[[provision]]` rules with licences and ended,
//! current and future windows, `[[sso]]` rules, accounts already in the apps (matching,
//! drifted, duplicated, nobody's), a prior apply a month before, then hand edits in the
//! apps and directory edits (leavers, renames, new emails, group moves, joiners). Each
//! scenario's plan JSON, at a fixed clock, must equal the committed
//! `tests/golden/plan_differential/<n>.json`.
//!
//! `UPDATE_GOLDEN=1 cargo test -p connector-engine --test plan_differential` rewrites
//! the goldens: only on a commit whose plans are known good.

mod common;
#[path = "common/plan_scenario.rs"]
mod plan_scenario;
#[path = "common/scenario_world.rs"]
mod scenario_world;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use common::{NOW, SandboxWorld};
use connector_engine::PlanOptions;
use plan_scenario::{Scenario, generate, scenario_seed};
use scenario_world::world_after;
use serde_json::Value;

/// How many scenarios.
const SCENARIOS: usize = 40;
/// The seed every scenario's seed is derived from.
const BASE_SEED: u64 = 0x5EED_2026_0301;
/// How many scenarios run at once (each in its own sandbox and state file).
const PARALLEL: usize = 4;

/// The folder of the goldens.
fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/plan_differential")
}

/// Runs scenario `scenario` through a sandbox and returns its normalized plan JSON (or
/// `{"error": ...}` when planning failed), and its step kinds for the coverage check.
async fn run(scenario: &Scenario) -> (Value, BTreeSet<String>) {
    let world = world_after(scenario).await;

    let options = PlanOptions {
        now: Some(NOW),
        allow_removals: scenario.allow_removals,
        ..PlanOptions::default()
    };
    let connectors = world.engine.connectors(&[]);
    let planned = world
        .engine
        .plan_directory(&scenario.after, "test directory", &connectors, &options)
        .await;
    let mut kinds = BTreeSet::new();
    let mut json = match planned {
        Ok(plan) => {
            for instance in &plan.instances {
                for step in &instance.steps {
                    kinds.insert(match &step.action {
                        connector_engine::plan::Action::Skip { code, .. } => {
                            format!("skip:{}", serde_json::to_string(code).unwrap())
                        }
                        action => action.name().to_owned(),
                    });
                }
                if !instance.protected.is_empty() {
                    kinds.insert("protected".to_owned());
                }
                if instance.removals.tripped {
                    kinds.insert("breaker".to_owned());
                }
            }
            if !plan.warnings.is_empty() {
                kinds.insert("warning".to_owned());
            }
            serde_json::to_value(&plan).expect("a plan serializes")
        }
        Err(error) => {
            kinds.insert("error".to_owned());
            serde_json::json!({ "error": error.to_string() })
        }
    };
    normalize(&world, &mut json).await;
    (json, kinds)
}

/// Takes out what differs from run to run although the plan does not:
/// - `generated_at` is the wall clock at planning (not the plan's `now`);
/// - the sandbox's URL has a random port, and the temporary folder (in rule locations
///   such as `access ended … (…/assignments.toml:12)`) a random name;
/// - account ids are replaced by `<account user-name>` of the tenant's account with that
///   id (the tenant numbers accounts in creation order; the name says which one it is).
async fn normalize(world: &SandboxWorld, json: &mut Value) {
    if let Some(at) = json.get_mut("generated_at") {
        *at = Value::String("<generated_at>".to_owned());
    }
    let mut global = vec![
        (world.sandbox.base_url().to_owned(), "<sandbox>".to_owned()),
        (
            world.dir.path().display().to_string(),
            "<state dir>".to_owned(),
        ),
    ];
    global.sort_by_key(|pair| std::cmp::Reverse(pair.0.len()));
    replace_strings(json, &global);
    let Some(instances) = json.get_mut("instances").and_then(Value::as_array_mut) else {
        return;
    };
    for instance in instances {
        let name = instance["instance"].as_str().unwrap_or_default().to_owned();
        let ids: Vec<(String, String)> = world
            .checker_of(&name)
            .list_users()
            .await
            .iter()
            .filter_map(|u| {
                Some((
                    u["id"].as_str()?.to_owned(),
                    format!("<account {}>", u["userName"].as_str()?),
                ))
            })
            .collect();
        replace_strings(instance, &ids);
    }
}

/// Replaces every occurrence of each `from` with its `to` in every string of `json`.
fn replace_strings(json: &mut Value, pairs: &[(String, String)]) {
    match json {
        Value::String(s) => {
            for (from, to) in pairs {
                if s.contains(from.as_str()) {
                    *s = s.replace(from.as_str(), to);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| replace_strings(v, pairs)),
        Value::Object(map) => map.values_mut().for_each(|v| replace_strings(v, pairs)),
        _ => {}
    }
}

/// The first path where `old` and `new` differ, with both values there.
fn first_difference(old: &Value, new: &Value, path: &str) -> Option<(String, Value, Value)> {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            keys.into_iter().find_map(|key| {
                let (x, y) = (
                    a.get(key).unwrap_or(&Value::Null),
                    b.get(key).unwrap_or(&Value::Null),
                );
                if a.contains_key(key) != b.contains_key(key) {
                    return Some((format!("{path}.{key}"), x.clone(), y.clone()));
                }
                first_difference(x, y, &format!("{path}.{key}"))
            })
        }
        (Value::Array(a), Value::Array(b)) => {
            let found = a
                .iter()
                .zip(b)
                .enumerate()
                .find_map(|(i, (x, y))| first_difference(x, y, &format!("{path}[{i}]")));
            found.or_else(|| {
                (a.len() != b.len()).then(|| {
                    (
                        format!("{path} (length)"),
                        Value::from(a.len()),
                        Value::from(b.len()),
                    )
                })
            })
        }
        _ => (old != new).then(|| (path.to_owned(), old.clone(), new.clone())),
    }
}

/// Step kinds that the scenarios, together, must produce; without them the test would
/// prove little.
const EXPECTED_KINDS: &[&str] = &[
    "create",
    "link",
    "update",
    "enable",
    "disable",
    "delete",
    "assign_license",
    "revoke_license",
    "manual_task",
    "skip:\"existing_account_flagged\"",
    "skip:\"shared_account\"",
    "skip:\"drift_reported\"",
    "skip:\"policy_off\"",
    "skip:\"automatic_seat\"",
    "protected",
    "breaker",
    "warning",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plans_equal_the_goldens() {
    let started = std::time::Instant::now();
    let update = std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1");
    let dir = golden_dir();
    if update {
        std::fs::create_dir_all(&dir).expect("the golden folder is created");
    }
    let mut results: BTreeMap<usize, (u64, Value)> = BTreeMap::new();
    let mut kinds = BTreeSet::new();
    let numbers: Vec<usize> = (0..SCENARIOS).collect();
    for batch in numbers.chunks(PARALLEL) {
        let tasks: Vec<_> = batch
            .iter()
            .map(|&n| {
                let seed = scenario_seed(BASE_SEED, n);
                tokio::spawn(async move {
                    let (json, kinds) = run(&generate(seed)).await;
                    (n, seed, json, kinds)
                })
            })
            .collect();
        for task in tasks {
            let (n, seed, json, found) = task.await.expect("the scenario runs");
            kinds.extend(found);
            results.insert(n, (seed, json));
        }
    }

    let mut failures = Vec::new();
    for (n, (seed, json)) in &results {
        let path = dir.join(format!("{n}.json"));
        let text = serde_json::to_string_pretty(json).unwrap() + "\n";
        if update {
            std::fs::write(&path, &text).expect("the golden is written");
            continue;
        }
        let Ok(golden) = std::fs::read_to_string(&path) else {
            failures.push(format!(
                "scenario {n} (seed {seed:#x}): no golden at {} (UPDATE_GOLDEN=1 writes it)",
                path.display()
            ));
            continue;
        };
        if golden == text {
            continue;
        }
        let old: Value = serde_json::from_str(&golden)
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
        let message = match first_difference(&old, json, "$") {
            Some((at, was, now)) => format!(
                "scenario {n} (seed {seed:#x}): plan differs at {at}\n  golden: {was}\n  now:    {now}"
            ),
            None => format!(
                "scenario {n} (seed {seed:#x}): same JSON, other bytes (key order or format)"
            ),
        };
        failures.push(message);
    }
    if !update {
        let stray: Vec<String> = std::fs::read_dir(&dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|name| {
                        name.strip_suffix(".json")
                            .and_then(|n| n.parse::<usize>().ok())
                            .is_none_or(|n| n >= SCENARIOS)
                    })
                    .collect()
            })
            .unwrap_or_default();
        assert!(
            stray.is_empty(),
            "goldens of no scenario in {}: {stray:?}",
            dir.display()
        );
    }
    let missing: Vec<&&str> = EXPECTED_KINDS
        .iter()
        .filter(|k| !kinds.contains(**k))
        .collect();
    eprintln!(
        "{SCENARIOS} scenarios in {:.1?}; step kinds seen: {kinds:?}",
        started.elapsed()
    );
    assert!(
        missing.is_empty(),
        "the scenarios never produce {missing:?}: the test would prove too little"
    );
    assert!(
        failures.is_empty(),
        "{} of {SCENARIOS} plans differ from the goldens:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
