//! Group push from the Canva connector against the third-party scim2-server, checked with
//! the server's own GETs (the plain-HTTP `StateChecker`, never the connector under test)
//! and its access log: create, add members in several requests, remove members with a
//! non-member among them, list, rename, delete.
//!
//! The connector is Canva's generated code with its members-per-request cap lowered from
//! 1,000 to [`CAP`]: scim2-server takes about 50 ms to create a user on this machine, so
//! the split is shown with 25 members instead of 1,001 (the real cap is exercised on the
//! sandbox, `sandbox/tests/group_push.rs`).

use std::collections::BTreeSet;
use std::sync::LazyLock;

use connector_canva::Canva;
use connector_sdk::mapping::MappingError;
use connector_sdk::scim::{ScimApp, ScimConnector};
use connector_sdk::{Connector, Identity, Manifest};
use connector_tests::{Scim2Server, StateChecker};
use serde_json::{Value, json};

/// The members one request carries here.
const CAP: u32 = 10;
/// Members added: three requests at [`CAP`].
const MEMBERS: usize = 25;
/// Seeding requests in flight at once.
const SEED_CONCURRENCY: usize = 8;

/// Canva with a members-per-request cap of [`CAP`].
struct SmallCapCanva;

impl ScimApp for SmallCapCanva {
    type User = <Canva as ScimApp>::User;
    const USER_SCHEMAS: &'static [&'static str] = <Canva as ScimApp>::USER_SCHEMAS;
    const MANAGED_ATTRIBUTES: &'static [&'static str] = <Canva as ScimApp>::MANAGED_ATTRIBUTES;

    fn manifest() -> &'static Manifest {
        static MANIFEST: LazyLock<Manifest> = LazyLock::new(|| {
            let mut manifest = connector_canva::MANIFEST.clone();
            manifest.provisioning.dialect.group_members_per_request = CAP;
            manifest
        });
        &MANIFEST
    }

    fn map_identity(who: &Identity) -> Result<Self::User, MappingError> {
        <Canva as ScimApp>::map_identity(who)
    }
}

/// Seeds `count` users on the server; returns their ids in order.
async fn seed_users(state: &StateChecker, count: usize) -> Vec<String> {
    let mut ids = Vec::with_capacity(count);
    let all: Vec<usize> = (0..count).collect();
    for batch in all.chunks(SEED_CONCURRENCY) {
        let mut tasks = tokio::task::JoinSet::new();
        for &i in batch {
            let state = state.clone();
            tasks.spawn(async move {
                let user = json!({"userName": format!("member{i:05}@canva.example")});
                (i, state.seed_user(user).await)
            });
        }
        let mut seeded = tasks.join_all().await;
        seeded.sort();
        ids.extend(seeded.into_iter().map(|(_, id)| id));
    }
    ids
}

/// The member ids of a Group as the server returns it.
fn members(group: &Value) -> BTreeSet<String> {
    group
        .get("members")
        .and_then(Value::as_array)
        .map(|members| {
            members
                .iter()
                .map(|m| m["value"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn group_push_against_scim2_server() {
    let server = Scim2Server::with_extensions(connector_canva::SCIM_EXTENSION_SCHEMAS);
    let state = server.state();
    let mut users = seed_users(&state, MEMBERS + 1).await;
    let outsider = users.pop().unwrap();
    let canva = ScimConnector::<SmallCapCanva>::new(server.unpaced_config()).unwrap();

    let group = canva.create_group("Design", "design-1").await.unwrap();
    let stored = state.get_group(&group.id).await.expect("the group exists");
    assert_eq!(stored["displayName"], "Design", "{stored:#}");
    assert_eq!(stored["externalId"], "design-1", "{stored:#}");
    assert!(members(&stored).is_empty(), "{stored:#}");

    canva.add_members(&group.id, &users).await.unwrap();
    let stored = state.get_group(&group.id).await.unwrap();
    let expected: BTreeSet<String> = users.iter().cloned().collect();
    assert_eq!(members(&stored), expected);

    // Three members and one non-member, in one PATCH: scim2-server removes what the
    // filters match and ignores the one that matches nothing (no `noTarget`), so the
    // SDK's one-request-each fallback is not needed here (the sandbox, which answers
    // `noTarget`, exercises it).
    let removed = [
        users[0].clone(),
        users[1].clone(),
        outsider.clone(),
        users[2].clone(),
    ];
    canva.remove_members(&group.id, &removed).await.unwrap();
    let stored = state.get_group(&group.id).await.unwrap();
    let kept: BTreeSet<String> = users[3..].iter().cloned().collect();
    assert_eq!(members(&stored), kept);
    assert!(
        state.get_user(&users[0]).await.is_some(),
        "removing a member keeps the account"
    );

    let listed = canva.list_groups().await.unwrap();
    let ours = listed.iter().find(|g| g.id == group.id).expect("listed");
    assert_eq!(ours.members.as_ref().map(Vec::len), Some(MEMBERS - 3));

    canva.rename_group(&group.id, "Design EU").await.unwrap();
    let stored = state.get_group(&group.id).await.unwrap();
    assert_eq!(stored["displayName"], "Design EU");
    assert_eq!(members(&stored), kept, "a rename keeps the members");
    assert!(state.find_group("Design").await.is_none());

    canva.delete_group(&group.id).await.unwrap();
    assert!(state.get_group(&group.id).await.is_none());
    assert!(state.get_user(&users[3]).await.is_some());
    assert!(state.get_user(&outsider).await.is_some());

    // The server's own access log: three additions (25 members, 10 a request), one
    // removal, one rename.
    let patch_line = format!("\"PATCH /v2/Groups/{} ", group.id);
    let count = |output: &str| output.lines().filter(|l| l.contains(&patch_line)).count();
    let output = server.output_when(|o| count(o) >= 5).await;
    assert_eq!(count(&output), 5, "{output}");
}
