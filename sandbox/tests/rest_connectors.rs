//! The Gemini (Google Directory + License Manager), Microsoft 365 Copilot (Graph), Box
//! and GitHub Copilot (SCIM + seat API) connectors end to end against their sandbox
//! tenants, through the `Connector` trait only, with the state checked through the
//! admin API after each step: create, find, adopt, no-op update, disable/enable,
//! paging, licences, delete; plus a run under Google's 403 throttle and one with 20%
//! injected 5xx.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::{Admin, tenant};
use connector_sandbox::{
    Faults, RateLimitConfig, Sandbox, TenantHandle, TenantSpec, ThrottleStyle,
};
use connector_sdk::identity::CustomValue;
use connector_sdk::{
    Account, Connector, Identity, InstanceConfig, LicenseOutcome, PageRequest, RetryPolicy,
};
use connector_tests::people::person;
use reqwest::Method;
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

/// How many requests the tenant has logged.
async fn log_len(admin: &Admin) -> usize {
    admin.get("/requests").await.as_array().map_or(0, Vec::len)
}

/// The requests logged after the first `mark`.
async fn since(admin: &Admin, mark: usize) -> Vec<Value> {
    let log = admin.get("/requests").await;
    log.as_array().unwrap()[mark..].to_vec()
}

/// The writes (anything but GET) logged after the first `mark`.
async fn writes_since(admin: &Admin, mark: usize) -> Vec<Value> {
    since(admin, mark)
        .await
        .into_iter()
        .filter(|e| e["method"] != "GET")
        .collect()
}

/// The vendor API's users as the admin API shows them.
async fn api_users(admin: &Admin) -> Vec<Value> {
    admin.get("/api").await["users"]
        .as_array()
        .cloned()
        .unwrap()
}

/// The stored user whose `key` is `value`.
async fn api_user(admin: &Admin, key: &str, value: &str) -> Option<Value> {
    api_users(admin)
        .await
        .into_iter()
        .find(|u| u[key].as_str() == Some(value))
}

/// Seeds a vendor account through the admin API; returns it.
async fn seed(admin: &Admin, body: Value) -> Value {
    let answer = admin.call(Method::POST, "/api/users", Some(&body)).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    answer.body
}

/// Every account, by pages of `count`; also how many pages there were.
async fn list_all(connector: &dyn Connector, count: u32) -> (Vec<Account>, usize) {
    let mut accounts = Vec::new();
    let mut pages = 0;
    let mut request = Some(PageRequest::first(count));
    while let Some(page) = request {
        let page = connector.list(page).await.expect("list");
        pages += 1;
        assert!(page.items.len() <= count as usize);
        accounts.extend(page.items);
        request = page.next;
        assert!(pages < 50, "paging does not end");
    }
    (accounts, pages)
}

/// Creates people `range` (for paging); returns their ids.
async fn create_people(
    connector: &dyn Connector,
    range: std::ops::Range<usize>,
    domain: &str,
) -> Vec<String> {
    let mut ids = Vec::new();
    for i in range {
        ids.push(
            connector
                .create(&person(i, domain))
                .await
                .expect("create")
                .id,
        );
    }
    ids
}

fn applied(outcome: LicenseOutcome) {
    assert!(matches!(outcome, LicenseOutcome::Applied), "{outcome:?}");
}

#[tokio::test]
async fn gemini_directory_and_licences_end_to_end() {
    let sandbox = Sandbox::builder()
        .manifest(&connector_gemini::MANIFEST)
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let gemini = tenant(&sandbox, "gemini");
    let admin = Admin::of(gemini);
    let connector = connector_gemini::connect(fast(gemini, 5)).unwrap();
    let domain = "gemini.example";

    // Create: the password is sent (Google requires it) and kept out of the account.
    let ada = person(0, domain);
    let created = connector.create(&ada).await.unwrap();
    assert_eq!(created.user_name, ada.email);
    assert!(
        created.attributes.get("password").is_none(),
        "{}",
        created.attributes
    );
    assert!(created.attributes["name"]["givenName"].is_string());
    let state = admin.get("/api").await;
    assert_eq!(state["password_set"], json!([created.id]));
    let stored = api_user(&admin, "id", &created.id).await.unwrap();
    assert_eq!(stored["primaryEmail"], ada.email);
    assert_eq!(stored["suspended"], false);
    assert!(stored.get("password").is_none());

    // Find by primary email.
    let found = connector.find(&ada).await.unwrap().expect("found");
    assert_eq!(found.id, created.id);
    assert!(found.active);
    assert!(connector.find(&person(99, domain)).await.unwrap().is_none());

    // An existing account on 409 is reported with the account found, never adopted.
    let grace = person(1, domain);
    let seeded = seed(
        &admin,
        json!({"primaryEmail": grace.email, "name": {"givenName": "Grace", "familyName": "Hopper"}}),
    )
    .await;
    let mark = log_len(&admin).await;
    let adopted = existing_account(connector.create(&grace).await);
    assert_eq!(adopted.id, seeded["id"].as_str().unwrap());
    assert!(
        since(&admin, mark)
            .await
            .iter()
            .any(|e| e["method"] == "POST" && e["status"] == 409)
    );
    assert_eq!(api_users(&admin).await.len(), 2);

    // Update, then the same update again: no write.
    let mut renamed = ada.clone();
    renamed.last_name = Some("Byron".into());
    let updated = connector
        .update(&created.reference(), &renamed)
        .await
        .unwrap();
    assert_eq!(updated.attributes["name"]["familyName"], "Byron");
    let stored = api_user(&admin, "id", &created.id).await.unwrap();
    assert_eq!(stored["name"]["familyName"], "Byron");
    assert_eq!(
        stored["name"]["fullName"],
        format!("{} Byron", ada.first_name.clone().unwrap())
    );
    let mark = log_len(&admin).await;
    connector
        .update(&created.reference(), &renamed)
        .await
        .unwrap();
    assert_eq!(writes_since(&admin, mark).await, Vec::<Value>::new());

    // Disable and enable: `suspended`.
    connector.disable(&created.reference()).await.unwrap();
    assert_eq!(
        api_user(&admin, "id", &created.id).await.unwrap()["suspended"],
        true
    );
    assert!(!connector.get(&created.reference()).await.unwrap().active);
    connector.enable(&created.reference()).await.unwrap();
    assert_eq!(
        api_user(&admin, "id", &created.id).await.unwrap()["suspended"],
        false
    );

    // List over several pages (nextPageToken).
    create_people(&connector, 2..5, domain).await;
    let (all, pages) = list_all(&connector, 2).await;
    assert_eq!(pages, 3);
    let ids: BTreeSet<String> = all.iter().map(|a| a.id.clone()).collect();
    assert_eq!(ids.len(), 5);
    assert!(all.iter().all(|a| a.attributes.get("password").is_none()));
    let log = admin.get("/requests").await;
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .any(|e| e["path"].as_str().unwrap().contains("pageToken="))
    );

    // Licences: assign (twice: 409 is done), revoke (twice: 404 is done).
    let sku = connector_gemini::MANIFEST
        .license("gemini_enterprise")
        .unwrap();
    let account = created.reference();
    applied(connector.assign_license(&account, sku).await.unwrap());
    let licenses = admin.get("/api").await["licenses"].clone();
    assert_eq!(
        licenses,
        json!([{"productId": "101068", "skuId": "1010680001", "id": created.id, "userId": ada.email}])
    );
    let mark = log_len(&admin).await;
    applied(connector.assign_license(&account, sku).await.unwrap());
    assert_eq!(since(&admin, mark).await[0]["status"], 409);
    applied(connector.revoke_license(&account, sku).await.unwrap());
    assert_eq!(admin.get("/api").await["licenses"], json!([]));
    let mark = log_len(&admin).await;
    applied(connector.revoke_license(&account, sku).await.unwrap());
    assert_eq!(since(&admin, mark).await[0]["status"], 404);

    // Delete (twice: the second finds nothing, which is done).
    connector.delete(&account).await.unwrap();
    assert!(api_user(&admin, "id", &created.id).await.is_none());
    connector.delete(&account).await.unwrap();
    assert_eq!(api_users(&admin).await.len(), 4);
}

#[tokio::test]
async fn gemini_converges_under_googles_403_throttle() {
    let spec = TenantSpec::for_manifest(&connector_gemini::MANIFEST)
        .rate_limit(RateLimitConfig::custom(20, 1000, 2).with_style(ThrottleStyle::Google403));
    let sandbox = Sandbox::builder()
        .tenant(spec)
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let gemini = tenant(&sandbox, "gemini");
    let admin = Admin::of(gemini);
    let connector = connector_gemini::connect(fast(gemini, 30)).unwrap();
    let domain = "throttle.example";
    let ids = create_people(&connector, 0..6, domain).await;
    let sku = connector_gemini::MANIFEST
        .license("ai_expanded_access")
        .unwrap();
    for (i, id) in ids.iter().enumerate() {
        let mut who = person(i, domain);
        who.first_name = Some("Renamed".into());
        let account = connector
            .get(&connector_sdk::AccountRef {
                id: id.clone(),
                user_name: who.email.clone(),
            })
            .await
            .unwrap();
        connector.update(&account.reference(), &who).await.unwrap();
        applied(
            connector
                .assign_license(&account.reference(), sku)
                .await
                .unwrap(),
        );
    }
    let (all, _) = list_all(&connector, 4).await;
    assert_eq!(all.len(), 6);
    let stats = admin.stats().await;
    assert!(stats["throttled"].as_u64().unwrap() > 0, "{stats}");
    let log = admin.get("/requests").await;
    assert!(log.as_array().unwrap().iter().any(|e| e["status"] == 403));
    let state = admin.get("/api").await;
    assert!(
        state["users"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["name"]["givenName"] == "Renamed")
    );
    assert_eq!(state["licenses"].as_array().unwrap().len(), 6);
}

/// A person with a Graph `usageLocation` (the `usage_location` custom attribute).
fn located(mut who: Identity, country: &str) -> Identity {
    who.custom
        .insert("usage_location".into(), CustomValue::Text(country.into()));
    who
}

#[tokio::test]
async fn copilot_graph_users_and_licences_end_to_end() {
    let sandbox = Sandbox::builder()
        .manifest(&connector_copilot::MANIFEST)
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let copilot = tenant(&sandbox, "copilot");
    let admin = Admin::of(copilot);
    let connector = connector_copilot::connect(fast(copilot, 5)).unwrap();
    let domain = "copilot.example";

    let ada = person(0, domain);
    let created = connector.create(&ada).await.unwrap();
    assert_eq!(created.user_name, ada.email);
    assert!(created.attributes.get("passwordProfile").is_none());
    let stored = api_user(&admin, "id", &created.id).await.unwrap();
    assert_eq!(stored["accountEnabled"], true);
    assert_eq!(stored["mailNickname"], ada.email.split('@').next().unwrap());
    assert!(stored.get("passwordProfile").is_none());
    assert_eq!(admin.get("/api").await["password_set"], json!([created.id]));
    assert!(
        admin.get("").await["stats"]["tokens_issued"]
            .as_u64()
            .unwrap()
            >= 1
    );

    // Find by UPN, with $select bringing accountEnabled and department.
    let found = connector.find(&ada).await.unwrap().expect("found");
    assert_eq!(found.id, created.id);
    assert!(found.active);
    assert_eq!(
        found.attributes["department"],
        ada.department.clone().unwrap()
    );

    // Graph answers a taken UPN with 400 ObjectConflict: reported with the account found.
    let grace = person(1, domain);
    let seeded = seed(
        &admin,
        json!({"userPrincipalName": grace.email, "displayName": "Grace Hopper", "mailNickname": "grace", "accountEnabled": true}),
    )
    .await;
    let mark = log_len(&admin).await;
    let adopted = existing_account(connector.create(&grace).await);
    assert_eq!(adopted.id, seeded["id"].as_str().unwrap());
    assert!(
        since(&admin, mark)
            .await
            .iter()
            .any(|e| e["method"] == "POST" && e["status"] == 400)
    );

    // Update, then no write the second time.
    let mut promoted = ada.clone();
    promoted.title = Some("Principal Engineer".into());
    let updated = connector
        .update(&created.reference(), &promoted)
        .await
        .unwrap();
    assert_eq!(updated.attributes["jobTitle"], "Principal Engineer");
    assert_eq!(
        api_user(&admin, "id", &created.id).await.unwrap()["jobTitle"],
        "Principal Engineer"
    );
    let mark = log_len(&admin).await;
    connector
        .update(&created.reference(), &promoted)
        .await
        .unwrap();
    assert_eq!(writes_since(&admin, mark).await, Vec::<Value>::new());

    // Disable and enable: accountEnabled.
    connector.disable(&created.reference()).await.unwrap();
    assert_eq!(
        api_user(&admin, "id", &created.id).await.unwrap()["accountEnabled"],
        false
    );
    assert!(!connector.get(&created.reference()).await.unwrap().active);
    connector.enable(&created.reference()).await.unwrap();
    assert_eq!(
        api_user(&admin, "id", &created.id).await.unwrap()["accountEnabled"],
        true
    );

    // List by @odata.nextLink.
    create_people(&connector, 2..5, domain).await;
    let (all, pages) = list_all(&connector, 2).await;
    assert_eq!((all.len(), pages), (5, 3));
    assert!(
        all.iter()
            .all(|a| a.attributes.get("accountEnabled").is_some())
    );
    let log = admin.get("/requests").await;
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .any(|e| e["path"].as_str().unwrap().contains("skiptoken"))
    );

    // Licence: refused without usageLocation, with Graph's message; then assigned.
    let sku = connector_copilot::MANIFEST.license("copilot").unwrap();
    let error = connector
        .assign_license(&created.reference(), sku)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("usage location"), "{error}");
    let ada_us = located(promoted.clone(), "US");
    connector
        .update(&created.reference(), &ada_us)
        .await
        .unwrap();
    assert_eq!(
        api_user(&admin, "id", &created.id).await.unwrap()["usageLocation"],
        "US"
    );
    applied(
        connector
            .assign_license(&created.reference(), sku)
            .await
            .unwrap(),
    );
    let licences = api_user(&admin, "id", &created.id).await.unwrap()["assignedLicenses"].clone();
    assert_eq!(
        licences,
        json!([{"skuId": "639dec6b-bb19-468b-871c-c5c441c4b0cb", "disabledPlans": []}])
    );
    applied(
        connector
            .assign_license(&created.reference(), sku)
            .await
            .unwrap(),
    );
    applied(
        connector
            .revoke_license(&created.reference(), sku)
            .await
            .unwrap(),
    );
    assert_eq!(
        api_user(&admin, "id", &created.id).await.unwrap()["assignedLicenses"],
        json!([])
    );

    // Delete: soft, into deleted items.
    connector.delete(&created.reference()).await.unwrap();
    assert!(api_user(&admin, "id", &created.id).await.is_none());
    let deleted = admin.get("/api").await["deleted"].clone();
    assert_eq!(deleted[0]["id"], created.id.as_str());
    assert!(deleted[0]["deletedDateTime"].is_string());
    assert!(connector.get(&created.reference()).await.is_err());
}

#[tokio::test]
async fn copilot_converges_with_20_percent_injected_5xx() {
    let spec = TenantSpec::for_manifest(&connector_copilot::MANIFEST)
        .faults(Faults::none().error_rate(0.2).seed(7));
    let sandbox = Sandbox::builder()
        .tenant(spec)
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let copilot = tenant(&sandbox, "copilot");
    let admin = Admin::of(copilot);
    let connector = connector_copilot::connect(fast(copilot, 10)).unwrap();
    let domain = "flaky.example";
    let sku = connector_copilot::MANIFEST.license("copilot").unwrap();
    let mut ids = Vec::new();
    for i in 0..6 {
        let who = located(person(i, domain), "GB");
        let account = connector.create(&who).await.unwrap();
        applied(
            connector
                .assign_license(&account.reference(), sku)
                .await
                .unwrap(),
        );
        ids.push(account.id);
    }
    connector
        .disable(&connector_sdk::AccountRef {
            id: ids[0].clone(),
            user_name: String::new(),
        })
        .await
        .unwrap();
    let (all, _) = list_all(&connector, 2).await;
    assert_eq!(all.len(), 6);
    assert!(admin.stats().await["injected_errors"].as_u64().unwrap() > 0);
    let users = api_users(&admin).await;
    assert_eq!(users.len(), 6, "no duplicates");
    assert!(
        users
            .iter()
            .all(|u| u["assignedLicenses"].as_array().unwrap().len() == 1)
    );
    assert_eq!(
        api_user(&admin, "id", &ids[0]).await.unwrap()["accountEnabled"],
        false
    );
}

#[tokio::test]
async fn box_users_groups_and_delete_rules_end_to_end() {
    let sandbox = Sandbox::builder()
        .manifest(&connector_box::MANIFEST)
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let boxed = tenant(&sandbox, "box");
    let admin = Admin::of(boxed);
    let connector = connector_box::connect(fast(boxed, 5)).unwrap();
    let domain = "box.example";

    let ada = person(0, domain);
    let created = connector.create(&ada).await.unwrap();
    let stored = api_user(&admin, "id", &created.id).await.unwrap();
    assert_eq!(
        (stored["login"].clone(), stored["status"].clone()),
        (json!(ada.email), json!("active"))
    );

    let found = connector
        .find(&ada)
        .await
        .unwrap()
        .expect("found by filter_term");
    assert_eq!(found.id, created.id);

    // 409 user_login_already_used: reported with the account found.
    let grace = person(1, domain);
    let seeded = seed(
        &admin,
        json!({"login": grace.email, "name": "Grace Hopper"}),
    )
    .await;
    let adopted = existing_account(connector.create(&grace).await);
    assert_eq!(adopted.id, seeded["id"].as_str().unwrap());

    // Update (PUT), then no write.
    let mut promoted = ada.clone();
    promoted.title = Some("Archivist".into());
    connector
        .update(&created.reference(), &promoted)
        .await
        .unwrap();
    assert_eq!(
        api_user(&admin, "id", &created.id).await.unwrap()["job_title"],
        "Archivist"
    );
    let mark = log_len(&admin).await;
    connector
        .update(&created.reference(), &promoted)
        .await
        .unwrap();
    assert_eq!(writes_since(&admin, mark).await, Vec::<Value>::new());

    // Disable and enable: status.
    connector.disable(&created.reference()).await.unwrap();
    assert_eq!(
        api_user(&admin, "id", &created.id).await.unwrap()["status"],
        "inactive"
    );
    assert!(!connector.get(&created.reference()).await.unwrap().active);
    connector.enable(&created.reference()).await.unwrap();
    assert_eq!(
        api_user(&admin, "id", &created.id).await.unwrap()["status"],
        "active"
    );

    // List by offset up to total_count.
    create_people(&connector, 2..5, domain).await;
    let (all, pages) = list_all(&connector, 2).await;
    assert_eq!((all.len(), pages), (5, 3));
    let log = admin.get("/requests").await;
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .any(|e| e["path"].as_str().unwrap().contains("offset=4"))
    );

    // Box AI: membership of the Box AI group; revoke finds it by lookup.
    let sku = connector_box::MANIFEST.license("box_ai").unwrap();
    let account = created.reference();
    applied(connector.assign_license(&account, sku).await.unwrap());
    let memberships = admin.get("/api").await["memberships"].clone();
    assert_eq!(memberships.as_array().unwrap().len(), 1);
    assert_eq!(memberships[0]["user"]["id"], created.id.as_str());
    assert_eq!(
        memberships[0]["group"]["id"],
        boxed.variables()["box_ai_group_id"].as_str()
    );
    applied(connector.assign_license(&account, sku).await.unwrap());
    applied(connector.revoke_license(&account, sku).await.unwrap());
    assert_eq!(admin.get("/api").await["memberships"], json!([]));
    applied(connector.revoke_license(&account, sku).await.unwrap());

    // Delete: refused while the user owns content, and the error says why.
    admin
        .put(
            &format!("/api/users/{}/owns-content", created.id),
            &json!(true),
        )
        .await;
    let error = connector.delete(&account).await.unwrap_err();
    assert!(error.to_string().contains("managed content"), "{error}");
    assert!(api_user(&admin, "id", &created.id).await.is_some());
    admin
        .put(
            &format!("/api/users/{}/owns-content", created.id),
            &json!(false),
        )
        .await;
    connector.delete(&account).await.unwrap();
    assert!(api_user(&admin, "id", &created.id).await.is_none());
}

#[tokio::test]
async fn box_token_endpoint_checks_the_enterprise() {
    let sandbox = Sandbox::builder()
        .manifest(&connector_box::MANIFEST)
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let boxed = tenant(&sandbox, "box");
    let mut config = fast(boxed, 2);
    config.variables.insert("enterprise_id".into(), "42".into());
    let connector = connector_box::connect(config).unwrap();
    let error = connector.find(&person(0, "box.example")).await.unwrap_err();
    assert!(
        error.to_string().contains("invalid_grant") || error.to_string().contains("400"),
        "{error}"
    );
}

#[tokio::test]
async fn box_ping_reports_the_service_account_the_token_acts_as() {
    let sandbox = Sandbox::builder()
        .manifest(&connector_box::MANIFEST)
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let boxed = tenant(&sandbox, "box");
    let admin = Admin::of(boxed);
    let service_account = admin.get("/api").await["service_account"].clone();
    let login = service_account["login"].as_str().unwrap().to_owned();
    assert!(
        login.starts_with("AutomationUser_123456_") && login.ends_with("@boxdevedition.com"),
        "{login}"
    );
    let connector = connector_box::connect(fast(boxed, 2)).unwrap();

    let mark = log_len(&admin).await;
    let ping = connector.ping().await.unwrap();
    assert_eq!(ping.identity.as_deref(), Some(login.as_str()));
    assert_eq!(ping.call, "GET /users/me");
    let calls: Vec<(String, String)> = since(&admin, mark)
        .await
        .iter()
        .map(|e| {
            (
                e["method"].as_str().unwrap().to_owned(),
                e["path"].as_str().unwrap().to_owned(),
            )
        })
        .filter(|(_, path)| path.starts_with("/2.0/"))
        .collect();
    assert_eq!(calls, [("GET".to_owned(), "/2.0/users/me".to_owned())]);

    // The user object of "Get current user", and a 401 without a valid token.
    let me = format!("{}/users/me", boxed.api_url());
    let answer = common::send(Method::GET, &me, Some(boxed.token().expose()), None).await;
    assert_eq!(answer.status, reqwest::StatusCode::OK);
    assert_eq!(
        (answer.body["type"].clone(), answer.body["login"].clone()),
        (json!("user"), json!(login))
    );
    assert!(answer.body["id"].is_string() && answer.body["name"].is_string());
    let refused = common::send(Method::GET, &me, Some("made-up"), None).await;
    assert_eq!(refused.status, reqwest::StatusCode::UNAUTHORIZED);
}

/// GitHub's managed login prefix: the lowercased local part, normalized (`.` → `-`).
fn github_user_name(who: &Identity) -> String {
    who.email
        .split('@')
        .next()
        .unwrap_or_default()
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

#[tokio::test]
async fn github_copilot_capability_suite_and_seats() {
    let sandbox = Sandbox::builder()
        .manifest(&connector_github_copilot::MANIFEST)
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let github = tenant(&sandbox, "github_copilot");
    assert!(
        github.scim_url().ends_with("/scim/v2/enterprises/acme"),
        "{}",
        github.scim_url()
    );
    let connector = connector_github_copilot::connect(fast(github, 5)).unwrap();
    let report =
        connector_tests::CapabilitySuite::new(&connector, github, |i| person(i, "github.example"))
            .user_name(github_user_name)
            .run()
            .await;
    for step in [
        "create", "get", "find", "existing", "update", "list", "disable", "enable", "delete",
    ] {
        assert!(report.passed(step), "step `{step}` did not pass:\n{report}");
    }

    // Seats: the managed login is `{userName}_{shortcode}`.
    let admin = Admin::of(github);
    admin.call(Method::POST, "/reset", None).await;
    let ada = Identity {
        id: "00u-ada".into(),
        login: "ada.lovelace@github.example".into(),
        email: "ada.lovelace@github.example".into(),
        first_name: Some("Ada".into()),
        last_name: Some("Lovelace".into()),
        ..Identity::default()
    };
    let account = connector.create(&ada).await.unwrap();
    assert_eq!(account.user_name, "ada-lovelace");
    let sku = connector_github_copilot::MANIFEST
        .license("copilot")
        .unwrap();
    applied(
        connector
            .assign_license(&account.reference(), sku)
            .await
            .unwrap(),
    );
    let seats = admin.get("/api").await["seats"].clone();
    assert_eq!(seats.as_array().unwrap().len(), 1);
    assert_eq!(seats[0]["assignee"]["login"], "ada-lovelace_acme");
    assert!(seats[0]["pending_cancellation_date"].is_null());
    let log = admin.get("/requests").await;
    assert!(
        log.as_array().unwrap().iter().any(|e| e["path"]
            == "/orgs/acme-engineering/copilot/billing/selected_users"
            && e["status"] == 201),
        "{log}"
    );
    applied(
        connector
            .assign_license(&account.reference(), sku)
            .await
            .unwrap(),
    );
    applied(
        connector
            .revoke_license(&account.reference(), sku)
            .await
            .unwrap(),
    );
    let seats = admin.get("/api").await["seats"].clone();
    assert!(seats[0]["pending_cancellation_date"].is_string(), "{seats}");
    // A login the enterprise does not have is refused (422), and the error surfaces.
    let stranger = connector_sdk::AccountRef {
        id: "x".into(),
        user_name: "nobody".into(),
    };
    assert!(connector.assign_license(&stranger, sku).await.is_err());
}

/// The account a create refused because it exists reports (never adopted).
fn existing_account(
    created: connector_sdk::Result<connector_sdk::Account>,
) -> connector_sdk::Account {
    match created {
        Err(connector_sdk::Error::AlreadyExists { existing, .. }) => *existing,
        other => panic!("expected AlreadyExists, got {other:?}"),
    }
}
