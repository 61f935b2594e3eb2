//! `connector sandbox --saml-idp-metadata` (features `sandbox` and `saml-verify`): the
//! built binary serves each SAML service's SP at `/saml/{app}/...` on 127.0.0.1; its
//! metadata is well-formed (`xmllint`) and passes `connector sso check --sp`, its ACS
//! accepts a Response signed by the test IdP's key (`xmlsec1`) and refuses an unsigned
//! one, and SP-initiated sign-in works through `/login`.

#[path = "common/saml.rs"]
mod saml;

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};

use saml::{Response, Signed, TempDir, TestKey, b64, connector, form_encode, http, stdout};

/// The sandbox process, killed on drop.
struct Sandbox {
    child: Child,
    /// `127.0.0.1:PORT`.
    address: String,
    /// The lines describing the SAML SPs.
    saml_lines: Vec<String>,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(idp_metadata: &str) -> Sandbox {
    let mut child = Command::new(env!("CARGO_BIN_EXE_connector"))
        .args([
            "sandbox",
            "--listen",
            "127.0.0.1:0",
            "--saml-idp-metadata",
            idp_metadata,
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the connector binary starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first = lines.next().expect("a first line").expect("UTF-8");
    let address = first
        .strip_prefix("connector sandbox on http://")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("unexpected first line: {first}"))
        .to_owned();
    let mut saml_lines = Vec::new();
    let mut in_saml = false;
    // The SAML block follows the admin API; a blank line ends it.
    for line in lines {
        let line = line.expect("UTF-8");
        if line.starts_with("saml (SAML SPs trusting the IdP https://idp.test.example/saml)") {
            in_saml = true;
        } else if in_saml && line.trim().is_empty() {
            break;
        } else if in_saml {
            saml_lines.push(line);
        }
    }
    Sandbox {
        child,
        address,
        saml_lines,
    }
}

/// The entity ID the sandbox printed for `app`.
fn entity_id(sandbox: &Sandbox, app: &str) -> String {
    let line = sandbox
        .saml_lines
        .iter()
        .find(|l| l.trim_start().starts_with(&format!("{app} ")))
        .unwrap_or_else(|| panic!("no SAML SP line for {app}: {:?}", sandbox.saml_lines));
    line.rsplit("entity ID ")
        .next()
        .and_then(|rest| rest.strip_suffix(')'))
        .expect("entity ID")
        .to_owned()
}

fn post(sandbox: &Sandbox, app: &str, xml: &str) -> saml::HttpAnswer {
    let form = format!("SAMLResponse={}&RelayState=rs-1", form_encode(&b64(xml)));
    http(
        &sandbox.address,
        "POST",
        &format!("/saml/{app}/acs"),
        Some(&form),
    )
}

#[test]
fn the_sandbox_serves_sp_metadata_and_an_acs_that_checks_signatures() {
    let dir = TempDir::new();
    let key = TestKey::generate(dir.path(), "test-idp");
    let metadata = dir.write("idp.xml", &key.idp_metadata());
    let sandbox = start(&metadata);
    let base = format!("http://{}", sandbox.address);

    // Metadata: served as SAML metadata, well-formed, and right for the service.
    let answer = http(&sandbox.address, "GET", "/saml/chatgpt/metadata", None);
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        answer.header("content-type"),
        Some("application/samlmetadata+xml")
    );
    let sp_file = dir.write("chatgpt-sp.xml", &answer.body);
    let lint = Command::new("xmllint")
        .args(["--noout", &sp_file])
        .output()
        .expect("xmllint runs (apt-get install libxml2-utils)");
    assert!(
        lint.status.success(),
        "{}",
        String::from_utf8_lossy(&lint.stderr)
    );
    let acs_var = format!("acs_url={base}/saml/chatgpt/acs");
    let entity_var = format!("entity_id={base}/saml/chatgpt");
    let check = connector(&[
        "sso",
        "check",
        "--sp",
        &sp_file,
        "--app",
        "chatgpt",
        "--var",
        &acs_var,
        "--var",
        &entity_var,
    ]);
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));

    // IdP-initiated sign-in to Zoom: a signed Response is accepted, an unsigned refused.
    let zoom_acs = format!("{base}/saml/zoom/acs");
    let zoom_entity = entity_id(&sandbox, "zoom");
    let signed = Response::new(&zoom_acs, &zoom_entity).sign(dir.path(), &key);
    let accepted = post(&sandbox, "zoom", &signed);
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    let body = accepted.json();
    assert_eq!(body["status"], "accepted");
    assert_eq!(body["login"]["name_id"], "alice@example.com");

    let mut unsigned = Response::new(&zoom_acs, &zoom_entity);
    unsigned.signed = Signed::Nothing;
    let refused = post(&sandbox, "zoom", &unsigned.template());
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert_eq!(refused.json()["code"], "unsigned");

    // SP-initiated sign-in to ChatGPT: /login issues the request the Response answers.
    let login = http(&sandbox.address, "GET", "/saml/chatgpt/login", None);
    assert_eq!(login.status, 303, "{}", login.body);
    assert!(
        login
            .header("location")
            .is_some_and(|l| l.starts_with(saml::IDP_SSO_URL)),
        "{:?}",
        login.headers
    );
    let request_id = login.json()["request_id"]
        .as_str()
        .expect("request_id")
        .to_owned();
    let mut answer = Response::new(
        &format!("{base}/saml/chatgpt/acs"),
        &format!("{base}/saml/chatgpt"),
    );
    answer.in_response_to = Some(request_id.clone());
    let accepted = post(&sandbox, "chatgpt", &answer.sign(dir.path(), &key));
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    assert_eq!(accepted.json()["login"]["in_response_to"], request_id);
}
