//! Three test services as codegen would describe them: Google's Directory API (cursor
//! paging, 403 throttling, licences on another API), Microsoft Graph (next-link paging)
//! and Box (offset paging, a licence carried by a group membership found by lookup).

use connector_sdk::manifest::{
    AccountPointers, Attribute, HttpMethod, LicenseMode, LicenseSku, Manifest, RestBody,
    RestLookup, RestOperation, ThrottleRule, Variable,
};
use connector_sdk::mapping::MappingError;
use connector_sdk::rest::RestApp;
use connector_sdk::{Identity, Operation};
use serde::{Deserialize, Serialize};

use super::{attribute, create_only, manifest, op, sku, variable};

use HttpMethod::{Delete, Get, Patch, Post, Put};

// ---------------------------------------------------------------- Google-like

const GOOGLE_OPS: &[RestOperation] = &[
    op(Operation::Find, Get, "/users/{account.user_name}"),
    op(Operation::Get, Get, "/users/{account.id}"),
    RestOperation {
        query: &[
            ("customer", "{customer}"),
            ("maxResults", "{page.count}"),
            ("pageToken", "{page.cursor}"),
        ],
        items: Some("/users"),
        next_cursor: Some("/nextPageToken"),
        ..op(Operation::List, Get, "/users")
    },
    RestOperation {
        body: RestBody::Account,
        ..op(Operation::Create, Post, "/users")
    },
    RestOperation {
        body: RestBody::Account,
        ..op(Operation::Update, Put, "/users/{account.id}")
    },
    RestOperation {
        body: RestBody::Template(r#"{"suspended": true}"#),
        ..op(Operation::Disable, Put, "/users/{account.id}")
    },
    RestOperation {
        body: RestBody::Template(r#"{"suspended": false}"#),
        ..op(Operation::Enable, Put, "/users/{account.id}")
    },
    op(Operation::Delete, Delete, "/users/{account.id}"),
    RestOperation {
        body: RestBody::Template(r#"{"userId": "{account.user_name}"}"#),
        already_done: &[409],
        ..op(
            Operation::AssignLicense,
            Post,
            "{licensing_api}/product/{sku.product}/sku/{sku.sku_id}/user",
        )
    },
    RestOperation {
        already_done: &[404],
        ..op(
            Operation::RevokeLicense,
            Delete,
            "{licensing_api}/product/{sku.product}/sku/{sku.sku_id}/user/{account.user_name}",
        )
    },
];

const GOOGLE_ATTRIBUTES: &[Attribute] = &[
    attribute("primaryEmail"),
    attribute("name.givenName"),
    attribute("name.familyName"),
    attribute("orgUnitPath"),
    create_only(attribute("password"), true),
];

const GOOGLE_LICENSES: &[LicenseSku] = &[
    sku(
        "gemini",
        LicenseMode::Api,
        &[("product", "101068"), ("sku_id", "1010680001")],
    ),
    LicenseSku {
        instructions: Some("turn Gemini on for the user's OU"),
        console_url: Some("https://admin.google.com/ac/{customer}/apps"),
        ..sku("gemini_app", LicenseMode::Manual, &[])
    },
    sku("workspace", LicenseMode::Automatic, &[]),
    sku("scim_only", LicenseMode::Attribute, &[]),
];

const GOOGLE_VARIABLES: &[Variable] = &[
    variable("customer", Some("my_customer")),
    variable(
        "licensing_api",
        Some("https://licensing.googleapis.com/apps/licensing/v1"),
    ),
];

/// Shaped like Google's Directory API.
pub(crate) static GOOGLE: Manifest = {
    let mut m = manifest(
        "google_like",
        "https://admin.googleapis.com/admin/directory/v1",
        GOOGLE_VARIABLES,
        AccountPointers {
            id: "/id",
            user_name: "/primaryEmail",
            email: Some("/primaryEmail"),
            display_name: Some("/name/fullName"),
            active: "/suspended",
            active_equals: "false",
        },
        GOOGLE_OPS,
        GOOGLE_ATTRIBUTES,
        GOOGLE_LICENSES,
    );
    m.provisioning.throttle = &[ThrottleRule {
        status: 403,
        body_contains: "userRateLimitExceeded",
    }];
    m
};

/// A Google user's `name`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub(crate) struct GoogleName {
    #[serde(rename = "givenName", skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    #[serde(rename = "familyName", skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
}

/// A Google user, as codegen would generate it.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub(crate) struct GoogleAccount {
    #[serde(rename = "primaryEmail", skip_serializing_if = "Option::is_none")]
    pub primary_email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<GoogleName>,
    #[serde(rename = "orgUnitPath", skip_serializing_if = "Option::is_none")]
    pub org_unit_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// The initial password the Google-like mapping sends; it must never show.
pub(crate) const PASSWORD: &str = "Initial-Pa55word-never-shown";

/// The Google-like service.
pub(crate) struct Google;

impl RestApp for Google {
    type Account = GoogleAccount;
    fn manifest() -> &'static Manifest {
        &GOOGLE
    }
    fn map_identity(who: &Identity) -> Result<GoogleAccount, MappingError> {
        Ok(GoogleAccount {
            primary_email: Some(who.email.clone()),
            name: Some(GoogleName {
                given_name: who.first_name.clone(),
                family_name: who.last_name.clone(),
            }),
            org_unit_path: who.department.as_ref().map(|d| format!("/{d}")),
            password: Some(PASSWORD.to_owned()),
        })
    }
}

// ---------------------------------------------------------------- Graph-like

const GRAPH_OPS: &[RestOperation] = &[
    op(Operation::Find, Get, "/users/{account.user_name}"),
    op(Operation::Get, Get, "/users/{account.id}"),
    RestOperation {
        query: &[("$top", "{page.count}")],
        items: Some("/value"),
        next_url: Some("/@odata.nextLink"),
        ..op(Operation::List, Get, "/users")
    },
    RestOperation {
        body: RestBody::Account,
        ..op(Operation::Create, Post, "/users")
    },
    RestOperation {
        body: RestBody::Account,
        ..op(Operation::Update, Patch, "/users/{account.id}")
    },
    RestOperation {
        body: RestBody::Template(r#"{"accountEnabled": false}"#),
        ..op(Operation::Disable, Patch, "/users/{account.id}")
    },
    RestOperation {
        body: RestBody::Template(r#"{"accountEnabled": true}"#),
        ..op(Operation::Enable, Patch, "/users/{account.id}")
    },
    op(Operation::Delete, Delete, "/users/{account.id}"),
];

const BOX_ATTRIBUTES: &[Attribute] = &[attribute("login"), attribute("name")];

const GRAPH_ATTRIBUTES: &[Attribute] = &[
    attribute("userPrincipalName"),
    attribute("displayName"),
    create_only(attribute("accountEnabled"), false),
    create_only(attribute("passwordProfile.password"), true),
];

/// Shaped like Microsoft Graph.
pub(crate) static GRAPH: Manifest = manifest(
    "graph_like",
    "https://graph.microsoft.com/v1.0",
    &[],
    AccountPointers {
        id: "/id",
        user_name: "/userPrincipalName",
        email: Some("/mail"),
        display_name: Some("/displayName"),
        active: "/accountEnabled",
        active_equals: "true",
    },
    GRAPH_OPS,
    GRAPH_ATTRIBUTES,
    &[],
);

/// A Graph user's password profile.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub(crate) struct PasswordProfile {
    pub password: Option<String>,
}

/// A Graph user, as codegen would generate it.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub(crate) struct GraphAccount {
    #[serde(rename = "userPrincipalName")]
    pub user_principal_name: Option<String>,
    #[serde(rename = "displayName", skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(rename = "accountEnabled")]
    pub account_enabled: Option<bool>,
    #[serde(rename = "passwordProfile")]
    pub password_profile: Option<PasswordProfile>,
}

/// The Graph-like service.
pub(crate) struct Graph;

impl RestApp for Graph {
    type Account = GraphAccount;
    fn manifest() -> &'static Manifest {
        &GRAPH
    }
    fn map_identity(who: &Identity) -> Result<GraphAccount, MappingError> {
        Ok(GraphAccount {
            user_principal_name: Some(who.login.clone()),
            display_name: who.display_name.clone(),
            account_enabled: Some(true),
            password_profile: Some(PasswordProfile {
                password: Some(PASSWORD.to_owned()),
            }),
        })
    }
}

// ---------------------------------------------------------------- Box-like

const BOX_OPS: &[RestOperation] = &[
    RestOperation {
        query: &[
            ("filter_term", "{account.user_name}"),
            ("user_type", "managed"),
        ],
        items: Some("/entries"),
        ..op(Operation::Find, Get, "/users")
    },
    op(Operation::Get, Get, "/users/{account.id}"),
    RestOperation {
        identity: Some("/login"),
        ..op(Operation::Whoami, Get, "/users/me")
    },
    RestOperation {
        query: &[("limit", "{page.count}"), ("offset", "{page.offset}")],
        items: Some("/entries"),
        total: Some("/total_count"),
        ..op(Operation::List, Get, "/users")
    },
    RestOperation {
        body: RestBody::Template(r#"{"status": "inactive"}"#),
        ..op(Operation::Disable, Put, "/users/{account.id}")
    },
    RestOperation {
        body: RestBody::Template(
            r#"{"user": {"id": "{account.id}"}, "group": {"id": "{sku.group_id}"}}"#,
        ),
        already_done: &[409],
        ..op(Operation::AssignLicense, Post, "/group_memberships")
    },
    RestOperation {
        already_done: &[404],
        lookup: Some(RestLookup {
            path: "/users/{account.id}/memberships",
            query: &[("limit", "1000")],
            items: "/entries",
            select: &[("/group/id", "{sku.group_id}")],
            extract: "/id",
        }),
        ..op(
            Operation::RevokeLicense,
            Delete,
            "/group_memberships/{lookup}",
        )
    },
];

/// Shaped like Box.
pub(crate) static BOX: Manifest = manifest(
    "box_like",
    "https://api.box.com/2.0",
    &[variable("box_ai_group_id", None)],
    AccountPointers {
        id: "/id",
        user_name: "/login",
        email: Some("/login"),
        display_name: Some("/name"),
        active: "/status",
        active_equals: "\"active\"",
    },
    BOX_OPS,
    BOX_ATTRIBUTES,
    &[sku(
        "box_ai",
        LicenseMode::Api,
        &[("group_id", "{box_ai_group_id}")],
    )],
);

/// A Box user, as codegen would generate it.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub(crate) struct BoxAccount {
    pub login: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The Box-like service.
pub(crate) struct BoxApp;

impl RestApp for BoxApp {
    type Account = BoxAccount;
    fn manifest() -> &'static Manifest {
        &BOX
    }
    fn map_identity(who: &Identity) -> Result<BoxAccount, MappingError> {
        Ok(BoxAccount {
            login: Some(who.email.clone()),
            name: who.display_name.clone(),
        })
    }
}
