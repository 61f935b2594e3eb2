//! The world of a plan scenario (`plan_scenario.rs`) just before its plan: one sandbox
//! holding its instances and their accounts, the prior apply done a month before, then
//! the hand edits in the apps. Shared by the differential plan tests.

use connector_engine::{ApplyOptions, PlanOptions};
use connector_sandbox::{RateLimitConfig, TenantSpec};
use time::macros::datetime;

use crate::common::{SandboxWorld, registry};
use crate::plan_scenario::{HandEdit, Scenario};

/// The manifest of `connector`.
pub(crate) fn manifest(connector: &str) -> &'static connector_sdk::Manifest {
    match connector {
        "chatgpt" => &connector_chatgpt::MANIFEST,
        "slack" => &connector_slack::MANIFEST,
        "zoom" => &connector_zoom::MANIFEST,
        other => panic!("no connector {other}"),
    }
}

/// The scenario's sandbox and engine, in the state its plan starts from.
pub(crate) async fn world_after(scenario: &Scenario) -> SandboxWorld {
    let tenants = scenario
        .instances
        .iter()
        .map(|i| {
            let spec = TenantSpec::for_manifest(manifest(i.connector))
                .named(i.name.clone())
                .rate_limit(RateLimitConfig::off());
            (spec, i.lines.clone())
        })
        .collect();
    let world = SandboxWorld::start_tenants(tenants, &scenario.rules, registry()).await;

    for seed in &scenario.seeds {
        world
            .checker_of(&seed.instance)
            .seed_user(seed.user.clone())
            .await;
    }
    // The prior apply, a month before the plan. Its outcome is part of the state the
    // plan reads; a stopped or failed apply is as good a starting point as any.
    let before = ApplyOptions {
        plan: PlanOptions {
            now: Some(datetime!(2026-02-01 09:30 UTC)),
            allow_removals: scenario.allow_removals_before,
            ..PlanOptions::default()
        },
        ..ApplyOptions::default()
    };
    let _ = world
        .engine
        .apply_directory(scenario.before.clone(), "test directory", before)
        .await;

    for edit in &scenario.hand_edits {
        match edit {
            HandEdit::Replace {
                instance,
                user_name_index,
                attribute,
                value,
            } => {
                if let Some(id) = nth_account(&world, instance, *user_name_index).await {
                    world
                        .checker_of(instance)
                        .replace_attribute(&id, attribute, value.clone())
                        .await;
                }
            }
            HandEdit::Deactivate {
                instance,
                user_name_index,
            } => {
                if let Some(id) = nth_account(&world, instance, *user_name_index).await {
                    world.checker_of(instance).set_active(&id, false).await;
                }
            }
            HandEdit::Seed(seed) => {
                world
                    .checker_of(&seed.instance)
                    .seed_user(seed.user.clone())
                    .await;
            }
        }
    }

    world
}

/// The id of the `index`-th account (modulo their number) of `instance` in user-name order.
async fn nth_account(world: &SandboxWorld, instance: &str, index: usize) -> Option<String> {
    let mut users = world.checker_of(instance).list_users().await;
    if users.is_empty() {
        return None;
    }
    users.sort_by(|a, b| a["userName"].as_str().cmp(&b["userName"].as_str()));
    users[index % users.len()]["id"].as_str().map(str::to_owned)
}
