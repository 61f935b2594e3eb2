//! The strict `generic` tenant (RFC 7644 CRUD, errors, `meta`, filters, paging,
//! projection, `.search`, Groups) and the admin API, checked with plain HTTP.

mod common;

use common::{Admin, Scim, tenant, urlencode, user};
use connector_sandbox::Sandbox;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

#[tokio::test]
async fn generic_tenant_crud_errors_and_meta() {
    let sandbox = Sandbox::builder()
        .generic("generic")
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let scim = Scim::of(tenant(&sandbox, "generic"));

    let created = scim
        .post(
            "/Users",
            &json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
                "userName": "Ada@Example.com", "externalId": "X-1", "password": "secret",
                "emails": [{"value": "ada@example.com", "type": "work", "primary": true}],
                ENTERPRISE: {"department": "R&D"},
            }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    assert_eq!(
        created.header("content-type"),
        Some("application/scim+json")
    );
    let id = created.body["id"].as_str().unwrap().to_owned();
    let meta = &created.body["meta"];
    assert_eq!(meta["resourceType"], "User");
    assert_eq!(created.header("location"), meta["location"].as_str());
    assert!(
        meta["location"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/generic/scim/v2/Users/{id}"))
    );
    for field in ["created", "lastModified", "version"] {
        assert!(meta[field].is_string(), "meta.{field} in {meta}");
    }
    assert!(
        created.body.get("password").is_none(),
        "passwords are never returned"
    );

    let duplicate = scim.post("/Users", &user("ada@EXAMPLE.com")).await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT);
    assert_eq!(duplicate.body["scimType"], "uniqueness");
    assert_eq!(duplicate.body["status"], "409");
    let nameless = scim
        .post(
            "/Users",
            &json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"]}),
        )
        .await;
    assert_eq!(
        (nameless.status, nameless.body["scimType"].clone()),
        (StatusCode::BAD_REQUEST, json!("invalidValue"))
    );
    let undeclared = scim.post("/Users", &json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:acme:2.0:User"], "userName": "x", "urn:acme:2.0:User": {"a": 1}})).await;
    assert_eq!(undeclared.status, StatusCode::BAD_REQUEST);
    let garbage = common::send(
        Method::POST,
        &format!("{}/Users", scim.base),
        Some(&scim.token),
        None,
    )
    .await;
    assert_eq!(garbage.body["scimType"], "invalidSyntax");
    let missing = scim.get("/Users/nope").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(
        missing.body["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:Error"
    );

    for filter in [
        r#"userName eq "ADA@example.com""#,
        r#"emails.value eq "ada@example.com""#,
        r#"emails eq "ada@example.com""#,
        r#"externalId eq "X-1""#,
        r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department co "r&""#,
    ] {
        let found = scim
            .get(&format!("/Users?filter={}", urlencode(filter)))
            .await;
        assert_eq!(found.body["totalResults"], 1, "{filter}: {}", found.body);
    }
    let bad = scim
        .get(&format!("/Users?filter={}", urlencode("userName eq")))
        .await;
    assert_eq!(bad.body["scimType"], "invalidFilter");

    for i in 0..4 {
        scim.create_user(&user(&format!("u{i}"))).await;
    }
    let page = scim
        .get("/Users?startIndex=2&count=2&attributes=userName")
        .await;
    assert_eq!(
        (
            page.body["totalResults"].clone(),
            page.body["itemsPerPage"].clone(),
            page.body["startIndex"].clone()
        ),
        (json!(5), json!(2), json!(2))
    );
    assert_eq!(
        page.body["Resources"][0],
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": page.body["Resources"][0]["id"], "userName": "u0"})
    );
    let searched = scim.post("/.search", &json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": "userName sw \"u\"", "count": 10, "excludedAttributes": ["meta"]})).await;
    assert_eq!(searched.body["totalResults"], 4, "{}", searched.body);
    assert!(searched.body["Resources"][0].get("meta").is_none());

    let deleted = scim
        .call(Method::DELETE, &format!("/Users/{id}"), None)
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(
        scim.get(&format!("/Users/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn groups_track_members_and_users_show_their_groups() {
    let sandbox = Sandbox::builder()
        .generic("generic")
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let scim = Scim::of(tenant(&sandbox, "generic"));
    let ada = scim.create_user(&user("ada")).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let group = scim.post("/Groups", &json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "AI users"})).await;
    assert_eq!(group.status, StatusCode::CREATED);
    let gid = group.body["id"].as_str().unwrap().to_owned();
    let patch = |ops: Value| json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops});
    let added = scim
        .call(
            Method::PATCH,
            &format!("/Groups/{gid}"),
            Some(&patch(
                json!([{"op": "add", "path": "members", "value": [{"value": ada}]}]),
            )),
        )
        .await;
    assert_eq!(added.body["members"], json!([{"value": ada}]));
    let seen = scim.get(&format!("/Users/{ada}")).await;
    assert_eq!(seen.body["groups"][0]["display"], "AI users");
    let by_name = scim
        .get(&format!(
            "/Groups?filter={}",
            urlencode(r#"displayName eq "ai users""#)
        ))
        .await;
    assert_eq!(by_name.body["totalResults"], 1);
    let remove = patch(json!([{"op": "remove", "path": format!("members[value eq \"{ada}\"]")}]));
    let removed = scim
        .call(Method::PATCH, &format!("/Groups/{gid}"), Some(&remove))
        .await;
    assert_eq!(removed.status, StatusCode::OK);
    let again = scim
        .call(Method::PATCH, &format!("/Groups/{gid}"), Some(&remove))
        .await;
    assert_eq!(again.body["scimType"], "noTarget");
    let stranger = patch(json!([{"op": "add", "path": "members", "value": [{"value": "nobody"}]}]));
    assert_eq!(
        scim.call(Method::PATCH, &format!("/Groups/{gid}"), Some(&stranger))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert!(
        scim.get(&format!("/Users/{ada}"))
            .await
            .body
            .get("groups")
            .is_none()
    );
}

#[tokio::test]
async fn admin_api_lists_seeds_and_resets() {
    let sandbox = Sandbox::builder()
        .manifest(&connector_chatgpt::MANIFEST)
        .generic("generic")
        .admin_token("admin-secret")
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let tenants = common::send(
        Method::GET,
        &format!("{}/tenants", sandbox.admin_url()),
        Some("admin-secret"),
        None,
    )
    .await;
    let names: Vec<&str> = tenants
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(names, ["chatgpt", "generic"]);
    let refused = common::send(
        Method::GET,
        &format!("{}/tenants", sandbox.admin_url()),
        Some("guess"),
        None,
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    let chatgpt = tenant(&sandbox, "chatgpt");
    let admin = Admin::of(chatgpt);
    let seeded = admin
        .call(
            Method::POST,
            "/users",
            Some(&json!({"userName": "existing@x.example", "active": false})),
        )
        .await;
    assert_eq!(seeded.status, StatusCode::CREATED);
    let scim = Scim::of(chatgpt);
    let conflict = scim.post("/Users", &user("EXISTING@x.example")).await;
    assert_eq!(conflict.body["scimType"], "uniqueness");
    assert_eq!(admin.users().await[0]["active"], false);
    let state = admin.get("/state").await;
    assert_eq!(state["users"].as_array().unwrap().len(), 1);
    assert_eq!(state["stats"]["requests"], 1);
    assert_eq!(
        admin.call(Method::POST, "/reset", None).await.status,
        StatusCode::NO_CONTENT
    );
    assert!(admin.users().await.is_empty());
    assert_eq!(admin.stats().await["requests"], 0);
}
