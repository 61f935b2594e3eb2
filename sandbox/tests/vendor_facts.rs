//! Vendor facts, each pinned by a test written from the vendor's documentation (the URL
//! above each test) rather than from the spec: the sandbox takes its rules from the
//! connector's own manifest, so only an expectation written here, independently of the
//! spec, notices when a spec states a wrong fact. The first tests pin corrected facts
//! (Graph's `onPremisesImmutableId` in a federated domain, GitHub's secondary rate limit,
//! Notion's pacing); the others the facts `cargo xtask mutate` found no test for.
//!
//! What is observable is checked on the wire (the requests the tenant logged); a
//! capability with no operation behind it (groups: the `Connector` trait has no group
//! operations) can only be checked as declared.

mod common;

use std::time::Duration;

use common::{Admin, send, tenant};
use connector_sandbox::{RateLimitConfig, Sandbox, TenantHandle, TenantSpec, ThrottleStyle};
use connector_sdk::identity::CustomValue;
use connector_sdk::{
    Capability, Connector, Identity, InstanceConfig, LicenseOutcome, Manifest, PageRequest,
    RateLimitSetting, RetryPolicy,
};
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

/// A connector on its own manifest's tenant, both without rate limits (the limits are
/// tested elsewhere), and the tenant's request log.
struct OnTenant {
    sandbox: connector_sandbox::SandboxHandle,
    name: &'static str,
    connector: Box<dyn Connector>,
}

impl OnTenant {
    async fn start(
        manifest: &'static Manifest,
        connect: fn(InstanceConfig) -> connector_sdk::Result<Box<dyn Connector>>,
    ) -> Self {
        let sandbox = Sandbox::builder()
            .tenant(TenantSpec::for_manifest(manifest).rate_limit(RateLimitConfig::off()))
            .start("127.0.0.1:0")
            .await
            .unwrap();
        let mut config = tenant(&sandbox, manifest.name).config();
        config.rate_limit = RateLimitSetting::Off;
        let connector = connect(config).unwrap();
        Self {
            sandbox,
            name: manifest.name,
            connector,
        }
    }

    /// The requests the tenant answered, as `METHOD path?query` (the query decoded).
    async fn requests(&self) -> Vec<String> {
        let log = Admin::of(tenant(&self.sandbox, self.name))
            .get("/requests")
            .await;
        log.as_array()
            .unwrap()
            .iter()
            .map(|entry| {
                let path = entry["path"].as_str().unwrap_or_default();
                format!(
                    "{} {}",
                    entry["method"].as_str().unwrap_or_default(),
                    decode(path)
                )
            })
            .collect()
    }

    /// The `count` of the first `GET /Users` the connector sends when asked for a page
    /// larger than any vendor serves: the page cap it believes the vendor has.
    async fn page_count_asked(&self) -> u32 {
        self.connector
            .list(PageRequest::first(u32::MAX))
            .await
            .unwrap_or_else(|e| panic!("{}: list failed: {e}", self.name));
        let requests = self.requests().await;
        let list = requests
            .iter()
            .find(|r| r.starts_with("GET /Users?"))
            .unwrap_or_else(|| panic!("{}: no GET /Users in {requests:?}", self.name));
        let count = list
            .split(['?', '&'])
            .find_map(|pair| pair.strip_prefix("count="))
            .unwrap_or_else(|| panic!("{}: no count in {list}", self.name));
        count.parse().unwrap()
    }

    /// The attribute the connector filters `/Users` on to find a person.
    async fn filter_attribute(&self) -> String {
        let who = person(1, &format!("{}.example", self.name));
        self.connector
            .find(&who)
            .await
            .unwrap_or_else(|e| panic!("{}: find failed: {e}", self.name));
        let requests = self.requests().await;
        let filter = requests
            .iter()
            .find_map(|r| r.split(['?', '&']).find_map(|p| p.strip_prefix("filter=")))
            .unwrap_or_else(|| panic!("{}: no filtered GET in {requests:?}", self.name));
        filter.split(' ').next().unwrap_or_default().to_owned()
    }

    /// The methods of the writes an attribute update sends (after a create; the reads
    /// before a write are left out).
    async fn update_methods(&self) -> Vec<String> {
        let mut who = person(2, &format!("{}.example", self.name));
        let account = self.connector.create(&who).await.unwrap();
        let before = self.requests().await.len();
        who.last_name = Some("Byron".to_owned());
        self.connector
            .update(&account.reference(), &who)
            .await
            .unwrap_or_else(|e| panic!("{}: update failed: {e}", self.name));
        self.requests().await[before..]
            .iter()
            .filter(|r| r.contains("/Users/"))
            .map(|r| r.split(' ').next().unwrap_or_default().to_owned())
            .filter(|method| method != "GET")
            .collect()
    }
}

impl OnTenant {
    /// What assigning the seat `sku` to a new account gives.
    async fn seat_outcome(&self, sku: &str) -> connector_sdk::LicenseOutcome {
        let who = person(3, &format!("{}.example", self.name));
        let account = self.connector.create(&who).await.unwrap();
        let sku = self
            .connector
            .manifest()
            .license(sku)
            .unwrap_or_else(|| panic!("{}: no seat {sku}", self.name));
        self.connector
            .assign_license(&account.reference(), sku)
            .await
            .unwrap_or_else(|e| panic!("{}: assign failed: {e}", self.name))
    }
}

/// Percent-decoding of a logged path (`%20` -> ` `, `+` kept).
fn decode(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

macro_rules! boxed {
    ($krate:ident) => {
        |config| Ok(Box::new($krate::connect(config)?) as Box<dyn Connector>)
    };
}

/// Slack: `GET /Users` takes `count` up to 1,000 (10 when absent). A connector that asks
/// for more gets a shorter page than it counts on.
/// Source: <https://docs.slack.dev/reference/scim-api> (List users).
#[tokio::test]
async fn slack_pages_users_by_at_most_one_thousand() {
    let slack = OnTenant::start(&connector_slack::MANIFEST, boxed!(connector_slack)).await;
    assert_eq!(
        slack.page_count_asked().await,
        1000,
        "Slack's documented page cap is 1,000"
    );
}

/// Slack's SCIM API manages groups (`/Groups`: a group is created with its displayName and
/// members; DELETE removes the group, not its members). Source: <https://docs.slack.dev/reference/scim-api> (Groups).
#[test]
fn slack_provisions_groups() {
    assert!(
        connector_slack::MANIFEST.can(Capability::Groups),
        "Slack's SCIM API has Groups endpoints"
    );
}

/// Canva finds a user by `userName` (its SAML NameID) or `externalId` only: "filter
/// `userName eq`"; there is no email filter.
/// Source: <https://www.canva.dev/docs/scim/> (List users).
#[tokio::test]
async fn canva_finds_users_by_user_name() {
    let canva = OnTenant::start(&connector_canva::MANIFEST, boxed!(connector_canva)).await;
    assert_eq!(canva.filter_attribute().await, "userName");
}

/// Canva's PUT replaces every attribute of the user (what the connector does not manage,
/// such as the Canva `role`, would be reset); attribute updates go by PATCH.
/// Source: <https://www.canva.dev/docs/scim/> (Update individual attributes of a user).
#[tokio::test]
async fn canva_updates_attributes_by_patch() {
    let canva = OnTenant::start(&connector_canva::MANIFEST, boxed!(connector_canva)).await;
    assert_eq!(canva.update_methods().await, ["PATCH"]);
}

/// Canva's SCIM API manages groups (`/Groups`: created without members, members added by
/// PATCH). Source: <https://www.canva.dev/docs/scim/> (Groups).
#[test]
fn canva_provisions_groups() {
    assert!(
        connector_canva::MANIFEST.can(Capability::Groups),
        "Canva's SCIM API has Groups endpoints"
    );
}

/// Canva's seat is team membership: an active account holds it, and there is no licence
/// API to call, so assigning it is automatic (never a task for a person, never a call).
/// Source: <https://www.canva.dev/docs/scim/> (users are team members; no licence
/// endpoint).
#[tokio::test]
async fn canva_seat_comes_with_the_account() {
    let canva = OnTenant::start(&connector_canva::MANIFEST, boxed!(connector_canva)).await;
    assert_eq!(
        canva.seat_outcome("team_seat").await,
        connector_sdk::LicenseOutcome::Automatic
    );
}

/// Slack bills active members (Fair Billing): a paid seat follows the account's being
/// active, with nothing to assign. Sources: the spec's
/// <https://slack.com/help/articles/47249718368019> and Slack's Fair Billing Policy as
/// summarised in <https://docs.flexera.com/flexeraone/en/whatsnew/FeatureList/SlackLicDiff.htm>.
#[tokio::test]
async fn slack_member_seat_comes_with_the_account() {
    let slack = OnTenant::start(&connector_slack::MANIFEST, boxed!(connector_slack)).await;
    assert_eq!(
        slack.seat_outcome("member").await,
        connector_sdk::LicenseOutcome::Automatic
    );
}

/// Zoom's add-ons are booleans of its SCIM licence extension
/// (`urn:ietf:params:scim:schemas:extension:zoom:1.0:User`: `zoomWhiteboard`,
/// `zoomTranslatedCaptions`, ...): a seat is given by setting one to true on the user and
/// taken back by setting it to false. Sources: <https://developers.zoom.us/docs/api/scim2/>
/// and Zoom's attribute namespace for IdPs,
/// <https://support.zoom.com/hc/en/article?id=zm_kb&sysparm_article=KB0058988>.
#[tokio::test]
async fn zoom_add_ons_are_extension_booleans() {
    const ZOOM: &str = "urn:ietf:params:scim:schemas:extension:zoom:1.0:User";
    let zoom = OnTenant::start(&connector_zoom::MANIFEST, boxed!(connector_zoom)).await;
    let account = zoom
        .connector
        .create(&person(4, "zoom.example"))
        .await
        .unwrap();
    let admin = Admin::of(tenant(&zoom.sandbox, "zoom"));
    let stored = |users: Vec<serde_json::Value>, attribute: &str| {
        users
            .iter()
            .find(|u| u["id"] == account.id.as_str())
            .map(|u| u[ZOOM][attribute].clone())
            .unwrap_or_default()
    };
    for (sku, attribute) in [
        ("whiteboard", "zoomWhiteboard"),
        ("translated_captions", "zoomTranslatedCaptions"),
    ] {
        let seat = zoom.connector.manifest().license(sku).unwrap();
        let given = zoom
            .connector
            .assign_license(&account.reference(), seat)
            .await
            .unwrap();
        assert_eq!(given, connector_sdk::LicenseOutcome::Applied, "{sku}");
        assert_eq!(stored(admin.users().await, attribute), true, "{sku}");
        zoom.connector
            .revoke_license(&account.reference(), seat)
            .await
            .unwrap();
        assert_eq!(stored(admin.users().await, attribute), false, "{sku}");
    }
}

/// Zoom's SCIM API has Groups (`GET/POST /scim2/Groups`, `GET/PATCH/DELETE
/// /scim2/Groups/{groupId}`). Source: <https://developers.zoom.us/docs/api/scim2/>.
#[test]
fn zoom_provisions_groups() {
    assert!(
        connector_zoom::MANIFEST.can(Capability::Groups),
        "Zoom's SCIM API has Groups endpoints"
    );
}

/// Zoom's SCIM user calls are "Light" requests: 30 a second on the Pro tier, the lowest
/// figure, shared by every app of the account. The connector keeps to it: after the
/// spec's burst of 10 (the toolkit's choice, not Zoom's), 60 more requests take at least
/// two seconds. Source: <https://developers.zoom.us/docs/api/rest/rate-limits/>.
#[tokio::test]
async fn zoom_requests_are_paced_at_thirty_a_second() {
    let sandbox = Sandbox::builder()
        .tenant(
            TenantSpec::for_manifest(&connector_zoom::MANIFEST).rate_limit(RateLimitConfig::off()),
        )
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let mut config = tenant(&sandbox, "zoom").config();
    config.rate_limit = RateLimitSetting::Spec;
    let zoom = connector_zoom::connect(config).unwrap();
    let account = zoom.create(&person(5, "zoom.example")).await.unwrap();
    let start = std::time::Instant::now();
    for _ in 0..70 {
        zoom.get(&account.reference()).await.unwrap();
    }
    let elapsed = start.elapsed();
    assert!(
        elapsed >= std::time::Duration::from_millis(1900),
        "70 reads took {elapsed:?}: faster than 30 a second after a burst of 10"
    );
}

/// Zoom's Custom AI Companion is a paid add-on licence, unlike AI Companion itself (which
/// comes with every paid licence): giving it is never automatic. (Zoom says it can be
/// assigned through SAML or SCIM; the spec leaves it to a person for now, which this test
/// allows.) Source: <https://library.zoom.com/zoom-workplace/artificial-intelligence/artificial-intelligence-bluepaper/ai-companion/administration/licensing>.
#[tokio::test]
async fn zoom_custom_ai_companion_is_never_automatic() {
    let zoom = OnTenant::start(&connector_zoom::MANIFEST, boxed!(connector_zoom)).await;
    let outcome = zoom.seat_outcome("custom_ai_companion").await;
    assert_ne!(outcome, connector_sdk::LicenseOutcome::Automatic);
}

/// Microsoft Graph throttles identity writes at 3,000 requests per 2 minutes 30 seconds
/// per app and tenant (20 a second; the identity and access service limits, beside the
/// ResourceUnit budget of reads). The connector paces every request at that rate, reads
/// included: after the spec's burst of 50 (the toolkit's choice, not Graph's), 40 more
/// requests take at least two seconds. Source:
/// <https://learn.microsoft.com/graph/throttling-limits> ("Identity and access service
/// limits").
#[tokio::test]
async fn copilot_requests_are_paced_at_graph_s_identity_write_limit() {
    let sandbox = Sandbox::builder()
        .tenant(
            TenantSpec::for_manifest(&connector_copilot::MANIFEST)
                .rate_limit(RateLimitConfig::off()),
        )
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let mut config = tenant(&sandbox, "copilot").config();
    config.rate_limit = RateLimitSetting::Spec;
    let copilot = connector_copilot::connect(config).unwrap();
    let account = copilot.create(&person(5, "copilot.example")).await.unwrap();
    let start = std::time::Instant::now();
    for _ in 0..90 {
        copilot.get(&account.reference()).await.unwrap();
    }
    let elapsed = start.elapsed();
    assert!(
        elapsed >= std::time::Duration::from_millis(1900),
        "90 reads took {elapsed:?}: faster than 20 a second after a burst of 50"
    );
}
