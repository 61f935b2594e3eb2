//! The generic tenant's modes for attributes of a schema it does not declare (here the
//! enterprise extension, left out of `/Schemas`): `refuse` answers 400 `invalidPath`
//! naming the attribute, `drop` accepts the write without it. Plain HTTP.

mod common;

use common::{Admin, Scim, tenant};
use connector_sandbox::{Sandbox, SandboxHandle, TenantSpec, UndeclaredAttributes};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const CORE: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// A sandbox with one core-only generic tenant per mode, plus the default one.
async fn sandbox() -> SandboxHandle {
    let core_only = |name: &str, mode| {
        TenantSpec::generic(name)
            .without_extension(ENTERPRISE)
            .undeclared(mode)
    };
    Sandbox::builder()
        .generic("generic")
        .tenant(core_only("refusing", UndeclaredAttributes::Refuse))
        .tenant(core_only("dropping", UndeclaredAttributes::Drop))
        .start("127.0.0.1:0")
        .await
        .unwrap()
}

fn ada() -> Value {
    json!({
        "schemas": [CORE, ENTERPRISE],
        "userName": "ada@example.com",
        "title": "Engineer",
        ENTERPRISE: {"department": "R&D"},
    })
}

/// The schema ids `/Schemas` lists.
async fn schema_ids(scim: &Scim) -> Vec<String> {
    let answer = scim.get("/Schemas").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.body["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn schemas_reflect_what_each_tenant_declares() {
    let sandbox = sandbox().await;
    let declared = schema_ids(&Scim::of(tenant(&sandbox, "generic"))).await;
    assert!(declared.iter().any(|id| id == ENTERPRISE), "{declared:?}");
    for name in ["refusing", "dropping"] {
        let scim = Scim::of(tenant(&sandbox, name));
        let ids = schema_ids(&scim).await;
        assert!(!ids.iter().any(|id| id == ENTERPRISE), "{name}: {ids:?}");
        assert!(ids.iter().any(|id| id == CORE), "{name}: {ids:?}");
        let user_type = scim.get("/ResourceTypes/User").await.body;
        assert_eq!(user_type["schemaExtensions"], json!([]), "{name}");
    }
    let summary = Admin::of(tenant(&sandbox, "refusing")).get("").await;
    assert_eq!(summary["undeclared"], "refuse");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_default_tenant_still_stores_the_enterprise_extension() {
    let sandbox = sandbox().await;
    let scim = Scim::of(tenant(&sandbox, "generic"));
    let created = scim.create_user(&ada()).await;
    assert_eq!(created[ENTERPRISE]["department"], "R&D");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn refuse_mode_names_the_attribute_on_post_put_and_patch() {
    let sandbox = sandbox().await;
    let scim = Scim::of(tenant(&sandbox, "refusing"));
    let department = format!("`{ENTERPRISE}:department`");

    let post = scim.post("/Users", &ada()).await;
    assert_eq!(post.status, StatusCode::BAD_REQUEST, "{}", post.body);
    assert_eq!(post.body["scimType"], "invalidPath");
    let detail = post.body["detail"].as_str().unwrap();
    assert!(detail.contains(&department), "{detail}");
    let admin = Admin::of(tenant(&sandbox, "refusing"));
    assert!(admin.users().await.is_empty(), "nothing was stored");

    let mut plain = ada();
    plain.as_object_mut().unwrap().remove(ENTERPRISE);
    let created = scim.create_user(&plain).await;
    let id = created["id"].as_str().unwrap().to_owned();

    let put = scim
        .call(Method::PUT, &format!("/Users/{id}"), Some(&ada()))
        .await;
    assert_eq!(put.status, StatusCode::BAD_REQUEST, "{}", put.body);
    assert_eq!(put.body["scimType"], "invalidPath");
    assert!(put.body["detail"].as_str().unwrap().contains(&department));

    let patch = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [
            {"op": "replace", "path": "title", "value": "Lead"},
            {"op": "replace", "path": format!("{ENTERPRISE}:department"), "value": "Ops"},
        ],
    });
    let patched = scim
        .call(Method::PATCH, &format!("/Users/{id}"), Some(&patch))
        .await;
    assert_eq!(patched.status, StatusCode::BAD_REQUEST, "{}", patched.body);
    assert_eq!(patched.body["scimType"], "invalidPath");
    assert!(
        patched.body["detail"]
            .as_str()
            .unwrap()
            .contains(&department)
    );
    let stored = scim.get(&format!("/Users/{id}")).await.body;
    assert_eq!(
        stored["title"], "Engineer",
        "a refused PATCH changes nothing"
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn drop_mode_accepts_writes_without_the_attribute() {
    let sandbox = sandbox().await;
    let scim = Scim::of(tenant(&sandbox, "dropping"));

    let created = scim.create_user(&ada()).await;
    let id = created["id"].as_str().unwrap().to_owned();
    assert!(created.get(ENTERPRISE).is_none(), "{created}");
    assert_eq!(created["schemas"], json!([CORE]));
    assert_eq!(created["title"], "Engineer");

    let mut replaced = ada();
    replaced["title"] = json!("Lead");
    let put = scim
        .call(Method::PUT, &format!("/Users/{id}"), Some(&replaced))
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    assert_eq!(put.body["title"], "Lead");
    assert!(put.body.get(ENTERPRISE).is_none(), "{}", put.body);

    let patch = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [
            {"op": "replace", "path": "title", "value": "Director"},
            {"op": "replace", "path": format!("{ENTERPRISE}:department"), "value": "Ops"},
            {"op": "add", "value": {ENTERPRISE: {"division": "North"}}},
        ],
    });
    let patched = scim
        .call(Method::PATCH, &format!("/Users/{id}"), Some(&patch))
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(patched.body["title"], "Director");
    let only_dropped = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": format!("{ENTERPRISE}:department"), "value": "Ops"}],
    });
    let unchanged = scim
        .call(Method::PATCH, &format!("/Users/{id}"), Some(&only_dropped))
        .await;
    assert_eq!(unchanged.status, StatusCode::OK, "{}", unchanged.body);

    let read = scim.get(&format!("/Users/{id}")).await.body;
    assert!(
        read.get(ENTERPRISE).is_none(),
        "GET returns no dropped attribute: {read}"
    );
    assert_eq!(read["title"], "Director");
    let stored = &Admin::of(tenant(&sandbox, "dropping")).users().await[0];
    assert!(stored.get(ENTERPRISE).is_none(), "not stored: {stored}");
    sandbox.shutdown().await;
}
