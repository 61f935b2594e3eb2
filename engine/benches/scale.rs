//! The engine's own cost at scale, with an in-memory connector (no HTTP): a first apply
//! that creates every account (journal and state writes dominate), a plan with nothing
//! to do, and a plan where one person in ten changed.
//!
//! `cargo bench -p connector-engine --bench scale` (`ENGINE_BENCH_PEOPLE`, default 5000).

use std::sync::{Arc, Mutex};
use std::time::Instant;

use async_trait::async_trait;
use connector_engine::state::Store;
use connector_engine::{
    ApplyOptions, Assignments, Directory, Engine, MapSecrets, PlanOptions, Registry,
};
use connector_sdk::{
    Account, AccountRef, Connector, Identity, LicenseOutcome, LicenseSku, Manifest, Page,
    PageRequest, Result, Secret,
};

/// Accounts of the one in-memory service (shared by every connector built in the run).
static ACCOUNTS: Mutex<Vec<Account>> = Mutex::new(Vec::new());

/// ChatGPT's manifest over an in-memory account list.
struct Memory;

/// The account `who` would get.
fn account(id: usize, who: &Identity) -> Account {
    Account {
        id: format!("acct-{id}"),
        user_name: who.email.clone(),
        external_id: Some(who.id.clone()),
        email: Some(who.email.clone()),
        display_name: who.display_name.clone(),
        active: true,
        licenses: Vec::new(),
        not_stored: Vec::new(),
        attributes: serde_json::Value::Null,
        refused: Vec::new(),
    }
}

/// The account with `id`, changed by `change`.
fn with_account(id: &str, change: impl FnOnce(&mut Account)) -> Result<()> {
    let mut accounts = ACCOUNTS.lock().unwrap();
    let account =
        accounts
            .iter_mut()
            .find(|a| a.id == id)
            .ok_or_else(|| connector_sdk::Error::NotFound {
                what: id.to_owned(),
            })?;
    change(account);
    Ok(())
}

#[async_trait]
impl Connector for Memory {
    fn manifest(&self) -> &'static Manifest {
        &connector_chatgpt::MANIFEST
    }
    fn managed_part(&self, _: &serde_json::Value) -> Option<serde_json::Value> {
        None
    }
    fn drift(&self, _: &serde_json::Value, _: &Identity) -> Vec<connector_sdk::Drift> {
        Vec::new()
    }
    fn user_name_for(&self, who: &Identity) -> Option<String> {
        Some(who.email.clone())
    }
    async fn find(&self, who: &Identity) -> Result<Option<Account>> {
        let accounts = ACCOUNTS.lock().unwrap();
        Ok(accounts.iter().find(|a| a.user_name == who.email).cloned())
    }
    async fn list(&self, page: PageRequest) -> Result<Page<Account>> {
        let accounts = ACCOUNTS.lock().unwrap();
        let start = (page.start_index.max(1) - 1) as usize;
        let end = (start + page.count.max(1) as usize).min(accounts.len());
        let next = (end < accounts.len()).then(|| PageRequest {
            start_index: end as u64 + 1,
            count: page.count,
            cursor: None,
        });
        Ok(Page {
            items: accounts[start.min(end)..end].to_vec(),
            total_results: Some(accounts.len() as u64),
            next,
        })
    }
    async fn get(&self, account: &AccountRef) -> Result<Account> {
        let accounts = ACCOUNTS.lock().unwrap();
        accounts
            .iter()
            .find(|a| a.id == account.id)
            .cloned()
            .ok_or_else(|| connector_sdk::Error::NotFound {
                what: account.id.clone(),
            })
    }
    async fn create(&self, who: &Identity) -> Result<Account> {
        let mut accounts = ACCOUNTS.lock().unwrap();
        let created = account(accounts.len(), who);
        accounts.push(created.clone());
        Ok(created)
    }
    async fn update(&self, account: &AccountRef, who: &Identity) -> Result<Account> {
        with_account(&account.id, |a| a.display_name = who.display_name.clone())?;
        self.get(account).await
    }
    async fn disable(&self, account: &AccountRef) -> Result<()> {
        with_account(&account.id, |a| a.active = false)
    }
    async fn enable(&self, account: &AccountRef) -> Result<()> {
        with_account(&account.id, |a| a.active = true)
    }
    async fn delete(&self, account: &AccountRef) -> Result<()> {
        ACCOUNTS.lock().unwrap().retain(|a| a.id != account.id);
        Ok(())
    }
    async fn assign_license(&self, _: &AccountRef, _: &LicenseSku) -> Result<LicenseOutcome> {
        Ok(LicenseOutcome::Automatic)
    }
    async fn revoke_license(&self, _: &AccountRef, _: &LicenseSku) -> Result<LicenseOutcome> {
        Ok(LicenseOutcome::Automatic)
    }
}

/// `n` people in the `ai` group.
fn people(n: usize) -> Directory {
    Directory {
        people: (0..n)
            .map(|i| {
                let mut who = connector_tests::people::person(i, "example.com");
                who.groups = vec!["ai".to_owned()];
                who
            })
            .collect(),
        groups: Vec::new(),
    }
}

/// Times `future`, printing `what` and the rate per person.
async fn timed<T>(what: &str, n: usize, future: impl Future<Output = T>) -> T {
    let start = Instant::now();
    let value = future.await;
    let elapsed = start.elapsed();
    println!(
        "{what:<40} {:>8.2} s  {:>9.0} people/s",
        elapsed.as_secs_f64(),
        n as f64 / elapsed.as_secs_f64()
    );
    value
}

fn main() {
    let n: usize = std::env::var("ENGINE_BENCH_PEOPLE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let text = "[instances.memory]\nconnector = \"chatgpt\"\ntoken_env = \"T\"\n\
                    [instances.memory.policy]\nconcurrency = 16\nmax_removals = 100000\n\n\
                    [[provision]]\ninstance = \"memory\"\ngroups = [\"ai\"]\n";
        let registry = Registry::new().with(&connector_chatgpt::MANIFEST, |_| {
            Ok(Arc::new(Memory) as Arc<dyn Connector>)
        });
        let path = dir.path().join("assignments.toml");
        std::fs::write(&path, text).unwrap();
        let assignments = Assignments::load(&path, &registry).unwrap();
        let store = Store::open(&dir.path().join("state.db")).await.unwrap();
        let secrets = MapSecrets::default().with("T", Secret::new("t"));
        let engine = Engine::with_store(assignments, registry, Arc::new(secrets), store);
        let directory = people(n);
        println!("{n} people, in-memory connector, state on disk (SQLite WAL)");

        let options = || ApplyOptions {
            concurrency: Some(16),
            ..ApplyOptions::default()
        };
        let report = timed(
            "first apply (create every account)",
            n,
            engine.apply_directory(directory.clone(), "bench", options()),
        )
        .await
        .unwrap();
        assert!(report.succeeded());

        let connectors = engine.connectors(&[]);
        let plan = timed(
            "plan, nothing to do",
            n,
            engine.plan_directory(&directory, "bench", &connectors, &PlanOptions::default()),
        )
        .await
        .unwrap();
        assert!(!plan.has_changes());

        let mut changed = directory.clone();
        for who in changed.people.iter_mut().step_by(10) {
            who.last_name = Some("Changed".to_owned());
        }
        let plan = timed(
            "plan, one in ten changed",
            n,
            engine.plan_directory(&changed, "bench", &connectors, &PlanOptions::default()),
        )
        .await
        .unwrap();
        assert_eq!(plan.summary.changes as usize, n.div_ceil(10));
        let report = timed(
            "apply, one in ten changed",
            n,
            engine.apply_directory(changed, "bench", options()),
        )
        .await
        .unwrap();
        assert!(report.succeeded());
    });
}
