//! Test fixtures: hand-written manifests and `ScimApp`s (generated ones come from
//! codegen), a typed User, a person, and helpers for mock SCIM servers on 127.0.0.1.
#![allow(dead_code)]

use std::time::Duration;

use connector_sdk::manifest::{
    Auth, Capability, DeactivateMethod, LicenseAttribute, LicenseMode, LicenseSku, Manifest,
    PatchStyle, Plan, Protocol, Provisioning, RateLimit, ScimDialect, Sso, SsoProtocol,
    UpdateMethod,
};
use connector_sdk::mapping::MappingError;
use connector_sdk::scim::{
    CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA, EnterpriseUser, MultiValue, Name, ScimApp,
    ScimConnector,
};
use connector_sdk::{Identity, InstanceConfig, RateLimitSetting, RetryPolicy, Secret};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use wiremock::MockServer;

/// The bearer token the tests use; no error may ever show it.
pub(crate) const TOKEN: &str = "s3cret-test-token-0123456789";
/// The extension attribute that carries the `ai_seat` licence.
pub(crate) const SEAT_PATH: &str = "urn:example:params:scim:schemas:extension:test:2.0:User:aiSeat";
/// The environment variable the test manifests name for the token (never set).
pub(crate) const UNSET_TOKEN_ENV: &str = "CONNECTOR_SDK_TEST_TOKEN_NEVER_SET";

const ALL: &[Capability] = &Capability::ALL;

const DIALECT: ScimDialect = ScimDialect {
    update: UpdateMethod::Patch,
    deactivate: DeactivateMethod::PatchActive,
    patch_style: PatchStyle::Path,
    filter_attribute: Some("userName"),
    page_size: 100,
    user_agent: None,
    group_members_per_request: 1000,
    group_members_listed: true,
};

const LICENSES: &[LicenseSku] = &[
    LicenseSku {
        name: "ai_seat",
        display_name: "AI seat",
        mode: LicenseMode::Attribute,
        attribute: Some(LicenseAttribute {
            path: SEAT_PATH,
            assign: "true",
            revoke: "false",
        }),
        group: None,
        instructions: None,
        console_url: None,
        params: &[],
    },
    LicenseSku {
        name: "ai_group",
        display_name: "AI group seat",
        mode: LicenseMode::Group,
        attribute: None,
        group: Some("AI Users"),
        instructions: None,
        console_url: None,
        params: &[],
    },
    LicenseSku {
        name: "ai_manual",
        display_name: "AI add-on",
        mode: LicenseMode::Manual,
        attribute: None,
        group: None,
        instructions: Some("open Billing > Seats and toggle the AI add-on"),
        console_url: Some("https://{tenant}.example.com/admin/billing"),
        params: &[],
    },
    LicenseSku {
        name: "ai_auto",
        display_name: "AI included",
        mode: LicenseMode::Automatic,
        attribute: None,
        group: None,
        instructions: None,
        console_url: None,
        params: &[],
    },
    LicenseSku {
        name: "ai_api",
        display_name: "AI via API",
        mode: LicenseMode::Api,
        attribute: None,
        group: None,
        instructions: None,
        console_url: None,
        params: &[],
    },
];

/// The manifest every test app varies.
pub(crate) const BASE: Manifest = Manifest {
    name: "test",
    display_name: "Test",
    vendor: "Test Inc.",
    product: "Test AI",
    docs_url: "https://example.com/docs/scim",
    plan: Plan {
        sso: "Enterprise",
        provisioning: "Enterprise",
    },
    variables: &[],
    auth: Auth::Bearer {
        token_env: UNSET_TOKEN_ENV,
    },
    provisioning: Provisioning {
        protocol: Protocol::Scim2,
        base_url: "https://{tenant}.example.com/scim/v2",
        capabilities: ALL,
        dialect: DIALECT,
        rate_limit: None,
        throttle: &[],
        rest: None,
    },
    attributes: &[],
    licenses: LICENSES,
    sso: Sso {
        protocols: &[SsoProtocol::Saml2],
        sp_initiated_only: false,
        login_url: None,
        acs_url: None,
        entity_id: None,
        name_id_format: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
        attributes: &[],
        federation: None,
    },
    sources: &[],
};

/// `BASE` with another dialect.
const fn with_dialect(dialect: ScimDialect) -> Manifest {
    Manifest {
        provisioning: Provisioning {
            dialect,
            ..BASE.provisioning
        },
        ..BASE
    }
}

pub(crate) static PATH: Manifest = BASE;
pub(crate) static PATHLESS: Manifest = with_dialect(ScimDialect {
    patch_style: PatchStyle::Pathless,
    ..DIALECT
});
pub(crate) static PUT: Manifest = with_dialect(ScimDialect {
    update: UpdateMethod::Put,
    deactivate: DeactivateMethod::PutActive,
    ..DIALECT
});
pub(crate) static SLACK_LIKE: Manifest = with_dialect(ScimDialect {
    deactivate: DeactivateMethod::Delete,
    filter_attribute: Some("emails"),
    ..DIALECT
});
pub(crate) static NO_FILTER: Manifest = with_dialect(ScimDialect {
    filter_attribute: None,
    page_size: 2,
    ..DIALECT
});
pub(crate) static USER_AGENT: Manifest = with_dialect(ScimDialect {
    user_agent: Some("Vendor-Required-Agent/1.0"),
    group_members_per_request: 1000,
    group_members_listed: true,
    ..DIALECT
});
pub(crate) static NOTHING: Manifest = Manifest {
    provisioning: Provisioning {
        capabilities: &[],
        ..BASE.provisioning
    },
    ..BASE
};
pub(crate) static RATE_LIMITED: Manifest = Manifest {
    provisioning: Provisioning {
        rate_limit: Some(RateLimit {
            requests: 10,
            period_ms: 1000,
            burst: 1,
        }),
        ..BASE.provisioning
    },
    ..BASE
};
pub(crate) static OAUTH: Manifest = Manifest {
    auth: Auth::OAuth2ClientCredentials {
        token_url: "https://{tenant}.example.com/oauth/token",
        grant_type: "account_credentials",
        client_id_env: "CONNECTOR_SDK_TEST_ID_NEVER_SET",
        client_secret_env: "CONNECTOR_SDK_TEST_SECRET_NEVER_SET",
        scopes: &["user:read", "user:write"],
        params: &[("account_id", "{tenant}")],
    },
    ..BASE
};

/// The attributes the test mapping manages, in PATCH form.
pub(crate) const MANAGED: &[&str] = &[
    "userName",
    "externalId",
    "name.givenName",
    "name.familyName",
    "emails",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
];

/// The typed User of the test service, as codegen would generate it.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TestUser {
    #[serde(default)]
    pub schemas: Vec<String>,
    pub user_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    #[serde(default, skip_serializing_if = "Name::is_empty")]
    pub name: Name,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<MultiValue>,
    #[serde(
        rename = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
        default,
        skip_serializing_if = "EnterpriseUser::is_empty"
    )]
    pub enterprise: EnterpriseUser,
}

/// Declares a test `ScimApp` over a manifest.
macro_rules! app {
    ($name:ident, $manifest:ident) => {
        pub(crate) struct $name;
        impl ScimApp for $name {
            type User = TestUser;
            const USER_SCHEMAS: &'static [&'static str] =
                &[CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA];
            const MANAGED_ATTRIBUTES: &'static [&'static str] = MANAGED;
            fn manifest() -> &'static Manifest {
                &$manifest
            }
            fn map_identity(who: &Identity) -> Result<TestUser, MappingError> {
                map(who)
            }
        }
    };
}

app!(PathApp, PATH);
app!(PathlessApp, PATHLESS);
app!(PutApp, PUT);
app!(SlackLikeApp, SLACK_LIKE);
app!(NoFilterApp, NO_FILTER);
app!(UserAgentApp, USER_AGENT);
app!(NothingApp, NOTHING);
app!(RateLimitedApp, RATE_LIMITED);
app!(OAuthApp, OAUTH);

/// The test mapping.
fn map(who: &Identity) -> Result<TestUser, MappingError> {
    Ok(TestUser {
        schemas: Vec::new(),
        user_name: who.login.clone(),
        external_id: Some(who.id.clone()),
        name: Name {
            given_name: who.first_name.clone(),
            family_name: who.last_name.clone(),
            ..Name::default()
        },
        emails: vec![MultiValue {
            value: who.email.clone(),
            kind: Some("work".to_owned()),
            primary: Some(true),
        }],
        enterprise: EnterpriseUser {
            department: who.department.clone(),
            ..EnterpriseUser::default()
        },
    })
}

/// Ada, whose login needs escaping in filters.
pub(crate) fn ada() -> Identity {
    Identity {
        id: "00u1".to_owned(),
        login: "o\"ada@example.com".to_owned(),
        email: "ada@example.com".to_owned(),
        first_name: Some("Ada".to_owned()),
        last_name: Some("Lovelace".to_owned()),
        department: Some("R&D".to_owned()),
        ..Identity::default()
    }
}

/// Ada's User as the server holds it (with server-side extras).
pub(crate) fn ada_json(id: &str) -> Value {
    json!({
        "schemas": [CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
        "id": id,
        "userName": "o\"ada@example.com",
        "externalId": "00u1",
        "name": {"givenName": "Ada", "familyName": "Lovelace", "formatted": "Ada Lovelace"},
        "emails": [{"value": "ada@example.com", "type": "work", "primary": true}],
        "active": true,
        ENTERPRISE_USER_SCHEMA: {"department": "R&D"},
        "meta": {"resourceType": "User", "location": format!("https://h/Users/{id}")},
    })
}

/// A User other than Ada.
pub(crate) fn other_json(id: &str) -> Value {
    json!({"id": id, "userName": format!("user{id}@example.com"), "active": true})
}

/// A `ListResponse` body.
pub(crate) fn list_json(total: u64, resources: Vec<Value>) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": total,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    })
}

/// A retry policy fast enough for tests.
pub(crate) fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
        max_retry_after: Duration::from_secs(5),
    }
}

/// A configuration for `server` with the test token, fast retries and no rate limit.
pub(crate) fn config(server: &MockServer) -> InstanceConfig {
    InstanceConfig {
        retry: fast_retry(),
        rate_limit: RateLimitSetting::Off,
        ..InstanceConfig::for_base_url(format!("{}/scim/v2", server.uri()), Secret::new(TOKEN))
    }
}

/// The connector for `A` on `server`.
pub(crate) fn connector<A: ScimApp>(server: &MockServer) -> ScimConnector<A> {
    ScimConnector::<A>::new(config(server)).expect("the test configuration resolves")
}

/// How many requests `server` received.
pub(crate) async fn request_count(server: &MockServer) -> usize {
    server.received_requests().await.map_or(0, |r| r.len())
}
