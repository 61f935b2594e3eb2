//! `connector sso check --sp`: SP metadata checked against the service's SP facts, with
//! the service named by `--app`, the positional app or `--instance`, and beside the IdP
//! check. Run as the built binary (no C dependency needed).

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

/// Writes `text` to a fresh file under the temp dir.
fn write(name: &str, text: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "connector-cli-sp-check-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path.display().to_string()
}

/// Zoom's generated SP metadata for vanity `acme`.
fn zoom_metadata() -> String {
    let output = connector(&[
        "sso",
        "zoom",
        "--var",
        "vanity=acme",
        "--format",
        "metadata",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    stdout(&output)
}

#[test]
fn the_generated_metadata_passes_by_app_by_position_and_by_instance() {
    let sp = write("sp.xml", &zoom_metadata());
    let output = connector(&[
        "sso",
        "check",
        "--sp",
        &sp,
        "--app",
        "zoom",
        "--var",
        "vanity=acme",
    ]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{out}{}", stderr(&output));
    assert!(
        out.starts_with(&format!("SP metadata {sp} checked for Zoom:\n")),
        "{out}"
    );
    assert!(
        out.contains("ok   acs_url              ACS (HTTP-POST): https://acme.zoom.us/saml/SSO"),
        "{out}"
    );
    assert!(out.contains("PASS: "), "{out}");

    let positional = connector(&["sso", "check", "zoom", "--sp", &sp, "--var", "vanity=acme"]);
    assert_eq!(positional.status.code(), Some(0), "{}", stdout(&positional));

    let config = write(
        "assignments.toml",
        "[instances.zoom-main]\nconnector = \"zoom\"\nvariables = { vanity = \"acme\", account_id = \"AbC123\" }\n",
    );
    let by_instance = connector(&[
        "sso",
        "check",
        "--sp",
        &sp,
        "--instance",
        "zoom-main",
        "-c",
        &config,
    ]);
    assert_eq!(
        by_instance.status.code(),
        Some(0),
        "{}{}",
        stdout(&by_instance),
        stderr(&by_instance)
    );

    // Another tenant's instance: the entity ID and the ACS URL are not this file's.
    let other = write(
        "other.toml",
        "[instances.zoom-other]\nconnector = \"zoom\"\nvariables = { vanity = \"globex\", account_id = \"X1\" }\n",
    );
    let output = connector(&[
        "sso",
        "check",
        "--sp",
        &sp,
        "--instance",
        "zoom-other",
        "-c",
        &other,
    ]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(
        out.contains(
            "FAIL entity_id            entityID is `acme.zoom.us`, but Zoom's is `globex.zoom.us`"
        ),
        "{out}"
    );
    assert!(out.contains("FAIL acs_url"), "{out}");
}

#[test]
fn a_missing_acs_index_or_binding_fails_with_exit_1() {
    let good = zoom_metadata();
    let acs_line = good
        .lines()
        .find(|l| l.contains("AssertionConsumerService"))
        .expect("ACS line")
        .to_owned();

    let no_acs = write("no-acs.xml", &good.replace(&acs_line, ""));
    let output = connector(&[
        "sso",
        "check",
        "--sp",
        &no_acs,
        "--app",
        "zoom",
        "--var",
        "vanity=acme",
    ]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(
        out.contains("FAIL acs                  no AssertionConsumerService"),
        "{out}"
    );

    let no_index = write("no-index.xml", &good.replace(r#" index="0""#, ""));
    let output = connector(&[
        "sso",
        "check",
        "--sp",
        &no_index,
        "--app",
        "zoom",
        "--var",
        "vanity=acme",
    ]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(out.contains("has no `index`"), "{out}");

    let binding = acs_line
        .split_whitespace()
        .find(|a| a.starts_with("Binding="))
        .expect("Binding attribute");
    let no_binding = write("no-binding.xml", &good.replace(&format!(" {binding}"), ""));
    let output = connector(&[
        "sso",
        "check",
        "--sp",
        &no_binding,
        "--app",
        "zoom",
        "--var",
        "vanity=acme",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    assert!(
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["check"] == "acs_binding" && f["status"] == "fail"),
        "{report}"
    );
}

#[test]
fn input_errors_exit_2_and_idp_metadata_is_refused_as_sp_metadata() {
    let sp = write("sp.xml", &zoom_metadata());
    // No tenant variable: the SP facts cannot be resolved.
    let output = connector(&["sso", "check", "--sp", &sp, "--app", "zoom"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("--var NAME=VALUE"),
        "{}",
        stderr(&output)
    );
    // Neither file.
    let output = connector(&["sso", "check", "--app", "zoom"]);
    assert_eq!(output.status.code(), Some(2));
    // The positional app and --app together.
    let output = connector(&["sso", "check", "zoom", "--app", "slack", "--sp", &sp]);
    assert_eq!(output.status.code(), Some(2));
    // IdP-shaped metadata given as --sp.
    let idp = write(
        "idp.xml",
        r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor>"#,
    );
    let output = connector(&[
        "sso",
        "check",
        "--sp",
        &idp,
        "--app",
        "zoom",
        "--var",
        "vanity=acme",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("idp.xml: the metadata has no `md:SPSSODescriptor`"),
        "{}",
        stderr(&output)
    );
}
