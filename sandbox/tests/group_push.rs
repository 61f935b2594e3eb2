//! Group push on the wire: every generated SCIM connector that declares `groups` creates a
//! group on its sandbox tenant, adds 2,500 members, removes some, lists, renames and
//! deletes it. What happened is read from the sandbox's own admin view and request log,
//! never through the connector under test. The tenants' group quirks come from the
//! vendors' documentation, not the manifests, so a manifest whose members-per-request cap
//! is above the vendor's documented one fails here with the vendor's status.
//!
//! Client- and server-side rate limits are off: they are tested elsewhere, and Canva's
//! 1 request/s would make this slow.

mod common;

use std::sync::{Arc, LazyLock};

use common::{Admin, Scim, tenant};
use connector_sandbox::{RateLimitConfig, Sandbox, SandboxHandle, TenantHandle, TenantSpec};
use connector_sdk::scim::{ScimApp, ScimConnector};
use connector_sdk::{Connector, Error, Identity, InstanceConfig, Manifest, RateLimitSetting};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// How many members the push adds: above Canva's and Slack's caps per request, so the
/// SDK must split the additions.
const MEMBERS: usize = 2500;
/// How many of them it removes again.
const REMOVED: usize = 600;
/// Seeding requests in flight at once.
const SEED_CONCURRENCY: usize = 8;

type Connect = fn(InstanceConfig) -> connector_sdk::Result<Box<dyn Connector>>;

macro_rules! boxed {
    ($krate:ident) => {
        |config| Ok(Box::new($krate::connect(config)?) as Box<dyn Connector>)
    };
}

/// A sandbox serving `manifest`'s tenant without a rate limit.
async fn sandbox(manifest: &'static Manifest) -> SandboxHandle {
    Sandbox::builder()
        .tenant(TenantSpec::for_manifest(manifest).rate_limit(RateLimitConfig::off()))
        .start("127.0.0.1:0")
        .await
        .unwrap()
}

/// The tenant's connector configuration without a client-side rate limit.
fn config(handle: &TenantHandle) -> InstanceConfig {
    let mut config = handle.config();
    config.rate_limit = RateLimitSetting::Off;
    config
}

/// Seeds `count` Users through the admin API; returns their ids in order.
async fn seed_users(handle: &TenantHandle, count: usize) -> Vec<String> {
    connector_tests::install_crypto_provider();
    let client = reqwest::Client::new();
    let url = format!("{}/users", handle.admin_url());
    let token = handle.admin_token().expose().to_owned();
    let shared = Arc::new((client, url, token));
    let mut ids = Vec::with_capacity(count);
    for batch in (0..count).collect::<Vec<_>>().chunks(SEED_CONCURRENCY) {
        let mut tasks = tokio::task::JoinSet::new();
        for &i in batch {
            let shared = Arc::clone(&shared);
            tasks.spawn(async move {
                let (client, url, token) = &*shared;
                let body = json!({"userName": format!("member{i:05}@push.example")});
                let response = client
                    .post(url)
                    .bearer_auth(token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), StatusCode::CREATED);
                let user: Value = response.json().await.unwrap();
                (i, user["id"].as_str().unwrap().to_owned())
            });
        }
        let mut seeded: Vec<(usize, String)> = tasks.join_all().await;
        seeded.sort();
        ids.extend(seeded.into_iter().map(|(_, id)| id));
    }
    ids
}

/// The tenant's Groups as the sandbox stores them (members never hidden).
async fn stored_groups(admin: &Admin) -> Vec<Value> {
    admin.get("/groups").await.as_array().cloned().unwrap()
}

/// The member ids of a stored Group.
fn member_ids(group: &Value) -> Vec<String> {
    group["members"]
        .as_array()
        .map(|members| {
            members
                .iter()
                .map(|m| m["value"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The `(status)` of every `PATCH /Groups/{id}` in the tenant's request log.
async fn group_patches(admin: &Admin, group_id: &str) -> Vec<u64> {
    let path = format!("/Groups/{group_id}");
    admin
        .get("/requests")
        .await
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["method"] == "PATCH" && entry["path"] == path.as_str())
        .map(|entry| entry["status"].as_u64().unwrap())
        .collect()
}

/// The whole push on `manifest`'s tenant; `members_shown` says whether the vendor's
/// reads list members (Canva's never do).
async fn push(manifest: &'static Manifest, connect: Connect, members_shown: bool) {
    let sandbox = sandbox(manifest).await;
    let handle = tenant(&sandbox, manifest.name);
    let admin = Admin::of(handle);
    // At least one full request at the spec's cap: a spec whose cap is above the
    // vendor's (emulated from its documentation) fails on it.
    let cap = manifest.provisioning.dialect.group_members_per_request as usize;
    let count = MEMBERS.max(cap);
    let users = seed_users(handle, count).await;
    let connector = connect(config(handle)).unwrap();
    let name = manifest.name;

    let group = connector
        .create_group("Engineering", "eng-1")
        .await
        .unwrap();
    assert_eq!(group.name, "Engineering");
    assert!(group.members.as_ref().is_some_and(Vec::is_empty));

    connector.add_members(&group.id, &users).await.unwrap();
    let stored = stored_groups(&admin).await;
    assert_eq!(stored.len(), 1, "{name}");
    let mut members = member_ids(&stored[0]);
    members.sort();
    let mut expected = users.clone();
    expected.sort();
    assert_eq!(members, expected, "{name}: the sandbox holds every member");
    // Each chunk is one PATCH no larger than the spec's cap; the sandbox refuses any
    // request above the vendor's documented cap, so every one succeeding proves none
    // exceeded it.
    let patches = group_patches(&admin, &group.id).await;
    assert_eq!(patches.len(), count.div_ceil(cap), "{name}: {patches:?}");
    assert!(
        patches.iter().all(|status| (200..300).contains(status)),
        "{name}: {patches:?}"
    );
    if cap < count {
        assert!(patches.len() > 1, "{name}: the additions were split");
    }

    // Adding members again changes nothing and is no error.
    connector
        .add_members(&group.id, &users[..10])
        .await
        .unwrap();
    assert_eq!(member_ids(&stored_groups(&admin).await[0]).len(), count);

    connector
        .remove_members(&group.id, &users[..REMOVED])
        .await
        .unwrap();
    let kept = member_ids(&stored_groups(&admin).await[0]);
    assert_eq!(kept.len(), count - REMOVED, "{name}");
    assert!(
        users[..REMOVED].iter().all(|id| !kept.contains(id)),
        "{name}"
    );
    assert_eq!(
        admin.users().await.len(),
        count,
        "{name}: removing members keeps their accounts"
    );

    // Three members and a non-member: the sandbox refuses the atomic PATCH (`noTarget`),
    // so the SDK removes them one request each, the non-member's `noTarget` meaning done.
    let before = group_patches(&admin, &group.id).await.len();
    let mixed = [
        users[REMOVED].clone(),
        users[REMOVED + 1].clone(),
        users[0].clone(),
        users[REMOVED + 2].clone(),
    ];
    connector.remove_members(&group.id, &mixed).await.unwrap();
    let patches = group_patches(&admin, &group.id).await;
    assert_eq!(patches[before..], [400, 200, 200, 400, 200], "{name}");
    let kept = member_ids(&stored_groups(&admin).await[0]);
    assert_eq!(kept.len(), count - REMOVED - 3, "{name}");
    let removed = REMOVED + 3;

    let listed = connector.list_groups().await.unwrap();
    assert_eq!(listed.len(), 1, "{name}");
    assert_eq!(listed[0].id, group.id);
    assert_eq!(listed[0].external_id.as_deref(), Some("eng-1"));
    let shown = if members_shown { count - removed } else { 0 };
    let listed_members = listed[0].members.as_ref().map_or(0, Vec::len);
    assert_eq!(listed_members, shown, "{name}: members as listed");
    // The spec's claim agrees with what the service (emulated from its documentation)
    // shows: group push relies on it to compare members.
    assert_eq!(
        manifest.provisioning.dialect.group_members_listed,
        listed_members > 0,
        "{name}: `group_members_listed` in the spec disagrees with the service"
    );

    connector
        .rename_group(&group.id, "Engineering EU")
        .await
        .unwrap();
    assert_eq!(
        stored_groups(&admin).await[0]["displayName"],
        "Engineering EU",
        "{name}"
    );

    connector.delete_group(&group.id).await.unwrap();
    assert!(stored_groups(&admin).await.is_empty(), "{name}");
    assert_eq!(
        admin.users().await.len(),
        count,
        "{name}: deleting a group keeps its members' accounts"
    );
}

#[tokio::test]
async fn canva_pushes_groups_in_requests_of_1000() {
    push(&connector_canva::MANIFEST, boxed!(connector_canva), false).await;
}

#[tokio::test]
async fn slack_pushes_groups() {
    push(&connector_slack::MANIFEST, boxed!(connector_slack), true).await;
}

#[tokio::test]
async fn miro_pushes_groups() {
    push(&connector_miro::MANIFEST, boxed!(connector_miro), true).await;
}

#[tokio::test]
async fn zoom_pushes_groups() {
    push(&connector_zoom::MANIFEST, boxed!(connector_zoom), true).await;
}

#[tokio::test]
async fn notion_pushes_groups() {
    push(&connector_notion::MANIFEST, boxed!(connector_notion), true).await;
}

#[tokio::test]
async fn chatgpt_pushes_groups() {
    push(
        &connector_chatgpt::MANIFEST,
        boxed!(connector_chatgpt),
        true,
    )
    .await;
}

#[tokio::test]
async fn claude_pushes_groups() {
    push(&connector_claude::MANIFEST, boxed!(connector_claude), true).await;
}

#[tokio::test]
async fn perplexity_pushes_groups() {
    push(
        &connector_perplexity::MANIFEST,
        boxed!(connector_perplexity),
        true,
    )
    .await;
}

/// GitHub's "do not add more than 1,000 users to each group per hour": the second
/// thousand is refused with the secondary-rate-limit answer, whose wait is beyond what
/// the client waits, so the push stops with `RateLimited`; the first thousand stays.
#[tokio::test]
async fn github_refuses_more_than_1000_member_additions_per_group_per_hour() {
    let manifest = &connector_github_copilot::MANIFEST;
    let sandbox = sandbox(manifest).await;
    let handle = tenant(&sandbox, manifest.name);
    let admin = Admin::of(handle);
    let users = seed_users(handle, MEMBERS).await;
    let connector = connector_github_copilot::connect(config(handle)).unwrap();
    let group = connector
        .create_group("Engineering", "eng-1")
        .await
        .unwrap();

    let error = connector.add_members(&group.id, &users).await.unwrap_err();
    let Error::RateLimited {
        retry_after: Some(wait),
    } = &error
    else {
        panic!("expected a long rate limit, got {error}");
    };
    assert!(wait.as_secs() > 3000, "{wait:?}");
    let stored = stored_groups(&admin).await;
    assert_eq!(member_ids(&stored[0]), users[..1000].to_vec());
    assert_eq!(group_patches(&admin, &group.id).await, vec![200, 403]);

    // Removing, renaming and deleting are not additions.
    connector
        .remove_members(&group.id, &users[..REMOVED])
        .await
        .unwrap();
    assert_eq!(
        member_ids(&stored_groups(&admin).await[0]).len(),
        1000 - REMOVED
    );
    connector.rename_group(&group.id, "Eng").await.unwrap();
    connector.delete_group(&group.id).await.unwrap();
    assert!(stored_groups(&admin).await.is_empty());
}

/// A `ScimApp` that is `Base` with a manifest of a larger members-per-request cap: a
/// spec that disagrees with the vendor's documentation.
macro_rules! wider_cap {
    ($app:ident, $base:ty, $manifest:expr, $cap:expr) => {
        struct $app;

        impl ScimApp for $app {
            type User = <$base as ScimApp>::User;
            const USER_SCHEMAS: &'static [&'static str] = <$base as ScimApp>::USER_SCHEMAS;
            const MANAGED_ATTRIBUTES: &'static [&'static str] =
                <$base as ScimApp>::MANAGED_ATTRIBUTES;

            fn manifest() -> &'static Manifest {
                static MANIFEST: LazyLock<Manifest> = LazyLock::new(|| {
                    let mut manifest = $manifest.clone();
                    manifest.provisioning.dialect.group_members_per_request = $cap;
                    manifest
                });
                &MANIFEST
            }

            fn map_identity(
                who: &Identity,
            ) -> Result<Self::User, connector_sdk::mapping::MappingError> {
                <$base as ScimApp>::map_identity(who)
            }
        }
    };
}

wider_cap!(
    WideCanva,
    connector_canva::Canva,
    connector_canva::MANIFEST,
    5000
);
wider_cap!(
    WideMiro,
    connector_miro::Miro,
    connector_miro::MANIFEST,
    9000
);

/// Pushes `members` members to a new group on `manifest`'s tenant through `connector`
/// (built for a spec with a larger cap); returns the error and the member count stored.
async fn over_cap_push<A: ScimApp>(
    manifest: &'static Manifest,
    members: usize,
) -> (Error, usize, Vec<u64>) {
    let sandbox = sandbox(manifest).await;
    let handle = tenant(&sandbox, manifest.name);
    let admin = Admin::of(handle);
    let users = seed_users(handle, members).await;
    let connector = ScimConnector::<A>::new(config(handle)).unwrap();
    let group = connector
        .create_group("Engineering", "eng-1")
        .await
        .unwrap();
    let error = connector.add_members(&group.id, &users).await.unwrap_err();
    let stored = member_ids(&stored_groups(&admin).await[0]).len();
    (error, stored, group_patches(&admin, &group.id).await)
}

#[tokio::test]
async fn a_spec_above_canvas_documented_cap_fails_with_400() {
    let (error, stored, patches) =
        over_cap_push::<WideCanva>(&connector_canva::MANIFEST, MEMBERS).await;
    let text = error.to_string();
    assert!(matches!(error, Error::Server { status: 400, .. }), "{text}");
    assert!(text.contains("HTTP 400"), "{text}");
    assert!(text.contains("at most 1000"), "{text}");
    assert_eq!(stored, 0, "a refused PATCH adds nobody");
    assert_eq!(patches, vec![400]);
}

#[tokio::test]
async fn a_spec_above_miros_documented_cap_fails_with_413() {
    let (error, stored, patches) = over_cap_push::<WideMiro>(&connector_miro::MANIFEST, 8001).await;
    let text = error.to_string();
    assert!(matches!(error, Error::Server { status: 413, .. }), "{text}");
    assert!(text.contains("HTTP 413"), "{text}");
    assert!(text.contains("at most 8000"), "{text}");
    assert_eq!(stored, 0);
    assert_eq!(patches, vec![413]);
}

/// The quirks seen with plain HTTP: Canva hides members and refuses members on create,
/// Slack requires `members` on create, Zoom has no PUT, Notion pages groups by 100 and
/// filters them on `displayName` only; the generic tenant does none of that.
#[tokio::test]
async fn group_quirks_on_the_wire() {
    let sandbox = Sandbox::builder()
        .tenant(
            TenantSpec::for_manifest(&connector_canva::MANIFEST).rate_limit(RateLimitConfig::off()),
        )
        .tenant(
            TenantSpec::for_manifest(&connector_slack::MANIFEST).rate_limit(RateLimitConfig::off()),
        )
        .tenant(
            TenantSpec::for_manifest(&connector_zoom::MANIFEST).rate_limit(RateLimitConfig::off()),
        )
        .tenant(
            TenantSpec::for_manifest(&connector_notion::MANIFEST)
                .rate_limit(RateLimitConfig::off()),
        )
        .tenant(TenantSpec::generic("generic"))
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let group_schema = "urn:ietf:params:scim:schemas:core:2.0:Group";

    // Canva: members hidden on every read and write answer, refused on create.
    let canva = tenant(&sandbox, "canva");
    let user = seed_users(canva, 1).await.remove(0);
    let scim = Scim::of(canva);
    let with_member =
        json!({"schemas": [group_schema], "displayName": "A", "members": [{"value": user}]});
    let refused = scim.post("/Groups", &with_member).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    let created = scim
        .post(
            "/Groups",
            &json!({"schemas": [group_schema], "displayName": "A"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let add = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "add", "path": "members", "value": [{"value": user}]}]});
    let patched = scim
        .call(Method::PATCH, &format!("/Groups/{id}"), Some(&add))
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(patched.body["members"], json!([]));
    assert_eq!(
        scim.get(&format!("/Groups/{id}")).await.body["members"],
        json!([])
    );
    assert_eq!(
        scim.get("/Groups").await.body["Resources"][0]["members"],
        json!([])
    );
    // The admin view shows the truth.
    let admin = Admin::of(canva);
    assert_eq!(
        member_ids(&stored_groups(&admin).await[0]),
        vec![user.clone()]
    );
    let admin_view = common::send(
        Method::GET,
        &format!("{}/Groups/{id}", canva.admin_scim_url()),
        Some(canva.admin_token().expose()),
        None,
    )
    .await;
    assert_eq!(admin_view.body["members"][0]["value"], user.as_str());

    // Slack: `members` required on create (an empty list is enough).
    let slack = Scim::of(tenant(&sandbox, "slack"));
    let bare = slack
        .post(
            "/Groups",
            &json!({"schemas": [group_schema], "displayName": "B"}),
        )
        .await;
    assert_eq!(bare.status, StatusCode::BAD_REQUEST, "{}", bare.body);
    assert!(
        bare.body["detail"]
            .as_str()
            .unwrap()
            .contains("`members` is required")
    );
    let empty = json!({"schemas": [group_schema], "displayName": "B", "members": []});
    assert_eq!(
        slack.post("/Groups", &empty).await.status,
        StatusCode::CREATED
    );

    // Zoom: no PUT on a Group; the generic tenant has one.
    for (name, expected) in [
        ("zoom", StatusCode::METHOD_NOT_ALLOWED),
        ("generic", StatusCode::OK),
    ] {
        let scim = Scim::of(tenant(&sandbox, name));
        let created = scim
            .post(
                "/Groups",
                &json!({"schemas": [group_schema], "displayName": "C"}),
            )
            .await;
        let id = created.body["id"].as_str().unwrap();
        let put = json!({"schemas": [group_schema], "displayName": "D"});
        let answer = scim
            .call(Method::PUT, &format!("/Groups/{id}"), Some(&put))
            .await;
        assert_eq!(answer.status, expected, "{name}: {}", answer.body);
    }

    // Notion: at most 100 groups a page, filtered on displayName only.
    let notion = tenant(&sandbox, "notion");
    let admin = Admin::of(notion);
    for i in 0..120 {
        let seeded = admin
            .call(
                Method::POST,
                "/groups",
                Some(&json!({"displayName": format!("G{i}")})),
            )
            .await;
        assert_eq!(seeded.status, StatusCode::CREATED);
    }
    let scim = Scim::of(notion);
    let page = scim.get("/Groups?count=1000").await.body;
    assert_eq!(page["totalResults"], 120);
    assert_eq!(page["itemsPerPage"], 100);
    let by_name = scim
        .get(&format!(
            "/Groups?filter={}",
            common::urlencode("displayName eq \"G7\"")
        ))
        .await;
    assert_eq!(by_name.body["totalResults"], 1, "{}", by_name.body);
    let by_external = scim
        .get(&format!(
            "/Groups?filter={}",
            common::urlencode("externalId eq \"x\"")
        ))
        .await;
    assert_eq!(by_external.status, StatusCode::BAD_REQUEST);
    assert_eq!(by_external.body["scimType"], "invalidFilter");
}

/// GitHub's hourly budget counts members added by create and PUT as well as by PATCH;
/// removals are not additions.
#[tokio::test]
async fn github_counts_additions_by_create_and_put() {
    let manifest = &connector_github_copilot::MANIFEST;
    let sandbox = sandbox(manifest).await;
    let handle = tenant(&sandbox, manifest.name);
    let users = seed_users(handle, 1001).await;
    // GitHub's tenant requires the toolkit's User-Agent.
    let user_agent = manifest.provisioning.dialect.user_agent.unwrap_or_default();
    let client = reqwest::Client::builder()
        .user_agent(user_agent)
        .build()
        .unwrap();
    let token = handle.token().expose().to_owned();
    let call = |method: Method, path: String, body: Value| {
        let request = client
            .request(method, format!("{}{path}", handle.scim_url()))
            .bearer_auth(&token)
            .header("content-type", "application/scim+json")
            .body(body.to_string());
        async move {
            let response = request.send().await.unwrap();
            let status = response.status();
            let retry_after = response.headers().contains_key("retry-after");
            let body: Value = response.json().await.unwrap();
            (status, retry_after, body)
        }
    };
    let group_schema = "urn:ietf:params:scim:schemas:core:2.0:Group";
    let group = |members: &[String]| {
        let members: Vec<Value> = members.iter().map(|id| json!({"value": id})).collect();
        json!({"schemas": [group_schema], "displayName": "Eng", "members": members})
    };

    let (status, retry_after, body) = call(Method::POST, "/Groups".into(), group(&users)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{}", body["detail"]);
    assert!(retry_after, "{}", body["detail"]);
    let (status, _, created) = call(Method::POST, "/Groups".into(), group(&users[..600])).await;
    assert_eq!(status, StatusCode::CREATED, "{}", created["detail"]);
    let path = format!("/Groups/{}", created["id"].as_str().unwrap());

    let (status, _, body) = call(Method::PUT, path.clone(), group(&users[..1000])).await;
    assert_eq!(status, StatusCode::OK, "600 + 400 fit: {}", body["detail"]);
    let (status, _, body) = call(Method::PUT, path.clone(), group(&users)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{}", body["detail"]);
    let removal = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "remove", "path": format!("members[value eq \"{}\"]", users[0])}]});
    let (status, _, body) = call(Method::PATCH, path, removal).await;
    assert_eq!(status, StatusCode::OK, "{}", body["detail"]);
    let stored = stored_groups(&Admin::of(handle)).await;
    assert_eq!(member_ids(&stored[0]).len(), 999);
}
