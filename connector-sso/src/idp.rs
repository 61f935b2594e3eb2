//! An identity provider's SAML 2.0 metadata (`md:EntityDescriptor` with an
//! `IDPSSODescriptor`), read into plain values.
//!
//! Only reading happens here; [`check`](super::check) judges the values. The metadata's own
//! signature (when it has one) is *not* verified: the file is what the admin downloaded from
//! their IdP, and what matters is which certificate and algorithms it announces.

use std::fmt;

use serde::Serialize;

use super::role::{self, NoRole};
use super::xml::{self, XmlError};

/// The SAML metadata namespace.
pub const MD_NS: &str = "urn:oasis:names:tc:SAML:2.0:metadata";
/// The XML Signature namespace.
pub const DS_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
/// The SAML metadata algorithm-support extension namespace.
pub const ALG_NS: &str = "urn:oasis:names:tc:SAML:metadata:algsupport";

/// What an IdP's metadata says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IdpMetadata {
    /// `entityID` of the `EntityDescriptor`.
    pub entity_id: Option<String>,
    /// `protocolSupportEnumeration` of the `IDPSSODescriptor`, split on white space.
    pub protocols: Vec<String>,
    /// `WantAuthnRequestsSigned`, when present.
    pub want_authn_requests_signed: Option<bool>,
    /// The `SingleSignOnService` endpoints.
    pub sso_services: Vec<Endpoint>,
    /// The `NameIDFormat` values offered.
    pub name_id_formats: Vec<String>,
    /// The certificates of `KeyDescriptor`s for signing (or without a `use`).
    pub signing_certificates: Vec<CertificateEntry>,
    /// `alg:SigningMethod` algorithms the IdP announces.
    pub signing_methods: Vec<String>,
    /// `alg:DigestMethod` algorithms the IdP announces.
    pub digest_methods: Vec<String>,
    /// The algorithms of the metadata document's own signature, when it is signed.
    pub metadata_signature: Option<SignatureAlgorithms>,
    /// How many `EntityDescriptor`s held an `IDPSSODescriptor` (the first one is read).
    pub idp_entity_count: usize,
}

/// A SAML endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Endpoint {
    /// The binding URN.
    pub binding: String,
    /// The URL.
    pub location: String,
}

/// A certificate as the metadata holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateEntry {
    /// The `KeyDescriptor`'s `use` (`signing`), or `None` (both uses).
    pub key_use: Option<String>,
    /// The base64 text of `ds:X509Certificate`, white space removed.
    pub base64: String,
    /// The line of the `ds:X509Certificate` element.
    pub line: usize,
}

/// The algorithm URIs of an XML signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignatureAlgorithms {
    /// `SignatureMethod/@Algorithm`.
    pub signature_method: Option<String>,
    /// `DigestMethod/@Algorithm` of each reference.
    pub digest_methods: Vec<String>,
}

/// Why a file is not usable IdP metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdpMetadataError {
    /// Not well-formed XML (or a DTD, an unknown entity...).
    Syntax(XmlError),
    /// Well-formed, but not SAML metadata.
    NotMetadata {
        /// The root element found (`{namespace}name`).
        root: String,
    },
    /// SAML metadata without an `IDPSSODescriptor` (SP metadata, for example).
    NoIdpDescriptor,
}

impl fmt::Display for IdpMetadataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Syntax(error) => write!(f, "XML syntax error at {error}"),
            Self::NotMetadata { root } => write!(
                f,
                "not SAML metadata: the root element is `{root}`, expected \
                 `md:EntityDescriptor` or `md:EntitiesDescriptor` ({MD_NS})"
            ),
            Self::NoIdpDescriptor => write!(
                f,
                "the metadata has no `md:IDPSSODescriptor`: it does not describe an identity \
                 provider (is it SP metadata?)"
            ),
        }
    }
}

impl std::error::Error for IdpMetadataError {}

impl IdpMetadataError {
    /// The 1-based line of a syntax error.
    pub fn line(&self) -> Option<usize> {
        match self {
            Self::Syntax(error) => Some(error.line),
            _ => None,
        }
    }
}

/// Reads IdP metadata.
///
/// # Errors
///
/// [`IdpMetadataError`] when the text is not well-formed XML, not SAML metadata, or holds no
/// identity provider.
pub fn parse_idp_metadata(text: &str) -> Result<IdpMetadata, IdpMetadataError> {
    let root = xml::parse(text).map_err(IdpMetadataError::Syntax)?;
    let role = role::find(&root, "IDPSSODescriptor").map_err(|missing| match missing {
        NoRole::NotMetadata(root) => IdpMetadataError::NotMetadata { root },
        NoRole::Missing => IdpMetadataError::NoIdpDescriptor,
    })?;
    let (entity, idp) = (role.entity, role.descriptor);

    let mut metadata = IdpMetadata {
        entity_id: entity.attribute("entityID").map(str::to_owned),
        idp_entity_count: role.count,
        protocols: role.protocols(),
        want_authn_requests_signed: idp
            .attribute("WantAuthnRequestsSigned")
            .and_then(|v| match v.trim() {
                "true" | "1" => Some(true),
                "false" | "0" => Some(false),
                _ => None,
            }),
        ..IdpMetadata::default()
    };
    for service in idp.children_named(MD_NS, "SingleSignOnService") {
        metadata.sso_services.push(Endpoint {
            binding: service.attribute("Binding").unwrap_or_default().to_owned(),
            location: service.attribute("Location").unwrap_or_default().to_owned(),
        });
    }
    for format in idp.children_named(MD_NS, "NameIDFormat") {
        metadata
            .name_id_formats
            .push(format.trimmed_text().to_owned());
    }
    for key in idp.children_named(MD_NS, "KeyDescriptor") {
        let key_use = key.attribute("use").map(str::to_owned);
        if key_use.as_deref().is_some_and(|u| u != "signing") {
            continue;
        }
        for certificate in key
            .descendants()
            .into_iter()
            .filter(|e| e.is(DS_NS, "X509Certificate"))
        {
            metadata.signing_certificates.push(CertificateEntry {
                key_use: key_use.clone(),
                base64: certificate.text.split_whitespace().collect(),
                line: certificate.line,
            });
        }
    }
    for extensions in [
        entity.child(MD_NS, "Extensions"),
        idp.child(MD_NS, "Extensions"),
    ]
    .into_iter()
    .flatten()
    {
        for method in extensions.children_named(ALG_NS, "SigningMethod") {
            metadata
                .signing_methods
                .extend(method.attribute("Algorithm").map(str::to_owned));
        }
        for method in extensions.children_named(ALG_NS, "DigestMethod") {
            metadata
                .digest_methods
                .extend(method.attribute("Algorithm").map(str::to_owned));
        }
    }
    if let Some(signature) = entity.child(DS_NS, "Signature") {
        let signed_info = signature.child(DS_NS, "SignedInfo");
        metadata.metadata_signature = Some(SignatureAlgorithms {
            signature_method: signed_info
                .and_then(|s| s.child(DS_NS, "SignatureMethod"))
                .and_then(|m| m.attribute("Algorithm"))
                .map(str::to_owned),
            digest_methods: signed_info
                .map(|s| {
                    s.descendants()
                        .into_iter()
                        .filter(|e| e.is(DS_NS, "DigestMethod"))
                        .filter_map(|m| m.attribute("Algorithm"))
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
        });
    }
    Ok(metadata)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OKTA_LIKE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="http://www.okta.com/exk1">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
        <ds:X509Data><ds:X509Certificate>MIIB
          AAAA</ds:X509Certificate></ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>
    <md:KeyDescriptor use="encryption"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>ENC</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified</md:NameIDFormat>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://acme.okta.com/app/x/sso/saml"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://acme.okta.com/app/x/sso/saml"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"#;

    #[test]
    fn reads_okta_style_metadata() {
        let md = parse_idp_metadata(OKTA_LIKE).unwrap();
        assert_eq!(md.entity_id.as_deref(), Some("http://www.okta.com/exk1"));
        assert_eq!(md.sso_services.len(), 2);
        assert_eq!(md.name_id_formats.len(), 2);
        assert_eq!(
            md.signing_certificates.len(),
            1,
            "encryption keys are skipped"
        );
        assert_eq!(md.signing_certificates[0].base64, "MIIBAAAA");
        assert_eq!(md.signing_certificates[0].line, 6);
        assert_eq!(md.want_authn_requests_signed, Some(false));
        assert!(md.metadata_signature.is_none());
    }

    #[test]
    fn tells_what_is_wrong_with_other_documents() {
        let sp = r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"><md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor>"#;
        assert_eq!(
            parse_idp_metadata(sp).unwrap_err(),
            IdpMetadataError::NoIdpDescriptor
        );
        let html = "<html><body/></html>";
        assert!(
            parse_idp_metadata(html)
                .unwrap_err()
                .to_string()
                .contains("root element is `html`")
        );
        let broken = "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\">\n<a>\n</md:EntityDescriptor>";
        let error = parse_idp_metadata(broken).unwrap_err();
        assert_eq!(error.line(), Some(3), "{error}");
    }
}
