//! The plan at scale: `ENGINE_BENCH_IDENTITIES` people (default 1,000,000) against as
//! many existing accounts of one app, with a mix of no-ops, updates, creates, adoptions
//! and removals, the state in a SQLite file on disk and an in-memory connector (no HTTP).
//!
//! `cargo bench -p connector-engine --bench plan`
//!
//! The parent process seeds the state file (links and attribute hashes as a previous run
//! would have left them, written in shuffled order), then runs the plan in a fresh child
//! process, twice, printing wall time and the peak resident set (`VmHWM`, reset before
//! each plan): the process's peak, what it held before the plan (the directory and the
//! app's compact table) and the difference, the plan's own. The first plan is the
//! fresh-process figure; the second shows the same work with warm caches.
//!
//! `ENGINE_BENCH_IDENTITIES` sets the size; `ENGINE_BENCH_DIR` keeps the seeded state
//! there between runs (seeding a million links takes about half a minute).
//!
//! The scenario, by `i % 100` for person `i`:
//!
//! | share | person | account and link | plan |
//! |---|---|---|---|
//! | 85 % | assigned, unchanged | linked | nothing |
//! | 5 % | assigned, last name changed | linked | update |
//! | 3 % | assigned, new | none | create |
//! | 2 % | assigned | exists, not linked | link (adopt) + update |
//! | 2 % | suspended | linked | disable |
//! | 3 % | no longer in the assigned group | linked | disable |
//!
//! plus 2 % of N people who left the directory (linked accounts: disable) and 1 % of N
//! accounts matching nobody (protected), so that the app holds N accounts.
//!
//! Each listed account carries the User the app holds (what the engine last wrote), so
//! the plan's drift check (every linked person's managed attributes against their
//! mapping, through the real ChatGPT connector's code) is part of the figure.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use async_trait::async_trait;
use connector_engine::state::Store;
use connector_engine::{Assignments, Directory, Engine, MapSecrets, PlanOptions, Registry};
use connector_sdk::scim::ScimApp;
use connector_sdk::{
    Account, AccountRef, Connector, Identity, IdentityStatus, LicenseOutcome, LicenseSku, Manifest,
    Page, PageRequest, Result, Secret,
};

const FIRST: &[&str] = &[
    "Ada",
    "Grace",
    "Alan",
    "Katherine",
    "Edsger",
    "Barbara",
    "Donald",
    "Frances",
];
const LAST: &[&str] = &[
    "Lovelace", "Hopper", "Turing", "Johnson", "Dijkstra", "Liskov", "Knuth", "Allen",
];
/// [`FIRST`] and [`LAST`] in lower case.
const FIRST_LOWER: &[&str] = &[
    "ada",
    "grace",
    "alan",
    "katherine",
    "edsger",
    "barbara",
    "donald",
    "frances",
];
const LAST_LOWER: &[&str] = &[
    "lovelace", "hopper", "turing", "johnson", "dijkstra", "liskov", "knuth", "allen",
];
const DEPARTMENTS: &[&str] = &["Engineering", "Research", "Sales", "Finance"];

/// What the scenario does with person `i` (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Unchanged,
    Changed,
    New,
    Adoptable,
    Suspended,
    Unassigned,
    Left,
}

/// The kind of person `i` of a directory of `n`.
fn kind(i: usize, n: usize) -> Kind {
    if i >= n {
        return Kind::Left;
    }
    match i % 100 {
        0..85 => Kind::Unchanged,
        85..90 => Kind::Changed,
        90..93 => Kind::New,
        93..95 => Kind::Adoptable,
        95..97 => Kind::Suspended,
        _ => Kind::Unassigned,
    }
}

/// How many people left the directory (they come after the `n` present ones).
fn left(n: usize) -> usize {
    n / 50
}

/// How many accounts match nobody.
fn orphans(n: usize) -> usize {
    n / 100
}

/// The email of person `i`.
fn email(i: usize) -> String {
    let first = FIRST_LOWER[i % FIRST.len()];
    let last = LAST_LOWER[(i / FIRST.len() + i) % LAST.len()];
    format!("{first}.{last}{i}@example.com")
}

/// Person `i` as the directory has them now.
fn person(i: usize, n: usize) -> Identity {
    let first = FIRST[i % FIRST.len()];
    let last = LAST[(i / FIRST.len() + i) % LAST.len()];
    let email = email(i);
    let kind = kind(i, n);
    Identity {
        id: format!("00u{i:07}"),
        login: email.clone(),
        email,
        first_name: Some(first.to_owned()),
        last_name: Some(last.to_owned()),
        display_name: Some(format!("{first} {last}")),
        department: Some(DEPARTMENTS[i % DEPARTMENTS.len()].to_owned()),
        title: Some("Engineer".to_owned()),
        status: if kind == Kind::Suspended {
            IdentityStatus::Suspended
        } else {
            IdentityStatus::Active
        },
        groups: vec![
            if kind == Kind::Unassigned {
                "staff"
            } else {
                "ai"
            }
            .to_owned(),
        ],
        ..Identity::default()
    }
}

/// Person `i` as the engine last applied them.
fn applied(i: usize, n: usize) -> Identity {
    let mut who = person(i, n);
    if kind(i, n) == Kind::Changed {
        who.last_name = Some("Before".to_owned());
    }
    who
}

/// The directory of `n` people.
fn directory(n: usize) -> Directory {
    Directory {
        people: (0..n).map(|i| person(i, n)).collect(),
        groups: Vec::new(),
    }
}

/// One account of the in-memory app: a person's (linked or not), or an orphan.
#[derive(Debug, Clone, Copy)]
enum Row {
    /// Person `i`'s account; `external` when the engine created it.
    Person { i: u32, external: bool },
    /// An account matching nobody.
    Orphan(u32),
}

/// The accounts of the in-memory app, in listing order.
fn rows(n: usize) -> Vec<Row> {
    let mut rows = Vec::with_capacity(n + left(n) + orphans(n));
    for i in 0..n + left(n) {
        match kind(i, n) {
            Kind::New => {}
            Kind::Adoptable => rows.push(Row::Person {
                i: i as u32,
                external: false,
            }),
            _ => rows.push(Row::Person {
                i: i as u32,
                external: true,
            }),
        }
    }
    rows.extend((0..orphans(n)).map(|k| Row::Orphan(k as u32)));
    rows
}

/// What the app holds for person `i` (as a connector decodes a listed User): the User
/// the engine last wrote, without `externalId` for an account it did not create.
fn record(i: usize, n: usize, external: bool) -> serde_json::Value {
    let user =
        connector_chatgpt::ChatGPT::map_identity(&applied(i, n)).expect("the bench people map");
    let mut record = serde_json::to_value(user).expect("a User serializes");
    record["id"] = serde_json::json!(format!("acct-{i}"));
    record["active"] = serde_json::json!(true);
    if !external && let Some(object) = record.as_object_mut() {
        object.remove("externalId");
    }
    record
}

/// The real ChatGPT connector, for what needs no call: the user name a person maps to,
/// the managed part of a listed record, and its drift from the mapping.
fn chatgpt() -> &'static dyn Connector {
    static CONNECTOR: OnceLock<Box<dyn Connector>> = OnceLock::new();
    CONNECTOR
        .get_or_init(|| {
            let config = connector_sdk::InstanceConfig::for_base_url(
                "http://127.0.0.1:9/scim/v2",
                Secret::new("bench-token"),
            );
            Box::new(connector_chatgpt::connect(config).expect("the bench connector builds"))
        })
        .as_ref()
}

/// The number of people of the bench (set once in the child).
static PEOPLE: OnceLock<usize> = OnceLock::new();

/// The account of a row, built on demand like a connector decoding a page.
fn account(row: Row) -> Account {
    match row {
        Row::Person { i, external } => {
            let i = i as usize;
            let email = email(i);
            let n = PEOPLE.get().copied().unwrap_or(i + 1);
            Account {
                id: format!("acct-{i}"),
                user_name: email.clone(),
                external_id: external.then(|| format!("00u{i:07}")),
                email: Some(email),
                display_name: None,
                active: true,
                licenses: Vec::new(),
                not_stored: Vec::new(),
                attributes: record(i, n, external),
                refused: Vec::new(),
            }
        }
        Row::Orphan(k) => Account {
            id: format!("acct-orphan-{k}"),
            user_name: format!("former{k}@example.com"),
            external_id: None,
            email: Some(format!("former{k}@example.com")),
            display_name: None,
            active: true,
            licenses: Vec::new(),
            not_stored: Vec::new(),
            attributes: serde_json::Value::Null,
            refused: Vec::new(),
        },
    }
}

/// The app's accounts (set once in the child).
static ROWS: OnceLock<Vec<Row>> = OnceLock::new();

/// ChatGPT's manifest over [`ROWS`]; planning only lists.
struct Memory;

#[async_trait]
impl Connector for Memory {
    fn manifest(&self) -> &'static Manifest {
        &connector_chatgpt::MANIFEST
    }
    fn managed_part(&self, record: &serde_json::Value) -> Option<serde_json::Value> {
        chatgpt().managed_part(record)
    }
    fn drift(&self, held: &serde_json::Value, who: &Identity) -> Vec<connector_sdk::Drift> {
        chatgpt().drift(held, who)
    }
    fn user_name_for(&self, who: &Identity) -> Option<String> {
        chatgpt().user_name_for(who)
    }
    async fn find(&self, _: &Identity) -> Result<Option<Account>> {
        Ok(None)
    }
    async fn list(&self, page: PageRequest) -> Result<Page<Account>> {
        let rows = ROWS.get().map(Vec::as_slice).unwrap_or_default();
        let start = (page.start_index.max(1) - 1) as usize;
        let end = (start + page.count.max(1) as usize).min(rows.len());
        let next = (end < rows.len()).then(|| PageRequest {
            start_index: end as u64 + 1,
            count: page.count,
            cursor: None,
        });
        Ok(Page {
            items: rows[start.min(end)..end]
                .iter()
                .map(|r| account(*r))
                .collect(),
            total_results: Some(rows.len() as u64),
            next,
        })
    }
    async fn get(&self, account: &AccountRef) -> Result<Account> {
        Err(unsupported(&account.id))
    }
    async fn create(&self, who: &Identity) -> Result<Account> {
        Err(unsupported(&who.id))
    }
    async fn update(&self, account: &AccountRef, _: &Identity) -> Result<Account> {
        Err(unsupported(&account.id))
    }
    async fn disable(&self, account: &AccountRef) -> Result<()> {
        Err(unsupported(&account.id))
    }
    async fn enable(&self, account: &AccountRef) -> Result<()> {
        Err(unsupported(&account.id))
    }
    async fn delete(&self, account: &AccountRef) -> Result<()> {
        Err(unsupported(&account.id))
    }
    async fn assign_license(&self, a: &AccountRef, _: &LicenseSku) -> Result<LicenseOutcome> {
        Err(unsupported(&a.id))
    }
    async fn revoke_license(&self, a: &AccountRef, _: &LicenseSku) -> Result<LicenseOutcome> {
        Err(unsupported(&a.id))
    }
}

/// The error of a call planning never makes.
fn unsupported(what: &str) -> connector_sdk::Error {
    connector_sdk::Error::Config(format!("the plan bench does not change {what}"))
}

/// The assignments file of the scenario.
const ASSIGNMENTS: &str = "[instances.chatgpt]\nconnector = \"chatgpt\"\ntoken_env = \"T\"\n\
    [instances.chatgpt.policy]\nexisting_accounts = \"adopt\"\nmax_removals = 100000000\n\n\
    [[provision]]\ninstance = \"chatgpt\"\ngroups = [\"ai\"]\n";

/// A `/proc/self/status` figure in bytes (`VmRSS`, `VmHWM`); 0 when unreadable.
fn proc_status(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map_or(0, |kib| kib * 1024)
}

/// Resets `VmHWM` to the current resident set (Linux: `echo 5 > /proc/self/clear_refs`).
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Bytes as MiB.
fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// Shuffles `items` the same way every run (Fisher-Yates over xorshift64).
fn shuffle<T>(items: &mut [T]) {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in (1..items.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        items.swap(i, (state % (i as u64 + 1)) as usize);
    }
}

/// Writes the links a previous run would have left for the `n`-person scenario.
async fn seed(path: &std::path::Path, n: usize) {
    use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

    // Creates and migrates the file.
    drop(Store::open(path).await.unwrap());
    let options = SqliteConnectOptions::new().filename(path);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .unwrap();
    let fields = connector_engine::plan::FieldSet::new(&connector_engine::attrs::mapped_fields(
        &connector_chatgpt::MANIFEST,
    ));
    let mut linked: Vec<usize> = (0..n + left(n))
        .filter(|i| !matches!(kind(*i, n), Kind::New | Kind::Adoptable))
        .collect();
    // A previous apply wrote links in its own order, not by person id.
    shuffle(&mut linked);
    let mut tx = pool.begin().await.unwrap();
    const ROWS_PER_INSERT: usize = 500;
    for chunk in linked.chunks(ROWS_PER_INSERT) {
        let mut sql = String::from(
            "INSERT INTO links (instance, identity_id, login, account_id, user_name, origin, \
             attributes_hash, attributes, updated_at) VALUES ",
        );
        for (k, _) in chunk.iter().enumerate() {
            if k > 0 {
                sql.push(',');
            }
            sql.push_str("('chatgpt', ?, ?, ?, ?, 'created', ?, ?, '2026-01-01T00:00:00.000Z')");
        }
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for &i in chunk {
            let who = applied(i, n);
            let (hash, snapshot) = fields.applied(&who);
            query = query
                .bind(who.id.clone())
                .bind(who.login.clone())
                .bind(format!("acct-{i}"))
                .bind(who.email.clone())
                .bind(hash)
                .bind(snapshot);
        }
        query.execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
    pool.close().await;
}

/// The expected number of people of each kind.
fn count(n: usize, wanted: Kind) -> u64 {
    (0..n + left(n)).filter(|i| kind(*i, n) == wanted).count() as u64
}

/// The child: loads the directory, plans twice, prints times and memory.
fn child(n: usize, state: &std::path::Path) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let start_rss = proc_status("VmRSS");
    let started = Instant::now();
    let directory = directory(n);
    ROWS.set(rows(n)).unwrap_or_else(|_| unreachable!());
    PEOPLE.set(n).unwrap_or_else(|_| unreachable!());
    let input_rss = proc_status("VmRSS");
    println!(
        "inputs: {n} people, {} accounts built in {:.2} s ({:.0} MiB: directory and the app's compact table)",
        ROWS.get().map_or(0, Vec::len),
        started.elapsed().as_secs_f64(),
        mib(input_rss.saturating_sub(start_rss)),
    );
    runtime.block_on(async {
        let registry = Registry::new().with(&connector_chatgpt::MANIFEST, |_| {
            Ok(Arc::new(Memory) as Arc<dyn Connector>)
        });
        let path = state.with_extension("toml");
        std::fs::write(&path, ASSIGNMENTS).unwrap();
        let assignments = Assignments::load(&path, &registry).unwrap();
        let store = Store::open(state).await.unwrap();
        let secrets = MapSecrets::default().with("T", Secret::new("t"));
        let engine = Engine::with_store(assignments, registry, Arc::new(secrets), store);
        let connectors = engine.connectors(&[]);
        let options = PlanOptions::default();
        for run in 1..=2 {
            let before = proc_status("VmRSS");
            let reset = reset_peak();
            let started = Instant::now();
            let plan = engine
                .plan_directory(&directory, "bench", &connectors, &options)
                .await
                .unwrap();
            let elapsed = started.elapsed();
            let peak = proc_status("VmHWM");
            let summary = &plan.summary;
            let action = |name: &str| summary.by_action.get(name).copied().unwrap_or(0);
            let instance = &plan.instances[0];
            assert_eq!(instance.error, None);
            assert_eq!(instance.accounts as usize, ROWS.get().map_or(0, Vec::len));
            assert_eq!(action("create"), count(n, Kind::New));
            assert_eq!(action("link"), count(n, Kind::Adoptable));
            assert_eq!(
                action("update"),
                count(n, Kind::Changed) + count(n, Kind::Adoptable)
            );
            assert_eq!(
                action("disable"),
                count(n, Kind::Suspended) + count(n, Kind::Unassigned) + count(n, Kind::Left)
            );
            assert_eq!(summary.protected as usize, orphans(n));
            assert_eq!(summary.skipped, 0);
            let which = if run == 1 {
                "first plan of the process"
            } else {
                "again, same process"
            };
            println!(
                "plan #{run} ({which}): {:.2} s ({:.0} people/s), {} changes ({} create, {} link, {} update, {} disable), {} protected",
                elapsed.as_secs_f64(),
                n as f64 / elapsed.as_secs_f64(),
                summary.changes,
                action("create"),
                action("link"),
                action("update"),
                action("disable"),
                summary.protected,
            );
            println!(
                "  peak RSS {:.0} MiB (process, VmHWM{}); {:.0} MiB before the plan; plan's own peak {:.0} MiB",
                mib(peak),
                if reset { ", reset before the plan" } else { "" },
                mib(before),
                mib(peak.saturating_sub(before)),
            );
            drop(plan);
        }
    });
}

fn main() {
    let n: usize = std::env::var("ENGINE_BENCH_IDENTITIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    if let Some(state) = std::env::var_os("ENGINE_BENCH_CHILD_STATE") {
        child(n, std::path::Path::new(&state));
        return;
    }
    // `ENGINE_BENCH_DIR` keeps the seeded state between runs (one file per size).
    let temporary = tempfile::tempdir().unwrap();
    let dir = std::env::var_os("ENGINE_BENCH_DIR")
        .map_or_else(|| temporary.path().to_owned(), std::path::PathBuf::from);
    let state = dir.join(format!("plan-{n}.db"));
    let seeded = state.with_extension("seeded");
    if seeded.exists() {
        println!("reusing the state seeded in {}", state.display());
    } else {
        let started = Instant::now();
        for suffix in ["db", "db-wal", "db-shm"] {
            let _ = std::fs::remove_file(state.with_extension(suffix));
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(seed(&state, n));
        drop(runtime);
        std::fs::write(&seeded, "").unwrap();
        println!(
            "seeded {} links in {:.1} s (state on disk, SQLite WAL)",
            n - count(n, Kind::New) as usize - count(n, Kind::Adoptable) as usize + left(n),
            started.elapsed().as_secs_f64()
        );
    }
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .env("ENGINE_BENCH_CHILD_STATE", &state)
        .env("ENGINE_BENCH_IDENTITIES", n.to_string())
        .status()
        .unwrap();
    assert!(status.success(), "the plan process failed: {status}");
}
