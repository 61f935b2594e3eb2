//! `connector_sso`: artifacts from hand-written manifests, and IdP metadata checks with
//! certificates generated at test time by `openssl` (TEST-ONLY keys, in a temp dir).

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, SystemTime};

use std::borrow::Cow::Borrowed as B;

use connector_sdk::manifest::{Manifest, Sso, SsoProtocol, Variable};
use connector_sdk::profile::Field;
use connector_sdk::template::{Expr, Func, Part, Template};
use connector_sso::{
    self as sso, CheckStatus, FederatedDirectory, InputProblem, Note, NoteScope, SsoInputs,
    parse_idp_metadata,
};

const EMAIL: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";

/// A template of one expression, as codegen emits it.
macro_rules! expr {
    ($source:expr, $expr:expr $(,)?) => {
        Template {
            source: B($source),
            parts: B(&[Part::Expr($expr)]),
        }
    };
}

/// A template reading one profile field.
macro_rules! field {
    ($source:expr, $field:expr) => {
        expr!($source, Expr::Field($field))
    };
}

/// A Zoom-like service: everything fixed by templates over `{vanity}`.
static FIXED: Manifest = Manifest {
    name: "fixed",
    display_name: "Fixed",
    variables: &[Variable {
        name: "vanity",
        description: "The account's subdomain",
        example: "acme",
        default: None,
    }],
    sso: Sso {
        protocols: &[SsoProtocol::Saml2],
        sp_initiated_only: false,
        login_url: Some("https://{vanity}.fixed.example"),
        acs_url: Some("https://{vanity}.fixed.example/saml/SSO"),
        entity_id: Some("{vanity}.fixed.example"),
        name_id_format: EMAIL,
        attributes: &[
            ("mail", field!("{email}", Field::Email)),
            (
                "handle",
                expr!(
                    "{lower(local_part(email))}",
                    Expr::Call {
                        func: Func::Lower,
                        args: B(&[Expr::Call {
                            func: Func::LocalPart,
                            args: B(&[Expr::Field(Field::Email)]),
                        }]),
                    },
                ),
            ),
            (
                "groups",
                expr!(
                    "{join(groups, \",\")}",
                    Expr::Call {
                        func: Func::Join,
                        args: B(&[Expr::Field(Field::Groups), Expr::Str(B(","))]),
                    },
                ),
            ),
            (
                "full",
                Template {
                    source: B("{first_name} {last_name}"),
                    parts: B(&[
                        Part::Expr(Expr::Field(Field::FirstName)),
                        Part::Text(B(" ")),
                        Part::Expr(Expr::Field(Field::LastName)),
                    ]),
                },
            ),
            (
                "tidy",
                expr!(
                    "{trim(title)}",
                    Expr::Call {
                        func: Func::Trim,
                        args: B(&[Expr::Field(Field::Title)]),
                    },
                ),
            ),
        ],
        federation: None,
    },
    ..common::BASE
};

/// A ChatGPT-like service: SP-initiated only, ACS and entity ID issued per connection.
static ISSUED: Manifest = Manifest {
    name: "issued",
    display_name: "Issued",
    sso: Sso {
        protocols: &[SsoProtocol::Saml2, SsoProtocol::Oidc],
        sp_initiated_only: true,
        login_url: Some("https://issued.example/auth/login"),
        acs_url: None,
        entity_id: None,
        name_id_format: EMAIL,
        attributes: &[("email", field!("{email}", Field::Email))],
        federation: None,
    },
    ..common::BASE
};

/// An OIDC-only service.
static OIDC: Manifest = Manifest {
    name: "oidc",
    display_name: "Oidc",
    sso: Sso {
        protocols: &[SsoProtocol::Oidc],
        sp_initiated_only: false,
        login_url: Some("https://oidc.example/login"),
        acs_url: None,
        entity_id: None,
        name_id_format: EMAIL,
        attributes: &[],
        federation: None,
    },
    ..common::BASE
};

#[test]
fn fixed_services_render_every_template_and_translate_attributes() {
    let artifacts = sso::generate(&FIXED, &SsoInputs::new().with("vanity", "acme")).unwrap();
    let saml = artifacts.service_provider.saml.as_ref().unwrap();
    assert_eq!(saml.acs_url, "https://acme.fixed.example/saml/SSO");
    assert_eq!(saml.entity_id, "acme.fixed.example");

    let app = serde_json::to_value(artifacts.okta.saml_app.as_ref().unwrap()).unwrap();
    assert_eq!(app["signOnMode"], "SAML_2_0");
    let sign_on = &app["settings"]["signOn"];
    assert_eq!(sign_on["ssoAcsUrl"], "https://acme.fixed.example/saml/SSO");
    assert_eq!(sign_on["recipient"], sign_on["ssoAcsUrl"]);
    assert_eq!(sign_on["destination"], sign_on["ssoAcsUrl"]);
    assert_eq!(sign_on["audience"], "acme.fixed.example");
    assert_eq!(sign_on["subjectNameIdFormat"], EMAIL);
    assert_eq!(sign_on["subjectNameIdTemplate"], "${user.userName}");
    assert_eq!(
        app["credentials"]["userNameTemplate"]["template"],
        "${source.email}"
    );
    assert_eq!(sign_on["signatureAlgorithm"], "RSA_SHA256");
    assert_eq!(sign_on["digestAlgorithm"], "SHA256");
    assert_eq!(sign_on["responseSigned"], true);
    assert_eq!(sign_on["assertionSigned"], true);
    assert_eq!(app["visibility"]["hide"]["web"], false);
    let statements = sign_on["attributeStatements"].as_array().unwrap();
    let by_name = |name: &str| {
        statements
            .iter()
            .find(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {statements:?}"))
            .clone()
    };
    assert_eq!(by_name("mail")["values"][0], "user.email");
    assert_eq!(
        by_name("handle")["values"][0],
        "String.toLowerCase(String.substringBefore(user.email, \"@\"))"
    );
    assert_eq!(
        by_name("full")["values"][0],
        "user.firstName + \" \" + user.lastName"
    );
    assert_eq!(by_name("groups")["type"], "GROUP");
    assert_eq!(by_name("groups")["filterValue"], ".*");
    assert_eq!(by_name("tidy")["values"][0], "user.title");
    // Approximations are said.
    let notes: Vec<String> = artifacts.notes.iter().map(Note::to_text).collect();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("`tidy`") && n.contains("no trim")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.contains("`groups`") && n.contains("one attribute value per group")),
        "{notes:?}"
    );
    assert!(artifacts.okta.bookmark_app.is_none());

    let xml = artifacts.sp_metadata.as_ref().unwrap();
    assert!(xml.contains(r#"entityID="acme.fixed.example""#), "{xml}");
    assert!(xml.contains(r#"index="0" isDefault="true""#), "{xml}");
    assert!(
        xml.contains(r#"<md:RequestedAttribute Name="handle""#),
        "{xml}"
    );

    // The JSON format is stable: the same inputs give the same bytes, in field order.
    let json = artifacts.to_json();
    assert_eq!(
        json,
        sso::generate(&FIXED, &SsoInputs::new().with("vanity", "acme"))
            .unwrap()
            .to_json()
    );
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["format"], "connector-sso/1");
    let keys: Vec<&String> = value.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 5);
}

#[test]
fn metadata_escapes_what_it_is_given() {
    let artifacts = sso::generate(
        &ISSUED,
        &SsoInputs::new()
            .with("acs_url", "https://auth.example/acs?a=1&b=<2>")
            .with("entity_id", "urn:x:\"quoted\"&"),
    )
    .unwrap();
    let xml = artifacts.sp_metadata.unwrap();
    assert!(
        xml.contains("Location=\"https://auth.example/acs?a=1&amp;b=&lt;2&gt;\""),
        "{xml}"
    );
    assert!(
        xml.contains("entityID=\"urn:x:&quot;quoted&quot;&amp;\""),
        "{xml}"
    );
    // And it still reads as XML.
    connector_sso::xml::parse(&xml).unwrap();
}

#[test]
fn sp_initiated_only_services_get_a_hidden_sign_on_app_and_a_bookmark() {
    let inputs = SsoInputs::new()
        .with("acs_url", "https://auth.example/sso/saml/acs/conn_1")
        .with("entity_id", "https://auth.example/sso/saml/conn_1");
    let artifacts = sso::generate(&ISSUED, &inputs).unwrap();
    let bodies: Vec<serde_json::Value> = serde_json::from_str(&artifacts.okta.to_json()).unwrap();
    assert_eq!(bodies.len(), 2);
    assert_eq!(bodies[0]["signOnMode"], "SAML_2_0");
    assert_eq!(
        bodies[0]["visibility"]["hide"],
        serde_json::json!({"iOS": true, "web": true})
    );
    assert_eq!(bodies[1]["signOnMode"], "BOOKMARK");
    assert_eq!(
        bodies[1]["settings"]["app"]["url"],
        "https://issued.example/auth/login"
    );
    let text: Vec<String> = artifacts.notes.iter().map(Note::to_text).collect();
    assert!(
        text.iter()
            .any(|n| n.starts_with("action (identity provider)")
                && n.contains("hide the SAML app from end users' dashboards")),
        "{text:?}"
    );
    let saml = artifacts.service_provider.saml.unwrap();
    assert_eq!(saml.origin.acs_url, sso::ValueOrigin::Input);
}

#[test]
fn missing_and_unknown_inputs_are_all_reported() {
    let error = sso::generate(&ISSUED, &SsoInputs::new().with("acs_ur", "x")).unwrap_err();
    assert_eq!(error.problems.len(), 3, "{error}");
    assert!(
        matches!(&error.problems[0], InputProblem::Unknown { name, suggestion: Some(s), .. } if name == "acs_ur" && s == "acs_url")
    );
    assert!(
        matches!(&error.problems[1], InputProblem::MissingSpValue { name, .. } if name == "acs_url")
    );
    assert!(
        matches!(&error.problems[2], InputProblem::MissingSpValue { name, .. } if name == "entity_id")
    );
    let text = error.to_string();
    assert!(text.contains("issues it per SSO connection"), "{text}");

    let error = sso::generate(&FIXED, &SsoInputs::new()).unwrap_err();
    assert_eq!(
        error.problems.len(),
        1,
        "one problem per variable, not per template: {error}"
    );
    let text = error.to_string();
    assert!(
        text.contains("`vanity` is not set (used by sso.login_url, sso.acs_url, sso.entity_id)"),
        "{text}"
    );
    assert!(text.contains("for example `vanity=acme`"), "{text}");

    let error = sso::generate(
        &ISSUED,
        &SsoInputs::new()
            .with("acs_url", "http://auth.example/acs")
            .with("entity_id", "has space"),
    )
    .unwrap_err();
    let text = error.to_string();
    assert!(text.contains("must use https"), "{text}");
    assert!(text.contains("white space"), "{text}");
}

#[test]
fn oidc_only_services_get_an_oidc_app() {
    let error = sso::generate(&OIDC, &SsoInputs::new()).unwrap_err();
    assert!(error.to_string().contains("redirect_uri"), "{error}");
    let artifacts = sso::generate(
        &OIDC,
        &SsoInputs::new().with("redirect_uri", "https://oidc.example/callback"),
    )
    .unwrap();
    assert!(artifacts.sp_metadata.is_none());
    let bodies: Vec<serde_json::Value> = serde_json::from_str(&artifacts.okta.to_json()).unwrap();
    assert_eq!(bodies.len(), 1);
    assert_eq!(bodies[0]["signOnMode"], "OPENID_CONNECT");
    assert_eq!(
        bodies[0]["settings"]["oauthClient"]["redirect_uris"][0],
        "https://oidc.example/callback"
    );
    assert_eq!(
        bodies[0]["settings"]["oauthClient"]["initiate_login_uri"],
        "https://oidc.example/login"
    );
}

#[test]
fn federation_notes_can_be_carried_for_indirect_services() {
    let mut artifacts = sso::generate(&FIXED, &SsoInputs::new().with("vanity", "acme")).unwrap();
    artifacts.notes.push(Note::federation(
        FederatedDirectory::EntraId,
        "Federate the domain to the IdP",
        [(
            "IssuerUri".to_owned(),
            "http://www.okta.com/exk1".to_owned(),
        )],
    ));
    let json: serde_json::Value = serde_json::from_str(&artifacts.to_json()).unwrap();
    let last = json["notes"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["scope"]["directory"], "entra_id");
    assert_eq!(last["settings"][0]["value"], "http://www.okta.com/exk1");
    assert!(matches!(
        artifacts.notes.last().unwrap().scope,
        NoteScope::Federation { .. }
    ));
}

// ---- IdP metadata checks ----

/// A certificate made by `openssl` (TEST-ONLY), base64 DER.
fn certificate(dir: &Path, name: &str, digest: &str, days: &str) -> String {
    let key = dir.join(format!("{name}.key"));
    let crt = dir.join(format!("{name}.crt"));
    let output = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&crt)
        .args(["-subj", &format!("/CN={name}"), "-days", days, digest])
        .output()
        .expect("openssl is installed");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::read_to_string(&crt)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect()
}

fn metadata(cert: &str, sso_url: &str, binding: &str, formats: &[&str], extra: &str) -> String {
    let formats: String = formats
        .iter()
        .map(|f| format!("<md:NameIDFormat>{f}</md:NameIDFormat>"))
        .collect();
    let key = if cert.is_empty() {
        String::new()
    } else {
        format!(
            r#"<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>{cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"#
        )
    };
    format!(
        r#"<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="http://www.okta.com/exk1">
{extra}<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">{key}{formats}<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:{binding}" Location="{sso_url}"/></md:IDPSSODescriptor>
</md:EntityDescriptor>"#
    )
}

fn statuses(report: &sso::CheckReport, check: &str) -> Vec<CheckStatus> {
    report
        .findings
        .iter()
        .filter(|f| f.check == check)
        .map(|f| f.status)
        .collect()
}

#[test]
fn good_metadata_passes_every_check() {
    let dir = tempfile::tempdir().unwrap();
    let cert = certificate(dir.path(), "okta-like", "-sha256", "400");
    let text = metadata(
        &cert,
        "https://acme.okta.com/app/x/sso/saml",
        "HTTP-Redirect",
        &[EMAIL],
        "",
    );
    let report = sso::check_idp_metadata(
        &FIXED,
        &parse_idp_metadata(&text).unwrap(),
        SystemTime::now(),
    );
    assert!(report.passed(), "{}", report.to_text());
    assert_eq!(report.count(CheckStatus::Warn), 0, "{}", report.to_text());
    let text = report.to_text();
    for expected in [
        "IdP entity ID: http://www.okta.com/exk1",
        "SSO URL (HTTP-Redirect): https://acme.okta.com/app/x/sso/saml",
        "subject CN=okta-like",
        "sha256WithRSAEncryption",
        "day(s) left",
        "Fixed needs emailAddress; the IdP offers it",
        "PASS:",
    ] {
        assert!(text.contains(expected), "missing `{expected}` in\n{text}");
    }
}

#[test]
fn certificate_dates_are_checked_against_now() {
    let dir = tempfile::tempdir().unwrap();
    let cert = certificate(dir.path(), "short", "-sha256", "10");
    let md = parse_idp_metadata(&metadata(
        &cert,
        "https://idp/sso",
        "HTTP-POST",
        &[EMAIL],
        "",
    ))
    .unwrap();
    let soon = sso::check_idp_metadata(&FIXED, &md, SystemTime::now());
    assert_eq!(
        statuses(&soon, "certificate_validity"),
        [CheckStatus::Warn],
        "{}",
        soon.to_text()
    );
    assert!(soon.passed());
    let later = SystemTime::now() + Duration::from_secs(40 * 86_400);
    let expired = sso::check_idp_metadata(&FIXED, &md, later);
    assert_eq!(
        statuses(&expired, "certificate_validity"),
        [CheckStatus::Fail]
    );
    assert!(
        expired.to_text().contains("expired on"),
        "{}",
        expired.to_text()
    );
    let earlier = SystemTime::now() - Duration::from_secs(2 * 86_400);
    let early = sso::check_idp_metadata(&FIXED, &md, earlier);
    assert!(
        early.to_text().contains("not valid yet"),
        "{}",
        early.to_text()
    );
    assert!(!early.passed());
}

#[test]
fn weak_or_wrong_metadata_fails_with_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let sha1 = certificate(dir.path(), "old", "-sha1", "400");
    let good = certificate(dir.path(), "good", "-sha256", "400");

    let report = sso::check_idp_metadata(
        &FIXED,
        &parse_idp_metadata(&metadata(
            &sha1,
            "https://idp/sso",
            "HTTP-POST",
            &[EMAIL],
            "",
        ))
        .unwrap(),
        SystemTime::now(),
    );
    assert_eq!(
        statuses(&report, "signature_algorithm"),
        [CheckStatus::Fail]
    );
    assert!(
        report.to_text().contains("sha1WithRSAEncryption"),
        "{}",
        report.to_text()
    );

    let alg = r#"<md:Extensions><alg:SigningMethod xmlns:alg="urn:oasis:names:tc:SAML:metadata:algsupport" Algorithm="http://www.w3.org/2000/09/xmldsig#rsa-sha1"/></md:Extensions>"#;
    let report = sso::check_idp_metadata(
        &FIXED,
        &parse_idp_metadata(&metadata(
            &good,
            "https://idp/sso",
            "HTTP-POST",
            &[EMAIL],
            alg,
        ))
        .unwrap(),
        SystemTime::now(),
    );
    assert_eq!(
        statuses(&report, "signature_algorithm"),
        [CheckStatus::Fail],
        "{}",
        report.to_text()
    );

    let persistent = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";
    let report = sso::check_idp_metadata(
        &FIXED,
        &parse_idp_metadata(&metadata(
            &good,
            "http://idp/sso",
            "HTTP-POST",
            &[persistent],
            "",
        ))
        .unwrap(),
        SystemTime::now(),
    );
    assert_eq!(statuses(&report, "sso_url"), [CheckStatus::Fail]);
    assert_eq!(statuses(&report, "name_id_format"), [CheckStatus::Fail]);
    assert!(
        report.to_text().contains("offers only persistent"),
        "{}",
        report.to_text()
    );

    let report = sso::check_idp_metadata(
        &FIXED,
        &parse_idp_metadata(&metadata("", "https://idp/sso", "SOAP", &[], "")).unwrap(),
        SystemTime::now(),
    );
    assert_eq!(
        statuses(&report, "signing_certificate"),
        [CheckStatus::Fail]
    );
    assert_eq!(statuses(&report, "binding"), [CheckStatus::Fail]);
    assert_eq!(statuses(&report, "name_id_format"), [CheckStatus::Warn]);

    let report = sso::check_idp_metadata(
        &FIXED,
        &parse_idp_metadata(&metadata(
            "bm90IGEgY2VydA==",
            "https://idp/sso",
            "HTTP-POST",
            &[EMAIL],
            "",
        ))
        .unwrap(),
        SystemTime::now(),
    );
    assert_eq!(statuses(&report, "certificate"), [CheckStatus::Fail]);
    assert!(
        report.to_text().contains("not X.509"),
        "{}",
        report.to_text()
    );
}
