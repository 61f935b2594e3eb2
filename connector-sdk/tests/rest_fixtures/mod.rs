//! Fixtures of the REST tests: hand-written manifests and `RestApp`s shaped like
//! Google's Directory API, Microsoft Graph and Box (generated ones come from codegen),
//! and helpers for mock servers on 127.0.0.1.
#![allow(dead_code)]

use std::borrow::Cow;
use std::time::Duration;

use connector_sdk::manifest::{
    AccountPointers, Attribute, Auth, Capability, DeactivateMethod, HttpMethod, LicenseMode,
    LicenseSku, Manifest, PatchStyle, Plan, Protocol, Provisioning, RestBody, RestDescription,
    RestOperation, ScimDialect, Sso, UpdateMethod, Variable,
};
use connector_sdk::template::{Part, Template};
use connector_sdk::{InstanceConfig, Operation, RateLimitSetting, RetryPolicy, Secret};
use wiremock::MockServer;

pub(crate) mod apps;

/// The bearer token the tests use; no error may ever show it.
pub(crate) const TOKEN: &str = "s3cret-rest-token-0123456789";
/// The environment variable the manifests name for the token (never set).
pub(crate) const UNSET_ENV: &str = "CONNECTOR_SDK_REST_TEST_TOKEN_NEVER_SET";

/// Every capability but groups.
pub(crate) const CAPABILITIES: &[Capability] = &[
    Capability::Create,
    Capability::Update,
    Capability::Deactivate,
    Capability::Reactivate,
    Capability::Delete,
    Capability::Import,
    Capability::License,
];

/// A dialect whose page size is 2, so that three accounts make pages.
pub(crate) const fn dialect(page_size: u32) -> ScimDialect {
    ScimDialect {
        update: UpdateMethod::Patch,
        deactivate: DeactivateMethod::PatchActive,
        patch_style: PatchStyle::Path,
        filter_attribute: None,
        page_size,
        user_agent: None,
        group_members_per_request: 1000,
        group_members_listed: true,
    }
}

/// An operation with the defaults codegen fills in: any 2xx, 404 not found, 409 conflict.
pub(crate) const fn op(name: Operation, method: HttpMethod, path: &'static str) -> RestOperation {
    RestOperation {
        name,
        method,
        path,
        query: &[],
        body: RestBody::None,
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

/// `attribute` sent on create only (and `sensitive` when asked).
pub(crate) const fn create_only(mut attribute: Attribute, sensitive: bool) -> Attribute {
    attribute.create_only = true;
    attribute.sensitive = sensitive;
    attribute
}

/// A string attribute.
pub(crate) const fn attribute(path: &'static str) -> Attribute {
    Attribute {
        path,
        scim_type: "string",
        mapping: Template {
            source: Cow::Borrowed("(test)"),
            parts: Cow::Borrowed(&[Part::Text(Cow::Borrowed("(test)"))]),
        },
        reads: &[],
        create_only: false,
        sensitive: false,
    }
}

/// A licence SKU of `mode` with `params`.
pub(crate) const fn sku(
    name: &'static str,
    mode: LicenseMode,
    params: &'static [(&'static str, &'static str)],
) -> LicenseSku {
    LicenseSku {
        name,
        display_name: name,
        mode,
        attribute: None,
        group: None,
        instructions: None,
        console_url: None,
        params,
    }
}

/// A tenant variable, with an optional default.
pub(crate) const fn variable(name: &'static str, default: Option<&'static str>) -> Variable {
    Variable {
        name,
        description: "(test)",
        example: "(test)",
        default,
    }
}

/// A REST manifest: the parts each test service varies, the rest fixed.
pub(crate) const fn manifest(
    name: &'static str,
    base_url: &'static str,
    variables: &'static [Variable],
    account: AccountPointers,
    operations: &'static [RestOperation],
    attributes: &'static [Attribute],
    licenses: &'static [LicenseSku],
) -> Manifest {
    Manifest {
        name,
        display_name: name,
        vendor: "Test",
        product: "Test AI",
        docs_url: "https://example.com/docs",
        plan: Plan {
            sso: "any",
            provisioning: "any",
        },
        variables,
        auth: Auth::Bearer {
            token_env: UNSET_ENV,
        },
        provisioning: Provisioning {
            protocol: Protocol::Rest,
            base_url,
            capabilities: CAPABILITIES,
            dialect: dialect(2),
            rate_limit: None,
            throttle: &[],
            rest: Some(RestDescription {
                account: Some(account),
                group: None,
                operations,
            }),
        },
        attributes,
        licenses,
        sso: Sso {
            protocols: &[],
            sp_initiated_only: false,
            login_url: None,
            acs_url: None,
            entity_id: None,
            name_id_format: "emailAddress",
            attributes: &[],
            federation: None,
        },
        sources: &[],
    }
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

/// A configuration for `server` below `prefix`, with the test token, fast retries and
/// no rate limit.
pub(crate) fn config(server: &MockServer, prefix: &str) -> InstanceConfig {
    InstanceConfig {
        retry: fast_retry(),
        rate_limit: RateLimitSetting::Off,
        ..InstanceConfig::for_base_url(format!("{}{prefix}", server.uri()), Secret::new(TOKEN))
    }
}

/// The requests `server` received with `method` and `path`.
pub(crate) async fn requests(
    server: &MockServer,
    method: &str,
    path: &str,
) -> Vec<wiremock::Request> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.method.as_str() == method && r.url.path() == path)
        .collect()
}
