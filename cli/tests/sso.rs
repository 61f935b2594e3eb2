//! `connector sso`: output formats, input errors and `sso check` exit codes, run as the
//! built binary. Certificates are generated at test time by `openssl` (TEST-ONLY).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

fn connector(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_connector"))
        .args(args)
        .output()
        .expect("the connector binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let path = std::env::temp_dir().join(format!(
            "connector-cli-sso-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path).expect("temp dir");
        Self(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn okta_format_prints_postable_app_bodies_and_notes_on_stderr() {
    let output = connector(&["sso", "zoom", "--var", "vanity=acme"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let apps: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    let app = &apps[0];
    assert_eq!(app["signOnMode"], "SAML_2_0");
    assert_eq!(app["label"], "Zoom");
    let sign_on = &app["settings"]["signOn"];
    assert_eq!(sign_on["ssoAcsUrl"], "https://acme.zoom.us/saml/SSO");
    assert_eq!(sign_on["audience"], "acme.zoom.us");
    let mail = sign_on["attributeStatements"]
        .as_array()
        .expect("statements")
        .iter()
        .find(|s| s["name"] == "mail")
        .expect("mail");
    assert_eq!(mail["values"][0], "user.email");
    assert!(stderr(&output).contains("connector sso check zoom --idp-metadata"));
}

#[test]
fn chatgpt_needs_its_issued_values_and_then_gets_a_bookmark() {
    let missing = connector(&["sso", "chatgpt"]);
    assert_eq!(missing.status.code(), Some(2));
    let err = stderr(&missing);
    assert!(err.contains("`acs_url` is not set"), "{err}");
    assert!(err.contains("`entity_id` is not set"), "{err}");
    assert!(err.contains("--var NAME=VALUE"), "{err}");

    let output = connector(&[
        "sso",
        "chatgpt",
        "--var",
        "acs_url=https://auth.workos.example/sso/saml/acs/conn_1",
        "--var",
        "entity_id=https://auth.workos.example/sso/saml/conn_1",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let apps: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    assert_eq!(apps[0]["visibility"]["hide"]["web"], true);
    assert_eq!(apps[1]["signOnMode"], "BOOKMARK");
    assert_eq!(
        apps[1]["settings"]["app"]["url"],
        "https://chatgpt.com/auth/login"
    );
    assert!(
        stderr(&output).contains("hide the SAML app from end users' dashboards"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn unknown_inputs_and_connectors_are_named() {
    let output = connector(&["sso", "zoom", "--var", "vanty=acme"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains("unknown input `vanty` (did you mean `vanity`?)"),
        "{err}"
    );
    assert!(err.contains("tenant variable `vanity` is not set"), "{err}");

    let output = connector(&["sso", "zom"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("unknown connector `zom`"));

    let output = connector(&["sso", "zoom", "--var", "novalue"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("NAME=VALUE"));
}

#[test]
fn metadata_and_json_formats() {
    let output = connector(&[
        "sso",
        "slack",
        "--var",
        "domain=acme",
        "--format",
        "metadata",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let xml = stdout(&output);
    assert!(xml.starts_with("<?xml"));
    assert!(xml.contains(r#"entityID="https://slack.com""#), "{xml}");
    assert!(
        xml.contains(r#"Location="https://acme.slack.com/sso/saml" index="0" isDefault="true""#),
        "{xml}"
    );
    assert!(xml.contains("nameid-format:persistent"), "{xml}");

    let output = connector(&["sso", "slack", "--var", "domain=acme", "--format", "json"]);
    assert!(output.status.success());
    assert!(stderr(&output).is_empty(), "json carries the notes itself");
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    assert_eq!(json["format"], "connector-sso/1");
    assert_eq!(
        json["service_provider"]["saml"]["acs_url"],
        "https://acme.slack.com/sso/saml"
    );
    assert_eq!(json["okta"]["saml_app"]["signOnMode"], "SAML_2_0");
    assert_eq!(json["okta"]["bookmark_app"], serde_json::Value::Null);
    assert!(
        json["sp_metadata"]
            .as_str()
            .expect("metadata")
            .contains("EntityDescriptor")
    );
    assert!(json["notes"].as_array().expect("notes").iter().any(|n| {
        n["severity"] == "warning"
            && n["text"]
                .as_str()
                .unwrap_or_default()
                .contains("persistent NameID")
    }));
}

/// IdP metadata with a fresh certificate (`openssl req -x509 <digest>`).
fn idp_metadata(dir: &Path, digest: &str, name_id_format: &str) -> PathBuf {
    let key = dir.join(format!("idp{digest}.key"));
    let crt = dir.join(format!("idp{digest}.crt"));
    let output = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&crt)
        .args(["-subj", "/CN=test-idp", "-days", "365", digest])
        .output()
        .expect("openssl runs");
    assert!(output.status.success(), "{}", stderr(&output));
    let cert: String = std::fs::read_to_string(&crt)
        .expect("cert")
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="http://www.okta.com/exk1">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>{cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>{name_id_format}</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://acme.okta.com/app/zoom/sso/saml"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
"#
    );
    let path = dir.join(format!("idp{digest}.xml"));
    std::fs::write(&path, xml).expect("write");
    path
}

const EMAIL: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";

#[test]
fn check_passes_good_metadata_with_exit_0() {
    let dir = TempDir::new();
    let path = idp_metadata(&dir.0, "-sha256", EMAIL);
    let output = connector(&[
        "sso",
        "check",
        "zoom",
        "--idp-metadata",
        path.to_str().expect("utf-8"),
    ]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{out}{}", stderr(&output));
    for expected in [
        "IdP entity ID: http://www.okta.com/exk1",
        "SSO URL (HTTP-Redirect): https://acme.okta.com/app/zoom/sso/saml",
        "bindings: HTTP-Redirect",
        "signed with sha256WithRSAEncryption",
        "day(s) left",
        "Zoom needs emailAddress; the IdP offers it",
        "PASS:",
    ] {
        assert!(out.contains(expected), "missing `{expected}` in\n{out}");
    }

    let json = connector(&[
        "sso",
        "check",
        "zoom",
        "--idp-metadata",
        path.to_str().expect("utf-8"),
        "--format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("JSON");
    assert_eq!(report["connector"], "zoom");
    assert!(report["findings"].as_array().expect("findings").len() >= 8);
}

#[test]
fn check_fails_sha1_and_wrong_name_id_format_with_exit_1() {
    let dir = TempDir::new();
    let path = idp_metadata(
        &dir.0,
        "-sha1",
        "urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
    );
    let output = connector(&[
        "sso",
        "check",
        "zoom",
        "--idp-metadata",
        path.to_str().expect("utf-8"),
    ]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(out.contains("FAIL signature_algorithm"), "{out}");
    assert!(out.contains("sha1WithRSAEncryption"), "{out}");
    assert!(out.contains("FAIL name_id_format"), "{out}");
    assert!(out.contains("offers only transient"), "{out}");
}

#[test]
fn check_names_the_file_and_line_of_bad_xml_with_exit_2() {
    let dir = TempDir::new();
    let path = dir.0.join("broken.xml");
    std::fs::write(
        &path,
        "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\">\n  <md:IDPSSODescriptor>\n</md:EntityDescriptor>\n",
    )
    .expect("write");
    let output = connector(&[
        "sso",
        "check",
        "zoom",
        "--idp-metadata",
        path.to_str().expect("utf-8"),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains(&format!("{}:3:", path.display())), "{err}");
    assert!(err.contains("XML syntax error"), "{err}");

    let missing = dir.0.join("missing.xml");
    let output = connector(&[
        "sso",
        "check",
        "zoom",
        "--idp-metadata",
        missing.to_str().expect("utf-8"),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains(&format!("{}: cannot read", missing.display())));

    let sp = dir.0.join("sp.xml");
    let sp_xml = stdout(&connector(&[
        "sso",
        "zoom",
        "--var",
        "vanity=acme",
        "--format",
        "metadata",
    ]));
    std::fs::write(&sp, sp_xml).expect("write");
    let output = connector(&[
        "sso",
        "check",
        "zoom",
        "--idp-metadata",
        sp.to_str().expect("utf-8"),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("is it SP metadata?"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn indirect_services_name_the_federation_settings_of_their_directory() {
    for (app, vars, directory, setting) in [
        (
            "gemini",
            vec!["--var", "domain=example.com"],
            "google_workspace",
            "Verification certificate",
        ),
        ("copilot", vec![], "entra_id", "passiveSignInUri"),
    ] {
        let mut args = vec!["sso", app, "--format", "json"];
        args.extend(vars);
        let output = connector(&args);
        assert!(output.status.success(), "{}", stderr(&output));
        let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
        let note = json["notes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["scope"]["side"] == "federation")
            .unwrap_or_else(|| panic!("{app}: no federation note in {json:#}"));
        assert_eq!(note["scope"]["directory"], directory);
        assert!(note["text"].as_str().unwrap().contains("Plan:"), "{note}");
        assert!(
            note["settings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["name"] == setting),
            "{note}"
        );
    }
}
