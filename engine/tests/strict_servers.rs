//! Servers stricter than the sandbox's default, as real ones are: a Zoom-like tenant
//! that does not declare the enterprise extension either drops its attributes silently
//! (answers 2xx without them) or refuses them by name (400 `invalidPath`). Either way
//! apply never reports the department as applied: dropped, it is reported *not stored*
//! and the next plan shows the drift; refused, the write is retried without it, the rest
//! of the person's changes land, and the refusal is in the step's detail.

mod common;

use common::{NOW, SandboxWorld, directory, person, registry};
use connector_engine::state::RunStatus;
use connector_engine::{ApplyOptions, PlanOptions, StepStatus};
use connector_sandbox::{RateLimitConfig, TenantSpec, UndeclaredAttributes};

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// The Zoom instance's lines, with `extra`.
fn zoom_lines(extra: &str) -> String {
    format!(
        "variables = {{ vanity = \"acme\", account_id = \"A1\" }}\nclient_rate_limit = false\n{extra}"
    )
}

const RULES: &str = "[[provision]]\ninstance = \"zoom\"\ngroups = [\"ai\"]\n";

/// A Zoom tenant without the enterprise extension that treats its attributes as `mode`
/// says, and an engine on it.
async fn strict_zoom(mode: UndeclaredAttributes) -> SandboxWorld {
    let spec = TenantSpec::for_manifest(&connector_zoom::MANIFEST)
        .rate_limit(RateLimitConfig::off())
        .without_extension(ENTERPRISE)
        .undeclared(mode);
    SandboxWorld::start(spec, "zoom", &zoom_lines(""), RULES, registry()).await
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
    let zoom = strict_zoom(UndeclaredAttributes::Drop).await;
    let engine = &zoom.engine;
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
    let excluded = "exclude_attributes = [\"enterprise.department\", \"enterprise.organization\"]";
    let engine = zoom.reconfigure("zoom", &zoom_lines(excluded), RULES).await;
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
}

#[tokio::test]
async fn a_refused_attribute_is_left_out_and_reported_and_the_rest_lands() {
    let zoom = strict_zoom(UndeclaredAttributes::Refuse).await;
    let engine = &zoom.engine;
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
    let users = zoom.checker.list_users().await;
    assert_eq!(users.len(), 1, "created without the refused attribute");
    assert!(users[0].get(ENTERPRISE).is_none(), "{}", users[0]);
    assert!(
        users[0]["name"]["familyName"].is_string(),
        "the rest landed: {}",
        users[0]
    );
}
