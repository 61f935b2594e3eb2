//! `connector sso verify`, run as the built binary (feature `saml-verify`): Responses
//! signed by Debian's `xmlsec1` with keys `openssl` made for the test, the verdict and
//! reason of each attack, the input forms, and the exit codes (0 valid, 1 rejected,
//! 2 could not run).

#[path = "common/saml.rs"]
mod saml;

use saml::{Response, Signed, TempDir, TestKey, b64, connector, form_encode, stderr, stdout};
use time::Duration;

/// Zoom with vanity `acme`: its ACS URL and entity ID, as `connector sso` resolves them.
fn zoom_facts() -> (String, String) {
    let output = connector(&["sso", "zoom", "--var", "vanity=acme", "--format", "json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    let saml = &json["service_provider"]["saml"];
    (
        saml["acs_url"].as_str().expect("acs_url").to_owned(),
        saml["entity_id"].as_str().expect("entity_id").to_owned(),
    )
}

/// A scratch folder with a test IdP key and its metadata file.
struct Setup {
    dir: TempDir,
    key: TestKey,
    metadata: String,
    acs_url: String,
    audience: String,
}

impl Setup {
    fn new() -> Self {
        let dir = TempDir::new();
        let key = TestKey::generate(dir.path(), "test-idp");
        let metadata = dir.write("idp.xml", &key.idp_metadata());
        let (acs_url, audience) = zoom_facts();
        Self {
            dir,
            key,
            metadata,
            acs_url,
            audience,
        }
    }

    fn response(&self) -> Response {
        Response::new(&self.acs_url, &self.audience)
    }

    /// Signs `response` and writes it to `name`.
    fn signed(&self, name: &str, response: &Response) -> String {
        self.dir
            .write(name, &response.sign(self.dir.path(), &self.key))
    }

    /// `sso verify FILES --app zoom --var vanity=acme --metadata idp.xml EXTRA`.
    fn verify(&self, files: &[&str], extra: &[&str]) -> std::process::Output {
        let mut args = vec!["sso", "verify"];
        args.extend_from_slice(files);
        args.extend_from_slice(&[
            "--app",
            "zoom",
            "--var",
            "vanity=acme",
            "--metadata",
            &self.metadata,
        ]);
        args.extend_from_slice(extra);
        connector(&args)
    }
}

/// Asserts exit 1 and `FILE: rejected (code)`; returns stdout.
fn assert_rejected(output: &std::process::Output, code: &str) -> String {
    let out = stdout(output);
    assert_eq!(output.status.code(), Some(1), "{out}\n{}", stderr(output));
    assert!(out.contains(&format!(": rejected ({code})\n")), "{out}");
    out
}

#[test]
fn a_signed_response_is_valid_and_the_same_one_again_is_a_replay() {
    let setup = Setup::new();
    let file = setup.signed("ok.xml", &setup.response());
    let output = setup.verify(&[&file], &[]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{out}\n{}", stderr(&output));
    assert!(out.starts_with(&format!("{file}: valid\n")), "{out}");
    assert!(
        out.contains("signed in   alice@example.com (urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress) to Zoom"),
        "{out}"
    );
    assert!(out.contains("(assertion signed, response signed)"), "{out}");
    assert!(out.contains("no AuthnRequest (IdP-initiated)"), "{out}");
    assert!(
        out.contains("attribute   mail = alice@example.com"),
        "{out}"
    );

    // One run is one SP: the second time, the assertion ID was used.
    let twice = setup.verify(&[&file, &file], &[]);
    let out = assert_rejected(&twice, "replayed");
    assert!(out.starts_with(&format!("{file}: valid\n")), "{out}");
    assert!(out.contains("was already used"), "{out}");
}

#[test]
fn the_base64_form_value_url_encoded_or_not_and_a_form_body_are_accepted() {
    let setup = Setup::new();
    for (index, form) in ["plain", "url-encoded", "form body"]
        .into_iter()
        .enumerate()
    {
        let xml = setup.response().sign(setup.dir.path(), &setup.key);
        let value = match form {
            "plain" => format!("{}\n", b64(&xml)),
            "url-encoded" => form_encode(&b64(&xml)),
            _ => format!("SAMLResponse={}&RelayState=rs-1", form_encode(&b64(&xml))),
        };
        let file = setup.dir.write(&format!("post-{index}.txt"), &value);
        let output = setup.verify(&[&file], &[]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{form}: {}{}",
            stdout(&output),
            stderr(&output)
        );
    }
}

#[test]
fn unsigned_foreign_key_altered_and_wrapped_responses_are_rejected_with_the_reason() {
    let setup = Setup::new();
    let mut unsigned = setup.response();
    unsigned.signed = Signed::Nothing;
    let file = setup.dir.write("unsigned.xml", &unsigned.template());
    let out = assert_rejected(&setup.verify(&[&file], &[]), "unsigned");
    assert!(
        out.contains("neither the Response nor the Assertion"),
        "{out}"
    );

    let intruder = TestKey::generate(setup.dir.path(), "intruder");
    let forged = setup.response().sign(setup.dir.path(), &intruder);
    let file = setup.dir.write("foreign.xml", &forged);
    let out = assert_rejected(&setup.verify(&[&file], &[]), "untrusted_key");
    assert!(out.contains("CN=intruder"), "{out}");
    assert!(
        out.contains("hint        is --metadata the metadata"),
        "{out}"
    );

    let signed = setup.response().sign(setup.dir.path(), &setup.key);
    let altered = signed.replace(
        ">alice@example.com</saml:NameID>",
        ">mallory@example.com</saml:NameID>",
    );
    assert_ne!(altered, signed);
    let file = setup.dir.write("altered.xml", &altered);
    let out = assert_rejected(&setup.verify(&[&file], &[]), "invalid_signature");
    assert!(out.contains("altered after signing"), "{out}");

    // XSW: a forged assertion placed before the signed one.
    let mut inner = setup.response();
    inner.signed = Signed::Assertion;
    let signed = inner.sign(setup.dir.path(), &setup.key);
    let mut forged = setup.response();
    forged.name_id = "mallory@example.com".to_owned();
    forged.signed = Signed::Nothing;
    let forged_xml = forged.template();
    let start = forged_xml.find("<saml:Assertion").expect("assertion");
    let end = forged_xml.find("</saml:Assertion>").expect("end") + "</saml:Assertion>".len();
    let position = signed.find("<saml:Assertion").expect("assertion");
    let wrapped = format!(
        "{}{}{}",
        &signed[..position],
        &forged_xml[start..end],
        &signed[position..]
    );
    let file = setup.dir.write("wrapped.xml", &wrapped);
    let out = assert_rejected(&setup.verify(&[&file], &[]), "signature_wrapping");
    assert!(out.contains("2 Assertion elements"), "{out}");
}

#[test]
fn wrong_audience_recipient_and_expired_responses_are_rejected() {
    let setup = Setup::new();
    let mut other = setup.response();
    other.audience = "https://other.example/sp".to_owned();
    let file = setup.signed("audience.xml", &other);
    let out = assert_rejected(&setup.verify(&[&file], &[]), "wrong_audience");
    assert!(
        out.contains("does not include this SP (acme.zoom.us)"),
        "{out}"
    );

    let mut elsewhere = setup.response();
    elsewhere.acs_url = "https://evil.example/acs".to_owned();
    let file = setup.signed("destination.xml", &elsewhere);
    let output = setup.verify(&[&file], &[]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(
        out.contains("rejected (wrong_destination)") || out.contains("rejected (wrong_recipient)"),
        "{out}"
    );
    assert!(out.contains("https://evil.example/acs"), "{out}");

    let mut old = setup.response();
    old.issue_instant -= Duration::hours(2);
    old.not_on_or_after = old.issue_instant + Duration::minutes(5);
    let file = setup.signed("expired.xml", &old);
    let out = assert_rejected(&setup.verify(&[&file], &[]), "expired");
    assert!(out.contains("capture a fresh one"), "{out}");
}

#[test]
fn sp_initiated_only_services_refuse_idp_initiated_and_accept_a_named_request_once() {
    let setup = Setup::new();
    let acs = "https://auth.workos.example/sso/saml/acs/conn_1";
    let entity = "https://auth.workos.example/sso/saml/conn_1";
    let chatgpt = |files: &[&str], extra: &[&str]| {
        let mut args = vec!["sso", "verify"];
        args.extend_from_slice(files);
        let acs_var = format!("acs_url={acs}");
        let entity_var = format!("entity_id={entity}");
        args.extend_from_slice(&["--app", "chatgpt", "--metadata", &setup.metadata]);
        args.extend_from_slice(&["--var", &acs_var, "--var", &entity_var]);
        args.extend_from_slice(extra);
        connector(&args)
    };
    let unsolicited = setup.signed("unsolicited.xml", &Response::new(acs, entity));
    let out = assert_rejected(&chatgpt(&[&unsolicited], &[]), "idp_initiated_not_allowed");
    assert!(
        out.contains("ChatGPT accepts only SP-initiated sign-in"),
        "{out}"
    );

    let answer = |name: &str| {
        let mut response = Response::new(acs, entity);
        response.in_response_to = Some("_req1".to_owned());
        setup.signed(name, &response)
    };
    let first = answer("answer-1.xml");
    let out = assert_rejected(&chatgpt(&[&first], &[]), "unknown_in_response_to");
    assert!(out.contains("pass --in-response-to <ID>"), "{out}");

    let ok = chatgpt(&[&first], &["--in-response-to", "_req1"]);
    assert_eq!(ok.status.code(), Some(0), "{}", stdout(&ok));
    assert!(stdout(&ok).contains("answers     AuthnRequest _req1"));

    // A second Response to the same request (a new assertion) is a replay.
    let second = answer("answer-2.xml");
    let out = assert_rejected(
        &chatgpt(&[&first, &second], &["--in-response-to", "_req1"]),
        "replayed",
    );
    assert!(
        out.contains("InResponseTo `_req1` was already answered"),
        "{out}"
    );
}

#[test]
fn an_instance_of_the_assignments_file_supplies_the_tenant_and_json_tells_each_verdict() {
    let setup = Setup::new();
    let config = setup.dir.write(
        "assignments.toml",
        "[instances.zoom-main]\nconnector = \"zoom\"\nvariables = { vanity = \"acme\", account_id = \"AbC123\" }\n",
    );
    let good = setup.signed("good.xml", &setup.response());
    let mut unsigned = setup.response();
    unsigned.signed = Signed::Nothing;
    let bad = setup.dir.write("bad.xml", &unsigned.template());
    let output = connector(&[
        "sso",
        "verify",
        &good,
        &bad,
        "--instance",
        "zoom-main",
        "-c",
        &config,
        "--metadata",
        &setup.metadata,
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    assert_eq!(json[0]["verdict"], "valid");
    assert_eq!(json[0]["login"]["name_id"], "alice@example.com");
    assert_eq!(json[1]["verdict"], "rejected");
    assert_eq!(json[1]["code"], "unsigned");

    let unknown = connector(&[
        "sso",
        "verify",
        &good,
        "--instance",
        "nope",
        "-c",
        &config,
        "--metadata",
        &setup.metadata,
    ]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("no instance `nope`; instances: zoom-main"));
}

#[test]
fn input_and_usage_errors_exit_2() {
    let setup = Setup::new();
    let good = setup.signed("good.xml", &setup.response());
    let missing = setup.dir.0.join("missing.xml").display().to_string();
    let output = setup.verify(&[&missing], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("missing.xml: cannot read"),
        "{}",
        stderr(&output)
    );

    // SP metadata is not IdP metadata.
    let sp = stdout(&connector(&[
        "sso",
        "zoom",
        "--var",
        "vanity=acme",
        "--format",
        "metadata",
    ]));
    let sp_file = setup.dir.write("sp.xml", &sp);
    let output = connector(&[
        "sso",
        "verify",
        &good,
        "--app",
        "zoom",
        "--var",
        "vanity=acme",
        "--metadata",
        &sp_file,
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("sp.xml: IdP metadata"),
        "{}",
        stderr(&output)
    );

    // The tenant variable is missing; no service named; no --metadata.
    let output = connector(&[
        "sso",
        "verify",
        &good,
        "--app",
        "zoom",
        "--metadata",
        &setup.metadata,
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("--var NAME=VALUE"),
        "{}",
        stderr(&output)
    );
    let output = connector(&["sso", "verify", &good, "--metadata", &setup.metadata]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("--app <app>, or --instance"),
        "{}",
        stderr(&output)
    );
    let output = connector(&["sso", "verify", &good, "--app", "zoom"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("--metadata"),
        "{}",
        stderr(&output)
    );
}
