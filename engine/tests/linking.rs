//! One account, one person: two people whose mapping gives one user name are refused
//! before anything is created (Slack, against the sandbox's emulation); a create refused
//! because the account appeared after the plan goes through the same `adopt`/`flag`
//! decision as the plan and records the right origin; the state refuses a second
//! person's link to an account, whichever path tries it.

mod common;

use std::sync::Arc;

use async_trait::async_trait;
use common::{NOW, SandboxWorld, person, registry};
use connector_engine::Registry;
use connector_engine::directory::Directory;
use connector_engine::plan::{Action, SkipCode};
use connector_engine::state::{Effect, Intent, Link, Origin, Outcome, Store};
use connector_engine::{ApplyOptions, Engine, PlanOptions, StepStatus};
use connector_sandbox::TenantSpec;
use connector_sdk::{
    Account, AccountRef, Connector, Identity, LicenseOutcome, LicenseSku, Manifest, Page,
    PageRequest, Result,
};

fn options() -> ApplyOptions {
    ApplyOptions {
        plan: PlanOptions {
            now: Some(NOW),
            ..PlanOptions::default()
        },
        ..ApplyOptions::default()
    }
}

/// The Slack instance's lines: its tenant variable and `policy`.
fn slack_lines(policy: &str) -> String {
    format!("variables = {{ domain = \"acme\" }}\n[instances.slack.policy]\n{policy}")
}

/// A sandbox Slack tenant, assigned to group `eng`, and an engine on it.
async fn slack(policy: &str) -> SandboxWorld {
    slack_with(policy, registry()).await
}

async fn slack_with(policy: &str, registry: Registry) -> SandboxWorld {
    SandboxWorld::start(
        TenantSpec::for_manifest(&connector_slack::MANIFEST),
        "slack",
        &slack_lines(policy),
        "[[provision]]\ninstance = \"slack\"\ngroups = [\"eng\"]\n",
        registry,
    )
    .await
}

/// Person `i` in group `eng` with `email`.
fn with_email(i: usize, email: &str) -> connector_sdk::Identity {
    let mut who = person(i, &["eng"]);
    who.email = email.to_owned();
    who.login = email.to_owned();
    who
}

/// The plan of `people`.
async fn plan_of(engine: &Engine, people: Directory) -> connector_engine::plan::Plan {
    let options = PlanOptions {
        now: Some(NOW),
        ..PlanOptions::default()
    };
    let connectors = engine.connectors(&[]);
    engine
        .plan_directory(&people, "test", &connectors, &options)
        .await
        .unwrap()
}

fn directory(people: Vec<connector_sdk::Identity>) -> Directory {
    Directory {
        people,
        groups: Vec::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_people_with_one_slack_user_name_are_a_conflict_not_one_account() {
    let slack = slack("").await;
    // Slack's user name is the lower-cased local part: both are `ada`.
    let eng = with_email(1, "ada@eng.example.com");
    let sales = with_email(2, "ada@sales.example.com");
    let grace = with_email(3, "grace@example.com");
    let people = directory(vec![eng.clone(), sales.clone(), grace.clone()]);

    let plan = plan_of(&slack.engine, people.clone()).await;
    let steps = &plan.instances[0].steps;
    let conflicts: Vec<_> = steps
        .iter()
        .filter(|s| {
            s.action
                == Action::Skip {
                    skipped: "create".into(),
                    code: SkipCode::SharedAccount,
                }
        })
        .collect();
    assert_eq!(conflicts.len(), 2, "{steps:#?}");
    for step in &conflicts {
        assert!(
            step.reason.contains("ada@eng.example.com")
                && step.reason.contains("ada@sales.example.com")
                && step.reason.contains("`ada`"),
            "the conflict names both people and the shared name: {}",
            step.reason
        );
    }

    let report = slack
        .engine
        .apply_directory(people.clone(), "test", options())
        .await
        .unwrap();
    let users = slack.checker.list_users().await;
    assert_eq!(users.len(), 1, "only grace is created: {users:#?}");
    assert_eq!(users[0]["userName"], "grace");
    assert_eq!(report.counts.applied, 1, "{:#?}", report.results);

    // Once ada@eng has the account, a newcomer with the same name is refused against it.
    let slack = self::slack("").await;
    let first = directory(vec![eng.clone()]);
    slack
        .engine
        .apply_directory(first, "test", options())
        .await
        .unwrap();
    let plan = plan_of(&slack.engine, directory(vec![eng.clone(), sales.clone()])).await;
    let refused = plan.instances[0]
        .steps
        .iter()
        .find(|s| s.target.identity_id.as_deref() == Some(sales.id.as_str()))
        .expect("a step for ada@sales");
    assert_eq!(
        refused.action,
        Action::Skip {
            skipped: "create".into(),
            code: SkipCode::SharedAccount
        }
    );
    assert!(
        refused.reason.contains(&eng.id),
        "names who holds it: {}",
        refused.reason
    );
    let links = slack.engine.store().links("slack").await.unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!(links[&eng.id].origin, Origin::Created);
}

/// Slack, except that someone else creates the person's account just before the
/// engine's create reaches the app (after the plan saw no account).
struct Raced(Box<dyn Connector>);

#[async_trait]
impl Connector for Raced {
    fn manifest(&self) -> &'static Manifest {
        self.0.manifest()
    }
    async fn find(&self, who: &Identity) -> Result<Option<Account>> {
        self.0.find(who).await
    }
    async fn list(&self, page: PageRequest) -> Result<Page<Account>> {
        self.0.list(page).await
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
    async fn get(&self, account: &AccountRef) -> Result<Account> {
        self.0.get(account).await
    }
    async fn create(&self, who: &Identity) -> Result<Account> {
        // An admin's hand-made account, without the directory id.
        let mut by_hand = who.clone();
        by_hand.id = "by-hand".into();
        self.0.create(&by_hand).await?;
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

/// Applies ada's create while her account appears in the app behind the plan's back.
async fn account_appears_after_the_plan(
    policy: &str,
) -> (SandboxWorld, connector_engine::ApplyReport) {
    let registry = Registry::new().with(&connector_slack::MANIFEST, |config| {
        Ok(Arc::new(Raced(Box::new(connector_slack::connect(config)?))) as Arc<dyn Connector>)
    });
    let slack = slack_with(policy, registry).await;
    let ada = with_email(1, "ada@example.com");
    let report = slack
        .engine
        .apply_directory(directory(vec![ada]), "test", options())
        .await
        .unwrap();
    (slack, report)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_refused_because_the_account_exists_is_flagged_under_flag() {
    let (slack, report) = account_appears_after_the_plan("existing_accounts = \"flag\"").await;
    let create = &report.results[0];
    assert_eq!(create.action, "create");
    assert_eq!(create.status, StepStatus::Skipped, "{create:#?}");
    assert!(
        create.detail.as_deref().unwrap_or("").contains("flag"),
        "{create:#?}"
    );
    assert!(
        slack
            .engine
            .store()
            .links("slack")
            .await
            .unwrap()
            .is_empty(),
        "a flagged account is never linked"
    );
    let users = slack.checker.list_users().await;
    assert_eq!(users.len(), 1, "no duplicate");
    assert!(users[0].get("externalId").is_none(), "left alone");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_refused_because_the_account_exists_is_adopted_under_adopt() {
    let (slack, report) = account_appears_after_the_plan("existing_accounts = \"adopt\"").await;
    let create = &report.results[0];
    assert_eq!(create.status, StepStatus::Applied, "{create:#?}");
    assert!(
        create.detail.as_deref().unwrap_or("").contains("adopted"),
        "{create:#?}"
    );
    let links = slack.engine.store().links("slack").await.unwrap();
    assert_eq!(
        links["00u000001"].origin,
        Origin::Adopted,
        "an account the engine did not create is never recorded as created"
    );
}

#[tokio::test]
async fn the_state_never_gives_one_account_to_two_people() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("state.db")).await.unwrap();
    let link = |person: &str| Link {
        instance: "slack".into(),
        identity_id: person.into(),
        login: format!("{person}@example.com"),
        account_id: "U1".into(),
        user_name: "ada".into(),
        origin: Origin::Created,
        attributes_hash: None,
        attributes: None,
        active: Some(true),
    };
    let intent = |person: &'static str| Intent {
        run_id: "r",
        instance: "slack",
        identity_id: Some(person),
        account_id: None,
        action: "create",
        sku: None,
        step: "{}",
    };
    let first = store.record_intent(&intent("p1")).await.unwrap();
    store
        .record_outcome(
            Some(first),
            Outcome::Ok,
            None,
            vec![Effect::Link(link("p1"))],
        )
        .await
        .unwrap();
    let second = store.record_intent(&intent("p2")).await.unwrap();
    let refused = store
        .record_outcome(
            Some(second),
            Outcome::Ok,
            None,
            vec![Effect::Link(link("p2"))],
        )
        .await;
    assert!(refused.is_err(), "a second person's link to U1 must fail");
    let links = store.links("slack").await.unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!(links["p1"].account_id, "U1", "the first link is kept");
}
