//! A service provider's SAML 2.0 metadata (`md:EntityDescriptor` with an
//! `SPSSODescriptor`), read and checked against the SP facts the connector's spec gives.
//!
//! The checks catch what makes an IdP refuse the file or send Responses nowhere: no
//! `AssertionConsumerService`, one without its (required) `index`, `Binding` or
//! `Location`, two with the same index, none with the HTTP-POST binding at the service's
//! ACS URL, and an `entityID` that is not the service's (the audience the IdP would put
//! in every assertion). Results are [`Finding`]s in a [`CheckReport`], like
//! [`check_idp_metadata`](super::check::check_idp_metadata)'s.

use std::fmt;

use super::check::{CheckReport, CheckStatus, Finding};
use super::idp::MD_NS;
use super::role::{self, NoRole};
use super::xml::{self, Element, XmlError};
use super::{HTTP_POST_BINDING, SamlServiceProvider, ServiceProvider};

/// What an SP's metadata says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpMetadata {
    /// `entityID` of the `EntityDescriptor`.
    pub entity_id: Option<String>,
    /// `protocolSupportEnumeration` of the `SPSSODescriptor`, split on white space.
    pub protocols: Vec<String>,
    /// The `AssertionConsumerService` endpoints, in document order.
    pub assertion_consumer_services: Vec<IndexedEndpoint>,
    /// The `NameIDFormat` values.
    pub name_id_formats: Vec<String>,
    /// How many `EntityDescriptor`s held an `SPSSODescriptor` (the first one is read).
    pub sp_entity_count: usize,
}

/// An indexed SAML endpoint as written (each attribute may be missing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexedEndpoint {
    /// `Binding`.
    pub binding: Option<String>,
    /// `Location`.
    pub location: Option<String>,
    /// `index`, as written.
    pub index: Option<String>,
    /// `isDefault`, when present (`true`/`1` or `false`/`0`; anything else is `None`).
    pub is_default: Option<bool>,
    /// The 1-based line of the element.
    pub line: usize,
}

/// Why a file is not usable SP metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpMetadataError {
    /// Not well-formed XML (or a DTD, an unknown entity...).
    Syntax(XmlError),
    /// Well-formed, but not SAML metadata.
    NotMetadata {
        /// The root element found (`{namespace}name`).
        root: String,
    },
    /// SAML metadata without an `SPSSODescriptor` (IdP metadata, for example).
    NoSpDescriptor,
}

impl fmt::Display for SpMetadataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Syntax(error) => write!(f, "XML syntax error at {error}"),
            Self::NotMetadata { root } => write!(
                f,
                "not SAML metadata: the root element is `{root}`, expected \
                 `md:EntityDescriptor` or `md:EntitiesDescriptor` ({MD_NS})"
            ),
            Self::NoSpDescriptor => write!(
                f,
                "the metadata has no `md:SPSSODescriptor`: it does not describe a service \
                 provider (is it IdP metadata? check it with --idp-metadata)"
            ),
        }
    }
}

impl std::error::Error for SpMetadataError {}

impl SpMetadataError {
    /// The 1-based line of a syntax error.
    pub fn line(&self) -> Option<usize> {
        match self {
            Self::Syntax(error) => Some(error.line),
            _ => None,
        }
    }
}

/// Reads SP metadata.
///
/// # Errors
///
/// [`SpMetadataError`] when the text is not well-formed XML, not SAML metadata, or holds no
/// service provider.
pub fn parse_sp_metadata(text: &str) -> Result<SpMetadata, SpMetadataError> {
    let root = xml::parse(text).map_err(SpMetadataError::Syntax)?;
    let role = role::find(&root, "SPSSODescriptor").map_err(|missing| match missing {
        NoRole::NotMetadata(root) => SpMetadataError::NotMetadata { root },
        NoRole::Missing => SpMetadataError::NoSpDescriptor,
    })?;
    let (entity, sp, count) = (role.entity, role.descriptor, role.count);
    let attribute = |element: &Element, name: &str| element.attribute(name).map(str::to_owned);
    Ok(SpMetadata {
        entity_id: attribute(entity, "entityID"),
        protocols: role.protocols(),
        assertion_consumer_services: sp
            .children_named(MD_NS, "AssertionConsumerService")
            .map(|acs| IndexedEndpoint {
                binding: attribute(acs, "Binding"),
                location: attribute(acs, "Location"),
                index: attribute(acs, "index"),
                is_default: acs.attribute("isDefault").and_then(|v| match v.trim() {
                    "true" | "1" => Some(true),
                    "false" | "0" => Some(false),
                    _ => None,
                }),
                line: acs.line,
            })
            .collect(),
        name_id_formats: sp
            .children_named(MD_NS, "NameIDFormat")
            .map(|f| f.trimmed_text().to_owned())
            .collect(),
        sp_entity_count: count,
    })
}

/// Checks `metadata` against the SP facts of `sp` (its SAML facts `saml`): the entity ID,
/// SAML 2.0 support, every `AssertionConsumerService` (index, binding, location, unique
/// index), an HTTP-POST ACS at the service's ACS URL (and whether it is the default), and
/// the NameID format.
pub fn check_sp_metadata(
    sp: &ServiceProvider,
    saml: &SamlServiceProvider,
    metadata: &SpMetadata,
) -> CheckReport {
    let mut findings = Vec::new();
    let mut push = |check: &'static str, status: CheckStatus, message: String| {
        findings.push(Finding {
            check,
            status,
            message,
        });
    };
    let name = sp.display_name;

    // Entity ID: the audience the IdP writes into each assertion.
    match metadata.entity_id.as_deref().map(str::trim) {
        Some(id) if id == saml.entity_id => {
            push(
                "entity_id",
                CheckStatus::Pass,
                format!("SP entity ID: {id}"),
            );
        }
        Some(id) if !id.is_empty() => push(
            "entity_id",
            CheckStatus::Fail,
            format!(
                "entityID is `{id}`, but {name}'s is `{}`: assertions for this entity ID name \
                 the wrong audience and {name} refuses them",
                saml.entity_id
            ),
        ),
        _ => push(
            "entity_id",
            CheckStatus::Fail,
            format!(
                "the EntityDescriptor has no entityID; {name}'s is `{}`",
                saml.entity_id
            ),
        ),
    }
    if metadata.sp_entity_count > 1 {
        push(
            "entity_id",
            CheckStatus::Warn,
            format!(
                "the file describes {} service providers; only the first was checked",
                metadata.sp_entity_count
            ),
        );
    }

    // Protocol.
    let (status, detail) = super::check::saml2_protocol(&metadata.protocols);
    push("protocol", status, detail);

    check_acs(name, saml, &metadata.assertion_consumer_services, &mut push);

    // NameID format.
    if metadata.name_id_formats.is_empty()
        || metadata.name_id_formats.contains(&saml.name_id_format)
    {
        push(
            "name_id_format",
            CheckStatus::Pass,
            format!("NameID format: {}", saml.name_id_format),
        );
    } else {
        push(
            "name_id_format",
            CheckStatus::Warn,
            format!(
                "NameIDFormat lists {}; {name} expects `{}`",
                metadata
                    .name_id_formats
                    .iter()
                    .map(|f| format!("`{f}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                saml.name_id_format
            ),
        );
    }

    CheckReport {
        connector: sp.connector,
        findings,
    }
}

/// The `AssertionConsumerService` checks.
fn check_acs(
    name: &str,
    saml: &SamlServiceProvider,
    services: &[IndexedEndpoint],
    push: &mut impl FnMut(&'static str, CheckStatus, String),
) {
    if services.is_empty() {
        push(
            "acs",
            CheckStatus::Fail,
            format!(
                "no AssertionConsumerService: the IdP has nowhere to send Responses; add \
                 <md:AssertionConsumerService Binding=\"{HTTP_POST_BINDING}\" Location=\"{}\" \
                 index=\"0\"/>",
                saml.acs_url
            ),
        );
        return;
    }
    let mut well_formed = true;
    let mut indexes: Vec<(&str, usize)> = Vec::new();
    for acs in services {
        let line = acs.line;
        match acs.index.as_deref().map(str::trim) {
            None => {
                well_formed = false;
                push(
                    "acs_index",
                    CheckStatus::Fail,
                    format!(
                        "line {line}: the AssertionConsumerService has no `index` (required by \
                         the SAML metadata schema; IdPs refuse the file)"
                    ),
                );
            }
            Some(index) if index.parse::<u16>().is_err() => {
                well_formed = false;
                push(
                    "acs_index",
                    CheckStatus::Fail,
                    format!(
                        "line {line}: index `{index}` is not an unsigned number from 0 to 65535"
                    ),
                );
            }
            Some(index) => {
                if let Some((_, first)) = indexes.iter().find(|(i, _)| *i == index) {
                    well_formed = false;
                    push(
                        "acs_index",
                        CheckStatus::Fail,
                        format!(
                            "line {line}: index {index} is also used at line {first}; each \
                             AssertionConsumerService needs its own"
                        ),
                    );
                }
                indexes.push((index, line));
            }
        }
        if acs.binding.as_deref().is_none_or(|b| b.trim().is_empty()) {
            well_formed = false;
            push(
                "acs_binding",
                CheckStatus::Fail,
                format!(
                    "line {line}: the AssertionConsumerService has no `Binding`; {name} \
                     receives Responses with {HTTP_POST_BINDING}"
                ),
            );
        }
        if acs.location.as_deref().is_none_or(|l| l.trim().is_empty()) {
            well_formed = false;
            push(
                "acs_location",
                CheckStatus::Fail,
                format!("line {line}: the AssertionConsumerService has no `Location`"),
            );
        }
    }
    if well_formed {
        push(
            "acs_index",
            CheckStatus::Pass,
            format!(
                "{} AssertionConsumerService(s), each with a unique index, binding and location",
                services.len()
            ),
        );
    }

    let is_post = |acs: &&IndexedEndpoint| acs.binding.as_deref() == Some(HTTP_POST_BINDING);
    let posts: Vec<&IndexedEndpoint> = services.iter().filter(is_post).collect();
    if posts.is_empty() {
        push(
            "acs_binding",
            CheckStatus::Fail,
            format!(
                "no AssertionConsumerService with the HTTP-POST binding; {name} receives \
                 Responses at {} with {HTTP_POST_BINDING}",
                saml.acs_url
            ),
        );
        return;
    }
    let Some(ours) = posts
        .iter()
        .find(|acs| acs.location.as_deref().map(str::trim) == Some(saml.acs_url.as_str()))
    else {
        push(
            "acs_url",
            CheckStatus::Fail,
            format!(
                "no HTTP-POST AssertionConsumerService at {name}'s ACS URL {} (found: {})",
                saml.acs_url,
                posts
                    .iter()
                    .map(|acs| format!("`{}`", acs.location.as_deref().unwrap_or("(none)")))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
        return;
    };
    push(
        "acs_url",
        CheckStatus::Pass,
        format!("ACS (HTTP-POST): {}", saml.acs_url),
    );
    // The default endpoint: the one marked isDefault="true", else the first not marked
    // false, else the first (SAML metadata, section 2.2.3).
    let default = services
        .iter()
        .find(|acs| acs.is_default == Some(true))
        .or_else(|| services.iter().find(|acs| acs.is_default.is_none()))
        .or_else(|| services.first());
    if default.is_some_and(|acs| acs.line != ours.line) {
        push(
            "acs_default",
            CheckStatus::Warn,
            format!(
                "the default AssertionConsumerService is not {name}'s ACS URL (line {}); an \
                 IdP-initiated sign-in goes to the default",
                ours.line
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SAML2_PROTOCOL;

    /// A SAML service with fixed ACS URL and entity ID: the facts and its generated
    /// metadata.
    fn zoom_like() -> (ServiceProvider, SamlServiceProvider) {
        let sp = ServiceProvider {
            connector: "zoomish",
            display_name: "Zoomish",
            protocol: connector_sdk::manifest::SsoProtocol::Saml2,
            protocols: vec![connector_sdk::manifest::SsoProtocol::Saml2],
            sp_initiated_only: false,
            login_url: None,
            saml: None,
            oidc: None,
        };
        let saml = SamlServiceProvider {
            acs_url: "https://acme.zoomish.example/saml/SSO".to_owned(),
            entity_id: "acme.zoomish.example".to_owned(),
            origin: crate::SpValueOrigin {
                acs_url: crate::ValueOrigin::Spec,
                entity_id: crate::ValueOrigin::Spec,
            },
            name_id_format: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress".to_owned(),
            attributes: Vec::new(),
        };
        (sp, saml)
    }

    fn check(xml: &str) -> CheckReport {
        let (sp, saml) = zoom_like();
        check_sp_metadata(&sp, &saml, &parse_sp_metadata(xml).expect("SP metadata"))
    }

    fn failed(report: &CheckReport) -> Vec<(&'static str, &str)> {
        report
            .findings
            .iter()
            .filter(|f| f.status == CheckStatus::Fail)
            .map(|f| (f.check, f.message.as_str()))
            .collect()
    }

    fn document(entity_id: &str, acs: &str) -> String {
        format!(
            r#"<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="{MD_NS}" entityID="{entity_id}">
  <md:SPSSODescriptor protocolSupportEnumeration="{SAML2_PROTOCOL}">
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    {acs}
  </md:SPSSODescriptor>
</md:EntityDescriptor>"#
        )
    }

    const GOOD_ACS: &str = r#"<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://acme.zoomish.example/saml/SSO" index="0" isDefault="true"/>"#;

    #[test]
    fn the_metadata_this_crate_writes_passes() {
        let (sp, saml) = zoom_like();
        let xml = crate::metadata::sp_metadata(&sp, &saml);
        let report = check_sp_metadata(&sp, &saml, &parse_sp_metadata(&xml).unwrap());
        assert!(report.passed(), "{}", report.to_text());
        assert_eq!(report.count(CheckStatus::Warn), 0, "{}", report.to_text());
    }

    #[test]
    fn a_missing_acs_fails_with_the_element_to_add() {
        let report = check(&document("acme.zoomish.example", ""));
        let failures = failed(&report);
        assert_eq!(failures.len(), 1, "{}", report.to_text());
        assert_eq!(failures[0].0, "acs");
        assert!(
            failures[0]
                .1
                .contains(r#"Location="https://acme.zoomish.example/saml/SSO""#),
            "{}",
            failures[0].1
        );
    }

    #[test]
    fn a_missing_index_or_binding_fails_at_its_line() {
        let acs =
            r#"<md:AssertionConsumerService Location="https://acme.zoomish.example/saml/SSO"/>"#;
        let report = check(&document("acme.zoomish.example", acs));
        let failures = failed(&report);
        let checks: Vec<&str> = failures.iter().map(|f| f.0).collect();
        assert_eq!(
            checks,
            ["acs_index", "acs_binding", "acs_binding"],
            "{}",
            report.to_text()
        );
        assert!(failures[0].1.starts_with("line 5: "), "{}", failures[0].1);
        assert!(failures[0].1.contains("no `index`"), "{}", failures[0].1);
        assert!(failures[1].1.contains("no `Binding`"), "{}", failures[1].1);
    }

    #[test]
    fn duplicate_or_non_numeric_indexes_fail() {
        let acs = format!(
            "{GOOD_ACS}\n{}\n{}",
            GOOD_ACS.replace("isDefault=\"true\"", ""),
            GOOD_ACS.replace("index=\"0\"", "index=\"first\"")
        );
        let report = check(&document("acme.zoomish.example", &acs));
        let failures = failed(&report);
        assert_eq!(failures.len(), 2, "{}", report.to_text());
        assert!(failures[0].1.contains("index 0 is also used at line 5"));
        assert!(failures[1].1.contains("`first` is not an unsigned number"));
    }

    #[test]
    fn a_foreign_entity_id_or_acs_url_fails() {
        let report = check(&document(
            "https://other.example/sp",
            &GOOD_ACS.replace("acme.zoomish", "evil"),
        ));
        let failures = failed(&report);
        assert_eq!(failures.len(), 2, "{}", report.to_text());
        assert_eq!(failures[0].0, "entity_id");
        assert!(
            failures[0].1.contains(
                "entityID is `https://other.example/sp`, but Zoomish's is `acme.zoomish.example`"
            ),
            "{}",
            failures[0].1
        );
        assert_eq!(failures[1].0, "acs_url");
        assert!(
            failures[1]
                .1
                .contains("(found: `https://evil.example/saml/SSO`)")
        );
    }

    #[test]
    fn an_acs_that_is_not_the_default_warns() {
        let other = GOOD_ACS
            .replace(
                "acme.zoomish.example/saml/SSO",
                "acme.zoomish.example/other",
            )
            .replace("index=\"0\"", "index=\"1\"");
        let acs = format!("{other}\n{}", GOOD_ACS.replace(" isDefault=\"true\"", ""));
        let report = check(&document("acme.zoomish.example", &acs));
        assert!(report.passed(), "{}", report.to_text());
        assert_eq!(report.count(CheckStatus::Warn), 1, "{}", report.to_text());
    }

    #[test]
    fn other_documents_are_named() {
        let idp = r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor>"#;
        assert_eq!(
            parse_sp_metadata(idp).unwrap_err(),
            SpMetadataError::NoSpDescriptor
        );
        let broken = "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\">\n<a>\n</md:EntityDescriptor>";
        assert_eq!(parse_sp_metadata(broken).unwrap_err().line(), Some(3));
        assert!(
            parse_sp_metadata("<html/>")
                .unwrap_err()
                .to_string()
                .contains("root element is `html`")
        );
    }
}
