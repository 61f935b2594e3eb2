//! Test fixtures: the hand-written manifest every test service varies.

use connector_sdk::manifest::{
    Auth, Capability, DeactivateMethod, Manifest, PatchStyle, Plan, Protocol, Provisioning,
    ScimDialect, Sso, SsoProtocol, UpdateMethod,
};

/// The manifest every test service varies (its `sso` facts above all).
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
        token_env: "CONNECTOR_SSO_TEST_TOKEN_NEVER_SET",
    },
    provisioning: Provisioning {
        protocol: Protocol::Scim2,
        base_url: "https://{tenant}.example.com/scim/v2",
        capabilities: &Capability::ALL,
        dialect: ScimDialect {
            update: UpdateMethod::Patch,
            deactivate: DeactivateMethod::PatchActive,
            patch_style: PatchStyle::Path,
            filter_attribute: Some("userName"),
            page_size: 100,
            user_agent: None,
            group_members_per_request: 1000,
            group_members_listed: true,
        },
        rate_limit: None,
        throttle: &[],
        rest: None,
    },
    attributes: &[],
    licenses: &[],
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
