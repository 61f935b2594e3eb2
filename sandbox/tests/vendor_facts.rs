//! Vendor facts each pinned by a test that fails if the spec or the emulation gets them
//! wrong: Graph's `onPremisesImmutableId` for a user of a federated domain, and GitHub's
//! secondary rate limit (a 403 that means "wait", not "forbidden").

mod common;

use std::time::Duration;

use common::{Admin, send, tenant};
use connector_sandbox::{RateLimitConfig, Sandbox, TenantHandle, TenantSpec, ThrottleStyle};
use connector_sdk::identity::CustomValue;
use connector_sdk::{Connector, Identity, InstanceConfig, LicenseOutcome, RetryPolicy};
use connector_tests::people::person;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The tenant's configuration with short retry backoffs.
fn fast(tenant: &TenantHandle, attempts: u32) -> InstanceConfig {
    let mut config = tenant.config();
    config.retry = RetryPolicy {
        max_attempts: attempts,
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(80),
        max_retry_after: Duration::from_secs(5),
    };
    config
}

/// The Graph user whose UPN is `upn`, as the admin API shows it.
async fn graph_user(admin: &Admin, upn: &str) -> Option<Value> {
    admin.get("/api").await["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["userPrincipalName"] == upn)
        .cloned()
}

/// `who` with the Entra immutableId the directory carries as `custom.immutable_id`.
fn anchored(mut who: Identity, immutable_id: &str) -> Identity {
    who.custom.insert(
        "immutable_id".into(),
        CustomValue::Text(immutable_id.into()),
    );
    who
}

#[tokio::test]
async fn graph_needs_the_immutable_id_in_a_federated_domain_and_the_spec_sends_it() {
    let sandbox = Sandbox::builder()
        .manifest(&connector_copilot::MANIFEST)
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let copilot = tenant(&sandbox, "copilot");
    let admin = Admin::of(copilot);
    let connector = connector_copilot::connect(fast(copilot, 3)).unwrap();
    let domain = "federated.example";

    // A managed domain: no immutableId needed.
    let before = person(0, domain);
    connector.create(&before).await.unwrap();

    // Federate the domain the way Graph does.
    let token = copilot.token();
    let federation = send(
        Method::POST,
        &format!(
            "{}/domains/{domain}/federationConfiguration",
            copilot.api_url()
        ),
        Some(token.expose()),
        Some(&json!({
            "@odata.type": "#microsoft.graph.internalDomainFederation",
            "issuerUri": "http://www.okta.com/exk1",
            "passiveSignInUri": "https://acme.okta.com/app/office365/exk1/sso/saml",
            "preferredAuthenticationProtocol": "saml",
            "signingCertificate": "MIIC",
        })),
    )
    .await;
    assert_eq!(
        federation.status,
        StatusCode::CREATED,
        "{}",
        federation.body
    );
    assert_eq!(
        admin.get("/api").await["federated_domains"],
        json!([domain])
    );

    // Without the immutableId Graph refuses the create, and the connector says why.
    let bare = person(1, domain);
    let error = connector.create(&bare).await.unwrap_err();
    assert!(error.to_string().contains("SourceAnchor"), "{error}");
    assert!(graph_user(&admin, &bare.email).await.is_none());

    // With it, the spec's mapping sends it as onPremisesImmutableId.
    let ada = anchored(person(2, domain), "QWRhTG92ZWxhY2U=");
    let created = connector.create(&ada).await.unwrap();
    let stored = graph_user(&admin, &ada.email).await.expect("created");
    assert_eq!(stored["id"], created.id.as_str());
    assert_eq!(stored["onPremisesImmutableId"], "QWRhTG92ZWxhY2U=");

    // Create-only: an update never rewrites the anchor.
    let moved = anchored(ada.clone(), "Q2hhbmdlZA==");
    connector
        .update(&created.reference(), &moved)
        .await
        .unwrap();
    assert_eq!(
        graph_user(&admin, &ada.email).await.unwrap()["onPremisesImmutableId"],
        "QWRhTG92ZWxhY2U="
    );
}

#[tokio::test]
async fn github_secondary_rate_limit_403_is_waited_out_not_an_auth_failure() {
    // GitHub's tenants throttle as GitHub does (403, secondary-limit message, retry-after).
    let spec = TenantSpec::for_manifest(&connector_github_copilot::MANIFEST)
        .rate_limit(RateLimitConfig::custom(4, 1000, 2).with_style(ThrottleStyle::GitHub403));
    let sandbox = Sandbox::builder()
        .tenant(spec)
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let github = tenant(&sandbox, "github_copilot");
    let admin = Admin::of(github);
    let mut config = fast(github, 20);
    config.rate_limit = connector_sdk::RateLimitSetting::Off;
    let connector = connector_github_copilot::connect(config).unwrap();
    let sku = connector_github_copilot::MANIFEST
        .license("copilot")
        .unwrap();

    // What the tenant answers over its limit, read without the connector (GitHub refuses
    // a request without a User-Agent, so send the spec's).
    let token = github.token();
    let agent = connector_github_copilot::MANIFEST
        .provisioning
        .dialect
        .user_agent
        .unwrap();
    let mut over = None;
    for _ in 0..10 {
        let answer = common::client()
            .get(format!("{}/Users", github.scim_url()))
            .bearer_auth(token.expose())
            .header("user-agent", agent)
            .send()
            .await
            .unwrap();
        if answer.status() == StatusCode::FORBIDDEN {
            over = Some(answer);
            break;
        }
    }
    let over = over.expect("the tenant throttles");
    let retry_after: u64 = over.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after >= 1);
    let body: Value = over.json().await.unwrap();
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("secondary rate limit"),
        "{body}"
    );

    // Through the connector every call converges: the 403s are waited out.
    for i in 0..4 {
        let account = connector
            .create(&person(i, "github.example"))
            .await
            .unwrap();
        assert!(matches!(
            connector
                .assign_license(&account.reference(), sku)
                .await
                .unwrap(),
            LicenseOutcome::Applied
        ));
    }
    assert_eq!(
        admin.get("/api").await["seats"].as_array().unwrap().len(),
        4
    );
    let log = admin.get("/requests").await;
    assert!(
        log.as_array().unwrap().iter().any(|e| e["status"] == 403),
        "the run was never throttled: {log}"
    );
}

#[tokio::test]
async fn notion_is_paced_at_the_public_apis_three_requests_a_second() {
    // The spec applies the public API's documented average (three requests a second,
    // https://developers.notion.com/reference/request-limits) to SCIM, for which Notion
    // publishes none. The tenant does not throttle here: the pacing is the client's.
    let spec =
        TenantSpec::for_manifest(&connector_notion::MANIFEST).rate_limit(RateLimitConfig::off());
    let sandbox = Sandbox::builder()
        .tenant(spec)
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let notion = tenant(&sandbox, "notion");
    let mut config = notion.config();
    config.rate_limit = connector_sdk::RateLimitSetting::Spec;
    let connector = connector_notion::connect(config).unwrap();
    let who = person(0, "notion.example");
    let started = std::time::Instant::now();
    for _ in 0..10 {
        assert!(connector.find(&who).await.unwrap().is_none());
    }
    let took = started.elapsed();
    // Ten requests at three a second with a burst of one: nine waits of a third of a
    // second. A faster limit finishes sooner, a slower one later.
    assert!(
        took >= Duration::from_millis(2_900),
        "ten finds took {took:?}"
    );
    assert!(took < Duration::from_secs(8), "ten finds took {took:?}");
}
