//! Each vendor's dialect on the manifest tenants (Slack's DELETE that deactivates,
//! Zoom's PUT updates and path-less PATCH, refused DELETE and filters, page caps, OAuth),
//! checked with plain HTTP.

mod common;

use common::{Admin, Scim, tenant, urlencode, user, variant};
use connector_sandbox::{Sandbox, TenantSpec};
use connector_sdk::Capability;
use connector_sdk::manifest::DeactivateMethod;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

#[tokio::test]
async fn slack_delete_deactivates_and_patch_reactivates() {
    let sandbox = Sandbox::builder()
        .manifest(&connector_slack::MANIFEST)
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let slack = tenant(&sandbox, "slack");
    let scim = Scim::of(slack);
    let id = scim.create_user(&user("ada")).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let deleted = scim
        .call(Method::DELETE, &format!("/Users/{id}"), None)
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let kept = scim.get(&format!("/Users/{id}")).await;
    assert_eq!(
        (kept.status, kept.body["active"].clone()),
        (StatusCode::OK, json!(false))
    );
    let reactivate = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "active", "value": true}]});
    let patched = scim
        .call(Method::PATCH, &format!("/Users/{id}"), Some(&reactivate))
        .await;
    assert_eq!(patched.body["active"], true);
    let by_email = scim
        .get(&format!(
            "/Users?filter={}",
            urlencode(r#"emails.value eq "x""#)
        ))
        .await;
    assert_eq!(
        by_email.body["scimType"], "invalidFilter",
        "Slack's dialect filters on userName only"
    );
    let log = Admin::of(slack).get("/requests").await;
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .any(|e| e["method"] == "DELETE" && e["status"] == 204),
        "{log}"
    );
}

#[tokio::test]
async fn zoom_updates_by_put_and_patches_active_path_less() {
    let sandbox = Sandbox::builder()
        .manifest(&connector_zoom::MANIFEST)
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let scim = Scim::of(tenant(&sandbox, "zoom"));
    let zoom_ext = "urn:ietf:params:scim:schemas:extension:zoom:1.0:User";
    let created = scim
        .create_user(&json!({"userName": "ada@zoom.example", zoom_ext: {"zoomWhiteboard": true}}))
        .await;
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["active"], true, "services create active users");
    let patch = |ops: Value| json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops});
    let url = format!("/Users/{id}");
    let with_path = scim
        .call(
            Method::PATCH,
            &url,
            Some(&patch(
                json!([{"op": "replace", "path": "active", "value": false}]),
            )),
        )
        .await;
    assert_eq!(
        with_path.body["scimType"], "invalidPath",
        "Zoom's dialect is path-less"
    );
    let title = scim
        .call(
            Method::PATCH,
            &url,
            Some(&patch(json!([{"op": "replace", "value": {"title": "x"}}]))),
        )
        .await;
    assert_eq!(
        title.status,
        StatusCode::BAD_REQUEST,
        "attribute updates go by PUT"
    );
    let active = scim
        .call(
            Method::PATCH,
            &url,
            Some(&patch(
                json!([{"op": "replace", "value": {"active": false}}]),
            )),
        )
        .await;
    assert_eq!(active.status, StatusCode::NO_CONTENT);
    let mut replacement = scim.get(&url).await.body;
    replacement["title"] = json!("Engineer");
    let put = scim.call(Method::PUT, &url, Some(&replacement)).await;
    assert_eq!(
        (put.body["title"].clone(), put.body["active"].clone()),
        (json!("Engineer"), json!(false))
    );
    assert_eq!(put.body["meta"]["created"], created["meta"]["created"]);
    assert_eq!(put.body[zoom_ext]["zoomWhiteboard"], true);
    let other_ext = scim.post("/Users", &json!({"userName": "b@z", ENTERPRISE: {"department": "x"}, "urn:other:1.0:User": {"a": 1}})).await;
    assert_eq!(other_ext.status, StatusCode::BAD_REQUEST);
    let schemas = scim.get("/Schemas").await.body;
    let ids: Vec<&str> = schemas["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert!(
        ids.contains(&zoom_ext) && ids.contains(&ENTERPRISE),
        "{ids:?}"
    );
}

#[tokio::test]
async fn dialect_variants_refuse_delete_filters_and_cap_pages() {
    let canva_like = variant(&connector_chatgpt::MANIFEST, "nodelete", |m| {
        m.provisioning.capabilities = &[
            Capability::Create,
            Capability::Deactivate,
            Capability::Import,
        ];
        m.provisioning.dialect.deactivate = DeactivateMethod::PatchActive;
        m.provisioning.dialect.filter_attribute = None;
        m.provisioning.dialect.page_size = 2;
    });
    let emails = variant(&connector_chatgpt::MANIFEST, "byemail", |m| {
        m.provisioning.dialect.filter_attribute = Some("emails")
    });
    let sandbox = Sandbox::builder()
        .manifest(canva_like)
        .manifest(emails)
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let scim = Scim::of(tenant(&sandbox, "nodelete"));
    let id = scim.create_user(&user("a")).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for name in ["b", "c"] {
        scim.create_user(&user(name)).await;
    }
    let refused = scim
        .call(Method::DELETE, &format!("/Users/{id}"), None)
        .await;
    assert_eq!(refused.status, StatusCode::METHOD_NOT_ALLOWED);
    let filtered = scim
        .get(&format!(
            "/Users?filter={}",
            urlencode(r#"userName eq "a""#)
        ))
        .await;
    assert_eq!(filtered.body["scimType"], "invalidFilter");
    let page = scim.get("/Users?count=50").await;
    assert_eq!(
        (
            page.body["itemsPerPage"].clone(),
            page.body["totalResults"].clone()
        ),
        (json!(2), json!(3))
    );

    let scim = Scim::of(tenant(&sandbox, "byemail"));
    scim.create_user(&json!({"userName": "a", "emails": [{"value": "A@x.example"}]}))
        .await;
    let found = scim
        .get(&format!(
            "/Users?filter={}",
            urlencode(r#"emails.value eq "a@x.example""#)
        ))
        .await;
    assert_eq!(found.body["totalResults"], 1);
    let by_name = scim
        .get(&format!(
            "/Users?filter={}",
            urlencode(r#"userName eq "a""#)
        ))
        .await;
    assert_eq!(by_name.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn oauth_tenant_issues_and_accepts_only_its_tokens() {
    let spec = TenantSpec::for_manifest(&connector_zoom::MANIFEST)
        .client_credentials("zoom-client", "zoom-secret");
    let expired = TenantSpec::for_manifest(&connector_zoom::MANIFEST)
        .named("zoom-expired")
        .token_lifetime(std::time::Duration::ZERO);
    let sandbox = Sandbox::builder()
        .tenant(spec)
        .tenant(expired)
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let zoom = tenant(&sandbox, "zoom");
    let token_url = format!("{}/zoom/oauth/token", sandbox.base_url());
    let client = common::client();
    let token = |form: &'static str, secret: &'static str| {
        let request = client
            .post(&token_url)
            .basic_auth("zoom-client", Some(secret))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form);
        async move {
            let response = request.send().await.unwrap();
            (response.status(), response.json::<Value>().await.unwrap())
        }
    };
    assert_eq!(
        token("grant_type=account_credentials&account_id=a", "wrong")
            .await
            .1["error"],
        "invalid_client"
    );
    assert_eq!(
        token("grant_type=client_credentials&account_id=a", "zoom-secret")
            .await
            .1["error"],
        "unsupported_grant_type"
    );
    assert_eq!(
        token("grant_type=account_credentials", "zoom-secret")
            .await
            .1["error"],
        "invalid_request"
    );
    let (status, issued) =
        token("grant_type=account_credentials&account_id=a", "zoom-secret").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(issued["expires_in"], 3600);
    let access = issued["access_token"].as_str().unwrap();
    let users = format!("{}/Users", zoom.scim_url());
    assert_eq!(
        common::send(Method::GET, &users, Some(access), None)
            .await
            .status,
        StatusCode::OK
    );
    let rejected = common::send(Method::GET, &users, Some("made-up"), None).await;
    assert_eq!(rejected.status, StatusCode::UNAUTHORIZED);
    assert!(
        rejected
            .header("www-authenticate")
            .unwrap()
            .starts_with("Bearer")
    );
    let anonymous = common::send(Method::GET, &users, None, None).await;
    assert_eq!(
        (anonymous.status, anonymous.body["status"].clone()),
        (StatusCode::UNAUTHORIZED, json!("401"))
    );

    let expired = tenant(&sandbox, "zoom-expired");
    let connector_sandbox::TenantCredentials::ClientCredentials {
        token_url,
        client_id,
        client_secret,
    } = expired.credentials()
    else {
        panic!("Zoom authenticates with client credentials");
    };
    let response = client
        .post(token_url)
        .basic_auth(client_id.expose(), Some(client_secret.expose()))
        .form(&[("grant_type", "account_credentials"), ("account_id", "a")])
        .send()
        .await
        .unwrap();
    let short = response.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let late = common::send(
        Method::GET,
        &format!("{}/Users", expired.scim_url()),
        Some(&short),
        None,
    )
    .await;
    assert_eq!(
        late.status,
        StatusCode::UNAUTHORIZED,
        "a token with no lifetime left is refused"
    );
}
