//! Leavers through the release `connector serve`, against the in-process sandbox with all
//! twelve connectors' tenants (127.0.0.1). `SERVE_BENCH_PEOPLE` people (default: the
//! sustained leavers plus the burst) are each provisioned to all twelve apps by one
//! `connector apply`; then `connector serve` runs as a child process and two phases
//! post Okta Event Hook deliveries (`user.lifecycle.deactivate`, Okta's payload shape):
//!
//! - **sustained** (rate limits off, server and client): `SERVE_BENCH_RATE` hooks a
//!   second (default 50) for `SERVE_BENCH_SECONDS` (default 60), each a different
//!   person. Latency is from the start of each hook's POST to the moment the bench saw
//!   the last of that person's twelve accounts disabled, as the apps hold it: every
//!   `SERVE_BENCH_CHECK_MS` (default 20 ms) a checker reads the events the state's queue
//!   holds done (an event is done after its last disable was answered) and reads each
//!   new one's person back from the twelve apps through each app's own API (the
//!   connector's `get` by account id); the time is taken when the twelfth read says
//!   disabled. A figure is thus an upper bound, late by up to a round and the reads.
//!   (Polling every pending person's accounts instead loaded the 2 shared cores enough
//!   to slow `serve` itself.) Prints p50 / p99 / max (target: p99 under 1 s).
//! - **burst** (the apps' declared rate limits on, in the sandbox and in the
//!   connectors): `SERVE_BENCH_BURST` leavers (default 10,000) posted as fast as
//!   possible (8 deliveries in flight). The drain ends when the state's queue holds no
//!   pending event (read every 200 ms); every account is then checked disabled in every
//!   app. The theoretical minimum is, per app, one disable per leaver at the manifest's
//!   declared rate after its burst, `(leavers - burst) / rate`; the slowest app sets
//!   it. Prints the drain time and its ratio to that minimum (target: 1.1 at most).
//!   `SERVE_BENCH_BURST_TIMEOUT` (seconds, default 7200) stops waiting.
//!
//! `SERVE_BENCH_MAX_REMOVALS` sets every instance's `max_removals` (default: the number
//! of people; the events' circuit breaker weighs each batch's removals with those events
//! made in the last hour). `SERVE_BENCH_SERVE_ARGS` adds arguments to `connector serve` (`--batch 1`);
//! `SERVE_BENCH_DIR` keeps the files (assignments, people, state, `serve` logs) there.
//!
//! `cargo bench -p connector-toolkit --bench serve_leavers`

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use connector_engine::state::{EventState, Store};
use connector_sandbox::{RateLimitConfig, Sandbox, SandboxHandle, TenantSpec};
use connector_sdk::connector::{AccountRef, list_all};
use connector_sdk::{Connector, Identity, IdentityStatus, InstanceConfig, Manifest};
use serde_json::{Value, json};
use tokio::sync::Mutex;

/// The `connector` binary of this build profile.
const CONNECTOR: &str = env!("CARGO_BIN_EXE_connector");
/// The hook's shared secret.
const SECRET: &str = "bench-hook-secret-6c1e0b9a7d";

/// Builds a connector from a tenant's configuration.
type Connect = fn(InstanceConfig) -> Box<dyn Connector>;

macro_rules! app {
    ($krate:ident) => {
        (&$krate::MANIFEST, |config| {
            Box::new($krate::connect(config).expect("the connector builds")) as Box<dyn Connector>
        })
    };
}

/// The twelve apps.
fn twelve_apps() -> Vec<(&'static Manifest, Connect)> {
    vec![
        app!(connector_box),
        app!(connector_canva),
        app!(connector_chatgpt),
        app!(connector_claude),
        app!(connector_copilot),
        app!(connector_gemini),
        app!(connector_github_copilot),
        app!(connector_miro),
        app!(connector_notion),
        app!(connector_perplexity),
        app!(connector_slack),
        app!(connector_zoom),
    ]
}

/// A number from the environment variable `name`, else `default`.
fn setting(name: &str, default: usize) -> usize {
    std::env::var(name).map_or(default, |v| {
        v.trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name} is not a number: {v:?}"))
    })
}

/// Person `i`.
fn identity(i: usize) -> Identity {
    Identity {
        id: format!("00u{i:07}"),
        login: format!("person{i}@example.com"),
        email: format!("person{i}@example.com"),
        first_name: Some("Person".to_owned()),
        last_name: Some(format!("Number{i}")),
        status: IdentityStatus::Active,
        ..Identity::default()
    }
}

/// An Okta Event Hook delivery: person `i` deactivated.
fn delivery(i: usize) -> String {
    let who = identity(i);
    json!({
        "eventType": "com.okta.event_hook",
        "eventTypeVersion": "1.0",
        "cloudEventsVersion": "0.1",
        "source": "https://example.okta.com/api/v1/eventHooks/who8tr9yg7jQ3UMZp0g4",
        "eventId": format!("delivery-bench-{i}"),
        "eventTime": "2026-03-01T12:00:00.000Z",
        "contentType": "application/json",
        "data": { "events": [{
            "uuid": format!("bench-leaver-{i}"),
            "published": "2026-03-01T12:00:00.000Z",
            "eventType": "user.lifecycle.deactivate",
            "version": "0",
            "severity": "INFO",
            "actor": { "id": "00uadmin", "type": "User", "alternateId": "admin@example.com" },
            "outcome": { "result": "SUCCESS" },
            "target": [{
                "id": who.id, "type": "User", "alternateId": who.login,
                "displayName": format!("Person Number{i}")
            }]
        }]}
    })
    .to_string()
}

/// The assignments file: every app given to group `all`.
fn assignments(sandbox: &SandboxHandle, client_rate_limit: bool, max_removals: usize) -> String {
    let mut text = String::from("[settings]\nstate = \"state.db\"\n");
    for tenant in sandbox.tenants() {
        let manifest = tenant.manifest().unwrap();
        let name = manifest.name;
        let config = tenant.config();
        text.push_str(&format!("\n[instances.{name}]\nconnector = \"{name}\"\n"));
        if let Some(base) = &config.base_url {
            text.push_str(&format!("base_url = \"{base}\"\n"));
        }
        text.push_str(&format!(
            "token_env = \"BENCH_{}_TOKEN\"\nclient_rate_limit = {client_rate_limit}\n",
            name.to_uppercase()
        ));
        let variables: Vec<String> = config
            .variables
            .iter()
            .map(|(k, v)| format!("{k} = \"{v}\""))
            .collect();
        if !variables.is_empty() {
            text.push_str(&format!("variables = {{ {} }}\n", variables.join(", ")));
        }
        text.push_str(&format!(
            "[instances.{name}.policy]\nmax_removals = {max_removals}\n"
        ));
        text.push_str(&format!(
            "\n[[provision]]\ninstance = \"{name}\"\ngroups = [\"all\"]\n"
        ));
    }
    text
}

/// A `connector` command on the bench's files, with the tenants' tokens.
fn command(sandbox: &SandboxHandle, dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(CONNECTOR);
    command
        .args(args)
        .arg("-c")
        .arg(dir.join("assignments.toml"))
        .arg("--people")
        .arg(dir.join("people.json"));
    for tenant in sandbox.tenants() {
        let name = tenant.manifest().unwrap().name.to_uppercase();
        command.env(format!("BENCH_{name}_TOKEN"), tenant.token().expose());
    }
    command
}

/// A running `connector serve`.
struct Serve {
    child: Child,
    url: String,
}

impl Serve {
    fn start(sandbox: &SandboxHandle, dir: &Path, log: &str) -> Self {
        let extra = std::env::var("SERVE_BENCH_SERVE_ARGS").unwrap_or_default();
        let mut command = command(sandbox, dir, &["serve"]);
        command
            .args(["--listen", "127.0.0.1:0"])
            .args(extra.split_whitespace())
            .env("OKTA_HOOK_SECRET", SECRET)
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(dir.join(log)).unwrap());
        let mut child = command.spawn().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let address = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("connector serve did not start: {line:?}"))
            .to_owned();
        Self {
            child,
            url: format!("http://{address}/hooks/okta"),
        }
    }

    fn stop(mut self) {
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}

/// Posts person `i`'s leaver hook; panics unless it is answered 200.
async fn post(client: &reqwest::Client, url: &str, i: usize) {
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .header("authorization", SECRET)
        .body(delivery(i))
        .send()
        .await
        .expect("the hook is answered");
    assert_eq!(response.status(), 200, "hook for person {i}");
}

/// Each app's connector and each person's account in it.
struct Apps {
    connectors: Vec<(String, Box<dyn Connector>)>,
    /// `accounts[app][person]`.
    accounts: Vec<Vec<AccountRef>>,
}

impl Apps {
    /// Reads every account of every app (after the first apply).
    async fn read(sandbox: &SandboxHandle, people: usize) -> Self {
        let mut connectors = Vec::new();
        let mut accounts = Vec::new();
        for (manifest, connect) in twelve_apps() {
            let tenant = sandbox.tenant(manifest.name).unwrap();
            let connector = connect(tenant.config());
            let listed: BTreeMap<String, AccountRef> = list_all(connector.as_ref())
                .await
                .expect("the app lists its accounts")
                .into_iter()
                .map(|a| (a.user_name.to_lowercase(), a.reference()))
                .collect();
            let mine: Vec<AccountRef> = (0..people)
                .map(|i| {
                    let who = identity(i);
                    let name = connector
                        .user_name_for(&who)
                        .unwrap_or(who.login)
                        .to_lowercase();
                    listed.get(&name).cloned().unwrap_or_else(|| {
                        panic!("{}: no account {name} after the apply", manifest.name)
                    })
                })
                .collect();
            connectors.push((manifest.name.to_owned(), connector));
            accounts.push(mine);
        }
        Self {
            connectors,
            accounts,
        }
    }

    /// Whether person `i`'s account in app `app` is disabled, as the app holds it.
    async fn disabled(&self, app: usize, i: usize) -> bool {
        let (name, connector) = &self.connectors[app];
        match connector.get(&self.accounts[app][i]).await {
            Ok(account) => !account.active,
            Err(error) => panic!("{name}: reading person {i}'s account failed: {error}"),
        }
    }
}

/// The `q` quantile of sorted `values` (nearest rank).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// Sets every tenant's rate limit (the admin API).
async fn set_rate_limits(sandbox: &SandboxHandle, limits: &BTreeMap<String, Value>) {
    let client = reqwest::Client::new();
    for (name, limit) in limits {
        let response = client
            .put(format!(
                "{}/_admin/tenants/{name}/rate-limit",
                sandbox.base_url()
            ))
            .bearer_auth(sandbox.admin_token().expose())
            .json(limit)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "rate limit of {name}");
    }
}

/// Every tenant's rate limit configuration, as the admin API shows it.
async fn rate_limits(sandbox: &SandboxHandle) -> BTreeMap<String, Value> {
    let client = reqwest::Client::new();
    let mut limits = BTreeMap::new();
    for tenant in sandbox.tenants() {
        let name = tenant.name().to_owned();
        let limit: Value = client
            .get(format!(
                "{}/_admin/tenants/{name}/rate-limit",
                sandbox.base_url()
            ))
            .bearer_auth(sandbox.admin_token().expose())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        limits.insert(name, limit["config"].clone());
    }
    limits
}

/// When a hook's POST started, and how long its answer took.
type Posted = (Instant, Duration);

/// The sustained phase: `rate` hooks a second for `seconds`, people `0..rate*seconds`.
async fn sustained(apps: Arc<Apps>, url: String, state: &Path, rate: usize, seconds: usize) {
    let total = rate * seconds;
    println!("sustained: {total} leavers, {rate} hooks/s for {seconds} s, rate limits off");
    let check_every = Duration::from_millis(setting("SERVE_BENCH_CHECK_MS", 20) as u64);
    // (posted at, answered after) per person, filled by the poster.
    let posted: Arc<Mutex<Vec<Option<Posted>>>> = Arc::new(Mutex::new(vec![None; total]));
    let poster = {
        let posted = posted.clone();
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            let start = Instant::now();
            let mut sends = tokio::task::JoinSet::new();
            for i in 0..total {
                let at = start + Duration::from_secs_f64(i as f64 / rate as f64);
                tokio::time::sleep_until(at.into()).await;
                let (client, url, posted) = (client.clone(), url.clone(), posted.clone());
                sends.spawn(async move {
                    let sent = Instant::now();
                    post(&client, &url, i).await;
                    posted.lock().await[i] = Some((sent, sent.elapsed()));
                });
            }
            while sends.join_next().await.is_some() {}
        })
    };
    // The checker: a person whose event the queue holds done is read back from the
    // twelve apps (done comes after the last disable, so this only adds delay).
    let store = Store::open_existing(state).await.unwrap();
    let mut next_app = vec![0usize; total];
    let mut latency: Vec<Option<f64>> = vec![None; total];
    let mut done = 0;
    let deadline = Instant::now() + Duration::from_secs(seconds as u64 + 120);
    while done < total && Instant::now() < deadline {
        let round = Instant::now();
        let finished = store
            .events(Some(EventState::Done), u32::MAX)
            .await
            .unwrap();
        let sent: Vec<Option<Instant>> = posted
            .lock()
            .await
            .iter()
            .map(|p| p.map(|(at, _)| at))
            .collect();
        for event in finished {
            let Some(i) = event
                .uuid
                .strip_prefix("bench-leaver-")
                .and_then(|i| i.parse::<usize>().ok())
                .filter(|i| *i < total && latency[*i].is_none())
            else {
                continue;
            };
            let Some(at) = sent[i] else { continue };
            while next_app[i] < apps.connectors.len() && apps.disabled(next_app[i], i).await {
                next_app[i] += 1;
            }
            if next_app[i] == apps.connectors.len() {
                latency[i] = Some(at.elapsed().as_secs_f64());
                done += 1;
            }
        }
        tokio::time::sleep(check_every.saturating_sub(round.elapsed())).await;
    }
    poster.await.unwrap();
    let answers: Vec<f64> = posted
        .lock()
        .await
        .iter()
        .flatten()
        .map(|(_, answered)| answered.as_secs_f64())
        .collect();
    let mut seen: Vec<f64> = latency.iter().flatten().copied().collect();
    seen.sort_by(f64::total_cmp);
    let mut answers = answers;
    answers.sort_by(f64::total_cmp);
    if seen.len() < total {
        println!(
            "  only {} of {total} people were seen disabled everywhere within {} s",
            seen.len(),
            seconds + 120
        );
    }
    if !seen.is_empty() {
        println!(
            "  hook to the last of 12 accounts disabled: p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms ({} people; target p99 < 1000 ms)",
            quantile(&seen, 0.5) * 1000.0,
            quantile(&seen, 0.99) * 1000.0,
            seen[seen.len() - 1] * 1000.0,
            seen.len()
        );
    }
    println!(
        "  hook answered: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        quantile(&answers, 0.5) * 1000.0,
        quantile(&answers, 0.99) * 1000.0,
        answers[answers.len() - 1] * 1000.0
    );
}

/// The burst phase: people `first..first+count` posted as fast as possible, rate
/// limits on; waits for the queue to drain.
async fn burst(url: String, state: &Path, first: usize, count: usize) {
    println!("burst: {count} leavers posted at once, the apps' declared rate limits on");
    let timeout = Duration::from_secs(setting("SERVE_BENCH_BURST_TIMEOUT", 7200) as u64);
    let start = Instant::now();
    let client = reqwest::Client::new();
    let mut sends = tokio::task::JoinSet::new();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(first));
    for _ in 0..8 {
        let (client, url, next) = (client.clone(), url.clone(), next.clone());
        sends.spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= first + count {
                    break;
                }
                post(&client, &url, i).await;
            }
        });
    }
    while sends.join_next().await.is_some() {}
    let posted = start.elapsed().as_secs_f64();
    let store = Store::open_existing(state).await.unwrap();
    let drained = loop {
        let counts = store.event_counts().await.unwrap();
        let pending = counts.get("pending").copied().unwrap_or(0);
        if pending == 0 {
            break Some(start.elapsed().as_secs_f64());
        }
        if start.elapsed() > timeout {
            println!("  gave up after {timeout:?}: {counts:?}");
            break None;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let counts = store.event_counts().await.unwrap();
    // The theoretical minimum: one disable per leaver per app at its declared rate.
    let mut slowest = (String::new(), 0.0f64);
    for (manifest, _) in twelve_apps() {
        if let Some(limit) = manifest.provisioning.rate_limit {
            let calls = count.saturating_sub(limit.burst as usize) as f64;
            let seconds = calls * limit.period_ms as f64 / 1000.0 / f64::from(limit.requests);
            if seconds > slowest.1 {
                slowest = (manifest.name.to_owned(), seconds);
            }
        }
    }
    println!(
        "  posted in {posted:.1} s; queue: {counts:?}; theoretical minimum {:.1} s ({} at its declared rate)",
        slowest.1, slowest.0
    );
    if let Some(drained) = drained {
        println!(
            "  drained in {drained:.1} s: ratio to the minimum {:.2} (target <= 1.1)",
            drained / slowest.1.max(f64::MIN_POSITIVE)
        );
    }
}

/// Checks that people `range` are disabled in every app (rate limits off by then).
async fn check_all_disabled(apps: &Apps, range: std::ops::Range<usize>) {
    let mut missing = Vec::new();
    for i in range {
        for app in 0..apps.connectors.len() {
            if !apps.disabled(app, i).await {
                missing.push(format!("{}:{i}", apps.connectors[app].0));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "{} accounts are still active: {:?}",
        missing.len(),
        &missing[..missing.len().min(20)]
    );
}

fn main() {
    let rate = setting("SERVE_BENCH_RATE", 50);
    let seconds = setting("SERVE_BENCH_SECONDS", 60);
    let burst_size = setting("SERVE_BENCH_BURST", 10_000);
    let sustained_people = rate * seconds;
    let people = setting("SERVE_BENCH_PEOPLE", sustained_people + burst_size);
    // Every leaver is one removal per app within the hour the events' breaker weighs.
    let max_removals = setting("SERVE_BENCH_MAX_REMOVALS", people);
    assert!(
        people >= sustained_people + burst_size,
        "SERVE_BENCH_PEOPLE must cover the sustained leavers and the burst"
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    connector_tests::install_crypto_provider();
    runtime.block_on(async {
        let mut builder = Sandbox::builder();
        for (manifest, _) in twelve_apps() {
            builder = builder.tenant(TenantSpec::for_manifest(manifest));
        }
        let sandbox = builder.start("127.0.0.1:0").await.unwrap();
        let declared = rate_limits(&sandbox).await;
        let off: BTreeMap<String, Value> = declared
            .keys()
            .map(|name| {
                (
                    name.clone(),
                    serde_json::to_value(RateLimitConfig::off()).unwrap(),
                )
            })
            .collect();
        set_rate_limits(&sandbox, &off).await;
        let temporary = tempfile::tempdir().unwrap();
        let kept = std::env::var_os("SERVE_BENCH_DIR").map(std::path::PathBuf::from);
        if let Some(kept) = &kept {
            // The state of an earlier run, with its write-ahead log: a log left beside a
            // new file would be replayed into it.
            for file in [
                "state.db",
                "state.db-wal",
                "state.db-shm",
                "state.db.apply-lock",
            ] {
                let _ = std::fs::remove_file(kept.join(file));
            }
            std::fs::create_dir_all(kept).unwrap();
        }
        let dir = kept.as_deref().unwrap_or(temporary.path());
        let everyone: Vec<Value> = (0..people)
            .map(|i| {
                let who = identity(i);
                json!({"id": who.id, "login": who.login, "email": who.email,
                       "first_name": "Person", "last_name": format!("Number{i}"),
                       "groups": ["all"]})
            })
            .collect();
        std::fs::write(
            dir.join("people.json"),
            json!({ "people": everyone }).to_string(),
        )
        .unwrap();
        std::fs::write(
            dir.join("assignments.toml"),
            assignments(&sandbox, false, max_removals),
        )
        .unwrap();
        let started = Instant::now();
        let applied = command(&sandbox, dir, &["apply", "--no-progress"])
            .output()
            .unwrap();
        // 4: applied, with values some app did not store (the emulated Microsoft Graph
        // keeps no `mailNickname`); every account is checked to exist just below.
        assert!(
            matches!(applied.status.code(), Some(0 | 4)),
            "the first apply failed ({:?}): {}{}",
            applied.status,
            String::from_utf8_lossy(&applied.stderr),
            String::from_utf8_lossy(&applied.stdout)
        );
        println!(
            "{people} people provisioned to 12 apps ({} accounts) in {:.1} s",
            people * 12,
            started.elapsed().as_secs_f64()
        );
        let apps = Arc::new(Apps::read(&sandbox, people).await);
        let _ = std::io::stdout().flush();

        if sustained_people > 0 {
            let serve = Serve::start(&sandbox, dir, "serve-sustained.log");
            sustained(
                apps.clone(),
                serve.url.clone(),
                &dir.join("state.db"),
                rate,
                seconds,
            )
            .await;
            serve.stop();
        }
        if burst_size > 0 {
            set_rate_limits(&sandbox, &declared).await;
            std::fs::write(
                dir.join("assignments.toml"),
                assignments(&sandbox, true, max_removals),
            )
            .unwrap();
            let serve = Serve::start(&sandbox, dir, "serve-burst.log");
            let range = sustained_people..sustained_people + burst_size;
            burst(
                serve.url.clone(),
                &dir.join("state.db"),
                range.start,
                burst_size,
            )
            .await;
            serve.stop();
            set_rate_limits(&sandbox, &off).await;
            check_all_disabled(&apps, range).await;
            println!("  every burst leaver's 12 accounts checked disabled in the apps");
        }
        sandbox.shutdown().await;
    });
}
