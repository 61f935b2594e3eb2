//! # connector-saml-sp
//!
//! A SAML 2.0 service provider that stands in for each AI SaaS, so sign-in through the
//! company IdP can be proven end to end before the real service is touched.
//!
//! Each [`SamlSp`] is one service's SP, set up from the connector's manifest (its SP facts
//! come from [`connector_sso`]) and the IdP's metadata ([`IdpTrust`]). It issues
//! AuthnRequests (remembering their IDs), and verifies Responses POSTed to the ACS: XML
//! signatures over the Response or the Assertion with samael over xmlsec (never
//! hand-rolled), refusing signature-wrapping shapes first ([`structure`]); then issuer,
//! audience, recipient, destination, NotBefore / NotOnOrAfter with a bounded skew, status,
//! InResponseTo (one-time, so a replay is refused) and IdP-initiated sign-in for services
//! that accept only SP-initiated. Each refusal is a [`Rejection`] with a stable code and a
//! reason.
//!
//! [`router()`] serves any number of SPs as an axum `Router` (see [`mod@router`] for the routes).
//!
//! This crate links libxmlsec1, libxml2 and OpenSSL (through samael); `connector-sdk`
//! stays pure Rust.

pub mod config;
pub mod rejection;
pub mod router;
pub mod sp;
pub mod store;
pub mod structure;

pub use config::{ConfigError, IdpTrust, MAX_CLOCK_SKEW, SpOptions};
pub use rejection::{Rejection, RejectionBody};
pub use router::router;
pub use sp::{LoginError, LoginStart, SamlSp, VerifiedLogin};
