//! Why a SAML Response was refused.
//!
//! Every rejection has a stable machine [`code`](Rejection::code) (for tests, logs and the
//! ACS endpoint's JSON) and a sentence that says what was wrong.

use std::fmt;

use serde::Serialize;

/// Why a SAML Response was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// Not base64, not UTF-8, not XML, not a SAML Response, or missing a required part.
    #[error("malformed SAML Response: {0}")]
    Malformed(String),
    /// Larger than the verifier accepts.
    #[error("the SAML Response is {size} bytes; at most {limit} are accepted")]
    TooLarge {
        /// The size received.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Neither the Response nor its Assertion carries an XML signature.
    #[error("unsigned: neither the Response nor the Assertion carries an XML signature")]
    Unsigned,
    /// The document's shape is one of the XML signature-wrapping (XSW) patterns.
    #[error("signature wrapping refused: {0}")]
    SignatureWrapping(String),
    /// A signature uses SHA-1 or another algorithm the verifier does not accept.
    #[error("weak signature algorithm: {0}")]
    WeakAlgorithm(String),
    /// The signature was made with a key the IdP metadata does not hold.
    #[error("signed by another key: {0}")]
    UntrustedKey(String),
    /// The signature does not verify: the signed content changed after signing.
    #[error("invalid signature: {0}")]
    InvalidSignature(String),
    /// The Issuer is not the IdP's entity ID.
    #[error("wrong issuer: {0}")]
    WrongIssuer(String),
    /// The AudienceRestriction does not name this SP.
    #[error("wrong audience: {0}")]
    WrongAudience(String),
    /// The SubjectConfirmationData Recipient is not this SP's ACS URL.
    #[error("wrong recipient: {0}")]
    WrongRecipient(String),
    /// The Response Destination is not this SP's ACS URL.
    #[error("wrong destination: {0}")]
    WrongDestination(String),
    /// Outside its validity window (NotOnOrAfter passed, or issued too long ago).
    #[error("expired: {0}")]
    Expired(String),
    /// Before its validity window (NotBefore in the future beyond the allowed skew).
    #[error("not yet valid: {0}")]
    NotYetValid(String),
    /// The IdP answered with a non-success status.
    #[error("the IdP reported failure: {0}")]
    StatusNotSuccess(String),
    /// InResponseTo names no AuthnRequest this SP issued (or one that expired).
    #[error("unknown InResponseTo: {0}")]
    UnknownRequest(String),
    /// InResponseTo names an AuthnRequest that was already answered, or the assertion ID
    /// was already used: the Response is a replay.
    #[error("replay: {0}")]
    Replayed(String),
    /// An unsolicited (IdP-initiated) Response for a service that accepts only SP-initiated
    /// sign-in.
    #[error("IdP-initiated sign-in refused: {0}")]
    IdpInitiatedNotAllowed(String),
    /// Encrypted assertions are not supported by this verifier.
    #[error("unsupported: {0}")]
    Unsupported(String),
}

impl Rejection {
    /// A stable snake_case code (`invalid_signature`, `wrong_audience`, ...).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "malformed",
            Self::TooLarge { .. } => "too_large",
            Self::Unsigned => "unsigned",
            Self::SignatureWrapping(_) => "signature_wrapping",
            Self::WeakAlgorithm(_) => "weak_algorithm",
            Self::UntrustedKey(_) => "untrusted_key",
            Self::InvalidSignature(_) => "invalid_signature",
            Self::WrongIssuer(_) => "wrong_issuer",
            Self::WrongAudience(_) => "wrong_audience",
            Self::WrongRecipient(_) => "wrong_recipient",
            Self::WrongDestination(_) => "wrong_destination",
            Self::Expired(_) => "expired",
            Self::NotYetValid(_) => "not_yet_valid",
            Self::StatusNotSuccess(_) => "status_not_success",
            Self::UnknownRequest(_) => "unknown_in_response_to",
            Self::Replayed(_) => "replayed",
            Self::IdpInitiatedNotAllowed(_) => "idp_initiated_not_allowed",
            Self::Unsupported(_) => "unsupported",
        }
    }

    /// The code and sentence as the ACS endpoint returns them.
    pub fn to_body(&self) -> RejectionBody {
        RejectionBody {
            status: "rejected",
            code: self.code(),
            reason: self.to_string(),
        }
    }
}

/// The JSON body of a refused Response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectionBody {
    /// `rejected`.
    pub status: &'static str,
    /// [`Rejection::code`].
    pub code: &'static str,
    /// The sentence.
    pub reason: String,
}

impl fmt::Display for RejectionBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.reason)
    }
}
