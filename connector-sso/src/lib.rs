//! # connector-sso
//!
//! Sign-in artifacts and checks, computed from a connector's `[sso]` facts, and the
//! support matrix. A toolkit for the `connector` CLI and `connector-saml-sp`; connectors
//! themselves never link it (they need only `connector-sdk`).
//!
//! Everything here is pure Rust and needs no network: the inputs are the connector's
//! [`Manifest`] and the tenant values an admin supplies ([`SsoInputs`]).
//!
//! - [`generate`] resolves the service provider (SP) facts ([`ServiceProvider`]) and builds
//!   [`SsoArtifacts`]: the Okta app definitions ([`okta`]), the SAML SP metadata
//!   ([`metadata`]) and the [`Note`]s an admin must read (including, for services that sign
//!   in through another directory, the federation settings on that side).
//! - [`expression`] translates the spec's attribute templates to Okta Expression Language.
//! - [`idp`] reads an identity provider's SAML metadata, and [`check`] checks it against what
//!   the service needs; [`sp_check`] reads a service provider's SAML metadata and checks
//!   it against the spec's SP facts; [`xml`] is the small namespace-aware reader they use.
//! - [`support`] renders the support matrix (`connector list`, `docs/SUPPORT.md`) from the
//!   manifests.
//!
//! Signature verification needs C libraries (xmlsec) and lives in the `connector-saml-sp`
//! crate, not here.

pub mod check;
pub mod expression;
pub mod idp;
pub mod inputs;
pub mod metadata;
pub mod notes;
pub mod okta;
mod role;
pub mod sp_check;
pub mod support;
mod text;
pub mod xml;

use serde::Serialize;

use connector_sdk::manifest::{FederationVia, Manifest, SsoProtocol};

pub use check::{CheckReport, CheckStatus, Finding, check_idp_metadata};
pub use idp::{IdpMetadata, IdpMetadataError, parse_idp_metadata};
pub use inputs::{InputProblem, SsoInputError, SsoInputs};
pub use notes::{FederatedDirectory, Note, NoteScope, Severity};
pub use okta::{OktaApp, OktaApps};
pub use sp_check::{SpMetadata, SpMetadataError, check_sp_metadata, parse_sp_metadata};

/// The SAML 2.0 protocol URN (`protocolSupportEnumeration`).
pub const SAML2_PROTOCOL: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
/// The SAML HTTP-POST binding URN.
pub const HTTP_POST_BINDING: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
/// The SAML HTTP-Redirect binding URN.
pub const HTTP_REDIRECT_BINDING: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
/// The attribute name format every generated attribute statement uses.
pub const ATTRNAME_FORMAT_UNSPECIFIED: &str =
    "urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified";

/// The version of the `json` artifact format; bumped when a field changes meaning.
pub const ARTIFACTS_FORMAT: &str = "connector-sso/1";

/// The service provider side of sign-in, with every template rendered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceProvider {
    /// The connector's machine name (`zoom`).
    pub connector: &'static str,
    /// The service's human name (`Zoom`).
    pub display_name: &'static str,
    /// The protocol the artifacts use: SAML 2.0 when the service offers it, else OIDC.
    pub protocol: SsoProtocol,
    /// Every protocol the service supports.
    pub protocols: Vec<SsoProtocol>,
    /// True when only SP-initiated sign-in works (the IdP tile must be a bookmark).
    pub sp_initiated_only: bool,
    /// Where SP-initiated sign-in starts.
    pub login_url: Option<String>,
    /// The SAML facts, when the protocol is SAML 2.0.
    pub saml: Option<SamlServiceProvider>,
    /// The OIDC facts, when the protocol is OIDC.
    pub oidc: Option<OidcRelyingParty>,
}

/// The SAML facts of a service provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SamlServiceProvider {
    /// The Assertion Consumer Service URL (HTTP-POST); also the Recipient and Destination.
    pub acs_url: String,
    /// The SP entity ID; also the Audience.
    pub entity_id: String,
    /// Where each of `acs_url` and `entity_id` came from.
    pub origin: SpValueOrigin,
    /// The NameID format URN the service expects.
    pub name_id_format: String,
    /// The attribute statements, each with its Okta translation.
    pub attributes: Vec<expression::AttributeStatement>,
}

/// Where the SP's ACS URL and entity ID came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SpValueOrigin {
    /// Origin of the ACS URL.
    pub acs_url: ValueOrigin,
    /// Origin of the entity ID.
    pub entity_id: ValueOrigin,
}

/// Whether a value is fixed by the spec or was supplied for this tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueOrigin {
    /// Rendered from the spec's template.
    Spec,
    /// Given as an input (`--var acs_url=...`), because the service issues it per
    /// connection or because it replaces the spec's value.
    Input,
}

/// The OIDC facts of a relying party (services that offer OIDC only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OidcRelyingParty {
    /// The redirect (callback) URI the service registers with the IdP.
    pub redirect_uri: String,
    /// Where sign-in starts (Okta's `initiate_login_uri`), when known.
    pub initiate_login_uri: Option<String>,
}

/// Everything `connector sso <app>` prints, as one stable value (the `json` format).
#[derive(Debug, Clone, Serialize)]
pub struct SsoArtifacts {
    /// [`ARTIFACTS_FORMAT`].
    pub format: &'static str,
    /// The resolved service provider facts.
    pub service_provider: ServiceProvider,
    /// The Okta app definitions (Apps API request bodies).
    pub okta: OktaApps,
    /// The SAML SP metadata document, for SAML services.
    pub sp_metadata: Option<String>,
    /// What an admin must know or do, on each side.
    pub notes: Vec<Note>,
}

impl SsoArtifacts {
    /// The artifacts as pretty JSON (the `json` format). Field order is fixed by the types.
    pub fn to_json(&self) -> String {
        // Every field is a string, bool, list or map with string keys, so this cannot fail;
        // fall back to an empty object rather than panic should that ever change.
        serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".to_owned())
    }
}

/// Resolves the service provider facts of `manifest` from `inputs` and builds every artifact.
///
/// # Errors
///
/// [`SsoInputError`] listing every problem at once: unknown input names, tenant variables the
/// sign-in templates need but `inputs` lacks, SP values the spec does not fix (ChatGPT's ACS
/// URL and entity ID are issued per connection), and values that are not valid URLs.
pub fn generate(manifest: &Manifest, inputs: &SsoInputs) -> Result<SsoArtifacts, SsoInputError> {
    let service_provider = inputs::resolve(manifest, inputs)?;
    let mut notes = Vec::new();
    if let Some(saml) = &service_provider.saml {
        if saml.origin.acs_url == ValueOrigin::Input && manifest.sso.acs_url.is_some() {
            notes.push(Note::service(
                Severity::Warning,
                format!(
                    "The ACS URL was given as an input and replaces the spec's `{}`.",
                    manifest.sso.acs_url.unwrap_or_default()
                ),
            ));
        }
        if saml.origin.entity_id == ValueOrigin::Input && manifest.sso.entity_id.is_some() {
            notes.push(Note::service(
                Severity::Warning,
                format!(
                    "The SP entity ID was given as an input and replaces the spec's `{}`.",
                    manifest.sso.entity_id.unwrap_or_default()
                ),
            ));
        }
        for attribute in &saml.attributes {
            notes.extend(attribute.notes());
        }
    }
    let okta = okta::apps(&service_provider, &mut notes);
    let sp_metadata = service_provider
        .saml
        .as_ref()
        .map(|saml| metadata::sp_metadata(&service_provider, saml));
    if service_provider.protocol == SsoProtocol::Saml2
        && service_provider.protocols.contains(&SsoProtocol::Oidc)
    {
        notes.push(Note::idp(
            Severity::Info,
            format!(
                "{} also supports OIDC; these artifacts use SAML 2.0.",
                service_provider.display_name
            ),
        ));
    }
    if let Some(federation) = &manifest.sso.federation {
        let directory = match federation.via {
            FederationVia::GoogleWorkspace => FederatedDirectory::GoogleWorkspace,
            FederationVia::EntraId => FederatedDirectory::EntraId,
        };
        notes.push(Note::federation(
            directory,
            format!(
                "{} signs people in through {}: federate it to the identity provider with these settings. Plan: {}",
                manifest.display_name,
                directory.display_name(),
                federation.plan
            ),
            federation
                .settings
                .iter()
                .map(|(name, value)| ((*name).to_owned(), (*value).to_owned())),
        ));
    }
    Ok(SsoArtifacts {
        format: ARTIFACTS_FORMAT,
        service_provider,
        okta,
        sp_metadata,
        notes,
    })
}

/// The URN of a NameID format spelled the spec's way (`emailAddress`), or the value itself
/// when it already is a URN. The manifest holds URNs; this serves inputs and tests.
pub fn name_id_format_urn(short: &str) -> &str {
    match short {
        "emailAddress" => "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
        "persistent" => "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
        "transient" => "urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
        "unspecified" => "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
        other => other,
    }
}
