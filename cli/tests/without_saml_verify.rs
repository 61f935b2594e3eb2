//! A build without the `saml-verify` feature (the default) keeps `connector sso verify`
//! and `connector sandbox --saml-idp-metadata`, and both say how to get a build that
//! runs them (exit 2 and exit 1), naming the Debian packages it needs.
#![cfg(not(feature = "saml-verify"))]

use std::process::{Command, Output};

fn connector(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_connector"))
        .args(args)
        .output()
        .expect("the connector binary runs")
}

fn assert_explains(output: &Output, what: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with(&format!(
            "error: this build of `connector` cannot verify SAML: {what} needs the \
             `saml-verify` feature"
        )),
        "{stderr}"
    );
    for needed in [
        "apt-get install libxmlsec1-dev libclang-dev pkg-config",
        "cargo install connector-toolkit --features saml-verify",
        "cargo run -p connector-toolkit --features saml-verify -- sso verify",
    ] {
        assert!(stderr.contains(needed), "{needed} missing from:\n{stderr}");
    }
    assert!(output.stdout.is_empty());
}

#[test]
fn sso_verify_says_how_to_get_it() {
    let output = connector(&["sso", "verify", "response.xml", "--app", "zoom"]);
    assert_eq!(output.status.code(), Some(2));
    assert_explains(&output, "`connector sso verify`");
}

#[cfg(feature = "sandbox")]
#[test]
fn the_sandbox_says_how_to_serve_saml_sps() {
    let output = connector(&[
        "sandbox",
        "--listen",
        "127.0.0.1:0",
        "--saml-idp-metadata",
        "idp.xml",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert_explains(&output, "`connector sandbox --saml-idp-metadata`");
}
