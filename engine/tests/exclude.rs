//! `exclude_attributes` on an instance: an unknown key is an error at its line with a
//! suggestion; an excluded attribute is neither sent nor a reason to update.

mod common;

use std::path::Path;
use std::sync::Arc;

use common::{apply, directory, person, plan, registry};
use connector_engine::plan::Action;
use connector_engine::state::Store;
use connector_engine::{Assignments, Engine, MapSecrets};
use connector_sandbox::{RateLimitConfig, Sandbox, SandboxHandle, TenantSpec};
use connector_tests::StateChecker;

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// The diagnostics of `text`, one string each.
fn errors(text: &str) -> Vec<String> {
    Assignments::parse(Path::new("assignments.toml"), text, &registry())
        .unwrap_err()
        .diagnostics
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn unknown_or_partial_keys_are_located_with_a_suggestion() {
    let text = r#"[instances.zoom]
connector = "zoom"
variables = { vanity = "acme", account_id = "A1" }
exclude_attributes = [
  "enterprise.departmnet",
  "emails.work",
  "nickName",
]
"#;
    let errors = errors(text);
    assert!(
        errors[0].starts_with(
            "assignments.toml:5:3: zoom maps no attribute `enterprise.departmnet` (did you mean `enterprise.department`?); it maps: "
        ),
        "{errors:#?}"
    );
    assert!(
        errors[1].starts_with("assignments.toml:7:3: zoom maps no attribute `nickName`"),
        "{errors:#?}"
    );
    assert_eq!(
        errors.len(),
        2,
        "`emails.work` is Zoom's only email: {errors:#?}"
    );

    let both = "[instances.zoom]\nconnector = \"zoom\"\nvariables = { vanity = \"acme\", account_id = \"A1\" }\n\
        exclude_attributes = [\"enterprise.department\", \"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:organization\", \"title\"]\n";
    let assignments = Assignments::parse(Path::new("a.toml"), both, &registry()).unwrap();
    let zoom = assignments.instance("zoom").unwrap();
    assert_eq!(zoom.exclude_attributes.len(), 3);
    assert_eq!(
        zoom.excluded_written_paths(),
        [
            format!("{ENTERPRISE}:department"),
            format!("{ENTERPRISE}:organization"),
            "title".to_owned()
        ]
    );
}

/// An engine over a sandbox Zoom tenant with `exclude_attributes = [department]`.
async fn zoom_engine(sandbox: &SandboxHandle, dir: &Path) -> Engine {
    let tenant = sandbox.tenant("zoom").unwrap();
    let text = format!(
        "[instances.zoom]\nconnector = \"zoom\"\nbase_url = \"{}\"\ntoken_env = \"ZOOM_TOKEN\"\n\
         variables = {{ vanity = \"acme\", account_id = \"A1\" }}\nclient_rate_limit = false\n\
         exclude_attributes = [\"enterprise.department\"]\n\n\
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

#[tokio::test]
async fn an_excluded_attribute_is_not_sent_and_plans_no_update() {
    connector_tests::install_crypto_provider();
    let sandbox = Sandbox::builder()
        .tenant(
            TenantSpec::for_manifest(&connector_zoom::MANIFEST).rate_limit(RateLimitConfig::off()),
        )
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let engine = zoom_engine(&sandbox, dir.path()).await;
    let checker = StateChecker::new(
        sandbox.tenant("zoom").unwrap().admin_scim_url(),
        sandbox.tenant("zoom").unwrap().admin_token(),
    );
    let mut ada = person(1, &["ai"]);
    apply(&engine, &directory(vec![ada.clone()])).await;
    let user = &checker.list_users().await[0];
    assert!(
        user.get(ENTERPRISE)
            .is_none_or(|e| e.get("department").is_none()),
        "department not sent: {user}"
    );
    assert_eq!(user[ENTERPRISE]["organization"], "Example Corp", "{user}");

    ada.department = Some("Research".into());
    let people = directory(vec![ada.clone()]);
    assert!(
        !plan(&engine, &people).await.has_changes(),
        "a department change updates nothing"
    );

    ada.title = Some("Principal Engineer".into());
    let people = directory(vec![ada]);
    let planned = plan(&engine, &people).await;
    let Action::Update { changes } = &planned.instances[0].steps[0].action else {
        panic!("expected an update");
    };
    let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(fields, ["title"]);
    apply(&engine, &people).await;
    let user = &checker.list_users().await[0];
    assert_eq!(user["title"], "Principal Engineer");
    assert!(
        user.get(ENTERPRISE)
            .is_none_or(|e| e.get("department").is_none()),
        "still not sent: {user}"
    );
    sandbox.shutdown().await;
}
