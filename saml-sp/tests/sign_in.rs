//! End-to-end sign-in against the SP router on 127.0.0.1, with Responses signed by tools we
//! did not write: Debian's `xmlsec1` (templates filled from the generated Okta app) and a
//! pysaml2 IdP configured from the SP metadata our router serves.
//!
//! Then every attack the verifier must refuse, each with its code and reason.

mod common;

use std::process::Command;

use chrono::{Duration, Utc};
use common::{
    IDP_ENTITY_ID, IDP_SSO_URL, ResponseSpec, Signed, TestKey, b64, post_acs, python, serve,
    sign_xml, sp, start_login, tempdir, xmlsec1,
};

/// POSTs and expects a 403 with `code`; returns the reason.
async fn rejected(addr: std::net::SocketAddr, app: &str, xml: &str, code: &str) -> String {
    let (status, body) = post_acs(addr, app, &b64(xml)).await;
    assert_eq!(status, 403, "expected a rejection ({code}), got {body}");
    assert_eq!(body["status"], "rejected", "{body}");
    assert_eq!(body["code"], code, "{body}");
    body["reason"].as_str().expect("reason").to_owned()
}

/// POSTs and expects a 200; returns the login.
async fn accepted(addr: std::net::SocketAddr, app: &str, xml: &str) -> serde_json::Value {
    let (status, body) = post_acs(addr, app, &b64(xml)).await;
    assert_eq!(status, 200, "expected acceptance, got {body}");
    assert_eq!(body["status"], "accepted");
    assert_eq!(body["relay_state"], "rs-1");
    body["login"].clone()
}

#[tokio::test]
async fn zoom_accepts_an_idp_initiated_response_signed_by_xmlsec1() {
    let dir = tempdir();
    let key = TestKey::generate(dir.path(), "test-idp");
    let addr = serve(vec![sp(&connector_zoom::MANIFEST, &key)]).await;
    let spec = ResponseSpec::from_okta_app(&connector_zoom::MANIFEST, None);
    assert_eq!(
        spec.destination,
        format!("https://{}.zoom.us/saml/SSO", example_vanity())
    );
    let xml = spec.sign(dir.path(), &key);
    let login = accepted(addr, "zoom", &xml).await;
    assert_eq!(login["name_id"], "alice@example.com");
    assert_eq!(login["in_response_to"], serde_json::Value::Null);
    assert_eq!(login["response_signed"], true);
    assert_eq!(login["assertion_signed"], true);
    assert_eq!(login["attributes"]["mail"][0], "alice@example.com");
    assert_eq!(login["attributes"]["givenName"][0], "Alice");
    assert_eq!(login["attributes"]["sn"][0], "Liddell");
    assert_eq!(login["warnings"], serde_json::json!([]));

    // The same Response again: the assertion ID was used.
    let reason = rejected(addr, "zoom", &xml, "replayed").await;
    assert!(reason.contains("already used"), "{reason}");
}

fn example_vanity() -> String {
    connector_zoom::MANIFEST
        .variables
        .iter()
        .find(|v| v.name == "vanity")
        .map(|v| v.example.to_owned())
        .expect("vanity variable")
}

#[tokio::test]
async fn slack_sp_initiated_sign_in_works_once_and_a_replay_is_refused() {
    let dir = tempdir();
    let key = TestKey::generate(dir.path(), "test-idp");
    let addr = serve(vec![sp(&connector_slack::MANIFEST, &key)]).await;
    let (request_id, _) = start_login(addr, "slack").await;
    let mut spec =
        ResponseSpec::from_okta_app(&connector_slack::MANIFEST, Some(request_id.clone()));
    spec.signed = Signed::Assertion;
    // Slack wants a persistent NameID, as the generated app's subjectNameIdFormat says.
    assert!(spec.name_id_format.ends_with(":persistent"));
    let xml = spec.sign(dir.path(), &key);
    let login = accepted(addr, "slack", &xml).await;
    assert_eq!(login["in_response_to"], request_id);
    assert_eq!(login["attributes"]["User.Username"][0], "alice");
    assert_eq!(login["response_signed"], false);

    let reason = rejected(addr, "slack", &xml, "replayed").await;
    assert!(
        reason.contains(&format!("InResponseTo `{request_id}` was already answered")),
        "{reason}"
    );
}

#[tokio::test]
async fn chatgpt_accepts_sp_initiated_and_refuses_idp_initiated_sign_in() {
    let dir = tempdir();
    let key = TestKey::generate(dir.path(), "test-idp");
    let addr = serve(vec![sp(&connector_chatgpt::MANIFEST, &key)]).await;
    let (request_id, _) = start_login(addr, "chatgpt").await;
    let spec = ResponseSpec::from_okta_app(&connector_chatgpt::MANIFEST, Some(request_id));
    accepted(addr, "chatgpt", &spec.sign(dir.path(), &key)).await;

    let unsolicited = ResponseSpec::from_okta_app(&connector_chatgpt::MANIFEST, None);
    let reason = rejected(
        addr,
        "chatgpt",
        &unsolicited.sign(dir.path(), &key),
        "idp_initiated_not_allowed",
    )
    .await;
    assert!(
        reason.contains("ChatGPT accepts only SP-initiated sign-in"),
        "{reason}"
    );

    let mut stray = ResponseSpec::from_okta_app(
        &connector_chatgpt::MANIFEST,
        Some("_never-issued".to_owned()),
    );
    stray.signed = Signed::Assertion;
    let reason = rejected(
        addr,
        "chatgpt",
        &stray.sign(dir.path(), &key),
        "unknown_in_response_to",
    )
    .await;
    assert!(reason.contains("_never-issued"), "{reason}");
}

/// pysaml2 as the IdP, configured from the SP metadata our router serves; it signs with
/// xmlsec1 and answers our AuthnRequest (or signs in unsolicited for Zoom).
#[tokio::test]
async fn a_pysaml2_idp_configured_from_our_metadata_signs_responses_the_sp_accepts() {
    let dir = tempdir();
    let key = TestKey::generate(dir.path(), "pysaml2-idp");
    let addr = serve(vec![
        sp(&connector_chatgpt::MANIFEST, &key),
        sp(&connector_zoom::MANIFEST, &key),
    ])
    .await;
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/pysaml2_idp.py");

    for (app, sp_initiated) in [("chatgpt", true), ("zoom", false)] {
        let metadata = common::client()
            .get(format!("http://{addr}/{app}/metadata"))
            .send()
            .await
            .expect("metadata")
            .text()
            .await
            .expect("text");
        let metadata_path = dir.path().join(format!("{app}-sp.xml"));
        std::fs::write(&metadata_path, &metadata).expect("write");

        let mut command = Command::new(python());
        command
            .arg(&script)
            .arg("--sp-metadata")
            .arg(&metadata_path)
            .arg("--key")
            .arg(&key.key_pem)
            .arg("--cert")
            .arg(&key.cert_pem)
            .args(["--entity-id", IDP_ENTITY_ID, "--sso-url", IDP_SSO_URL])
            .arg("--xmlsec1")
            .arg(xmlsec1())
            .args(["--name-id", "alice@example.com"]);
        // Alice's attribute values under the names the generated Okta app sends; pysaml2
        // releases only those our SP metadata requests.
        let manifest = if app == "zoom" {
            &connector_zoom::MANIFEST
        } else {
            &connector_chatgpt::MANIFEST
        };
        let expected = ResponseSpec::from_okta_app(manifest, None).attributes;
        for (name, value) in &expected {
            command.args(["--attribute", &format!("{name}={value}")]);
        }
        let request_id = if sp_initiated {
            let (request_id, saml_request) = start_login(addr, app).await;
            command.args(["--saml-request", &saml_request]);
            Some(request_id)
        } else {
            let entity_id = connector_sso::generate(
                &connector_zoom::MANIFEST,
                &common::example_inputs(&connector_zoom::MANIFEST),
            )
            .expect("artifacts")
            .service_provider
            .saml
            .expect("saml")
            .entity_id;
            command.args(["--sp-entity-id", &entity_id]);
            None
        };
        let saml_response = common::run(&mut command);
        let (status, body) = post_acs(addr, app, saml_response.trim()).await;
        assert_eq!(status, 200, "{app}: {body}");
        let login = &body["login"];
        assert_eq!(login["name_id"], "alice@example.com", "{app}: {body}");
        assert_eq!(
            login["in_response_to"].as_str(),
            request_id.as_deref(),
            "{app}"
        );
        assert_eq!(login["response_signed"], true);
        assert_eq!(login["assertion_signed"], true);
        assert!(!expected.is_empty());
        for (name, value) in &expected {
            assert_eq!(
                login["attributes"][name][0],
                value.as_str(),
                "{app}: {body}"
            );
        }
    }
}

mod attacks {
    use super::*;

    /// A Zoom SP trusting `key`, and a Response spec for it (IdP-initiated is allowed for
    /// Zoom, so only the attack under test can cause a rejection).
    async fn zoom(key: &TestKey) -> (std::net::SocketAddr, ResponseSpec) {
        let addr = serve(vec![sp(&connector_zoom::MANIFEST, key)]).await;
        (
            addr,
            ResponseSpec::from_okta_app(&connector_zoom::MANIFEST, None),
        )
    }

    #[tokio::test]
    async fn unsigned() {
        let dir = tempdir();
        let key = TestKey::generate(dir.path(), "test-idp");
        let (addr, mut spec) = zoom(&key).await;
        spec.signed = Signed::Nothing;
        let reason = rejected(addr, "zoom", &spec.template(), "unsigned").await;
        assert!(
            reason.contains("neither the Response nor the Assertion"),
            "{reason}"
        );
    }

    #[tokio::test]
    async fn signed_by_another_key() {
        let dir = tempdir();
        let key = TestKey::generate(dir.path(), "test-idp");
        let other = TestKey::generate(dir.path(), "attacker-key");
        let (addr, spec) = zoom(&key).await;
        let reason = rejected(
            addr,
            "zoom",
            &spec.sign(dir.path(), &other),
            "untrusted_key",
        )
        .await;
        assert!(reason.contains("CN=attacker-key"), "{reason}");
    }

    #[tokio::test]
    async fn assertion_altered_after_signing() {
        let dir = tempdir();
        let key = TestKey::generate(dir.path(), "test-idp");
        let (addr, mut spec) = zoom(&key).await;
        spec.signed = Signed::Assertion;
        let signed = spec.sign(dir.path(), &key);
        let altered = signed.replacen(
            ">alice@example.com</saml:NameID>",
            ">mallory@example.com</saml:NameID>",
            1,
        );
        assert_ne!(signed, altered);
        let reason = rejected(addr, "zoom", &altered, "invalid_signature").await;
        assert!(reason.contains("altered after signing"), "{reason}");
    }

    #[tokio::test]
    async fn response_altered_after_signing() {
        let dir = tempdir();
        let key = TestKey::generate(dir.path(), "test-idp");
        let (addr, mut spec) = zoom(&key).await;
        spec.signed = Signed::Response;
        let signed = spec.sign(dir.path(), &key);
        let altered = signed.replacen(
            ">alice@example.com</saml:NameID>",
            ">mallory@example.com</saml:NameID>",
            1,
        );
        rejected(addr, "zoom", &altered, "invalid_signature").await;
    }

    /// The signed assertion, cut out of a signed document.
    fn signed_assertion(signed: &str) -> &str {
        let start = signed.find("<saml:Assertion").expect("assertion start");
        let end =
            signed.find("</saml:Assertion>").expect("assertion end") + "</saml:Assertion>".len();
        &signed[start..end]
    }

    /// An unsigned copy of the assertion for mallory, with its own ID.
    fn evil_assertion(spec: &ResponseSpec) -> String {
        let mut evil = spec.clone();
        evil.signed = Signed::Nothing;
        evil.name_id = "mallory@example.com".to_owned();
        evil.assertion_id = "_evil".to_owned();
        signed_assertion(&evil.template()).to_owned()
    }

    #[tokio::test]
    async fn xsw_unsigned_assertion_beside_the_signed_one() {
        let dir = tempdir();
        let key = TestKey::generate(dir.path(), "test-idp");
        let (addr, mut spec) = zoom(&key).await;
        spec.signed = Signed::Assertion;
        let signed = spec.sign(dir.path(), &key);
        let original = signed_assertion(&signed).to_owned();
        let wrapped = signed.replacen(
            &original,
            &format!("{}{original}", evil_assertion(&spec)),
            1,
        );
        let reason = rejected(addr, "zoom", &wrapped, "signature_wrapping").await;
        assert!(reason.contains("holds 2 Assertion elements"), "{reason}");
    }

    #[tokio::test]
    async fn xsw_unsigned_assertion_wrapped_around_the_signed_one() {
        let dir = tempdir();
        let key = TestKey::generate(dir.path(), "test-idp");
        let (addr, mut spec) = zoom(&key).await;
        spec.signed = Signed::Assertion;
        let signed = spec.sign(dir.path(), &key);
        let original = signed_assertion(&signed).to_owned();
        let evil = evil_assertion(&spec).replacen(
            "</saml:Assertion>",
            &format!("<saml:Advice>{original}</saml:Advice></saml:Assertion>"),
            1,
        );
        let wrapped = signed.replacen(&original, &evil, 1);
        let reason = rejected(addr, "zoom", &wrapped, "signature_wrapping").await;
        assert!(reason.contains("holds 2 Assertion elements"), "{reason}");
    }

    #[tokio::test]
    async fn xsw_signed_assertion_moved_into_extensions_with_an_evil_one_in_its_place() {
        let dir = tempdir();
        let key = TestKey::generate(dir.path(), "test-idp");
        let (addr, mut spec) = zoom(&key).await;
        spec.signed = Signed::Assertion;
        let signed = spec.sign(dir.path(), &key);
        let original = signed_assertion(&signed).to_owned();
        let moved = signed
            .replacen(&original, &evil_assertion(&spec), 1)
            .replacen(
                "<samlp:Status>",
                &format!("<samlp:Extensions>{original}</samlp:Extensions><samlp:Status>"),
                1,
            );
        let reason = rejected(addr, "zoom", &moved, "signature_wrapping").await;
        assert!(reason.contains("holds 2 Assertion elements"), "{reason}");
    }

    #[tokio::test]
    async fn xsw_signed_assertion_moved_out_of_place() {
        let dir = tempdir();
        let key = TestKey::generate(dir.path(), "test-idp");
        let (addr, mut spec) = zoom(&key).await;
        spec.signed = Signed::Assertion;
        let signed = spec.sign(dir.path(), &key);
        let original = signed_assertion(&signed).to_owned();
        let moved = signed.replacen(&original, "", 1).replacen(
            "<samlp:Status>",
            &format!("<samlp:Extensions>{original}</samlp:Extensions><samlp:Status>"),
            1,
        );
        let reason = rejected(addr, "zoom", &moved, "signature_wrapping").await;
        assert!(
            reason.contains("inside `Extensions`, not a direct child"),
            "{reason}"
        );
    }

    #[tokio::test]
    async fn xsw_signed_response_wrapped_in_an_evil_response() {
        let dir = tempdir();
        let key = TestKey::generate(dir.path(), "test-idp");
        let (addr, mut spec) = zoom(&key).await;
        spec.signed = Signed::Response;
        let signed = spec.sign(dir.path(), &key);
        let original_root = &signed[signed.find("<samlp:Response").expect("root")..];
        let mut evil = spec.clone();
        evil.signed = Signed::Nothing;
        evil.response_id = "_evil-response".to_owned();
        evil.assertion_id = "_evil".to_owned();
        evil.name_id = "mallory@example.com".to_owned();
        let wrapped = evil.template().replacen(
            "<samlp:Status>",
            &format!("<samlp:Extensions>{original_root}</samlp:Extensions><samlp:Status>"),
            1,
        );
        rejected(addr, "zoom", &wrapped, "signature_wrapping").await;
    }

    #[tokio::test]
    async fn signature_pointing_at_another_element() {
        let dir = tempdir();
        let key = TestKey::generate(dir.path(), "test-idp");
        let (addr, mut spec) = zoom(&key).await;
        spec.signed = Signed::Response;
        let signed = spec.sign(dir.path(), &key);
        // Move the Response's (valid) signature into the unsigned Assertion.
        let start = signed.find("<ds:Signature").expect("signature");
        let end = signed.find("</ds:Signature>").expect("end") + "</ds:Signature>".len();
        let signature = signed[start..end].to_owned();
        let issuer_end = "</saml:Issuer><saml:Subject>";
        let moved = signed.replacen(&signature, "", 1).replacen(
            issuer_end,
            &format!("</saml:Issuer>{signature}<saml:Subject>"),
            1,
        );
        let reason = rejected(addr, "zoom", &moved, "signature_wrapping").await;
        assert!(reason.contains("not the Assertion itself"), "{reason}");
    }

    #[tokio::test]
    async fn comment_truncation_of_the_name_id() {
        // The attacker owns alice@example.com.evil.example at the IdP; a comment after
        // `alice@example.com` keeps the signature valid (exc-c14n drops comments).
        let dir = tempdir();
        let key = TestKey::generate(dir.path(), "test-idp");
        let (addr, mut spec) = zoom(&key).await;
        spec.signed = Signed::Assertion;
        spec.name_id = "alice@example.com.evil.example".to_owned();
        let signed = spec.sign(dir.path(), &key);
        let truncated = signed.replacen(
            ">alice@example.com.evil.example<",
            ">alice@example.com<!---->.evil.example<",
            1,
        );
        assert_ne!(signed, truncated);
        let reason = rejected(addr, "zoom", &truncated, "malformed").await;
        assert!(reason.contains("comments are not accepted"), "{reason}");
    }

    #[tokio::test]
    async fn wrong_audience() {
        let dir = tempdir();
        let key = TestKey::generate(dir.path(), "test-idp");
        let (addr, mut spec) = zoom(&key).await;
        spec.audience = "https://evil.example/sp".to_owned();
        let reason = rejected(addr, "zoom", &spec.sign(dir.path(), &key), "wrong_audience").await;
        assert!(reason.contains("does not include this SP"), "{reason}");
    }

    #[tokio::test]
    async fn wrong_recipient_and_destination() {
        let dir = tempdir();
        let key = TestKey::generate(dir.path(), "test-idp");
        let (addr, spec) = zoom(&key).await;
        let mut recipient = spec.clone();
        recipient.recipient = "https://evil.example/acs".to_owned();
        let reason = rejected(
            addr,
            "zoom",
            &recipient.sign(dir.path(), &key),
            "wrong_recipient",
        )
        .await;
        assert!(reason.contains("https://evil.example/acs"), "{reason}");
        let mut destination = spec.clone();
        destination.destination = "https://evil.example/acs".to_owned();
        destination.signed = Signed::Assertion;
        let reason = rejected(
            addr,
            "zoom",
            &destination.sign(dir.path(), &key),
            "wrong_destination",
        )
        .await;
        assert!(reason.contains("https://evil.example/acs"), "{reason}");
    }

    #[tokio::test]
    async fn wrong_issuer() {
        let dir = tempdir();
        let key = TestKey::generate(dir.path(), "test-idp");
        let (addr, mut spec) = zoom(&key).await;
        spec.issuer = "https://other-idp.example".to_owned();
        let reason = rejected(addr, "zoom", &spec.sign(dir.path(), &key), "wrong_issuer").await;
        assert!(reason.contains("https://other-idp.example"), "{reason}");
    }

    #[tokio::test]
    async fn expired() {
        let dir = tempdir();
        let key = TestKey::generate(dir.path(), "test-idp");
        let (addr, mut spec) = zoom(&key).await;
        let hour_ago = Utc::now() - Duration::hours(1);
        spec.issue_instant = hour_ago;
        spec.not_before = hour_ago;
        spec.not_on_or_after = hour_ago + Duration::minutes(5);
        let reason = rejected(addr, "zoom", &spec.sign(dir.path(), &key), "expired").await;
        assert!(!reason.is_empty());
    }

    #[tokio::test]
    async fn expired_conditions_beyond_the_skew() {
        let dir = tempdir();
        let key = TestKey::generate(dir.path(), "test-idp");
        let (addr, mut spec) = zoom(&key).await;
        spec.not_on_or_after = Utc::now() - Duration::minutes(3);
        let reason = rejected(addr, "zoom", &spec.sign(dir.path(), &key), "expired").await;
        assert!(reason.contains("NotOnOrAfter"), "{reason}");
    }

    #[tokio::test]
    async fn not_yet_valid_beyond_the_skew_but_accepted_within_it() {
        let dir = tempdir();
        let key = TestKey::generate(dir.path(), "test-idp");
        let (addr, spec) = zoom(&key).await;
        let mut early = spec.clone();
        early.not_before = Utc::now() + Duration::minutes(10);
        early.not_on_or_after = Utc::now() + Duration::minutes(15);
        let reason = rejected(addr, "zoom", &early.sign(dir.path(), &key), "not_yet_valid").await;
        assert!(reason.contains("NotBefore"), "{reason}");
        let mut skewed = spec.clone();
        skewed.assertion_id = "_skewed".to_owned();
        skewed.not_before = Utc::now() + Duration::seconds(60);
        accepted(addr, "zoom", &skewed.sign(dir.path(), &key)).await;
    }

    #[tokio::test]
    async fn sha1_signature() {
        let dir = tempdir();
        let key = TestKey::generate(dir.path(), "test-idp");
        let (addr, mut spec) = zoom(&key).await;
        spec.signature_method = "http://www.w3.org/2000/09/xmldsig#rsa-sha1".to_owned();
        spec.digest_method = "http://www.w3.org/2000/09/xmldsig#sha1".to_owned();
        let reason = rejected(addr, "zoom", &spec.sign(dir.path(), &key), "weak_algorithm").await;
        assert!(reason.contains("rsa-sha1"), "{reason}");
    }

    #[tokio::test]
    async fn malformed_input_is_refused_with_a_reason() {
        let dir = tempdir();
        let key = TestKey::generate(dir.path(), "test-idp");
        let (addr, spec) = zoom(&key).await;
        let (status, body) = post_acs(addr, "zoom", "%%% not base64").await;
        assert_eq!(status, 403);
        assert_eq!(body["code"], "malformed", "{body}");
        let doctype = format!(
            "<!DOCTYPE r [<!ENTITY x \"y\">]>{}",
            spec.sign(dir.path(), &key)
        );
        let reason = rejected(addr, "zoom", &doctype, "malformed").await;
        assert!(reason.contains("DOCTYPE"), "{reason}");
        let (status, body) = common::client()
            .post(format!("http://{addr}/zoom/acs"))
            .form(&[("RelayState", "x")])
            .send()
            .await
            .map(|r| (r.status().as_u16(), r))
            .expect("answers");
        assert_eq!(status, 400);
        assert_eq!(
            body.json::<serde_json::Value>().await.expect("json")["code"],
            "malformed"
        );
        let (status, _) = post_acs(addr, "nope", "x").await;
        assert_eq!(status, 404);
    }

    #[tokio::test]
    async fn a_response_for_another_sp_in_the_same_router_is_refused() {
        // Both SPs trust the same IdP key; a Response for Zoom must not sign anyone in to Slack.
        let dir = tempdir();
        let key = TestKey::generate(dir.path(), "test-idp");
        let addr = serve(vec![
            sp(&connector_zoom::MANIFEST, &key),
            sp(&connector_slack::MANIFEST, &key),
        ])
        .await;
        let spec = ResponseSpec::from_okta_app(&connector_zoom::MANIFEST, None);
        // The signed Response's Destination is checked first.
        let reason = rejected(
            addr,
            "slack",
            &spec.sign(dir.path(), &key),
            "wrong_destination",
        )
        .await;
        assert!(reason.contains("https://acme.zoom.us/saml/SSO"), "{reason}");
        let mut assertion_only = spec.clone();
        assertion_only.signed = Signed::Assertion;
        assertion_only.destination = "https://acme.slack.com/sso/saml".to_owned();
        let reason = rejected(
            addr,
            "slack",
            &assertion_only.sign(dir.path(), &key),
            "wrong_audience",
        )
        .await;
        assert!(reason.contains("https://slack.com"), "{reason}");
    }

    #[test]
    fn the_signer_is_third_party() {
        // Guard: the templates really are signed by xmlsec1, not by this crate.
        let dir = tempdir();
        let key = TestKey::generate(dir.path(), "test-idp");
        let mut spec = ResponseSpec::from_okta_app(&connector_zoom::MANIFEST, None);
        spec.signed = Signed::Assertion;
        let signed = sign_xml(dir.path(), &spec.template(), &key, Signed::Assertion);
        assert!(signed.contains("<ds:SignatureValue>") && !signed.contains("<ds:SignatureValue/>"));
        let output = Command::new(xmlsec1())
            .arg("--version")
            .output()
            .expect("xmlsec1");
        assert!(String::from_utf8_lossy(&output.stdout).contains("xmlsec1"));
    }
}

/// python3-saml (python-xmlsec) as an independent verifier agrees with the SP's verdicts
/// on the fixtures: the good Response verifies, the altered and foreign-key ones do not.
#[test]
fn python3_saml_agrees_on_the_signature_fixtures() {
    let dir = tempdir();
    let key = TestKey::generate(dir.path(), "test-idp");
    let other = TestKey::generate(dir.path(), "attacker-key");
    let mut spec = ResponseSpec::from_okta_app(&connector_zoom::MANIFEST, None);
    spec.signed = Signed::Assertion;
    let good = spec.sign(dir.path(), &key);
    let altered = good.replacen(
        ">alice@example.com</saml:NameID>",
        ">mallory@example.com</saml:NameID>",
        1,
    );
    let foreign = spec.sign(dir.path(), &other);
    let mut files = Vec::new();
    for (name, xml) in [
        ("good", &good),
        ("altered", &altered),
        ("foreign", &foreign),
    ] {
        let path = dir.path().join(format!("{name}.xml"));
        std::fs::write(&path, xml).expect("write");
        files.push(path);
    }
    let script = r#"
import sys
from onelogin.saml2.utils import OneLogin_Saml2_Utils
cert = open(sys.argv[1]).read()
for path in sys.argv[2:]:
    xml = open(path).read()
    ok = OneLogin_Saml2_Utils.validate_sign(
        xml, cert=cert, xpath="/samlp:Response/saml:Assertion/ds:Signature")
    print(ok)
"#;
    let stdout = common::run(
        Command::new(python())
            .arg("-c")
            .arg(script)
            .arg(&key.cert_pem)
            .args(&files),
    );
    let verdicts: Vec<&str> = stdout.lines().collect();
    assert_eq!(verdicts, ["True", "False", "False"], "{stdout}");
}
