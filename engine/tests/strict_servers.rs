//! Servers stricter than the sandbox's default, as real ones are: a Zoom-like tenant
//! that does not declare the enterprise extension either drops its attributes silently
//! (answers 2xx without them) or refuses them by name (400 `invalidPath`). Either way
//! apply never reports the department as applied: dropped, it is reported *not stored*
//! and the next plan shows the drift; refused, the write is retried without it, the rest
//! of the person's changes land, and the refusal is in the step's detail.

mod common;

use std::path::Path;
use std::sync::Arc;

use common::{NOW, directory, person, registry};
use connector_engine::state::{RunStatus, Store};
use connector_engine::{ApplyOptions, Assignments, Engine, MapSecrets, PlanOptions, StepStatus};
use connector_sandbox::{
    RateLimitConfig, Sandbox, SandboxHandle, TenantSpec, UndeclaredAttributes,
};

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

async fn strict_zoom(mode: UndeclaredAttributes) -> SandboxHandle {
    connector_tests::install_crypto_provider();
    Sandbox::builder()
        .tenant(
            TenantSpec::for_manifest(&connector_zoom::MANIFEST)
                .rate_limit(RateLimitConfig::off())
                .without_extension(ENTERPRISE)
                .undeclared(mode),
        )
        .start("127.0.0.1:0")
        .await
        .unwrap()
}

async fn engine(sandbox: &SandboxHandle, dir: &Path, extra: &str) -> Engine {
    let tenant = sandbox.tenant("zoom").unwrap();
    let text = format!(
        "[instances.zoom]\nconnector = \"zoom\"\nbase_url = \"{}\"\ntoken_env = \"ZOOM_TOKEN\"\n\
         variables = {{ vanity = \"acme\", account_id = \"A1\" }}\nclient_rate_limit = false\n{extra}\n\n\
         [[provision]]\ninstance = \"zoom\"\ngroups = [\"ai\"]\n",
        tenant.scim_url()
    );
    let path = dir.join("assignments.toml");
    std::fs::write(&path, &text).unwrap();
    let assignments = Assignments::load(&path, &registry()).unwrap();
    let store = Store::open(&dir.join("state.db")).await.unwrap();
    let secrets = MapSecrets::default().with("ZOOM_TOKEN", tenant.token());
    Engine::with_store(assignments, registry(), Arc::new(secrets), store)
}

fn options() -> ApplyOptions {
    ApplyOptions {
        plan: PlanOptions {
            now: Some(NOW),
            ..PlanOptions::default()
        },
        ..ApplyOptions::default()
    }
}

#[tokio::test]
async fn a_dropped_attribute_is_reported_not_stored_and_shows_as_drift() {
    let sandbox = strict_zoom(UndeclaredAttributes::Drop).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&sandbox, dir.path(), "").await;
    let people = directory(vec![person(1, &["ai"])]);

    // The plan warns before the first write: the server's /Schemas lacks the extension.
    let warned = engine
        .plan_directory(&people, "test", &engine.connectors(&[]), &options().plan)
        .await
        .unwrap();
    let warnings = &warned.instances[0].warnings;
    assert!(
        warnings
            .iter()
            .any(|w| w.contains(&format!("{ENTERPRISE}:department"))
                && w.contains("exclude_attributes")),
        "{warnings:#?}"
    );
    let text = connector_engine::plan::render::render(&warned);
    assert!(text.contains("warning: the app does not declare"), "{text}");

    let report = engine
        .apply_directory(people.clone(), "test", options())
        .await
        .unwrap();
    let create = &report.results[0];
    assert_eq!(create.status, StepStatus::NotStored, "{create:#?}");
    let detail = create.detail.as_deref().unwrap();
    assert!(
        detail.contains(&format!("{ENTERPRISE}:department")) && detail.contains("not stored"),
        "{detail}"
    );
    assert_eq!(report.counts.applied, 0, "never counted as applied");
    assert_eq!(report.counts.not_stored, 1);
    assert_eq!(report.status, RunStatus::Partial);

    // The next plan does not say every account matches.
    let connectors = engine.connectors(&[]);
    let planned = engine
        .plan_directory(&people, "test", &connectors, &options().plan)
        .await
        .unwrap();
    assert!(planned.has_changes(), "{planned:#?}");
    let report = engine
        .apply_directory(people.clone(), "test", options())
        .await
        .unwrap();
    assert_eq!(report.counts.not_stored, 1, "still not stored: {report:#?}");

    // Left out for this instance, nothing is sent that the server drops.
    let engine = self::engine(
        &sandbox,
        dir.path(),
        "exclude_attributes = [\"enterprise.department\", \"enterprise.organization\"]",
    )
    .await;
    let report = engine
        .apply_directory(people.clone(), "test", options())
        .await
        .unwrap();
    assert!(report.succeeded(), "{report:#?}");
    let planned = engine
        .plan_directory(&people, "test", &engine.connectors(&[]), &options().plan)
        .await
        .unwrap();
    assert!(!planned.has_changes(), "{planned:#?}");
    assert!(
        planned.instances[0].warnings.is_empty(),
        "excluded: no warning"
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_refused_attribute_is_left_out_and_reported_and_the_rest_lands() {
    let sandbox = strict_zoom(UndeclaredAttributes::Refuse).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&sandbox, dir.path(), "").await;
    let people = directory(vec![person(1, &["ai"])]);
    let report = engine
        .apply_directory(people, "test", options())
        .await
        .unwrap();
    let create = &report.results[0];
    assert_eq!(create.status, StepStatus::Applied, "{create:#?}");
    let detail = create.detail.as_deref().unwrap();
    assert!(
        detail.contains("applied without") && detail.contains("invalidPath"),
        "{detail}"
    );
    let tenant = sandbox.tenant("zoom").unwrap();
    let checker = connector_tests::StateChecker::new(tenant.admin_scim_url(), tenant.admin_token());
    let users = checker.list_users().await;
    assert_eq!(users.len(), 1, "created without the refused attribute");
    assert!(users[0].get(ENTERPRISE).is_none(), "{}", users[0]);
    assert!(
        users[0]["name"]["familyName"].is_string(),
        "the rest landed: {}",
        users[0]
    );
    sandbox.shutdown().await;
}
