//! Test support: third-party peers (Debian `xmlsec1`, the Python peers of
//! `cargo xtask peers`), keys generated at test time with `openssl`, IdP metadata, SAML
//! Response templates, and the SP router served on 127.0.0.1.
//!
//! TEST-ONLY: every key here is generated per test run in a temporary directory.

#![allow(dead_code)]

use std::io::Read as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use connector_saml_sp::{SamlSp, SpOptions};
use connector_sdk::Manifest;
use connector_sso::SsoInputs;
use tempfile::TempDir;

pub const SAMLP: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
pub const SAML: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
pub const DS: &str = "http://www.w3.org/2000/09/xmldsig#";
pub const IDP_ENTITY_ID: &str = "https://idp.test.example/saml";
pub const IDP_SSO_URL: &str = "https://idp.test.example/sso";

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("saml-sp lives in the workspace")
        .to_path_buf()
}

/// The Debian `xmlsec1` program: `$XMLSEC1_BIN`, else `xmlsec1` on PATH.
pub fn xmlsec1() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let bin =
            std::env::var_os("XMLSEC1_BIN").map_or_else(|| PathBuf::from("xmlsec1"), PathBuf::from);
        let ok = Command::new(&bin)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(
            ok,
            "the third-party signer `{}` is not installed; run `apt-get install xmlsec1` \
             (.ci/run does) or set XMLSEC1_BIN",
            bin.display()
        );
        // pysaml2 needs an absolute path.
        which(&bin).unwrap_or(bin)
    })
    .clone()
}

fn which(bin: &Path) -> Option<PathBuf> {
    if bin.is_absolute() {
        return Some(bin.to_path_buf());
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(bin))
            .find(|candidate| candidate.is_file())
    })
}

/// The Python of the peers' virtualenv: `$SAML_PEERS_PYTHON`, else
/// `<workspace>/.venv-peers/bin/python` (made by `cargo xtask peers`).
pub fn python() -> PathBuf {
    let python = std::env::var_os("SAML_PEERS_PYTHON").map_or_else(
        || workspace_root().join(".venv-peers/bin/python"),
        PathBuf::from,
    );
    let ok = Command::new(&python)
        .args(["-c", "import onelogin.saml2, saml2"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "the SAML peers (python3-saml, pysaml2) are not installed in {}; run `cargo xtask peers`",
        python.display()
    );
    python
}

/// The OASIS SAML XSDs python3-saml ships.
pub fn schemas_dir() -> PathBuf {
    let output = Command::new(python())
        .args([
            "-c",
            "import onelogin.saml2, os; print(os.path.join(os.path.dirname(onelogin.saml2.__file__), 'schemas'))",
        ])
        .output()
        .expect("python runs");
    PathBuf::from(String::from_utf8_lossy(&output.stdout).trim())
}

/// Runs a command, returning stdout; panics with its stderr when it fails.
pub fn run(command: &mut Command) -> String {
    let output = command
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?} failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A key pair and self-signed certificate made by `openssl` for one test (TEST-ONLY).
pub struct TestKey {
    pub key_pem: PathBuf,
    pub cert_pem: PathBuf,
    /// The certificate's DER, base64 (as in metadata).
    pub cert_b64: String,
}

impl TestKey {
    /// A fresh RSA-2048 key with a SHA-256 certificate valid for two days.
    pub fn generate(dir: &Path, name: &str) -> Self {
        Self::generate_with(dir, name, &["-days", "2", "-sha256"])
    }

    /// A key whose certificate is signed with SHA-1.
    pub fn sha1(dir: &Path, name: &str) -> Self {
        Self::generate_with(dir, name, &["-days", "2", "-sha1"])
    }

    fn generate_with(dir: &Path, name: &str, extra: &[&str]) -> Self {
        let key_pem = dir.join(format!("{name}.key"));
        let cert_pem = dir.join(format!("{name}.crt"));
        run(Command::new("openssl")
            .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout"])
            .arg(&key_pem)
            .arg("-out")
            .arg(&cert_pem)
            .args(["-subj", &format!("/CN={name}")])
            .args(extra));
        let pem = std::fs::read_to_string(&cert_pem).expect("certificate written");
        let cert_b64: String = pem
            .lines()
            .filter(|line| !line.starts_with("-----"))
            .collect();
        Self {
            key_pem,
            cert_pem,
            cert_b64,
        }
    }
}

/// IdP metadata trusting `cert_b64` for signing.
pub fn idp_metadata(cert_b64: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{IDP_ENTITY_ID}">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="{SAMLP}">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo xmlns:ds="{DS}">
        <ds:X509Data>
          <ds:X509Certificate>{cert_b64}</ds:X509Certificate>
        </ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="{IDP_SSO_URL}"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="{IDP_SSO_URL}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
"#
    )
}

/// Tenant inputs that fill every connector's sign-in templates: each variable's spec
/// example, plus an ACS URL and entity ID for services that issue them per connection.
pub fn example_inputs(manifest: &Manifest) -> SsoInputs {
    let mut inputs = SsoInputs::new();
    for variable in manifest.variables {
        inputs.set(variable.name, variable.example);
    }
    if manifest.sso.acs_url.is_none() {
        inputs.set(
            "acs_url",
            format!(
                "https://auth.workos.example/sso/saml/acs/conn_{}",
                manifest.name
            ),
        );
    }
    if manifest.sso.entity_id.is_none() {
        inputs.set(
            "entity_id",
            format!(
                "https://auth.workos.example/sso/saml/conn_{}",
                manifest.name
            ),
        );
    }
    inputs
}

/// Every connector of the workspace.
pub fn all_manifests() -> Vec<&'static Manifest> {
    vec![
        &connector_chatgpt::MANIFEST,
        &connector_claude::MANIFEST,
        &connector_perplexity::MANIFEST,
        &connector_notion::MANIFEST,
        &connector_miro::MANIFEST,
        &connector_canva::MANIFEST,
        &connector_slack::MANIFEST,
        &connector_zoom::MANIFEST,
        &connector_gemini::MANIFEST,
        &connector_copilot::MANIFEST,
        &connector_github_copilot::MANIFEST,
        &connector_box::MANIFEST,
    ]
}

/// An SP for `manifest` trusting `key`.
pub fn sp(manifest: &Manifest, key: &TestKey) -> SamlSp {
    SamlSp::from_manifest(
        manifest,
        &example_inputs(manifest),
        &idp_metadata(&key.cert_b64),
        SpOptions::default(),
    )
    .unwrap_or_else(|e| panic!("SP for {}: {e}", manifest.name))
}

/// Serves `sps` on 127.0.0.1 (an ephemeral port) for the rest of the test.
pub async fn serve(sps: Vec<SamlSp>) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1");
    let addr = listener.local_addr().expect("local address");
    let app = connector_saml_sp::router(sps);
    tokio::spawn(async move {
        axum_serve(listener, app).await;
    });
    addr
}

async fn axum_serve(listener: tokio::net::TcpListener, app: axum::Router) {
    let _ = axum::serve(listener, app).await;
}

/// An HTTP client that does not follow redirects.
pub fn client() -> reqwest::Client {
    // The workspace's reqwest brings no crypto provider; plain HTTP needs none, but the
    // builder insists on one being installed.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// `GET /{app}/login`: returns (request ID, the SAMLRequest query value).
pub async fn start_login(addr: SocketAddr, app: &str) -> (String, String) {
    let response = client()
        .get(format!("http://{addr}/{app}/login?relay_state=rs-1"))
        .send()
        .await
        .expect("login answers");
    assert_eq!(response.status(), 303);
    let location = response
        .headers()
        .get("location")
        .expect("Location header")
        .to_str()
        .expect("ASCII")
        .to_owned();
    let url = url::Url::parse(&location).expect("redirect URL");
    assert!(location.starts_with(IDP_SSO_URL), "{location}");
    let saml_request = url
        .query_pairs()
        .find(|(k, _)| k == "SAMLRequest")
        .map(|(_, v)| v.into_owned())
        .expect("SAMLRequest");
    let body: serde_json::Value = response.json().await.expect("JSON body");
    let request_id = body["request_id"].as_str().expect("request_id").to_owned();
    // The request is what we said it is: inflate it and find the ID.
    let deflated = STANDARD.decode(&saml_request).expect("base64");
    let mut xml = String::new();
    flate2::read::DeflateDecoder::new(deflated.as_slice())
        .read_to_string(&mut xml)
        .expect("deflated XML");
    assert!(xml.contains(&format!("ID=\"{request_id}\"")), "{xml}");
    (request_id, saml_request)
}

/// POSTs a base64 SAMLResponse to `/{app}/acs`: (HTTP status, JSON body).
pub async fn post_acs(
    addr: SocketAddr,
    app: &str,
    saml_response_b64: &str,
) -> (u16, serde_json::Value) {
    let response = client()
        .post(format!("http://{addr}/{app}/acs"))
        .form(&[("SAMLResponse", saml_response_b64), ("RelayState", "rs-1")])
        .send()
        .await
        .expect("ACS answers");
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON body"))
}

/// Which parts of a Response carry a signature template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signed {
    Nothing,
    Assertion,
    Response,
    Both,
}

/// The facts of one Response, filled from the generated Okta app (the IdP side).
#[derive(Debug, Clone)]
pub struct ResponseSpec {
    pub response_id: String,
    pub assertion_id: String,
    pub issuer: String,
    pub destination: String,
    pub recipient: String,
    pub audience: String,
    pub in_response_to: Option<String>,
    pub name_id: String,
    pub name_id_format: String,
    pub issue_instant: DateTime<Utc>,
    pub not_before: DateTime<Utc>,
    pub not_on_or_after: DateTime<Utc>,
    pub attributes: Vec<(String, String)>,
    pub signed: Signed,
    pub signature_method: String,
    pub digest_method: String,
}

impl ResponseSpec {
    /// A Response as the generated Okta SAML app of `manifest` would send it for
    /// alice@example.com: every SP value (ACS, audience, recipient, destination, NameID
    /// format, attribute names and profile values) is read from the app definition.
    pub fn from_okta_app(manifest: &Manifest, in_response_to: Option<String>) -> Self {
        let artifacts =
            connector_sso::generate(manifest, &example_inputs(manifest)).expect("artifacts");
        let app =
            serde_json::to_value(artifacts.okta.saml_app.expect("a SAML app")).expect("app JSON");
        let sign_on = &app["settings"]["signOn"];
        let text = |key: &str| sign_on[key].as_str().expect(key).to_owned();
        assert_eq!(text("signatureAlgorithm"), "RSA_SHA256");
        assert_eq!(text("digestAlgorithm"), "SHA256");
        let attributes = sign_on["attributeStatements"]
            .as_array()
            .expect("attributeStatements")
            .iter()
            .map(|statement| {
                let name = statement["name"].as_str().expect("name").to_owned();
                let expression = statement["values"][0].as_str().unwrap_or_default();
                (name, evaluate_okta_expression(expression))
            })
            .collect();
        let now = Utc::now();
        Self {
            response_id: format!("_r{}", uuid::Uuid::new_v4().simple()),
            assertion_id: format!("_a{}", uuid::Uuid::new_v4().simple()),
            issuer: IDP_ENTITY_ID.to_owned(),
            destination: text("destination"),
            recipient: text("recipient"),
            audience: text("audience"),
            in_response_to,
            name_id: "alice@example.com".to_owned(),
            name_id_format: text("subjectNameIdFormat"),
            issue_instant: now,
            not_before: now - Duration::seconds(30),
            not_on_or_after: now + Duration::minutes(5),
            attributes,
            signed: Signed::Both,
            signature_method: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256".to_owned(),
            digest_method: "http://www.w3.org/2001/04/xmlenc#sha256".to_owned(),
        }
    }

    /// The unsigned document, with empty signature templates where `signed` asks.
    pub fn template(&self) -> String {
        let t = |time: &DateTime<Utc>| time.to_rfc3339_opts(SecondsFormat::Secs, true);
        let irt = self
            .in_response_to
            .as_ref()
            .map(|id| format!(r#" InResponseTo="{id}""#))
            .unwrap_or_default();
        let response_sig = if matches!(self.signed, Signed::Response | Signed::Both) {
            self.signature_template(&self.response_id)
        } else {
            String::new()
        };
        let assertion_sig = if matches!(self.signed, Signed::Assertion | Signed::Both) {
            self.signature_template(&self.assertion_id)
        } else {
            String::new()
        };
        let attributes: String = self
            .attributes
            .iter()
            .map(|(name, value)| {
                format!(
                    r#"<saml:Attribute Name="{}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified"><saml:AttributeValue xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">{}</saml:AttributeValue></saml:Attribute>"#,
                    escape(name),
                    escape(value)
                )
            })
            .collect();
        format!(
            r#"<samlp:Response xmlns:samlp="{SAMLP}" xmlns:saml="{SAML}" ID="{rid}" Version="2.0" IssueInstant="{issued}" Destination="{destination}"{irt}><saml:Issuer>{issuer}</saml:Issuer>{response_sig}<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status><saml:Assertion ID="{aid}" Version="2.0" IssueInstant="{issued}"><saml:Issuer>{issuer}</saml:Issuer>{assertion_sig}<saml:Subject><saml:NameID Format="{format}">{name_id}</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData{irt} NotOnOrAfter="{not_after}" Recipient="{recipient}"/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="{not_before}" NotOnOrAfter="{not_after}"><saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="{issued}" SessionIndex="{aid}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement><saml:AttributeStatement>{attributes}</saml:AttributeStatement></saml:Assertion></samlp:Response>"#,
            rid = self.response_id,
            aid = self.assertion_id,
            issued = t(&self.issue_instant),
            destination = escape(&self.destination),
            issuer = escape(&self.issuer),
            format = escape(&self.name_id_format),
            name_id = escape(&self.name_id),
            not_after = t(&self.not_on_or_after),
            not_before = t(&self.not_before),
            recipient = escape(&self.recipient),
            audience = escape(&self.audience),
        )
    }

    fn signature_template(&self, id: &str) -> String {
        format!(
            r##"<ds:Signature xmlns:ds="{DS}"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="{}"/><ds:Reference URI="#{id}"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="{}"/><ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data/></ds:KeyInfo></ds:Signature>"##,
            self.signature_method, self.digest_method
        )
    }

    /// The Response signed by Debian's `xmlsec1` with `key` (assertion first, then the
    /// Response, so the Response signature covers the signed assertion).
    pub fn sign(&self, dir: &Path, key: &TestKey) -> String {
        sign_xml(dir, &self.template(), key, self.signed)
    }
}

/// Signs the templates in `xml` with `xmlsec1`.
pub fn sign_xml(dir: &Path, xml: &str, key: &TestKey, signed: Signed) -> String {
    let mut current = xml.to_owned();
    let mut passes = Vec::new();
    if matches!(signed, Signed::Assertion | Signed::Both) {
        passes.push("//*[local-name()='Assertion']/*[local-name()='Signature']");
    }
    if matches!(signed, Signed::Response | Signed::Both) {
        passes.push("/*/*[local-name()='Signature']");
    }
    for (index, xpath) in passes.into_iter().enumerate() {
        let input = dir.join(format!(
            "unsigned-{index}-{}.xml",
            uuid::Uuid::new_v4().simple()
        ));
        let output = dir.join(format!(
            "signed-{index}-{}.xml",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::write(&input, &current).expect("write template");
        run(Command::new(xmlsec1())
            .arg("--sign")
            .arg("--privkey-pem")
            .arg(format!(
                "{},{}",
                key.key_pem.display(),
                key.cert_pem.display()
            ))
            .args([
                "--id-attr:ID",
                "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
            ])
            .args([
                "--id-attr:ID",
                "urn:oasis:names:tc:SAML:2.0:protocol:Response",
            ])
            .args(["--node-xpath", xpath])
            .arg("--output")
            .arg(&output)
            .arg(&input));
        current = std::fs::read_to_string(&output).expect("signed output");
    }
    current
}

/// Base64 of a document, as the HTTP-POST binding sends it.
pub fn b64(xml: &str) -> String {
    STANDARD.encode(xml.as_bytes())
}

/// A temporary directory for one test's keys and documents.
pub fn tempdir() -> TempDir {
    tempfile::Builder::new()
        .prefix("saml-sp-test-")
        .tempdir()
        .expect("temp dir")
}

/// Alice's value of the Okta expressions the generated apps use.
pub fn evaluate_okta_expression(expression: &str) -> String {
    match expression {
        "user.email" | "user.login" => "alice@example.com".to_owned(),
        "user.firstName" => "Alice".to_owned(),
        "user.lastName" => "Liddell".to_owned(),
        "user.getInternalProperty(\"id\")" => "00u1alice".to_owned(),
        "String.toLowerCase(String.substringBefore(user.email, \"@\"))" => "alice".to_owned(),
        "String.toLowerCase(user.email)" => "alice@example.com".to_owned(),
        "user.firstName + \" \" + user.lastName" => "Alice Liddell".to_owned(),
        other => panic!("the test IdP cannot evaluate the Okta expression `{other}`"),
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
