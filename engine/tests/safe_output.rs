//! The plan is safe to read on a terminal: values from the directory and the apps are
//! escaped, lookalike names are flagged, and an instance that could not be read says so
//! instead of passing for one with nothing to do. Against the sandbox's ChatGPT tenant.

mod common;

use std::sync::Arc;

use async_trait::async_trait;
use common::{NOW, directory, person, registry};
use connector_engine::plan::render::render;
use connector_engine::state::Store;
use connector_engine::{Assignments, Directory, Engine, MapSecrets, Plan, PlanOptions, Registry};
use connector_sandbox::{Sandbox, SandboxHandle, TenantSpec};
use connector_sdk::{
    Account, AccountRef, Connector, Identity, LicenseOutcome, LicenseSku, Manifest, Page,
    PageRequest, Result, Secret,
};
use tempfile::TempDir;

/// Moves the cursor up a line and erases it: what a hostile name would do to the plan.
const ERASE_LINE: &str = "\u{1b}[1A\u{1b}[2K";

/// A sandbox serving ChatGPT.
async fn sandbox() -> SandboxHandle {
    connector_tests::install_crypto_provider();
    Sandbox::builder()
        .tenant(TenantSpec::for_manifest(&connector_chatgpt::MANIFEST))
        .start("127.0.0.1:0")
        .await
        .unwrap()
}

/// An engine with instance `chatgpt` on the sandbox and, when `slack` is set, an instance
/// `slack` (served by whatever `registry` connects), both provisioning group `ai`.
async fn engine(sandbox: &SandboxHandle, registry: Registry, slack: bool) -> (Engine, TempDir) {
    let token = sandbox.tenant("chatgpt").unwrap().token();
    engine_with_token(sandbox, registry, slack, token).await
}

/// [`engine`], with `token` in `CHATGPT_TOKEN`.
async fn engine_with_token(
    sandbox: &SandboxHandle,
    registry: Registry,
    slack: bool,
    token: Secret,
) -> (Engine, TempDir) {
    let tenant = sandbox.tenant("chatgpt").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut text = format!(
        "[instances.chatgpt]\nconnector = \"chatgpt\"\nbase_url = \"{}\"\n\
         token_env = \"CHATGPT_TOKEN\"\n\n[[provision]]\ninstance = \"chatgpt\"\ngroups = [\"ai\"]\n",
        tenant.api_url()
    );
    if slack {
        text.push_str(
            "\n[instances.slack]\nconnector = \"slack\"\nbase_url = \"http://127.0.0.1:9/scim/v2\"\n\
             token_env = \"SLACK_TOKEN\"\nvariables = { domain = \"acme\" }\n\n\
             [[provision]]\ninstance = \"slack\"\ngroups = [\"ai\"]\n",
        );
    }
    let path = dir.path().join("assignments.toml");
    std::fs::write(&path, &text).unwrap();
    let assignments = Assignments::load(&path, &registry).unwrap_or_else(|e| panic!("{e}"));
    let store = Store::open(&dir.path().join("state.db")).await.unwrap();
    let secrets = MapSecrets::default()
        .with("CHATGPT_TOKEN", token)
        .with("SLACK_TOKEN", Secret::new("unused"));
    (
        Engine::with_store(assignments, registry, Arc::new(secrets), store),
        dir,
    )
}

async fn plan(engine: &Engine, people: &Directory) -> Plan {
    let connectors = engine.connectors(&[]);
    let options = PlanOptions {
        now: Some(NOW),
        ..PlanOptions::default()
    };
    engine
        .plan_directory(people, "test directory", &connectors, &options)
        .await
        .unwrap()
}

/// Person `i` in group `ai` with this login (and email) and first name.
fn named(i: usize, login: &str, first_name: &str) -> Identity {
    let mut who = person(i, &["ai"]);
    who.login = login.to_owned();
    who.email = login.to_owned();
    who.first_name = Some(first_name.to_owned());
    who
}

#[tokio::test]
async fn names_are_escaped_and_lookalikes_flagged() {
    let sandbox = sandbox().await;
    let (engine, _dir) = engine(&sandbox, registry(), false).await;
    let people = directory(vec![
        named(1, &format!("eve{ERASE_LINE}@example.com"), "Eve"),
        // A Cyrillic `а` (U+0430) in a Latin login.
        named(2, "\u{0430}lice@example.com", "Alice"),
        // A zero-width space, and a right-to-left override in the first name.
        named(3, "bob\u{200b}@example.com", "Bob\u{202e}nimda"),
        named(4, "carol@example.com", "Carol"),
    ]);
    let planned = plan(&engine, &people).await;
    let text = render(&planned);

    assert!(
        !text
            .chars()
            .any(|c| c == '\u{1b}' || c == '\u{202e}' || c == '\u{200b}'),
        "{text:?}"
    );
    assert!(
        text.contains("+ create   eve\\u{1b}[1A\\u{1b}[2K@example.com\n"),
        "{text}"
    );
    assert!(
        text.contains("+ create   \u{0430}lice@example.com [⚠ mixed scripts: Latin+Cyrillic]"),
        "{text}"
    );
    assert!(
        text.contains("+ create   bob\\u{200b}@example.com [⚠ invisible characters (U+200B)]"),
        "{text}"
    );
    assert!(text.contains("+ create   carol@example.com\n"), "{text}");

    // The JSON keeps the values; serde escapes the control characters.
    let json = serde_json::to_string(&planned).unwrap();
    assert!(!json.contains('\u{1b}'), "{json}");
    assert!(
        json.contains("eve\\u001b[1A\\u001b[2K@example.com"),
        "{json}"
    );
    let back: Plan = serde_json::from_str(&json).unwrap();
    assert_eq!(back, planned);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn an_account_name_from_the_app_is_escaped() {
    let sandbox = sandbox().await;
    let (engine, _dir) = engine(&sandbox, registry(), false).await;
    // An account in the app that no directory person matches.
    let app = connector_chatgpt::connect(sandbox.tenant("chatgpt").unwrap().config()).unwrap();
    app.create(&named(9, &format!("mallory{ERASE_LINE}@example.com"), "M"))
        .await
        .unwrap();
    let text = render(&plan(&engine, &directory(vec![person(1, &["ai"])])).await);
    assert!(!text.contains('\u{1b}'), "{text:?}");
    assert!(
        text.contains("mallory\\u{1b}[1A\\u{1b}[2K@example.com"),
        "{text}"
    );
    sandbox.shutdown().await;
}

/// A service that answers every call with a 503.
struct Down(&'static Manifest);

impl Down {
    fn error() -> connector_sdk::Error {
        connector_sdk::Error::Server {
            status: 503,
            scim_type: None,
            detail: Some("maintenance\u{1b}[2K".into()),
        }
    }
}

#[async_trait]
impl Connector for Down {
    fn manifest(&self) -> &'static Manifest {
        self.0
    }
    async fn find(&self, _: &Identity) -> Result<Option<Account>> {
        Err(Self::error())
    }
    async fn list(&self, _: PageRequest) -> Result<Page<Account>> {
        Err(Self::error())
    }
    fn user_name_for(&self, who: &Identity) -> Option<String> {
        Some(who.email.clone())
    }
    fn managed_part(&self, _: &serde_json::Value) -> Option<serde_json::Value> {
        None
    }
    fn drift(&self, _: &serde_json::Value, _: &Identity) -> Vec<connector_sdk::Drift> {
        Vec::new()
    }
    async fn get(&self, _: &AccountRef) -> Result<Account> {
        Err(Self::error())
    }
    async fn create(&self, _: &Identity) -> Result<Account> {
        Err(Self::error())
    }
    async fn update(&self, _: &AccountRef, _: &Identity) -> Result<Account> {
        Err(Self::error())
    }
    async fn disable(&self, _: &AccountRef) -> Result<()> {
        Err(Self::error())
    }
    async fn enable(&self, _: &AccountRef) -> Result<()> {
        Err(Self::error())
    }
    async fn delete(&self, _: &AccountRef) -> Result<()> {
        Err(Self::error())
    }
    async fn assign_license(&self, _: &AccountRef, _: &LicenseSku) -> Result<LicenseOutcome> {
        Err(Self::error())
    }
    async fn revoke_license(&self, _: &AccountRef, _: &LicenseSku) -> Result<LicenseOutcome> {
        Err(Self::error())
    }
}

#[tokio::test]
async fn an_unreachable_instance_is_never_reported_as_matching() {
    // ChatGPT is reachable and has nothing to do (nobody is in `ai`); Slack answers 503.
    let sandbox = sandbox().await;
    let registry = registry().with(&connector_slack::MANIFEST, |_| {
        Ok(Arc::new(Down(&connector_slack::MANIFEST)) as Arc<dyn Connector>)
    });
    let (engine, _dir) = engine(&sandbox, registry, true).await;
    let planned = plan(&engine, &directory(vec![person(1, &[])])).await;
    assert_eq!(planned.summary.failed_instances, 1);
    assert_eq!(planned.summary.changes, 0);
    let text = render(&planned);
    assert!(!text.contains("No changes. Every account"), "{text}");
    assert!(
        text.contains(
            "slack (Slack): not reached (cannot import accounts: HTTP 503: maintenance\\u{1b}[2K); nothing planned for it"
        ),
        "{text}"
    );
    assert!(text.contains("chatgpt (ChatGPT): 0 accounts"), "{text}");
    assert!(
        text.contains("No changes planned for the instances reached; 1 not reached"),
        "{text}"
    );
    assert!(
        text.contains("ERROR: 1 instances could not be planned."),
        "{text}"
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_refused_token_is_named_by_its_variable() {
    let sandbox = sandbox().await;
    let wrong = "wrong-token-1234";
    let (engine, _dir) = engine_with_token(&sandbox, registry(), false, Secret::new(wrong)).await;
    let text = render(&plan(&engine, &directory(vec![person(1, &["ai"])])).await);
    assert!(
        text.contains("chatgpt (ChatGPT): not reached (") && text.contains("HTTP 401"),
        "{text}"
    );
    assert!(
        text.contains("using the bearer token in CHATGPT_TOKEN"),
        "{text}"
    );
    assert!(!text.contains(wrong), "{text}");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_token_that_cannot_be_sent_is_named_with_the_position() {
    let sandbox = sandbox().await;
    let (engine, _dir) =
        engine_with_token(&sandbox, registry(), false, Secret::new("sk-тoken")).await;
    let text = render(&plan(&engine, &directory(vec![person(1, &["ai"])])).await);
    assert!(
        text.contains(
            "the bearer token in CHATGPT_TOKEN cannot be sent in an HTTP header: it contains a \
             non-ASCII character at position 4"
        ),
        "{text}"
    );
    assert!(!text.contains("sk-"), "{text}");
    sandbox.shutdown().await;
}
