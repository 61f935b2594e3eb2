//! One failing account never aborts the run: it is retried, then recorded failed with the
//! reason, its later steps are not attempted, and everyone else is applied.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use async_trait::async_trait;
use common::{NOW, World, apply_at, directory, person, plan, users};
use connector_engine::state::{AuditFilter, RunStatus};
use connector_engine::{ApplyOptions, Registry, StepStatus};
use connector_sdk::{
    Account, AccountRef, Connector, Identity, LicenseOutcome, LicenseSku, Manifest, Page,
    PageRequest, Result,
};

/// Creates of the poisoned person so far.
static POISONED_CREATES: AtomicU32 = AtomicU32::new(0);

/// ChatGPT, except that creating `alan.turing2@example.com` always fails with a 503.
struct Poisoned(Box<dyn Connector>);

#[async_trait]
impl Connector for Poisoned {
    fn manifest(&self) -> &'static Manifest {
        self.0.manifest()
    }
    fn managed_part(&self, record: &serde_json::Value) -> Option<serde_json::Value> {
        self.0.managed_part(record)
    }
    fn drift(&self, held: &serde_json::Value, who: &Identity) -> Vec<connector_sdk::Drift> {
        self.0.drift(held, who)
    }
    fn user_name_for(&self, who: &Identity) -> Option<String> {
        self.0.user_name_for(who)
    }
    async fn find(&self, who: &Identity) -> Result<Option<Account>> {
        self.0.find(who).await
    }
    async fn list(&self, page: PageRequest) -> Result<Page<Account>> {
        self.0.list(page).await
    }
    async fn get(&self, account: &AccountRef) -> Result<Account> {
        self.0.get(account).await
    }
    async fn create(&self, who: &Identity) -> Result<Account> {
        if who.login == "alan.turing2@example.com" {
            POISONED_CREATES.fetch_add(1, Ordering::SeqCst);
            return Err(connector_sdk::Error::Server {
                status: 503,
                scim_type: None,
                detail: Some("upstream unavailable".into()),
            });
        }
        self.0.create(who).await
    }
    async fn update(&self, account: &AccountRef, who: &Identity) -> Result<Account> {
        self.0.update(account, who).await
    }
    async fn disable(&self, account: &AccountRef) -> Result<()> {
        self.0.disable(account).await
    }
    async fn enable(&self, account: &AccountRef) -> Result<()> {
        self.0.enable(account).await
    }
    async fn delete(&self, account: &AccountRef) -> Result<()> {
        self.0.delete(account).await
    }
    async fn assign_license(
        &self,
        account: &AccountRef,
        sku: &LicenseSku,
    ) -> Result<LicenseOutcome> {
        self.0.assign_license(account, sku).await
    }
    async fn revoke_license(
        &self,
        account: &AccountRef,
        sku: &LicenseSku,
    ) -> Result<LicenseOutcome> {
        self.0.revoke_license(account, sku).await
    }
}

#[tokio::test]
async fn a_failing_account_is_retried_then_recorded_and_the_rest_is_applied() {
    let world = World::new(&[("chatgpt", "chatgpt")]);
    let registry = Registry::new().with(&connector_chatgpt::MANIFEST, |config| {
        Ok(Arc::new(Poisoned(Box::new(connector_chatgpt::connect(config)?))) as Arc<dyn Connector>)
    });
    let text = format!(
        "{}[[provision]]\ninstance = \"chatgpt\"\ngroups = [\"ai\"]\nlicenses = [\"enterprise_seat\"]\n",
        world.instances_toml(&[])
    );
    let engine = world.engine_with(&text, registry).await;
    let people = directory(vec![
        person(1, &["ai"]),
        person(2, &["ai"]),
        person(3, &["ai"]),
    ]);
    let options = ApplyOptions {
        max_attempts: Some(3),
        ..ApplyOptions::default()
    };
    let report = apply_at(&engine, &people, NOW, options).await;

    assert!(!report.succeeded());
    assert_eq!(report.status, RunStatus::Partial);
    assert_eq!(
        (
            report.counts.applied,
            report.counts.failed,
            report.counts.skipped
        ),
        (4, 1, 1),
        "{report:#?}"
    );
    assert_eq!(
        POISONED_CREATES.load(Ordering::SeqCst),
        3,
        "retried, then given up"
    );
    let failed = report
        .results
        .iter()
        .find(|r| r.status == StepStatus::Failed)
        .unwrap();
    assert_eq!(
        (failed.action.as_str(), failed.target.as_str()),
        ("create", "alan.turing2@example.com")
    );
    assert_eq!(failed.attempts, 3);
    assert!(
        failed.detail.as_deref().unwrap().contains("HTTP 503"),
        "{failed:#?}"
    );
    let skipped = report
        .results
        .iter()
        .find(|r| r.status == StepStatus::Skipped)
        .unwrap();
    assert_eq!(skipped.action, "assign_license");
    assert_eq!(users(world.server("chatgpt")).await.len(), 2);

    let failures = engine
        .store()
        .audit_events(&AuditFilter {
            status: Some("failure".into()),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(failures.len(), 1);
    let event: serde_json::Value = serde_json::from_str(&failures[0]).unwrap();
    assert_eq!(event["status_id"], 2);
    assert!(
        event["status_detail"]
            .as_str()
            .unwrap()
            .contains("upstream unavailable")
    );
    let journal = engine.store().journal(&report.run_id).await.unwrap();
    let entry = journal
        .iter()
        .find(|e| e.outcome == Some(connector_engine::state::Outcome::Failed))
        .unwrap();
    assert_eq!(entry.action, "create");

    // The failed person is still planned; the others are done.
    let again = plan(&engine, &people).await;
    assert_eq!(again.summary.changes, 2, "{:#?}", again.summary);
}

#[tokio::test]
async fn an_outcome_the_state_refuses_fails_the_step_and_leaves_its_intent_open() {
    let world = World::new(&[("chatgpt", "chatgpt")]);
    let text = format!(
        "{}[[provision]]\ninstance = \"chatgpt\"\ngroups = [\"ai\"]\n",
        world.instances_toml(&[])
    );
    let engine = world.engine(&text).await;
    // The state refuses audit events, so no outcome (written with its event) commits.
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(world.state_path());
    let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
    sqlx::raw_sql(
        "CREATE TRIGGER refused BEFORE INSERT ON audit_events \
         BEGIN SELECT RAISE(ABORT, 'audit refused'); END",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;

    let people = directory(vec![person(1, &["ai"])]);
    let report = apply_at(&engine, &people, NOW, ApplyOptions::default()).await;
    let [create] = report.results.as_slice() else {
        panic!("one change expected: {report:#?}");
    };
    assert_eq!(create.status, StepStatus::Failed, "{create:#?}");
    assert_eq!(create.attempts, 1, "the call was made");
    let detail = create.detail.as_deref().unwrap();
    assert!(
        detail.starts_with("the call returned but its outcome cannot be recorded: state ")
            && detail.contains("state.db")
            && detail.contains("audit refused"),
        "{detail}"
    );
    assert_eq!(users(world.server("chatgpt")).await.len(), 1);
    let journal = engine.store().journal(&report.run_id).await.unwrap();
    assert_eq!(journal.len(), 1);
    assert_eq!(journal[0].outcome, None, "left to resume");
}
