//! Apply against the sandbox on loopback, with the ChatGPT connector (SCIM):
//!
//! 1. throughput: `ENGINE_BENCH_CREATES` creates (default 4000) at a concurrency of
//!    `ENGINE_BENCH_CONCURRENCY` (default 16) against an unthrottled tenant, next to a
//!    bare reqwest loop sending the same requests (method, path, JSON body, headers) at
//!    the same concurrency to a twin tenant of the same server; both start from an
//!    empty tenant. `ENGINE_BENCH_ROUNDS` rounds (default 8) alternate which goes first
//!    (whichever runs second in a round is a little slower); prints each round's rates
//!    and ratio, the best round of each, and the median ratio. The engine's rate counts
//!    every request it makes (the plan's listing too) over the whole apply (resume,
//!    plan, journal, audit, run records). The bare loop sends bodies serialized
//!    beforehand and reads answers without parsing them;
//! 2. rate limited: 2,000 creates against a tenant limited to 100 requests a second (burst
//!    10), the connector limited to the same rate on its side (burst 5); prints the time
//!    against the least the requests made can take at 100 a second, the 429s the tenant
//!    served and the operations that failed.
//!
//! `cargo bench -p connector-engine --bench apply`

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use connector_engine::state::Store;
use connector_engine::{
    ApplyOptions, ApplyReport, Assignments, Directory, Engine, MapSecrets, Registry,
};
use connector_sandbox::{RateLimitConfig, Sandbox, SandboxHandle, TenantHandle, TenantSpec};
use connector_sdk::manifest::RateLimit;
use connector_sdk::scim::{SCIM_ACCEPT, SCIM_MEDIA_TYPE, ScimApp};
use connector_sdk::{Connector, Identity, RateLimitSetting};
use serde_json::Value;

/// `n` people in the `ai` group, numbered from `first`.
fn people(first: usize, n: usize) -> Vec<Identity> {
    (first..first + n)
        .map(|i| {
            let mut who = connector_tests::people::person(i, "example.com");
            who.groups = vec!["ai".to_owned()];
            who
        })
        .collect()
}

/// The body the ChatGPT connector posts to create `who`'s account.
fn create_body(who: &Identity) -> Value {
    let user = connector_chatgpt::ChatGPT::map_identity(who).expect("the bench people map");
    let mut json = serde_json::to_value(&user).expect("a User serializes");
    if let Some(object) = json.as_object_mut() {
        object.insert(
            "schemas".to_owned(),
            serde_json::json!(connector_chatgpt::ChatGPT::USER_SCHEMAS),
        );
    }
    json
}

/// A number from the environment, else `default`.
fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What a tenant counted: SCIM requests received, and those answered 429.
async fn stats(tenant: &TenantHandle) -> (u64, u64) {
    let summary: Value = reqwest::Client::new()
        .get(tenant.admin_url())
        .bearer_auth(tenant.admin_token().expose())
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .expect("the admin API answers")
        .json()
        .await
        .expect("the admin API answers JSON");
    let count = |name: &str| summary["stats"][name].as_u64().unwrap_or(0);
    (count("requests"), count("throttled"))
}

/// POSTs one body per person to `tenant`'s `/Users`, `concurrency` at a time, as the
/// connector would (same headers); returns the requests sent and the time taken.
async fn bare_loop(
    tenant: &TenantHandle,
    bodies: Vec<String>,
    concurrency: usize,
) -> (usize, Duration) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .user_agent("connector-toolkit/0.1.0 (chatgpt)")
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a reqwest client");
    let url = format!("{}/Users", tenant.scim_url());
    let token = tenant.token();
    let bodies = Arc::new(bodies);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (client, url, token) = (client.clone(), url.clone(), token.clone());
        let (bodies, next) = (bodies.clone(), next.clone());
        workers.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(body) = bodies.get(i) else { break };
                let response = client
                    .post(&url)
                    .bearer_auth(token.expose())
                    .header(reqwest::header::ACCEPT, SCIM_ACCEPT)
                    .header(reqwest::header::CONTENT_TYPE, SCIM_MEDIA_TYPE)
                    .body(body.clone())
                    .send()
                    .await
                    .expect("the sandbox answers");
                assert_eq!(response.status().as_u16(), 201, "a create");
                response.bytes().await.expect("a body");
            }
        });
    }
    while workers.join_next().await.is_some() {}
    (bodies.len(), started.elapsed())
}

/// An engine over one instance of `connector` at `tenant`, state in `dir`.
async fn engine(
    dir: &std::path::Path,
    tenant: &TenantHandle,
    registry: Registry,
    concurrency: usize,
) -> Engine {
    let text = format!(
        "[settings]\nconcurrency = {concurrency}\n\n\
         [instances.chatgpt]\nconnector = \"chatgpt\"\nbase_url = \"{}\"\ntoken_env = \"T\"\n\
         [instances.chatgpt.policy]\nconcurrency = {concurrency}\n\n\
         [[provision]]\ninstance = \"chatgpt\"\ngroups = [\"ai\"]\n",
        tenant.scim_url()
    );
    let path = dir.join("assignments.toml");
    std::fs::write(&path, text).unwrap();
    let assignments = Assignments::load(&path, &registry).unwrap();
    let store = Store::open(&dir.join("state.db")).await.unwrap();
    let secrets = MapSecrets::default().with("T", tenant.token());
    Engine::with_store(assignments, registry, Arc::new(secrets), store)
}

/// Applies `people` (every one a create) and checks every create succeeded.
async fn apply(
    engine: &Engine,
    people: Vec<Identity>,
    concurrency: usize,
) -> (ApplyReport, Duration) {
    let directory = Directory {
        people,
        groups: Vec::new(),
    };
    let options = ApplyOptions {
        concurrency: Some(concurrency),
        ..ApplyOptions::default()
    };
    let started = Instant::now();
    let report = engine
        .apply_directory(directory, "bench", options)
        .await
        .unwrap();
    (report, started.elapsed())
}

/// Forgets a tenant's accounts and counters.
async fn reset(tenant: &TenantHandle) {
    reqwest::Client::new()
        .post(format!("{}/reset", tenant.admin_url()))
        .bearer_auth(tenant.admin_token().expose())
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .expect("the admin API resets the tenant");
}

/// The middle value (the mean of the two middle ones for an even count).
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => 0.0,
        _ if n % 2 == 1 => values[n / 2],
        _ => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// Part 1: the engine's rate against a bare loop's, same server, same requests, in
/// alternating rounds (each on emptied tenants) so that both see the same machine.
async fn throughput(sandbox: &SandboxHandle) {
    let n = setting("ENGINE_BENCH_CREATES", 4000);
    let concurrency = setting("ENGINE_BENCH_CONCURRENCY", 16);
    let rounds = setting("ENGINE_BENCH_ROUNDS", 8).max(1);
    let bare_tenant = sandbox.tenant("bare").unwrap();
    let engine_tenant = sandbox.tenant("engine").unwrap();
    println!(
        "throughput: {n} creates, concurrency {concurrency}, unthrottled sandbox on loopback, {rounds} rounds"
    );
    let bodies: Vec<String> = people(0, n)
        .iter()
        .map(|w| create_body(w).to_string())
        .collect();
    let (mut bares, mut engines, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    let registry = Registry::new().with(&connector_chatgpt::MANIFEST, |c| {
        Ok(Arc::new(connector_chatgpt::connect(c)?) as Arc<dyn Connector>)
    });
    for round in 1..=rounds {
        // Odd rounds run the bare loop first, even rounds the engine.
        let mut bare = None;
        let mut engine_run = None;
        for first in [round % 2 == 1, round % 2 == 0] {
            // For profiling one side alone.
            let skip = if first {
                "ENGINE_BENCH_SKIP_BARE"
            } else {
                "ENGINE_BENCH_SKIP_ENGINE"
            };
            if std::env::var_os(skip).is_some() {
                continue;
            }
            if first {
                reset(bare_tenant).await;
                let (sent, elapsed) = bare_loop(bare_tenant, bodies.clone(), concurrency).await;
                bare = Some((sent, elapsed));
            } else {
                reset(engine_tenant).await;
                let dir = tempfile::tempdir().unwrap();
                let engine = engine(dir.path(), engine_tenant, registry.clone(), concurrency).await;
                let (report, taken) = apply(&engine, people(0, n), concurrency).await;
                assert!(report.succeeded(), "{:?}", report.counts);
                let (requests, _) = stats(engine_tenant).await;
                engine_run = Some((requests, taken, report.counts.applied));
            }
        }
        let (Some((sent, elapsed)), Some((requests, taken, applied))) = (bare, engine_run) else {
            let rate = |n: u64, t: Duration| n as f64 / t.as_secs_f64();
            println!(
                "  round {round}: bare {:?} req/s, engine {:?} req/s",
                bare.map(|(n, t)| rate(n as u64, t)),
                engine_run.map(|(n, t, _)| rate(n, t))
            );
            continue;
        };
        let bare = sent as f64 / elapsed.as_secs_f64();
        let rate = requests as f64 / taken.as_secs_f64();
        println!(
            "  round {round}: bare reqwest loop {sent} requests in {:.2} s = {bare:.0} req/s; \
             engine apply {requests} requests ({applied} creates applied, journaled, audited) in {:.2} s = {rate:.0} req/s; ratio {:.2}",
            elapsed.as_secs_f64(),
            taken.as_secs_f64(),
            rate / bare
        );
        bares.push(bare);
        engines.push(rate);
        ratios.push(rate / bare);
    }
    let best = |rates: &[f64]| rates.iter().copied().fold(0.0, f64::max);
    println!(
        "  best round of each: bare {:.0} req/s, engine {:.0} req/s, engine / bare = {:.2}",
        best(&bares),
        best(&engines),
        best(&engines) / best(&bares).max(f64::MIN_POSITIVE)
    );
    println!(
        "  median: bare {:.0} req/s, engine {:.0} req/s; median of the rounds' engine / bare = {:.2} (target at least 0.80)",
        median(bares),
        median(engines),
        median(ratios)
    );
}

/// Part 2: 2,000 creates at 100 requests a second.
async fn rate_limited(sandbox: &SandboxHandle) {
    let n = setting("ENGINE_BENCH_LIMITED_CREATES", 2000);
    let tenant = sandbox.tenant("limited").unwrap();
    println!(
        "rate limited: {n} creates, tenant limited to 100 requests/s (burst 10), connector to 100/s (burst 5)"
    );
    let dir = tempfile::tempdir().unwrap();
    // The connector's own limit, set the way an instance configuration sets it.
    let registry = Registry::new().with(&connector_chatgpt::MANIFEST, |mut config| {
        config.rate_limit = RateLimitSetting::Custom(RateLimit {
            requests: 100,
            period_ms: 1000,
            burst: 5,
        });
        Ok(Arc::new(connector_chatgpt::connect(config)?) as Arc<dyn Connector>)
    });
    let engine = engine(dir.path(), tenant, registry, 16).await;
    let (report, elapsed) = apply(&engine, people(100_000, n), 16).await;
    let (requests, throttled) = stats(tenant).await;
    let minimum = requests as f64 / 100.0;
    println!(
        "  {requests} requests in {:.2} s; the least at 100/s: {minimum:.2} s; {:+.1} % over",
        elapsed.as_secs_f64(),
        (elapsed.as_secs_f64() / minimum - 1.0) * 100.0
    );
    println!(
        "  429s served by the sandbox: {throttled}; operations applied: {}, failed: {}, skipped: {}",
        report.counts.applied, report.counts.failed, report.counts.skipped
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        connector_tests::install_crypto_provider();
        let twin = |name: &str| {
            TenantSpec::for_manifest(&connector_chatgpt::MANIFEST)
                .named(name)
                .rate_limit(RateLimitConfig::off())
        };
        let sandbox = Sandbox::builder()
            .tenant(twin("bare"))
            .tenant(twin("engine"))
            .tenant(twin("limited").rate_limit(RateLimitConfig::custom(100, 1000, 10)))
            .start("127.0.0.1:0")
            .await
            .unwrap();
        if std::env::var_os("ENGINE_BENCH_SKIP_THROUGHPUT").is_none() {
            throughput(&sandbox).await;
        }
        if std::env::var_os("ENGINE_BENCH_SKIP_LIMITED").is_none() {
            rate_limited(&sandbox).await;
        }
        sandbox.shutdown().await;
    });
}
