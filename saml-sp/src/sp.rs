//! One service's SAML service provider: issues AuthnRequests and verifies Responses.
//!
//! Verification runs in this order, and the first failure is the rejection:
//!
//! 1. size, base64, UTF-8;
//! 2. shape ([`structure::inspect`]): one Response, one Assertion as its direct child,
//!    unique IDs, each signature enveloped in the Response or the Assertion and pointing at
//!    its parent, no SHA-1, at least one signature;
//! 3. signatures, issuer, audience, recipient, destination, times and status, by samael
//!    over xmlsec (signatures restricted to SHA-256 or stronger);
//! 4. this crate's own checks on the *verified* assertion: it is the one the shape check
//!    saw, its AudienceRestriction names the SP, the Response's Destination is the ACS URL,
//!    the status is Success, there is a NameID;
//! 5. InResponseTo: it must name an AuthnRequest this SP issued and not yet saw answered
//!    (a replay is refused); without one, the Response is IdP-initiated, refused for
//!    SP-initiated-only services;
//! 6. the assertion ID must not have been used before (until the assertion expires).

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::Utc;
use connector_sdk::Manifest;
use connector_sso::{self as sso, SamlServiceProvider, ServiceProvider, SsoInputs};
use samael::crypto::AllowedSignatureAlgorithm;
use samael::metadata::EntityDescriptor;
use samael::schema::Assertion;
use samael::service_provider::{Error as SamaelError, ServiceProviderBuilder};
use serde::Serialize;

use crate::config::{ConfigError, IdpTrust, SpOptions};
use crate::rejection::Rejection;
use crate::store::{AssertionCache, Consumed, RequestStore};
use crate::structure::{self, STATUS_SUCCESS, Shape};

/// The bearer subject-confirmation method.
const BEARER: &str = "urn:oasis:names:tc:SAML:2.0:cm:bearer";

/// The longest RelayState the SAML bindings allow, in bytes.
pub const MAX_RELAY_STATE: usize = 80;

/// xmlsec and libxml2 keep global state; one verification at a time.
static XMLSEC: Mutex<()> = Mutex::new(());

/// A person the SP signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifiedLogin {
    /// The connector (`zoom`).
    pub connector: String,
    /// The NameID.
    pub name_id: String,
    /// The NameID's Format, when given.
    pub name_id_format: Option<String>,
    /// The attribute statements: name -> values.
    pub attributes: BTreeMap<String, Vec<String>>,
    /// The assertion's ID.
    pub assertion_id: String,
    /// The AuthnRequest this Response answered; `None` for IdP-initiated sign-in.
    pub in_response_to: Option<String>,
    /// Whether the Response itself was signed.
    pub response_signed: bool,
    /// Whether the Assertion was signed.
    pub assertion_signed: bool,
    /// Things that did not stop sign-in but differ from what the service expects.
    pub warnings: Vec<String>,
}

/// An SP-initiated sign-in, started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoginStart {
    /// The AuthnRequest's ID (the Response's InResponseTo must be it).
    pub request_id: String,
    /// Where to send the browser: the IdP's SSO URL with the deflated `SAMLRequest`.
    pub redirect_url: String,
}

/// Why a sign-in could not start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoginError {
    /// RelayState longer than [`MAX_RELAY_STATE`] bytes.
    #[error("RelayState is {0} bytes; SAML allows at most {MAX_RELAY_STATE}")]
    RelayStateTooLong(usize),
    /// samael could not encode the request.
    #[error("cannot encode the AuthnRequest: {0}")]
    Encode(String),
}

/// A SAML SP standing in for one service.
pub struct SamlSp {
    service: ServiceProvider,
    saml: SamlServiceProvider,
    idp: IdpTrust,
    options: SpOptions,
    samael: samael::service_provider::ServiceProvider,
    metadata_xml: String,
    requests: RequestStore,
    assertions: AssertionCache,
}

impl std::fmt::Debug for SamlSp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SamlSp")
            .field("connector", &self.service.connector)
            .field("acs_url", &self.saml.acs_url)
            .field("entity_id", &self.saml.entity_id)
            .field("idp", &self.idp.entity_id)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl SamlSp {
    /// The SP of `manifest`'s service, with SP facts resolved from `inputs` (tenant
    /// variables, and `acs_url`/`entity_id` when the spec does not fix them), trusting the
    /// IdP described by `idp_metadata_xml`.
    ///
    /// # Errors
    ///
    /// [`ConfigError`] when the inputs are incomplete, the service is not SAML, the IdP
    /// metadata is unusable or the options are out of bounds.
    pub fn from_manifest(
        manifest: &Manifest,
        inputs: &SsoInputs,
        idp_metadata_xml: &str,
        options: SpOptions,
    ) -> Result<Self, ConfigError> {
        let artifacts = sso::generate(manifest, inputs)?;
        let idp = IdpTrust::from_metadata(idp_metadata_xml)?;
        Self::new(artifacts.service_provider, idp, options)
    }

    /// The SP for resolved service facts `service` trusting `idp`.
    ///
    /// # Errors
    ///
    /// As [`from_manifest`](Self::from_manifest).
    pub fn new(
        service: ServiceProvider,
        idp: IdpTrust,
        options: SpOptions,
    ) -> Result<Self, ConfigError> {
        options.validate()?;
        let saml = service
            .saml
            .clone()
            .ok_or_else(|| ConfigError::NotSaml(service.display_name.to_owned()))?;
        let idp_descriptor: EntityDescriptor = idp
            .metadata_xml
            .parse()
            .map_err(|e| ConfigError::IdpMetadata(format!("samael cannot read it: {e}")))?;
        let samael = ServiceProviderBuilder::default()
            .entity_id(saml.entity_id.clone())
            .acs_url(saml.acs_url.clone())
            .idp_metadata(idp_descriptor)
            .authn_name_id_format(saml.name_id_format.clone())
            // InResponseTo is checked here, with one-time use; samael only compares lists.
            .allow_idp_initiated(true)
            .max_clock_skew(chrono_duration(options.clock_skew))
            .max_issue_delay(chrono_duration(options.max_response_age))
            .allowed_signature_algorithms(Some(vec![
                AllowedSignatureAlgorithm::RsaSha256,
                AllowedSignatureAlgorithm::RsaSha384,
                AllowedSignatureAlgorithm::RsaSha512,
                AllowedSignatureAlgorithm::EcdsaSha256,
                AllowedSignatureAlgorithm::EcdsaSha384,
                AllowedSignatureAlgorithm::EcdsaSha512,
            ]))
            .build()
            .map_err(|e| ConfigError::Options(e.to_string()))?;
        // samael skips signature checks when the metadata yields no signing certificate;
        // IdpTrust already refuses that, and this makes sure samael sees the same.
        match samael.idp_signing_certs() {
            Ok(Some(certs)) if !certs.is_empty() => {}
            _ => {
                return Err(ConfigError::IdpMetadata(
                    "samael finds no signing certificate in it".to_owned(),
                ));
            }
        }
        let metadata_xml = sso::metadata::sp_metadata(&service, &saml);
        Ok(Self {
            requests: RequestStore::new(options.request_ttl, options.store_capacity),
            assertions: AssertionCache::new(options.store_capacity),
            service,
            saml,
            idp,
            options,
            samael,
            metadata_xml,
        })
    }

    /// The connector's machine name (the router's path segment).
    pub fn connector(&self) -> &str {
        self.service.connector
    }

    /// The service's resolved SP facts.
    pub fn service(&self) -> &ServiceProvider {
        &self.service
    }

    /// The ACS URL Responses must be addressed to.
    pub fn acs_url(&self) -> &str {
        &self.saml.acs_url
    }

    /// The SP entity ID (audience).
    pub fn entity_id(&self) -> &str {
        &self.saml.entity_id
    }

    /// The trusted IdP.
    pub fn idp(&self) -> &IdpTrust {
        &self.idp
    }

    /// The SP metadata (as `connector sso <app> --format metadata` prints it).
    pub fn metadata_xml(&self) -> &str {
        &self.metadata_xml
    }

    /// Starts SP-initiated sign-in: issues an AuthnRequest, remembers its ID, and returns
    /// the HTTP-Redirect URL to the IdP.
    ///
    /// # Errors
    ///
    /// [`LoginError`] for a RelayState over 80 bytes or an encoding failure.
    pub fn start_login(&self, relay_state: Option<&str>) -> Result<LoginStart, LoginError> {
        let relay_state = relay_state.unwrap_or_default();
        if relay_state.len() > MAX_RELAY_STATE {
            return Err(LoginError::RelayStateTooLong(relay_state.len()));
        }
        let mut request = self
            .samael
            .make_authentication_request(&self.idp.sso_url)
            .map_err(|e| LoginError::Encode(e.to_string()))?;
        // samael's own IDs carry 32 random bits; use 122 (and start with `_`, an NCName).
        request.id = format!("_{}", uuid::Uuid::new_v4().simple());
        let url = {
            let _guard = XMLSEC
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            request
                .redirect(relay_state)
                .map_err(|e| LoginError::Encode(e.to_string()))?
        }
        .ok_or_else(|| LoginError::Encode("no destination".to_owned()))?;
        self.requests.issue(&request.id);
        Ok(LoginStart {
            request_id: request.id,
            redirect_url: url.to_string(),
        })
    }

    /// Records `request_id` as an AuthnRequest this SP issued, for a Response whose
    /// request was sent by another process (`connector sso verify --in-response-to`): a
    /// Response answering it is then accepted once, and a second one is a replay.
    pub fn expect_request(&self, request_id: &str) {
        self.requests.issue(request_id);
    }

    /// Verifies a `SAMLResponse` form value (base64, as POSTed to the ACS).
    ///
    /// # Errors
    ///
    /// The [`Rejection`] that stopped it.
    pub fn verify_post(&self, saml_response: &str) -> Result<VerifiedLogin, Rejection> {
        if saml_response.len() > self.options.max_response_bytes {
            return Err(Rejection::TooLarge {
                size: saml_response.len(),
                limit: self.options.max_response_bytes,
            });
        }
        let compact: String = saml_response.split_whitespace().collect();
        let bytes = STANDARD
            .decode(compact.as_bytes())
            .map_err(|e| Rejection::Malformed(format!("SAMLResponse is not base64 ({e})")))?;
        let xml = String::from_utf8(bytes)
            .map_err(|_| Rejection::Malformed("SAMLResponse is not UTF-8".to_owned()))?;
        self.verify_xml(&xml)
    }

    /// Verifies a decoded SAML Response document.
    ///
    /// # Errors
    ///
    /// The [`Rejection`] that stopped it.
    pub fn verify_xml(&self, xml: &str) -> Result<VerifiedLogin, Rejection> {
        if xml.len() > self.options.max_response_bytes {
            return Err(Rejection::TooLarge {
                size: xml.len(),
                limit: self.options.max_response_bytes,
            });
        }
        let shape = structure::inspect(xml)?;
        let assertion = {
            let _guard = XMLSEC
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            self.samael.parse_xml_response(xml, None)
        }
        .map_err(|error| self.map_samael_error(error, &shape))?;
        self.check_verified(&assertion, &shape)
    }

    /// Checks the verified assertion, then consumes its InResponseTo and assertion ID.
    fn check_verified(
        &self,
        assertion: &Assertion,
        shape: &Shape,
    ) -> Result<VerifiedLogin, Rejection> {
        if assertion.id != shape.assertion_id {
            return Err(Rejection::SignatureWrapping(format!(
                "the verified assertion `{}` is not the Response's assertion `{}`",
                assertion.id, shape.assertion_id
            )));
        }
        let conditions = assertion.conditions.as_ref().ok_or_else(|| {
            Rejection::WrongAudience("the assertion has no Conditions".to_owned())
        })?;
        let audiences: Vec<&String> = conditions
            .audience_restrictions
            .iter()
            .flatten()
            .flat_map(|r| r.audience.iter())
            .collect();
        if audiences.is_empty() {
            return Err(Rejection::WrongAudience(
                "the assertion has no AudienceRestriction".to_owned(),
            ));
        }
        if !audiences.iter().any(|a| **a == self.saml.entity_id) {
            return Err(Rejection::WrongAudience(format!(
                "the assertion is for {}, not for this SP ({})",
                audiences
                    .iter()
                    .map(|a| format!("`{a}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                self.saml.entity_id
            )));
        }
        match shape.destination.as_deref() {
            Some(destination) if destination == self.saml.acs_url => {}
            Some(destination) => {
                return Err(Rejection::WrongDestination(format!(
                    "the Response is addressed to `{destination}`, not to this SP's ACS URL \
                     ({})",
                    self.saml.acs_url
                )));
            }
            None => {
                return Err(Rejection::WrongDestination(
                    "the Response has no Destination".to_owned(),
                ));
            }
        }
        if shape.status.as_deref() != Some(STATUS_SUCCESS) {
            return Err(Rejection::StatusNotSuccess(format!(
                "status `{}`",
                shape.status.as_deref().unwrap_or("(none)")
            )));
        }
        let subject = assertion
            .subject
            .as_ref()
            .ok_or_else(|| Rejection::Malformed("the assertion has no Subject".to_owned()))?;
        let name_id = subject
            .name_id
            .as_ref()
            .filter(|n| !n.value.trim().is_empty())
            .ok_or_else(|| Rejection::Malformed("the assertion has no NameID".to_owned()))?;
        // The confirmation samael accepted: bearer, for this ACS, within its times.
        let now = Utc::now();
        let skew = chrono_duration(self.options.clock_skew);
        let confirmation = subject
            .subject_confirmations
            .iter()
            .flatten()
            .filter(|c| c.method.as_deref() == Some(BEARER))
            .filter_map(|c| c.subject_confirmation_data.as_ref())
            .filter(|d| d.not_on_or_after.is_some_and(|t| now <= t + skew))
            .filter(|d| d.not_before.is_none_or(|t| t - skew <= now))
            .find(|d| d.recipient.as_deref() == Some(self.saml.acs_url.as_str()))
            .ok_or_else(|| {
                Rejection::WrongRecipient(format!(
                    "no current bearer SubjectConfirmationData has Recipient {}",
                    self.saml.acs_url
                ))
            })?;
        let in_response_to = confirmation.in_response_to.clone();
        if let (Some(ours), Some(envelope)) = (&in_response_to, &shape.in_response_to)
            && ours != envelope
        {
            return Err(Rejection::Malformed(format!(
                "the Response answers `{envelope}` but its assertion answers `{ours}`"
            )));
        }
        if in_response_to.is_none() && shape.in_response_to.is_some() {
            return Err(Rejection::Malformed(
                "the Response carries an InResponseTo that its signed assertion's \
                 SubjectConfirmationData lacks"
                    .to_owned(),
            ));
        }

        let mut warnings = Vec::new();
        if name_id.format.as_deref() != Some(self.saml.name_id_format.as_str()) {
            warnings.push(format!(
                "NameID format is `{}`; {} expects `{}`",
                name_id.format.as_deref().unwrap_or("(none)"),
                self.service.display_name,
                self.saml.name_id_format
            ));
        }

        // One-time use: the request first, then the assertion.
        match &in_response_to {
            Some(id) => match self.requests.consume(id) {
                Consumed::Fresh => {}
                Consumed::AlreadyUsed => {
                    return Err(Rejection::Replayed(format!(
                        "InResponseTo `{id}` was already answered; this Response is a replay"
                    )));
                }
                Consumed::Unknown => {
                    return Err(Rejection::UnknownRequest(format!(
                        "InResponseTo `{id}` matches no AuthnRequest this SP issued (or it \
                         expired)"
                    )));
                }
            },
            None if self.service.sp_initiated_only => {
                return Err(Rejection::IdpInitiatedNotAllowed(format!(
                    "{} accepts only SP-initiated sign-in, and this Response answers no \
                     AuthnRequest (no InResponseTo)",
                    self.service.display_name
                )));
            }
            None => {}
        }
        if !self
            .assertions
            .first_use(&assertion.id, self.assertion_lifetime(assertion))
        {
            return Err(Rejection::Replayed(format!(
                "assertion `{}` was already used",
                assertion.id
            )));
        }

        let mut attributes: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for statement in assertion.attribute_statements.iter().flatten() {
            for attribute in &statement.attributes {
                let Some(name) = &attribute.name else {
                    continue;
                };
                attributes
                    .entry(name.clone())
                    .or_default()
                    .extend(attribute.values.iter().filter_map(|v| v.value.clone()));
            }
        }
        Ok(VerifiedLogin {
            connector: self.service.connector.to_owned(),
            name_id: name_id.value.clone(),
            name_id_format: name_id.format.clone(),
            attributes,
            assertion_id: assertion.id.clone(),
            in_response_to,
            response_signed: shape.response_signed,
            assertion_signed: shape.assertion_signed,
            warnings,
        })
    }

    /// How long to remember an assertion ID: until its latest NotOnOrAfter plus skew,
    /// at least the response age limit.
    fn assertion_lifetime(&self, assertion: &Assertion) -> Duration {
        let now = Utc::now();
        let latest = assertion
            .conditions
            .as_ref()
            .and_then(|c| c.not_on_or_after)
            .into_iter()
            .chain(
                assertion
                    .subject
                    .iter()
                    .flat_map(|s| s.subject_confirmations.iter().flatten())
                    .filter_map(|c| c.subject_confirmation_data.as_ref())
                    .filter_map(|d| d.not_on_or_after),
            )
            .max();
        let until_expiry = latest
            .and_then(|t| (t - now).to_std().ok())
            .unwrap_or(Duration::ZERO);
        until_expiry.max(self.options.max_response_age) + self.options.clock_skew
    }

    /// Turns samael's error into a rejection with a reason.
    fn map_samael_error(&self, error: SamaelError, shape: &Shape) -> Rejection {
        use SamaelError as E;
        match error {
            E::FailedToValidateSignature => self.signature_rejection(shape),
            E::AssertionIssuerMismatch { issuer, entity_id }
            | E::ResponseIssuerMismatch { issuer, entity_id } => Rejection::WrongIssuer(format!(
                "the Issuer is `{}`, not the IdP's entity ID `{}`",
                issuer.unwrap_or_default(),
                entity_id.unwrap_or_default()
            )),
            E::AssertionConditionAudienceRestrictionFailed { requirement } => {
                Rejection::WrongAudience(format!(
                    "the assertion's AudienceRestriction does not include this SP ({requirement})"
                ))
            }
            E::AssertionRecipientMismatch {
                assertion_recipient,
                sp_acs_url,
            } => Rejection::WrongRecipient(format!(
                "the Recipient is `{}`, not this SP's ACS URL `{}`",
                assertion_recipient.unwrap_or_default(),
                sp_acs_url.unwrap_or_default()
            )),
            E::DestinationValidationError {
                response_destination,
                sp_acs_url,
            } => Rejection::WrongDestination(format!(
                "the Response is addressed to `{}`, not to this SP's ACS URL ({})",
                response_destination.unwrap_or_else(|| "(none)".to_owned()),
                sp_acs_url.unwrap_or_default()
            )),
            E::AssertionExpired { time } | E::ResponseExpired { time } => {
                Rejection::Expired(format!(
                    "issued too long ago (IssueInstant plus {}s passed at {time})",
                    self.options.max_response_age.as_secs()
                ))
            }
            E::AssertionConditionExpired { time } => Rejection::Expired(format!(
                "the assertion's Conditions NotOnOrAfter (plus {}s skew) passed at {time}",
                self.options.clock_skew.as_secs()
            )),
            E::AssertionSubjectConfirmationExpired { time } => Rejection::Expired(format!(
                "the SubjectConfirmationData NotOnOrAfter (plus {}s skew) passed at {time}",
                self.options.clock_skew.as_secs()
            )),
            E::AssertionConditionExpiredBefore { time }
            | E::AssertionSubjectConfirmationExpiredBefore { time } => {
                Rejection::NotYetValid(format!(
                    "NotBefore is in the future: not valid until {time} (with {}s skew)",
                    self.options.clock_skew.as_secs()
                ))
            }
            E::ResponseBadStatusCode { code } => Rejection::StatusNotSuccess(code),
            E::AssertionBearerSubjectConfirmationMissing => {
                Rejection::Malformed("the assertion has no bearer SubjectConfirmation".to_owned())
            }
            E::AssertionSubjectConfirmationMissing => Rejection::Malformed(
                "the bearer SubjectConfirmation lacks SubjectConfirmationData with \
                 NotOnOrAfter"
                    .to_owned(),
            ),
            E::EncryptedAssertionsNotYetSupported => {
                Rejection::Unsupported("encrypted assertions".to_owned())
            }
            other => Rejection::Malformed(other.to_string()),
        }
    }

    /// Tells "signed by another key" from "altered after signing".
    fn signature_rejection(&self, shape: &Shape) -> Rejection {
        let foreign: Vec<&String> = shape
            .embedded_certificates
            .iter()
            .filter(|embedded| {
                STANDARD
                    .decode(embedded.as_bytes())
                    .map(|der| !self.idp.certificates.contains(&der))
                    .unwrap_or(true)
            })
            .collect();
        if let Some(certificate) = foreign.first() {
            let subject = sso::check::summarize_certificate(certificate)
                .map_or_else(|_| "an unreadable certificate".to_owned(), |s| s.subject);
            return Rejection::UntrustedKey(format!(
                "the signature carries the certificate of `{subject}`, which is not a signing \
                 certificate of the IdP `{}`, and does not verify with the IdP's key",
                self.idp.entity_id
            ));
        }
        Rejection::InvalidSignature(
            "the signature does not verify with the IdP's certificate: the signed content was \
             altered after signing, or it was signed with another key"
                .to_owned(),
        )
    }
}

fn chrono_duration(duration: Duration) -> chrono::Duration {
    chrono::Duration::from_std(duration).unwrap_or(chrono::Duration::MAX)
}
