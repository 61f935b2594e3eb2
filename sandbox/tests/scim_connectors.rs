//! The Claude, Perplexity, Notion, Miro and Canva connectors' capability suites against
//! their sandbox tenants (each vendor's dialect: Notion finds by email, Canva refuses
//! DELETE, Miro's seat is `userType`). Client- and server-side rate limits are off: the
//! limits themselves are tested elsewhere, and Canva's 1 request/s would make this slow.

mod common;

use common::tenant;
use connector_sandbox::{RateLimitConfig, Sandbox, TenantSpec};
use connector_sdk::{Connector, Identity, Manifest, RateLimitSetting};
use connector_tests::people::person;
use connector_tests::{CapabilitySuite, SuiteReport};

/// Starts a sandbox with `manifest`'s tenant and runs the suite with `connect`.
async fn suite(
    manifest: &'static Manifest,
    connect: fn(connector_sdk::InstanceConfig) -> connector_sdk::Result<Box<dyn Connector>>,
    user_name: fn(&Identity) -> String,
) -> SuiteReport {
    let sandbox = Sandbox::builder()
        .tenant(TenantSpec::for_manifest(manifest).rate_limit(RateLimitConfig::off()))
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let handle = tenant(&sandbox, manifest.name);
    let mut config = handle.config();
    config.rate_limit = RateLimitSetting::Off;
    let connector = connect(config).unwrap();
    let domain = format!("{}.example", manifest.name);
    CapabilitySuite::new(connector.as_ref(), handle, move |i| person(i, &domain))
        .user_name(user_name)
        .run()
        .await
}

fn email(who: &Identity) -> String {
    who.email.clone()
}

fn lower_email(who: &Identity) -> String {
    who.email.to_lowercase()
}

fn expect(report: &SuiteReport, steps: &[&str]) {
    for step in steps {
        assert!(report.passed(step), "step `{step}` did not pass:\n{report}");
    }
}

macro_rules! boxed {
    ($krate:ident) => {
        |config| Ok(Box::new($krate::connect(config)?) as Box<dyn Connector>)
    };
}

#[tokio::test]
async fn a_scim_connector_pings_by_listing_and_reports_no_identity() {
    let sandbox = Sandbox::builder()
        .tenant(
            TenantSpec::for_manifest(&connector_claude::MANIFEST)
                .rate_limit(RateLimitConfig::off()),
        )
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let connector = connector_claude::connect(tenant(&sandbox, "claude").config()).unwrap();
    let ping = connector.ping().await.unwrap();
    assert_eq!(
        (ping.identity, ping.call.as_str()),
        (None, "list one account")
    );
}

#[tokio::test]
async fn claude_passes_on_its_sandbox_tenant() {
    let report = suite(&connector_claude::MANIFEST, boxed!(connector_claude), email).await;
    expect(
        &report,
        &[
            "create", "find", "existing", "update", "list", "disable", "enable", "delete",
        ],
    );
}

#[tokio::test]
async fn perplexity_passes_on_its_sandbox_tenant() {
    let report = suite(
        &connector_perplexity::MANIFEST,
        boxed!(connector_perplexity),
        email,
    )
    .await;
    expect(
        &report,
        &[
            "create", "find", "existing", "update", "license", "list", "disable", "enable",
        ],
    );
}

#[tokio::test]
async fn notion_passes_on_its_sandbox_tenant_finding_by_email() {
    let report = suite(
        &connector_notion::MANIFEST,
        boxed!(connector_notion),
        lower_email,
    )
    .await;
    expect(
        &report,
        &[
            "create", "find", "existing", "update", "license", "list", "disable",
        ],
    );
}

#[tokio::test]
async fn miro_passes_on_its_sandbox_tenant_with_its_user_type_seat() {
    let report = suite(&connector_miro::MANIFEST, boxed!(connector_miro), email).await;
    expect(
        &report,
        &[
            "create", "find", "existing", "update", "license", "list", "disable", "enable",
            "delete",
        ],
    );
}

#[tokio::test]
async fn canva_passes_on_its_sandbox_tenant_without_delete() {
    let report = suite(&connector_canva::MANIFEST, boxed!(connector_canva), email).await;
    expect(
        &report,
        &[
            "create", "find", "existing", "update", "license", "list", "disable", "enable",
        ],
    );
}
