//! Group push through the REST connectors' declared group operations, against their
//! sandbox tenants: create, add members (twice), list with members, remove, rename,
//! delete, each checked through the admin API (the sandbox's own view), never through
//! the connector under test. And the emulation can disagree: a copy of the manifest with
//! one group operation declared wrong fails against the sandbox.

mod common;

use std::collections::BTreeSet;
use std::sync::OnceLock;
use std::time::Duration;

use common::{Admin, tenant};
use connector_sandbox::{Sandbox, TenantHandle};
use connector_sdk::manifest::{HttpMethod, RestOperation};
use connector_sdk::mapping::MappingError;
use connector_sdk::rest::{RestApp, RestConnector};
use connector_sdk::{
    AppGroup, Connector, Error, Identity, InstanceConfig, Manifest, Operation, RetryPolicy,
};
use connector_tests::people::person;
use serde_json::{Value, json};

/// The tenant's configuration with short retry backoffs.
fn fast(tenant: &TenantHandle) -> InstanceConfig {
    let mut config = tenant.config();
    config.retry = RetryPolicy {
        max_attempts: 3,
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(50),
        max_retry_after: Duration::from_secs(2),
    };
    config
}

/// The vendor state as the admin API shows it.
async fn api(admin: &Admin) -> Value {
    admin.get("/api").await
}

/// Box: the ids of the users in group `group_id`, from the stored memberships.
fn box_members(state: &Value, group_id: &str) -> BTreeSet<String> {
    state["memberships"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["group"]["id"] == json!(group_id))
        .map(|m| m["user"]["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Box: the stored group `group_id`, if any.
fn box_group(state: &Value, group_id: &str) -> Option<Value> {
    state["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == json!(group_id))
        .cloned()
}

fn ids(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|id| (*id).to_owned()).collect()
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|id| (*id).to_owned()).collect()
}

/// The listed group `id`.
fn listed(groups: &[AppGroup], id: &str) -> AppGroup {
    groups
        .iter()
        .find(|g| g.id == id)
        .cloned()
        .unwrap_or_else(|| panic!("group {id} is not listed: {groups:?}"))
}

#[tokio::test]
async fn box_groups_end_to_end() {
    let sandbox = Sandbox::builder()
        .manifest(&connector_box::MANIFEST)
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let boxed = tenant(&sandbox, "box");
    let admin = Admin::of(boxed);
    let connector = connector_box::connect(fast(boxed)).unwrap();
    let ada = connector
        .create(&person(0, "box.example"))
        .await
        .unwrap()
        .id;
    let grace = connector
        .create(&person(1, "box.example"))
        .await
        .unwrap()
        .id;

    // Create: the name and the external id as Box stores them.
    let group = connector
        .create_group("Research", "eng-research")
        .await
        .unwrap();
    assert_eq!(
        (group.name.as_str(), group.external_id.as_deref()),
        ("Research", Some("eng-research"))
    );
    let stored = box_group(&api(&admin).await, &group.id).expect("stored");
    assert_eq!(stored["name"], "Research");
    assert_eq!(stored["external_sync_identifier"], "eng-research");

    // A second group of the same name: Box's 409, reported as a conflict.
    let again = connector
        .create_group("Research", "other")
        .await
        .unwrap_err();
    assert!(matches!(again, Error::Conflict { .. }), "{again}");

    // Add two members, then one again: Box's 409 on a duplicate membership is done.
    connector
        .add_members(&group.id, &ids(&[&ada, &grace]))
        .await
        .unwrap();
    connector
        .add_members(&group.id, &ids(&[&ada]))
        .await
        .unwrap();
    let state = api(&admin).await;
    assert_eq!(box_members(&state, &group.id), set(&[&ada, &grace]));
    assert_eq!(state["memberships"].as_array().unwrap().len(), 2);

    // List: every group (the Box AI group too) with its external id; members are read
    // per group.
    let groups = connector.list_groups().await.unwrap();
    assert_eq!(groups.len(), 2, "{groups:?}");
    let research = listed(&groups, &group.id);
    assert_eq!(research.members, None);
    assert_eq!(
        member_set(&connector, &group.id).await,
        set(&[&ada, &grace])
    );
    assert_eq!(research.external_id.as_deref(), Some("eng-research"));
    let ai = groups.iter().find(|g| g.id != group.id).unwrap();
    assert_eq!(
        (ai.name.as_str(), ai.external_id.as_ref()),
        ("Box AI", None)
    );

    // Remove one member (by its membership id, looked up among hers: she is in the Box AI
    // group too, and stays there), then again: nothing to do.
    let ai_id = ai.id.clone();
    connector
        .add_members(&ai_id, &ids(&[&grace]))
        .await
        .unwrap();
    connector
        .remove_members(&group.id, &ids(&[&grace]))
        .await
        .unwrap();
    connector
        .remove_members(&group.id, &ids(&[&grace]))
        .await
        .unwrap();
    let state = api(&admin).await;
    assert_eq!(box_members(&state, &group.id), set(&[&ada]));
    assert_eq!(box_members(&state, &ai_id), set(&[&grace]));
    // A member whose account is gone (Box drops its memberships): removed, nothing to do.
    connector
        .remove_members(&group.id, &ids(&["20999999999"]))
        .await
        .unwrap();

    // Rename.
    connector
        .rename_group(&group.id, "Research & Development")
        .await
        .unwrap();
    let stored = box_group(&api(&admin).await, &group.id).unwrap();
    assert_eq!(stored["name"], "Research & Development");

    // Delete: the group and its memberships go; the accounts stay. Again: done.
    connector.delete_group(&group.id).await.unwrap();
    connector.delete_group(&group.id).await.unwrap();
    let state = api(&admin).await;
    assert!(box_group(&state, &group.id).is_none());
    assert!(box_members(&state, &group.id).is_empty());
    assert_eq!(state["users"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn box_groups_page_past_one_page() {
    let sandbox = Sandbox::builder()
        .manifest(&connector_box::MANIFEST)
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let boxed = tenant(&sandbox, "box");
    let admin = Admin::of(boxed);
    let connector = connector_box::connect(fast(boxed)).unwrap();
    let page = connector_box::MANIFEST
        .provisioning
        .dialect
        .page_size
        .max(1) as usize;
    let ada = connector
        .create(&person(0, "box.example"))
        .await
        .unwrap()
        .id;
    let mut made = BTreeSet::new();
    for i in 0..=page {
        let group = connector
            .create_group(&format!("Team {i:03}"), &format!("team-{i}"))
            .await
            .unwrap();
        made.insert(group.id);
    }
    let last = made.iter().next_back().unwrap().clone();
    connector.add_members(&last, &ids(&[&ada])).await.unwrap();
    let listed_ids: BTreeSet<String> = connector
        .list_groups()
        .await
        .unwrap()
        .into_iter()
        .map(|g| g.id)
        .collect();
    let stored = api(&admin).await["groups"].as_array().unwrap().len();
    assert_eq!(listed_ids.len(), stored);
    assert!(made.is_subset(&listed_ids));
}

/// Graph and Google: the stored group `group_id`, with its member ids, if any.
fn graph_group(state: &Value, group_id: &str) -> Option<Value> {
    state["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == json!(group_id))
        .cloned()
}

/// Graph and Google: the member ids of a stored group.
fn graph_members(group: &Value) -> BTreeSet<String> {
    group["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn graph_security_groups_end_to_end() {
    let sandbox = Sandbox::builder()
        .manifest(&connector_copilot::MANIFEST)
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let copilot = tenant(&sandbox, "copilot");
    let admin = Admin::of(copilot);
    let connector = connector_copilot::connect(fast(copilot)).unwrap();
    let ada = connector
        .create(&person(0, "copilot.example"))
        .await
        .unwrap()
        .id;
    let grace = connector
        .create(&person(1, "copilot.example"))
        .await
        .unwrap()
        .id;

    // Create: a security group whose mail alias is the directory group's name.
    let group = connector
        .create_group("AI Pilot", "ai-pilot")
        .await
        .unwrap();
    assert_eq!(
        (group.name.as_str(), group.external_id.as_deref()),
        ("AI Pilot", Some("ai-pilot"))
    );
    let stored = graph_group(&api(&admin).await, &group.id).expect("stored");
    assert_eq!(
        (
            stored["mailEnabled"].clone(),
            stored["securityEnabled"].clone()
        ),
        (json!(false), json!(true))
    );
    assert_eq!(stored["mailNickname"], "ai-pilot");

    // A directory group name Graph refuses as a mail alias: Graph's 400, with its message.
    let refused = connector
        .create_group("Sales team", "sales team")
        .await
        .unwrap_err()
        .to_string();
    assert!(refused.contains("mailNickname"), "{refused}");

    // Add, then add again: Graph's 400 "already exist" is done; any other 400 is not.
    connector
        .add_members(&group.id, &ids(&[&ada, &grace]))
        .await
        .unwrap();
    connector
        .add_members(&group.id, &ids(&[&ada]))
        .await
        .unwrap();
    let stored = graph_group(&api(&admin).await, &group.id).unwrap();
    assert_eq!(graph_members(&stored), set(&[&ada, &grace]));
    let unknown = connector
        .add_members(&group.id, &ids(&["no-such-user"]))
        .await
        .unwrap_err();
    assert!(matches!(unknown, Error::NotFound { .. }), "{unknown}");
    // A 400 without the "already exist" text stays an error, with Graph's message.
    let malformed = connector
        .add_members(&group.id, &ids(&["a/b"]))
        .await
        .unwrap_err();
    assert!(
        matches!(&malformed, Error::Server { status: 400, detail: Some(d), .. } if d.contains("Invalid object identifier")),
        "{malformed:?}"
    );

    // List, then members.
    for i in 0..3 {
        connector
            .create_group(&format!("Team {i}"), &format!("team-{i}"))
            .await
            .unwrap();
    }
    let groups = connector.list_groups().await.unwrap();
    assert_eq!(groups.len(), 4, "{groups:?}");
    let pilot = listed(&groups, &group.id);
    assert_eq!(
        member_set(&connector, &group.id).await,
        set(&[&ada, &grace])
    );
    assert_eq!(pilot.external_id.as_deref(), Some("ai-pilot"));

    // Remove, twice (the second is Graph's 404 for a non-member: done).
    connector
        .remove_members(&group.id, &ids(&[&grace]))
        .await
        .unwrap();
    connector
        .remove_members(&group.id, &ids(&[&grace]))
        .await
        .unwrap();
    let stored = graph_group(&api(&admin).await, &group.id).unwrap();
    assert_eq!(graph_members(&stored), set(&[&ada]));

    // Rename keeps the alias (the link); delete removes the group, twice is done.
    connector
        .rename_group(&group.id, "Copilot Pilot")
        .await
        .unwrap();
    let stored = graph_group(&api(&admin).await, &group.id).unwrap();
    assert_eq!(
        (
            stored["displayName"].clone(),
            stored["mailNickname"].clone()
        ),
        (json!("Copilot Pilot"), json!("ai-pilot"))
    );
    connector.delete_group(&group.id).await.unwrap();
    connector.delete_group(&group.id).await.unwrap();
    assert!(graph_group(&api(&admin).await, &group.id).is_none());
}

#[tokio::test]
async fn google_groups_end_to_end() {
    let sandbox = Sandbox::builder()
        .manifest(&connector_gemini::MANIFEST)
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let gemini = tenant(&sandbox, "gemini");
    let admin = Admin::of(gemini);
    let domain = gemini.config().variables["domain"].clone();
    let connector = connector_gemini::connect(fast(gemini)).unwrap();
    let ada_who = person(0, &domain);
    let ada = connector.create(&ada_who).await.unwrap().id;
    let grace = connector.create(&person(1, &domain)).await.unwrap().id;

    // Create: the address is the directory group's name at the Workspace's domain.
    let group = connector
        .create_group("AI Pilot", "ai-pilot")
        .await
        .unwrap();
    assert_eq!(
        (group.name.as_str(), group.external_id.as_ref()),
        ("AI Pilot", None)
    );
    let stored = graph_group(&api(&admin).await, &group.id).expect("stored");
    assert_eq!(stored["email"], format!("ai-pilot@{domain}"));
    assert_eq!(stored["name"], "AI Pilot");

    // The address taken (by the group, or by a user): Google's 409, a conflict.
    let again = connector
        .create_group("Other", "ai-pilot")
        .await
        .unwrap_err();
    assert!(matches!(again, Error::Conflict { .. }), "{again}");
    let local = ada_who.email.split('@').next().unwrap();
    let user_address = connector.create_group("Ada's", local).await.unwrap_err();
    assert!(
        matches!(user_address, Error::Conflict { .. }),
        "{user_address}"
    );

    // Add (each member by the address a GET of the user gives), then again: 409 is done.
    connector
        .add_members(&group.id, &ids(&[&ada, &grace]))
        .await
        .unwrap();
    connector
        .add_members(&group.id, &ids(&[&ada]))
        .await
        .unwrap();
    let stored = graph_group(&api(&admin).await, &group.id).unwrap();
    assert_eq!(graph_members(&stored), set(&[&ada, &grace]));
    // A member who is not a user: the lookup's 404, an error.
    let unknown = connector
        .add_members(&group.id, &ids(&["404404404"]))
        .await
        .unwrap_err();
    assert!(matches!(unknown, Error::NotFound { .. }), "{unknown}");

    // List, then members.
    let groups = connector.list_groups().await.unwrap();
    assert_eq!(groups.len(), 1, "{groups:?}");
    assert_eq!(
        member_set(&connector, &groups[0].id).await,
        set(&[&ada, &grace])
    );

    // Remove by the member's id, twice (Google's 404 for a non-member: done).
    connector
        .remove_members(&group.id, &ids(&[&grace]))
        .await
        .unwrap();
    connector
        .remove_members(&group.id, &ids(&[&grace]))
        .await
        .unwrap();
    let stored = graph_group(&api(&admin).await, &group.id).unwrap();
    assert_eq!(graph_members(&stored), set(&[&ada]));

    // Rename keeps the address; delete, twice.
    connector
        .rename_group(&group.id, "Gemini Pilot")
        .await
        .unwrap();
    let stored = graph_group(&api(&admin).await, &group.id).unwrap();
    assert_eq!(
        (stored["name"].clone(), stored["email"].clone()),
        (json!("Gemini Pilot"), json!(format!("ai-pilot@{domain}")))
    );
    connector.delete_group(&group.id).await.unwrap();
    connector.delete_group(&group.id).await.unwrap();
    assert!(graph_group(&api(&admin).await, &group.id).is_none());
}

/// Box with one group operation declared differently from the vendor's API.
struct MisdeclaredBox;

/// `manifest` with the operation `op` replaced by `with` of it.
fn misdeclared(
    mut manifest: Manifest,
    op: Operation,
    with: fn(&RestOperation) -> RestOperation,
) -> Manifest {
    let rest = manifest.provisioning.rest.as_mut().unwrap();
    let operations: Vec<RestOperation> = rest
        .operations
        .iter()
        .map(|o| if o.name == op { with(o) } else { o.clone() })
        .collect();
    rest.operations = Vec::leak(operations);
    manifest
}

static MISDECLARED: OnceLock<Manifest> = OnceLock::new();

impl RestApp for MisdeclaredBox {
    type Account = connector_box::BoxAccount;

    fn manifest() -> &'static Manifest {
        MISDECLARED.get().expect("set by the test")
    }

    fn map_identity(who: &Identity) -> Result<Self::Account, MappingError> {
        <connector_box::Box as RestApp>::map_identity(who)
    }
}

#[tokio::test]
async fn a_misdeclared_group_operation_fails_against_the_sandbox() {
    // `add_members` as a POST below the group (Box adds members at /group_memberships),
    // and `rename_group` as a PATCH (Box renames with PUT).
    let manifest = misdeclared(
        connector_box::MANIFEST.clone(),
        Operation::AddMembers,
        |o| RestOperation {
            path: "/groups/{group.id}/memberships",
            ..o.clone()
        },
    );
    let manifest = misdeclared(manifest, Operation::RenameGroup, |o| RestOperation {
        method: HttpMethod::Patch,
        ..o.clone()
    });
    MISDECLARED.set(manifest).unwrap();
    let sandbox = Sandbox::builder()
        .manifest(&connector_box::MANIFEST)
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let boxed = tenant(&sandbox, "box");
    let admin = Admin::of(boxed);
    let right = connector_box::connect(fast(boxed)).unwrap();
    let wrong = RestConnector::<MisdeclaredBox>::new(fast(boxed)).unwrap();
    let ada = right.create(&person(0, "box.example")).await.unwrap().id;
    let group = wrong.create_group("Research", "research").await.unwrap();

    let added = wrong.add_members(&group.id, &ids(&[&ada])).await;
    assert!(added.is_err(), "a POST below the group added: {added:?}");
    assert!(box_members(&api(&admin).await, &group.id).is_empty());

    let renamed = wrong.rename_group(&group.id, "Renamed").await;
    assert!(renamed.is_err(), "a PATCH renamed: {renamed:?}");
    let stored = box_group(&api(&admin).await, &group.id).unwrap();
    assert_eq!(stored["name"], "Research");

    // The spec's own declarations work on the same tenant.
    right.add_members(&group.id, &ids(&[&ada])).await.unwrap();
    right.rename_group(&group.id, "Renamed").await.unwrap();
    let state = api(&admin).await;
    assert_eq!(box_members(&state, &group.id), set(&[&ada]));
    assert_eq!(box_group(&state, &group.id).unwrap()["name"], "Renamed");
}

/// Graph as the spec declares it, with pages of 2 (to follow `@odata.nextLink`).
struct SmallPagesGraph;

static SMALL_PAGES: OnceLock<Manifest> = OnceLock::new();

impl RestApp for SmallPagesGraph {
    type Account = connector_copilot::Microsoft365CopilotAccount;

    fn manifest() -> &'static Manifest {
        SMALL_PAGES.get_or_init(|| {
            let mut manifest = connector_copilot::MANIFEST.clone();
            manifest.provisioning.dialect.page_size = 2;
            manifest
        })
    }

    fn map_identity(who: &Identity) -> Result<Self::Account, MappingError> {
        <connector_copilot::Microsoft365Copilot as RestApp>::map_identity(who)
    }
}

#[tokio::test]
async fn graph_groups_and_members_are_listed_across_pages() {
    let sandbox = Sandbox::builder()
        .manifest(&connector_copilot::MANIFEST)
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let copilot = tenant(&sandbox, "copilot");
    let admin = Admin::of(copilot);
    let connector = RestConnector::<SmallPagesGraph>::new(fast(copilot)).unwrap();
    let mut people = Vec::new();
    for i in 0..5 {
        people.push(
            connector
                .create(&person(i, "copilot.example"))
                .await
                .unwrap()
                .id,
        );
    }
    let mut made = Vec::new();
    for i in 0..5 {
        let group = connector
            .create_group(&format!("Team {i}"), &format!("team-{i}"))
            .await
            .unwrap();
        connector
            .add_members(&group.id, &people[..i])
            .await
            .unwrap();
        made.push(group.id);
    }
    let groups = connector.list_groups().await.unwrap();
    assert_eq!(groups.len(), 5);
    let state = api(&admin).await;
    for (i, id) in made.iter().enumerate() {
        assert_eq!(listed(&groups, id).members, None);
        let listed = member_set(&connector, id).await;
        assert_eq!(listed.len(), i);
        assert_eq!(listed, graph_members(&graph_group(&state, id).unwrap()));
    }
    // Pages of 2: three pages of groups; 1 + 1 + 1 + 2 + 2 pages of 0 to 4 members.
    let log = admin.get("/requests").await;
    let gets = |suffix: &str| {
        log.as_array()
            .unwrap()
            .iter()
            .filter(|e| e["method"] == "GET")
            .filter(|e| {
                let path = e["path"].as_str().unwrap_or_default();
                path.split('?').next().unwrap_or_default().ends_with(suffix)
            })
            .count()
    };
    assert_eq!(gets("/groups"), 3, "{log}");
    assert_eq!(gets("/members"), 7, "{log}");
}

/// The members of group `id`, read with the connector's per-group member listing.
async fn member_set(connector: &dyn Connector, id: &str) -> BTreeSet<String> {
    connector
        .group_members(id)
        .await
        .unwrap()
        .into_iter()
        .collect()
}
