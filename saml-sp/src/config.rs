//! How one SP is set up: the service's SP facts (from `connector_sso`), the IdP it
//! trusts (from the IdP's metadata) and the verifier's tolerances.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use connector_sso::{self as sso, HTTP_POST_BINDING, HTTP_REDIRECT_BINDING, SAML2_PROTOCOL};

/// The largest clock skew the verifier can be configured with.
pub const MAX_CLOCK_SKEW: Duration = Duration::from_secs(5 * 60);

/// Why an SP could not be set up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The service's sign-in inputs are incomplete or wrong.
    #[error(transparent)]
    Inputs(#[from] sso::SsoInputError),
    /// The service does not sign in with SAML 2.0.
    #[error("{0} does not sign in with SAML 2.0")]
    NotSaml(String),
    /// The IdP metadata cannot be used.
    #[error("IdP metadata: {0}")]
    IdpMetadata(String),
    /// A tolerance is outside its bounds.
    #[error("{0}")]
    Options(String),
}

/// The verifier's tolerances.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpOptions {
    /// Clock skew allowed around NotBefore / NotOnOrAfter (at most [`MAX_CLOCK_SKEW`]).
    pub clock_skew: Duration,
    /// How long after its IssueInstant a Response or Assertion is accepted.
    pub max_response_age: Duration,
    /// How long an AuthnRequest may wait for its Response.
    pub request_ttl: Duration,
    /// The largest SAMLResponse (base64) accepted, in bytes.
    pub max_response_bytes: usize,
    /// The most outstanding requests and remembered assertion IDs.
    pub store_capacity: usize,
}

impl Default for SpOptions {
    fn default() -> Self {
        Self {
            clock_skew: Duration::from_secs(120),
            max_response_age: Duration::from_secs(5 * 60),
            request_ttl: Duration::from_secs(10 * 60),
            max_response_bytes: 256 * 1024,
            store_capacity: crate::store::DEFAULT_CAPACITY,
        }
    }
}

impl SpOptions {
    /// Checks the bounds.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Options`] when the skew exceeds [`MAX_CLOCK_SKEW`] or a limit is zero.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.clock_skew > MAX_CLOCK_SKEW {
            return Err(ConfigError::Options(format!(
                "clock skew {:?} exceeds the maximum of {:?}",
                self.clock_skew, MAX_CLOCK_SKEW
            )));
        }
        if self.max_response_age.is_zero()
            || self.request_ttl.is_zero()
            || self.max_response_bytes == 0
            || self.store_capacity == 0
        {
            return Err(ConfigError::Options(
                "max_response_age, request_ttl, max_response_bytes and store_capacity must be \
                 positive"
                    .to_owned(),
            ));
        }
        Ok(())
    }
}

/// The identity provider an SP trusts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdpTrust {
    /// The IdP's entity ID (the Issuer it must send).
    pub entity_id: String,
    /// Where AuthnRequests go (HTTP-Redirect binding).
    pub sso_url: String,
    /// The IdP's signing certificates, DER.
    pub certificates: Vec<Vec<u8>>,
    /// The metadata document the trust was read from.
    pub metadata_xml: String,
}

impl IdpTrust {
    /// Reads the trust from IdP metadata.
    ///
    /// # Errors
    ///
    /// [`ConfigError::IdpMetadata`] when the metadata does not parse, has no entity ID, no
    /// SAML 2.0 support, no HTTP-Redirect SSO endpoint, or no readable signing certificate.
    pub fn from_metadata(xml: &str) -> Result<Self, ConfigError> {
        let metadata =
            sso::parse_idp_metadata(xml).map_err(|e| ConfigError::IdpMetadata(e.to_string()))?;
        let entity_id = metadata
            .entity_id
            .filter(|id| !id.trim().is_empty())
            .ok_or_else(|| ConfigError::IdpMetadata("no entityID".to_owned()))?;
        if !metadata.protocols.iter().any(|p| p == SAML2_PROTOCOL) {
            return Err(ConfigError::IdpMetadata(
                "the IDPSSODescriptor does not support SAML 2.0".to_owned(),
            ));
        }
        let sso_url = metadata
            .sso_services
            .iter()
            .find(|s| s.binding == HTTP_REDIRECT_BINDING)
            .map(|s| s.location.clone())
            .ok_or_else(|| {
                ConfigError::IdpMetadata(
                    "no SingleSignOnService with the HTTP-Redirect binding".to_owned(),
                )
            })?;
        let mut certificates = Vec::new();
        for entry in &metadata.signing_certificates {
            let der = STANDARD.decode(entry.base64.as_bytes()).map_err(|e| {
                ConfigError::IdpMetadata(format!(
                    "the certificate at line {} is not base64: {e}",
                    entry.line
                ))
            })?;
            sso::check::summarize_certificate(&entry.base64).map_err(|e| {
                ConfigError::IdpMetadata(format!(
                    "the certificate at line {} cannot be read: {e}",
                    entry.line
                ))
            })?;
            certificates.push(der);
        }
        if certificates.is_empty() {
            return Err(ConfigError::IdpMetadata(
                "no signing certificate: without one no signature can be verified".to_owned(),
            ));
        }
        Ok(Self {
            entity_id,
            sso_url,
            certificates,
            metadata_xml: xml.to_owned(),
        })
    }
}

/// The HTTP-POST binding, which the ACS uses.
pub const ACS_BINDING: &str = HTTP_POST_BINDING;
