//! `ScimConnector` with `api`-mode seats assigned outside SCIM, through the manifest's
//! declared licence operations (shaped like GitHub Copilot's seat API, on another path
//! of the API host than the SCIM base URL).

mod common;

use common::{BASE, TOKEN, TestUser, config};
use connector_sdk::manifest::{
    HttpMethod, LicenseMode, LicenseSku, Manifest, Provisioning, RestBody, RestDescription,
    RestOperation, Variable,
};
use connector_sdk::mapping::MappingError;
use connector_sdk::scim::{CORE_USER_SCHEMA, ScimApp, ScimConnector};
use connector_sdk::{AccountRef, Connector, Error, Identity, LicenseOutcome, Operation};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SEATS: &str = "{api_url}/orgs/{org}/copilot/billing/selected_users";
const BODY: &str = r#"{"selected_usernames": ["{account.user_name}_{shortcode}"]}"#;

const fn seat_op(name: Operation, method: HttpMethod) -> RestOperation {
    RestOperation {
        name,
        method,
        path: SEATS,
        query: &[],
        body: RestBody::Template(BODY),
        success: &[],
        not_found: &[404],
        conflict: &[409],
        already_done: &[],
        already_done_when: &[],
        items: None,
        next_cursor: None,
        next_url: None,
        total: None,
        lookup: None,
        identity: None,
    }
}

static COPILOT: Manifest = Manifest {
    variables: &[
        Variable {
            name: "api_url",
            description: "API host",
            example: "https://api.github.com",
            default: Some("https://api.github.com"),
        },
        Variable {
            name: "org",
            description: "Organization",
            example: "acme",
            default: None,
        },
        Variable {
            name: "shortcode",
            description: "Enterprise short code",
            example: "acme",
            default: None,
        },
    ],
    provisioning: Provisioning {
        rest: Some(RestDescription {
            account: None,
            group: None,
            operations: &[
                seat_op(Operation::AssignLicense, HttpMethod::Post),
                seat_op(Operation::RevokeLicense, HttpMethod::Delete),
            ],
        }),
        ..BASE.provisioning
    },
    licenses: &[LicenseSku {
        name: "copilot",
        display_name: "GitHub Copilot seat",
        mode: LicenseMode::Api,
        attribute: None,
        group: None,
        instructions: None,
        console_url: None,
        params: &[],
    }],
    ..BASE
};

struct Copilot;

impl ScimApp for Copilot {
    type User = TestUser;
    const USER_SCHEMAS: &'static [&'static str] = &[CORE_USER_SCHEMA];
    const MANAGED_ATTRIBUTES: &'static [&'static str] = &["userName"];
    fn manifest() -> &'static Manifest {
        &COPILOT
    }
    fn map_identity(who: &Identity) -> Result<TestUser, MappingError> {
        Ok(TestUser {
            schemas: Vec::new(),
            user_name: who.login.clone(),
            external_id: None,
            name: Default::default(),
            emails: Vec::new(),
            enterprise: Default::default(),
        })
    }
}

#[tokio::test]
async fn api_seats_use_the_declared_operations() {
    let server = MockServer::start().await;
    let seats = "/orgs/acme/copilot/billing/selected_users";
    let body = json!({"selected_usernames": ["ada_acme"]});
    Mock::given(method("POST"))
        .and(path(seats))
        .and(body_json(&body))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"seats_created": 1})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(seats))
        .and(body_json(&body))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"seats_cancelled": 1})))
        .expect(1)
        .mount(&server)
        .await;
    let config = config(&server)
        .with_variable("api_url", server.uri())
        .with_variable("org", "acme")
        .with_variable("shortcode", "acme");
    let connector = ScimConnector::<Copilot>::new(config).unwrap();
    let ada = AccountRef {
        id: "u-1".to_owned(),
        user_name: "ada".to_owned(),
    };
    let sku = COPILOT.license("copilot").unwrap();
    let assigned = connector.assign_license(&ada, sku).await.unwrap();
    assert_eq!(assigned, LicenseOutcome::Applied);
    let revoked = connector.revoke_license(&ada, sku).await.unwrap();
    assert_eq!(revoked, LicenseOutcome::Applied);
}

#[tokio::test]
async fn unset_variables_without_default_are_config_errors() {
    let server = MockServer::start().await;
    // `api_url` falls back to its default; `org` has none.
    let connector = ScimConnector::<Copilot>::new(config(&server)).unwrap();
    let ada = AccountRef {
        id: "u-1".to_owned(),
        user_name: "ada".to_owned(),
    };
    let error = connector
        .assign_license(&ada, COPILOT.license("copilot").unwrap())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Config(_)), "{error:?}");
    assert!(
        error.to_string().contains("not a tenant variable"),
        "{error}"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}
