//! Checks of an identity provider's SAML metadata against what a service needs.
//!
//! Each check yields a [`Finding`] that passes, warns or fails, with a message that says
//! what was found and, when it is wrong, what to change. Certificates are parsed with the
//! `x509-cert` crate; nothing here verifies signatures (the metadata's own signature is not
//! checked, see [`idp`](super::idp)).

use std::time::{Duration, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;
use x509_cert::Certificate;
use x509_cert::der::Decode;

use connector_sdk::manifest::Manifest;

use super::idp::{CertificateEntry, IdpMetadata};
use super::{HTTP_POST_BINDING, HTTP_REDIRECT_BINDING, SAML2_PROTOCOL};

/// Days of certificate validity under which the check warns.
pub const CERTIFICATE_WARN_DAYS: i64 = 30;

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    /// As the service needs.
    Pass,
    /// Works, but should be looked at.
    Warn,
    /// Sign-in will fail or be unsafe.
    Fail,
}

impl CheckStatus {
    /// `ok`, `warn` or `FAIL`, for text output.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pass => "ok",
            Self::Warn => "warn",
            Self::Fail => "FAIL",
        }
    }
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// A stable identifier (`entity_id`, `sso_url`, `binding`, `protocol`,
    /// `signing_certificate`, `certificate`, `certificate_validity`, `signature_algorithm`,
    /// `name_id_format`, `authn_requests`).
    pub check: &'static str,
    /// The outcome.
    pub status: CheckStatus,
    /// What was found, and what to change when it is wrong.
    pub message: String,
}

/// Every finding about one IdP metadata file, for one service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckReport {
    /// The connector's machine name.
    pub connector: &'static str,
    /// The findings, in check order.
    pub findings: Vec<Finding>,
}

impl CheckReport {
    /// True when no finding failed (warnings allowed).
    pub fn passed(&self) -> bool {
        self.findings.iter().all(|f| f.status != CheckStatus::Fail)
    }

    /// How many findings have `status`.
    pub fn count(&self, status: CheckStatus) -> usize {
        self.findings.iter().filter(|f| f.status == status).count()
    }

    /// The report as text: one line per finding, then a summary line.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for finding in &self.findings {
            out.push_str(&format!(
                "{:<4} {:<20} {}\n",
                finding.status.label(),
                finding.check,
                finding.message
            ));
        }
        out.push_str(&format!(
            "{}: {} passed, {} warning(s), {} failed\n",
            if self.passed() { "PASS" } else { "FAIL" },
            self.count(CheckStatus::Pass),
            self.count(CheckStatus::Warn),
            self.count(CheckStatus::Fail),
        ));
        out
    }
}

/// What a certificate says, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateSummary {
    /// The subject DN.
    pub subject: String,
    /// The issuer DN.
    pub issuer: String,
    /// notBefore, RFC 3339.
    pub not_before: String,
    /// notAfter, RFC 3339.
    pub not_after: String,
    /// Seconds since the Unix epoch of notBefore.
    pub not_before_unix: u64,
    /// Seconds since the Unix epoch of notAfter.
    pub not_after_unix: u64,
    /// The signature algorithm's OID.
    pub signature_oid: String,
    /// Its name (`sha256WithRSAEncryption`), or the OID when unknown.
    pub signature_algorithm: String,
}

/// Decodes a base64 DER X.509 certificate.
///
/// # Errors
///
/// A message when the text is not base64 or not an X.509 certificate.
pub fn summarize_certificate(base64_der: &str) -> Result<CertificateSummary, String> {
    let der = STANDARD
        .decode(base64_der.as_bytes())
        .map_err(|e| format!("not base64 ({e})"))?;
    let certificate = Certificate::from_der(&der).map_err(|e| format!("not X.509 DER ({e})"))?;
    let tbs = certificate.tbs_certificate();
    let validity = tbs.validity();
    let oid = certificate.signature_algorithm().oid;
    Ok(CertificateSummary {
        subject: tbs.subject().to_string(),
        issuer: tbs.issuer().to_string(),
        not_before: validity.not_before.to_date_time().to_string(),
        not_after: validity.not_after.to_date_time().to_string(),
        not_before_unix: validity.not_before.to_unix_duration().as_secs(),
        not_after_unix: validity.not_after.to_unix_duration().as_secs(),
        signature_oid: oid.to_string(),
        signature_algorithm: x509_cert::der::oid::db::DB
            .by_oid(&oid)
            .map_or_else(|| oid.to_string(), str::to_owned),
    })
}

/// Whether a certificate signature algorithm OID uses MD5 or SHA-1.
fn weak_certificate_algorithm(oid: &str) -> bool {
    matches!(
        oid,
        "1.2.840.113549.1.1.4"   // md5WithRSAEncryption
            | "1.2.840.113549.1.1.5" // sha1WithRSAEncryption
            | "1.3.14.3.2.29"        // sha1WithRSA (OIW)
            | "1.2.840.10045.4.1"    // ecdsa-with-SHA1
            | "1.2.840.10040.4.3" // dsa-with-sha1
    )
}

/// Whether an XML signature or digest algorithm URI uses MD5 or SHA-1.
pub fn weak_xml_algorithm(uri: &str) -> bool {
    let fragment = uri
        .rsplit(['#', '/'])
        .next()
        .unwrap_or(uri)
        .to_ascii_lowercase();
    fragment.ends_with("sha1") || fragment.contains("md5")
}

/// Checks `metadata` against what `manifest`'s service needs, at time `now`.
pub fn check_idp_metadata(
    manifest: &Manifest,
    metadata: &IdpMetadata,
    now: SystemTime,
) -> CheckReport {
    let mut findings = Vec::new();
    let mut push = |check: &'static str, status: CheckStatus, message: String| {
        findings.push(Finding {
            check,
            status,
            message,
        });
    };

    // Entity ID.
    match metadata.entity_id.as_deref().map(str::trim) {
        Some(id) if !id.is_empty() => {
            push(
                "entity_id",
                CheckStatus::Pass,
                format!("IdP entity ID: {id}"),
            );
        }
        _ => push(
            "entity_id",
            CheckStatus::Fail,
            "the EntityDescriptor has no entityID; the service cannot match the Issuer".to_owned(),
        ),
    }
    if metadata.idp_entity_count > 1 {
        push(
            "entity_id",
            CheckStatus::Warn,
            format!(
                "the file describes {} identity providers; only the first was checked",
                metadata.idp_entity_count
            ),
        );
    }

    // Protocol.
    let (status, detail) = saml2_protocol(&metadata.protocols);
    push("protocol", status, detail);

    // Bindings and SSO URL.
    let usable: Vec<_> = metadata
        .sso_services
        .iter()
        .filter(|s| s.binding == HTTP_REDIRECT_BINDING || s.binding == HTTP_POST_BINDING)
        .collect();
    let short = |binding: &str| binding.rsplit(':').next().unwrap_or(binding).to_owned();
    if usable.is_empty() {
        push(
            "binding",
            CheckStatus::Fail,
            format!(
                "no SingleSignOnService with the HTTP-Redirect or HTTP-POST binding (found: {}); \
                 SP-initiated sign-in needs one",
                if metadata.sso_services.is_empty() {
                    "none".to_owned()
                } else {
                    metadata
                        .sso_services
                        .iter()
                        .map(|s| short(&s.binding))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            ),
        );
    } else {
        push(
            "binding",
            CheckStatus::Pass,
            format!(
                "SingleSignOnService bindings: {}",
                usable
                    .iter()
                    .map(|s| short(&s.binding))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
        for service in &usable {
            let status = match url::Url::parse(&service.location) {
                Ok(url) if url.scheme() == "https" && url.host_str().is_some() => CheckStatus::Pass,
                _ => CheckStatus::Fail,
            };
            let message = if status == CheckStatus::Pass {
                format!(
                    "SSO URL ({}): {}",
                    short(&service.binding),
                    service.location
                )
            } else {
                format!(
                    "SSO URL ({}) `{}` is not an https URL",
                    short(&service.binding),
                    service.location
                )
            };
            push("sso_url", status, message);
        }
    }

    // Signing certificates.
    if metadata.signing_certificates.is_empty() {
        push(
            "signing_certificate",
            CheckStatus::Fail,
            "no signing certificate (KeyDescriptor use=\"signing\" with ds:X509Certificate); \
             the service cannot verify the IdP's signatures"
                .to_owned(),
        );
    } else {
        push(
            "signing_certificate",
            CheckStatus::Pass,
            format!(
                "{} signing certificate(s) present",
                metadata.signing_certificates.len()
            ),
        );
    }
    let now_unix = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs();
    let mut certificate_algorithms = Vec::new();
    let mut weak = Vec::new();
    for (index, entry) in metadata.signing_certificates.iter().enumerate() {
        check_certificate(
            index + 1,
            entry,
            now_unix,
            &mut push,
            &mut certificate_algorithms,
            &mut weak,
        );
    }

    // Signature algorithms.
    if let Some(signature) = &metadata.metadata_signature {
        for uri in signature
            .signature_method
            .iter()
            .chain(signature.digest_methods.iter())
        {
            if weak_xml_algorithm(uri) {
                weak.push(format!("the metadata's own signature uses {uri}"));
            }
        }
    }
    let strong_methods: Vec<&String> = metadata
        .signing_methods
        .iter()
        .filter(|m| !weak_xml_algorithm(m))
        .collect();
    if !metadata.signing_methods.is_empty() && strong_methods.is_empty() {
        weak.push(format!(
            "the IdP announces only SHA-1/MD5 signing methods ({})",
            metadata.signing_methods.join(", ")
        ));
    }
    if !weak.is_empty() {
        push(
            "signature_algorithm",
            CheckStatus::Fail,
            format!(
                "SHA-1 (or MD5) in use: {}; use SHA-256 (RSA-SHA256) certificates and signatures",
                weak.join("; ")
            ),
        );
    } else if metadata
        .signing_methods
        .iter()
        .any(|m| weak_xml_algorithm(m))
    {
        push(
            "signature_algorithm",
            CheckStatus::Warn,
            "the IdP also offers SHA-1 signing methods; make sure the app signs with RSA-SHA256 \
             (the generated Okta app does)"
                .to_owned(),
        );
    } else if !certificate_algorithms.is_empty() || !strong_methods.is_empty() {
        let mut seen: Vec<String> = certificate_algorithms;
        seen.extend(strong_methods.iter().map(|m| (*m).clone()));
        seen.dedup();
        push(
            "signature_algorithm",
            CheckStatus::Pass,
            format!("SHA-256 or stronger, no SHA-1: {}", seen.join(", ")),
        );
    }

    // NameID format.
    let needed = manifest.sso.name_id_format;
    let short_format = |f: &str| f.rsplit(':').next().unwrap_or(f).to_owned();
    if metadata.name_id_formats.is_empty() {
        push(
            "name_id_format",
            CheckStatus::Warn,
            format!(
                "the metadata lists no NameIDFormat; make sure the IdP app sends {} \
                 ({needed})",
                short_format(needed)
            ),
        );
    } else if metadata.name_id_formats.iter().any(|f| f == needed) {
        push(
            "name_id_format",
            CheckStatus::Pass,
            format!(
                "{} needs {}; the IdP offers it (offers: {})",
                manifest.display_name,
                short_format(needed),
                metadata
                    .name_id_formats
                    .iter()
                    .map(|f| short_format(f))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    } else {
        push(
            "name_id_format",
            CheckStatus::Fail,
            format!(
                "{} needs NameID format {} ({needed}) but the IdP offers only {}; set the app's \
                 Name ID format to {}",
                manifest.display_name,
                short_format(needed),
                metadata
                    .name_id_formats
                    .iter()
                    .map(|f| short_format(f))
                    .collect::<Vec<_>>()
                    .join(", "),
                short_format(needed)
            ),
        );
    }

    // AuthnRequest signing.
    if metadata.want_authn_requests_signed == Some(true) {
        push(
            "authn_requests",
            CheckStatus::Warn,
            "the IdP wants signed AuthnRequests; the service's generated SP metadata says \
             AuthnRequestsSigned=\"false\", so SP-initiated sign-in may be refused"
                .to_owned(),
        );
    }

    CheckReport {
        connector: manifest.name,
        findings,
    }
}

fn check_certificate(
    number: usize,
    entry: &CertificateEntry,
    now_unix: u64,
    push: &mut impl FnMut(&'static str, CheckStatus, String),
    algorithms: &mut Vec<String>,
    weak: &mut Vec<String>,
) {
    let label = format!("certificate {number} (line {})", entry.line);
    let summary = match summarize_certificate(&entry.base64) {
        Ok(summary) => summary,
        Err(error) => {
            push(
                "certificate",
                CheckStatus::Fail,
                format!("{label} cannot be read: {error}"),
            );
            return;
        }
    };
    push(
        "certificate",
        CheckStatus::Pass,
        format!(
            "{label}: X.509, subject {}, issuer {}, signed with {}",
            summary.subject, summary.issuer, summary.signature_algorithm
        ),
    );
    if weak_certificate_algorithm(&summary.signature_oid) {
        weak.push(format!(
            "{label} is signed with {}",
            summary.signature_algorithm
        ));
    } else {
        algorithms.push(format!("{label}: {}", summary.signature_algorithm));
    }
    let days = |seconds: u64| i64::try_from(seconds / 86_400).unwrap_or(i64::MAX);
    if now_unix < summary.not_before_unix {
        push(
            "certificate_validity",
            CheckStatus::Fail,
            format!(
                "{label} is not valid yet: valid from {} ({} day(s) from now)",
                summary.not_before,
                days(summary.not_before_unix - now_unix)
            ),
        );
    } else if now_unix > summary.not_after_unix {
        push(
            "certificate_validity",
            CheckStatus::Fail,
            format!(
                "{label} expired on {} ({} day(s) ago); rotate the IdP signing certificate",
                summary.not_after,
                days(now_unix - summary.not_after_unix)
            ),
        );
    } else {
        let left = days(summary.not_after_unix - now_unix);
        let status = if left < CERTIFICATE_WARN_DAYS {
            CheckStatus::Warn
        } else {
            CheckStatus::Pass
        };
        push(
            "certificate_validity",
            status,
            format!(
                "{label} is valid from {} to {} ({left} day(s) left){}",
                summary.not_before,
                summary.not_after,
                if status == CheckStatus::Warn {
                    "; plan the rotation now"
                } else {
                    ""
                }
            ),
        );
    }
}

/// Whether a role descriptor's `protocolSupportEnumeration` includes SAML 2.0, as a finding.
pub(crate) fn saml2_protocol(protocols: &[String]) -> (CheckStatus, String) {
    if protocols.iter().any(|p| p == SAML2_PROTOCOL) {
        (CheckStatus::Pass, "supports SAML 2.0".to_owned())
    } else {
        (
            CheckStatus::Fail,
            format!(
                "protocolSupportEnumeration is `{}`; it must include {SAML2_PROTOCOL}",
                protocols.join(" ")
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_algorithms_are_classified_by_their_fragment() {
        assert!(weak_xml_algorithm(
            "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
        ));
        assert!(weak_xml_algorithm("http://www.w3.org/2000/09/xmldsig#sha1"));
        assert!(!weak_xml_algorithm(
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
        ));
        assert!(!weak_xml_algorithm(
            "http://www.w3.org/2001/04/xmlenc#sha256"
        ));
    }

    #[test]
    fn garbage_certificates_are_reported_not_panicked_on() {
        assert!(summarize_certificate("!!!").unwrap_err().contains("base64"));
        assert!(summarize_certificate("AAAA").unwrap_err().contains("X.509"));
    }
}
