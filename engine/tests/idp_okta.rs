//! `connector sso apply`'s engine side against the sandbox's emulated Okta over loopback:
//! apps created from their definitions and found again (a second plan is empty), a
//! changed definition updating the app, groups assigned and unassigned as the rules
//! say (removals stopped by the breaker unless allowed), the IdP metadata of a created
//! SAML app, a token without `okta.apps.manage` (the scope named, nothing created), and
//! labels that match two apps or an app the toolkit did not create (stop, name them).

mod common;

use std::path::Path;

use common::registry;
use connector_engine::Assignments;
use connector_engine::idp::{
    AppAction, AppRole, DesiredApp, Done, IdpError, OktaApps, desired_groups,
};
use connector_sandbox::{OktaApp, OktaOrg, RateLimitConfig, Sandbox, SandboxHandle, TenantSpec};
use connector_sdk::Identity;
use serde_json::{Value, json};

/// Person `i` at example.com in `groups`.
fn person(i: usize, groups: &[&str]) -> Identity {
    let mut who = connector_tests::people::person(i, "example.com");
    who.groups = groups.iter().map(|g| (*g).to_owned()).collect();
    who
}

async fn start(org: OktaOrg) -> SandboxHandle {
    connector_tests::install_crypto_provider();
    Sandbox::builder()
        .tenant(
            TenantSpec::okta("okta", org)
                .token("okta-token")
                .rate_limit(RateLimitConfig::off()),
        )
        .start("127.0.0.1:0")
        .await
        .unwrap()
}

/// Carol, whom the `[[sso]]` rule names one by one.
const CAROL: &str = "carol@example.com";

fn org() -> OktaOrg {
    let mut carol = person(4, &["legal"]);
    carol.login = CAROL.into();
    carol.email = CAROL.into();
    OktaOrg::new()
        .person(person(1, &["engineering"]))
        .person(person(2, &["engineering", "sales"]))
        .person(person(3, &["sales"]))
        .person(carol)
}

/// The assignments: ChatGPT signed in by `sso_groups` and Carol, at most `max_removals`
/// removals.
fn assignments(sandbox: &SandboxHandle, sso_groups: &[&str], max_removals: u32) -> Assignments {
    with_people(sandbox, sso_groups, &[CAROL], max_removals)
}

/// The assignments: ChatGPT signed in by `sso_groups` and `people`.
fn with_people(
    sandbox: &SandboxHandle,
    sso_groups: &[&str],
    people: &[&str],
    max_removals: u32,
) -> Assignments {
    let quote = |items: &[&str]| -> String {
        items
            .iter()
            .map(|g| format!("\"{g}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let text = format!(
        "[idp.okta]\nurl = \"{}\"\ntoken_env = \"OKTA_API_TOKEN\"\n\n\
         [instances.chatgpt]\nconnector = \"chatgpt\"\nbase_url = \"http://127.0.0.1:9/scim\"\n\
         token_env = \"CHATGPT_TOKEN\"\n\n[instances.chatgpt.policy]\nmax_removals = {max_removals}\n\n\
         [[provision]]\ninstance = \"chatgpt\"\ngroups = [\"sales\"]\n\n\
         [[sso]]\ninstance = \"chatgpt\"\ngroups = [{}]\npeople = [{}]\n",
        sandbox.tenant("okta").unwrap().api_url(),
        quote(sso_groups),
        quote(people)
    );
    Assignments::parse(Path::new("assignments.toml"), &text, &registry()).unwrap()
}

/// A SAML app and its bookmark tile, as `connector-sso` generates them for ChatGPT.
fn desired(assignments: &Assignments, audience: &str) -> Vec<DesiredApp> {
    let (groups, _, _) = desired_groups(assignments, "chatgpt", connector_engine::clock::now());
    let saml = json!({
        "label": "ChatGPT",
        "visibility": {"autoSubmitToolbar": false, "hide": {"iOS": true, "web": true}},
        "features": [],
        "signOnMode": "SAML_2_0",
        "credentials": {"userNameTemplate": {"template": "${source.email}", "type": "BUILT_IN"}},
        "settings": {"signOn": {
            "ssoAcsUrl": "https://auth0.openai.com/login/callback?connection=acme",
            "audience": audience,
            "recipient": "https://auth0.openai.com/login/callback?connection=acme",
            "destination": "https://auth0.openai.com/login/callback?connection=acme",
            "subjectNameIdTemplate": "${user.userName}",
            "subjectNameIdFormat": "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
            "responseSigned": true, "assertionSigned": true,
            "signatureAlgorithm": "RSA_SHA256", "digestAlgorithm": "SHA256",
            "attributeStatements": [],
        }},
    });
    let tile = json!({
        "name": "bookmark", "label": "ChatGPT", "signOnMode": "BOOKMARK",
        "settings": {"app": {"requestIntegration": false, "url": "https://chatgpt.com/auth/login"}},
    });
    vec![
        DesiredApp {
            instance: "chatgpt".into(),
            role: AppRole::SignOn,
            body: saml,
            groups: groups.clone(),
        },
        DesiredApp {
            instance: "chatgpt".into(),
            role: AppRole::Tile,
            body: tile,
            groups,
        },
    ]
}

fn client(sandbox: &SandboxHandle) -> OktaApps {
    let org = sandbox.tenant("okta").unwrap();
    OktaApps::new(org.api_url(), org.token()).unwrap()
}

/// The org as its admin API shows it.
async fn admin_state(sandbox: &SandboxHandle) -> Value {
    let org = sandbox.tenant("okta").unwrap();
    reqwest::Client::new()
        .get(format!("{}/okta", org.admin_url()))
        .bearer_auth(org.admin_token().expose())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The group names assigned to the app labelled `label` with `mode`.
fn app_groups(state: &Value, label: &str, mode: &str) -> Vec<String> {
    let app = state["apps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["label"] == label && a["signOnMode"] == mode)
        .unwrap_or_else(|| panic!("no {mode} app {label}: {state}"));
    let names = |id: &Value| {
        state["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| &g["id"] == id)
            .map(|g| g["profile"]["name"].as_str().unwrap().to_owned())
            .unwrap()
    };
    app["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(names)
        .collect()
}

#[tokio::test]
async fn apps_are_created_found_again_updated_and_assigned() {
    let sandbox = start(org()).await;
    let okta = client(&sandbox);
    let config = assignments(&sandbox, &["engineering"], 0);
    let apps = desired(&config, "https://auth0.openai.com/acme");

    let plan = okta.plan(&config, &apps, false).await.unwrap();
    assert_eq!(plan.apps.len(), 2);
    assert!(
        plan.apps.iter().all(|a| a.action == AppAction::Create),
        "{plan:?}"
    );
    assert_eq!(plan.apps[0].assign[0].name, "engineering");
    assert_eq!(plan.apps[0].assign_people[0].name, CAROL);
    let report = okta.apply(&plan).await;
    assert_eq!(report.error, None);
    assert_eq!(
        report.apps[0].done,
        [
            Done::Created,
            Done::Assigned {
                group: "engineering".into()
            },
            Done::AssignedPerson {
                person: CAROL.into()
            }
        ]
    );
    let saml_id = report.apps[0].id.clone();
    assert!(saml_id.starts_with("0oa"), "{saml_id}");
    let state = admin_state(&sandbox).await;
    assert_eq!(app_groups(&state, "ChatGPT", "SAML_2_0"), ["engineering"]);
    assert_eq!(app_groups(&state, "ChatGPT", "BOOKMARK"), ["engineering"]);

    // Found again by its marker: nothing to do, no second app.
    let again = okta.plan(&config, &apps, false).await.unwrap();
    assert!(again.is_empty(), "{again:?}");
    assert!(matches!(&again.apps[0].action, AppAction::Keep { id } if *id == saml_id));
    assert_eq!(okta.apply(&again).await.changes(), 0);
    assert_eq!(
        admin_state(&sandbox).await["apps"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // The IdP metadata carries the app's own certificate.
    let metadata = okta.metadata(&saml_id).await.unwrap();
    assert!(metadata.contains("<ds:X509Certificate>MII"), "{metadata}");
    assert!(
        metadata.contains(&format!("exk{}", saml_id.trim_start_matches("0oa"))),
        "{metadata}"
    );

    // A changed definition is a PUT of that app.
    let changed = desired(&config, "https://auth0.openai.com/acme-2");
    let plan = okta.plan(&config, &changed, false).await.unwrap();
    assert!(
        matches!(&plan.apps[0].action, AppAction::Update { id, changed } if *id == saml_id && changed == &["settings.signOn.audience"]),
        "{:?}",
        plan.apps[0].action
    );
    assert!(matches!(plan.apps[1].action, AppAction::Keep { .. }));
    let report = okta.apply(&plan).await;
    assert_eq!(report.apps[0].done, [Done::Updated]);
    assert_eq!(
        report.apps[0].app["settings"]["signOn"]["audience"],
        "https://auth0.openai.com/acme-2"
    );

    // The rules move sign-in from engineering to sales: two removals over max 0.
    let moved = assignments(&sandbox, &["sales"], 0);
    let apps = desired(&moved, "https://auth0.openai.com/acme-2");
    let plan = okta.plan(&moved, &apps, false).await.unwrap();
    assert_eq!(plan.tripped().len(), 1, "{plan:?}");
    assert_eq!(plan.removals[0].count, 2);
    let report = okta.apply(&plan).await;
    assert_eq!(report.tripped, ["chatgpt"]);
    assert_eq!(report.changes(), 0);
    assert_eq!(
        app_groups(&admin_state(&sandbox).await, "ChatGPT", "SAML_2_0"),
        ["engineering"]
    );
    // Allowed: sales assigned, engineering unassigned, in both apps.
    let plan = okta.plan(&moved, &apps, true).await.unwrap();
    let report = okta.apply(&plan).await;
    assert_eq!(report.error, None);
    assert_eq!(
        report.apps[1].done,
        [
            Done::Assigned {
                group: "sales".into()
            },
            Done::Unassigned {
                group: "engineering".into()
            }
        ]
    );
    let state = admin_state(&sandbox).await;
    assert_eq!(app_groups(&state, "ChatGPT", "SAML_2_0"), ["sales"]);
    assert_eq!(app_groups(&state, "ChatGPT", "BOOKMARK"), ["sales"]);
}

#[tokio::test]
async fn a_token_without_the_apps_scope_is_named_and_nothing_is_created() {
    let sandbox = start(org()).await;
    let org = sandbox.tenant("okta").unwrap();
    let status = reqwest::Client::new()
        .put(format!("{}/okta/faults", org.admin_url()))
        .bearer_auth(org.admin_token().expose())
        .json(&json!({"missing_scopes": ["okta.apps.manage"]}))
        .send()
        .await
        .unwrap()
        .status();
    assert!(status.is_success(), "{status}");
    let okta = client(&sandbox);
    let config = assignments(&sandbox, &["engineering"], 5);
    let plan = okta
        .plan(&config, &desired(&config, "https://a"), false)
        .await
        .unwrap();
    let report = okta.apply(&plan).await;
    let error = report.error.clone().expect("refused");
    assert!(
        matches!(&error, IdpError::MissingScope { scope, request, .. } if scope == "okta.apps.manage" && request == "POST /api/v1/apps"),
        "{error}"
    );
    let text = error.to_string();
    assert!(
        text.contains("lacks the scope `okta.apps.manage`"),
        "{text}"
    );
    assert!(!text.contains("okta-token"), "{text}");
    assert_eq!(report.changes(), 0);
    assert_eq!(
        admin_state(&sandbox).await["apps"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

#[tokio::test]
async fn a_label_matching_two_apps_stops_and_names_both() {
    let duplicated = org()
        .app(OktaApp::new("0oadup1", "ChatGPT"))
        .app(OktaApp::new("0oadup2", "ChatGPT"));
    let sandbox = start(duplicated).await;
    let config = assignments(&sandbox, &["engineering"], 5);
    let error = client(&sandbox)
        .plan(&config, &desired(&config, "https://a"), false)
        .await
        .unwrap_err();
    let text = error.to_string();
    assert!(
        matches!(&error, IdpError::Duplicate { ids, .. } if ids == &["0oadup1", "0oadup2"]),
        "{text}"
    );
    assert!(text.contains("0oadup1, 0oadup2"), "{text}");

    let sandbox = start(org().app(OktaApp::new("0oahand", "ChatGPT"))).await;
    let config = assignments(&sandbox, &["engineering"], 5);
    let error = client(&sandbox)
        .plan(&config, &desired(&config, "https://a"), false)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, IdpError::Unmarked { id, .. } if id == "0oahand"),
        "{error}"
    );
    assert!(
        error
            .to_string()
            .contains("Managed by connector-toolkit: instance=chatgpt role=sign_on")
    );
}

#[tokio::test]
async fn a_group_okta_does_not_have_stops_the_plan() {
    let sandbox = start(org()).await;
    let config = assignments(&sandbox, &["enginering"], 5);
    let error = client(&sandbox)
        .plan(&config, &desired(&config, "https://a"), false)
        .await
        .unwrap_err();
    assert!(
        error.to_string().starts_with(
            "chatgpt: the group `enginering` (from the [[sso]] rules) is not an Okta group"
        ),
        "{error}"
    );
}

#[tokio::test]
async fn a_token_that_cannot_read_apps_names_the_read_scope() {
    let sandbox = start(org()).await;
    let org = sandbox.tenant("okta").unwrap();
    reqwest::Client::new()
        .put(format!("{}/okta/faults", org.admin_url()))
        .bearer_auth(org.admin_token().expose())
        .json(&json!({"missing_scopes": ["okta.apps.read", "okta.apps.manage"]}))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    let config = assignments(&sandbox, &["engineering"], 5);
    let error = client(&sandbox)
        .plan(&config, &desired(&config, "https://a"), false)
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("403 Forbidden to GET"), "{error}");
    assert!(
        error.ends_with("(the token lacks the scope `okta.apps.read`)"),
        "{error}"
    );
}

#[test]
fn without_sso_rules_the_provision_groups_sign_in() {
    let text = "[instances.zoom]\nconnector = \"zoom\"\ntoken_env = \"ZOOM_TOKEN\"\n\n\
                [[provision]]\ninstance = \"zoom\"\ngroups = [\"design\", \"sales\"]\n\n\
                [[provision]]\ninstance = \"zoom\"\ngroups = [\"legal\"]\nuntil = 2020-01-01\n\n\
                [[provision]]\ninstance = \"zoom\"\ngroups = [\"design\", \"ops\"]\n";
    let config = Assignments::parse(Path::new("a.toml"), text, &registry()).unwrap();
    let (groups, people, source) = desired_groups(&config, "zoom", connector_engine::clock::now());
    assert_eq!(groups, ["design", "sales", "ops"]);
    assert!(people.is_empty());
    assert_eq!(source, connector_engine::idp::GroupSource::Provision);
    assert!(config.idp.is_none(), "no [idp.okta] and no Okta directory");
}

#[test]
fn idp_okta_is_checked_and_falls_back_to_the_okta_directory() {
    let bad = "[idp.okta]\nurl = \"acme.okta.com\"\ntoken_env = \"00abcSecretToken\"\n";
    let error = Assignments::parse(Path::new("a.toml"), bad, &registry())
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("a.toml:2:7: the Okta `url` `acme.okta.com` must be an http(s) URL"),
        "{error}"
    );
    assert!(
        error.contains("a.toml:3:13: expected the NAME of an environment variable"),
        "{error}"
    );
    let directory =
        "[directory.okta]\nurl = \"https://acme.okta.com/\"\ntoken_env = \"OKTA_API_TOKEN\"\n";
    let config = Assignments::parse(Path::new("a.toml"), directory, &registry()).unwrap();
    let idp = config.idp.unwrap();
    assert_eq!(
        (idp.url.as_str(), idp.token_env.as_str(), idp.from_directory),
        ("https://acme.okta.com", "OKTA_API_TOKEN", true)
    );
}

#[tokio::test]
async fn apply_stops_at_the_first_refusal_and_reports_what_was_done() {
    let sandbox = start(org()).await;
    let okta = client(&sandbox);
    let config = assignments(&sandbox, &["engineering"], 5);
    let mut plan = okta
        .plan(&config, &desired(&config, "https://a"), false)
        .await
        .unwrap();
    // The tile's group vanished from Okta between plan and apply.
    plan.apps[1].assign[0].id = "00gvanished000000000".into();
    let report = okta.apply(&plan).await;
    assert_eq!(report.apps.len(), 2);
    assert_eq!(
        report.apps[0].done,
        [
            Done::Created,
            Done::Assigned {
                group: "engineering".into()
            },
            Done::AssignedPerson {
                person: CAROL.into()
            }
        ]
    );
    assert_eq!(
        report.apps[1].done,
        [Done::Created],
        "created, then refused"
    );
    assert_eq!(report.changes(), 4);
    let error = report.error.unwrap().to_string();
    assert!(
        error.starts_with("Okta answered 404 to PUT /api/v1/apps/")
            && error.contains("/groups/00gvanished000000000: Not found"),
        "{error}"
    );
}

#[tokio::test]
async fn people_named_one_by_one_are_assigned_directly_and_removed_under_the_breaker() {
    let sandbox = start(org()).await;
    let okta = client(&sandbox);
    let config = assignments(&sandbox, &["engineering"], 0);
    let apps = desired(&config, "https://a");
    let report = okta
        .apply(&okta.plan(&config, &apps, false).await.unwrap())
        .await;
    assert_eq!(report.error, None);
    let state = admin_state(&sandbox).await;
    let carol = state["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["profile"]["login"] == CAROL)
        .unwrap()["id"]
        .clone();
    assert!(
        state["apps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["users"] == json!([carol])),
        "{state}"
    );
    // Carol is no longer named: two direct assignments to remove, over max 0.
    let without = with_people(&sandbox, &["engineering"], &[], 0);
    let plan = okta.plan(&without, &apps, false).await.unwrap();
    assert_eq!(plan.removals[0].count, 2);
    assert!(plan.removals[0].tripped);
    let plan = okta.plan(&without, &apps, true).await.unwrap();
    let report = okta.apply(&plan).await;
    assert_eq!(
        report.apps[0].done,
        [Done::UnassignedPerson {
            person: CAROL.into()
        }]
    );
    let state = admin_state(&sandbox).await;
    assert!(
        state["apps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["users"] == json!([])),
        "{state}"
    );
    // A person Okta does not have stops the plan.
    let unknown = with_people(&sandbox, &["engineering"], &["nobody@example.com"], 5);
    let error = okta
        .plan(&unknown, &apps, false)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with(
            "chatgpt: the person `nobody@example.com` named by a rule is not an Okta user"
        ),
        "{error}"
    );
}
