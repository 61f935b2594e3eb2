//! SAML test support for the CLI tests: keys and certificates made by `openssl`, IdP
//! metadata, Responses signed by Debian's `xmlsec1` (a signer we did not write), and a
//! minimal HTTP/1.1 client over `std::net::TcpStream` for the sandbox's SP endpoints.
//!
//! TEST-ONLY: every key is generated per test run in a temporary directory.

#![allow(dead_code)]

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

pub(crate) const IDP_ENTITY_ID: &str = "https://idp.test.example/saml";
pub(crate) const IDP_SSO_URL: &str = "https://idp.test.example/sso";
const SAMLP: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
const SAML: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
const DS: &str = "http://www.w3.org/2000/09/xmldsig#";
pub(crate) const EMAIL: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";

/// Runs the built `connector` binary.
pub(crate) fn connector(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_connector"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the connector binary runs")
}

pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A fresh directory under the system temp dir, removed on drop.
pub(crate) struct TempDir(pub PathBuf);

impl TempDir {
    pub(crate) fn new() -> Self {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let path = std::env::temp_dir().join(format!(
            "connector-cli-saml-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path).expect("temp dir");
        Self(path)
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `name` and returns its path as a string.
    pub(crate) fn write(&self, name: &str, text: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, text).expect("write");
        path.display().to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs a command, returning stdout; panics with its stderr when it fails.
fn run(command: &mut Command) -> String {
    let output = command
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e} (is it installed?)"));
    assert!(
        output.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// An RSA-2048 key and self-signed SHA-256 certificate made by `openssl` (TEST-ONLY).
pub(crate) struct TestKey {
    pub key_pem: PathBuf,
    pub cert_pem: PathBuf,
    /// The certificate's DER, base64 (as in metadata).
    pub cert_b64: String,
}

impl TestKey {
    pub(crate) fn generate(dir: &Path, name: &str) -> Self {
        let key_pem = dir.join(format!("{name}.key"));
        let cert_pem = dir.join(format!("{name}.crt"));
        run(Command::new("openssl")
            .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout"])
            .arg(&key_pem)
            .arg("-out")
            .arg(&cert_pem)
            .args(["-subj", &format!("/CN={name}"), "-days", "2", "-sha256"]));
        let pem = std::fs::read_to_string(&cert_pem).expect("certificate written");
        let cert_b64 = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        Self {
            key_pem,
            cert_pem,
            cert_b64,
        }
    }

    /// IdP metadata trusting this key for signing.
    pub(crate) fn idp_metadata(&self) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{IDP_ENTITY_ID}">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="{SAMLP}">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo xmlns:ds="{DS}"><ds:X509Data><ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>{EMAIL}</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="{IDP_SSO_URL}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
"#,
            self.cert_b64
        )
    }
}

/// Which parts carry a signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Signed {
    Nothing,
    Assertion,
    Both,
}

/// One Response's facts.
#[derive(Debug, Clone)]
pub(crate) struct Response {
    pub response_id: String,
    pub assertion_id: String,
    pub issuer: String,
    /// Destination and Recipient (the SP's ACS URL).
    pub acs_url: String,
    pub audience: String,
    pub in_response_to: Option<String>,
    pub name_id: String,
    pub issue_instant: OffsetDateTime,
    pub not_on_or_after: OffsetDateTime,
    pub signed: Signed,
}

impl Response {
    /// A fresh, valid Response for alice@example.com to the SP at `acs_url` / `audience`.
    pub(crate) fn new(acs_url: &str, audience: &str) -> Self {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let unique = format!(
            "{}x{}x{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            OffsetDateTime::now_utc().unix_timestamp_nanos()
        );
        let now = OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .expect("zero nanoseconds");
        Self {
            response_id: format!("_r{unique}"),
            assertion_id: format!("_a{unique}"),
            issuer: IDP_ENTITY_ID.to_owned(),
            acs_url: acs_url.to_owned(),
            audience: audience.to_owned(),
            in_response_to: None,
            name_id: "alice@example.com".to_owned(),
            issue_instant: now,
            not_on_or_after: now + Duration::minutes(5),
            signed: Signed::Both,
        }
    }

    /// The unsigned document with signature templates where `signed` asks.
    pub(crate) fn template(&self) -> String {
        let t = |time: &OffsetDateTime| time.format(&Rfc3339).expect("RFC 3339");
        let irt = self
            .in_response_to
            .as_ref()
            .map(|id| format!(r#" InResponseTo="{id}""#))
            .unwrap_or_default();
        let response_sig = if self.signed == Signed::Both {
            signature_template(&self.response_id)
        } else {
            String::new()
        };
        let assertion_sig = if self.signed == Signed::Nothing {
            String::new()
        } else {
            signature_template(&self.assertion_id)
        };
        format!(
            r#"<samlp:Response xmlns:samlp="{SAMLP}" xmlns:saml="{SAML}" ID="{rid}" Version="2.0" IssueInstant="{issued}" Destination="{acs}"{irt}><saml:Issuer>{issuer}</saml:Issuer>{response_sig}<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status><saml:Assertion ID="{aid}" Version="2.0" IssueInstant="{issued}"><saml:Issuer>{issuer}</saml:Issuer>{assertion_sig}<saml:Subject><saml:NameID Format="{EMAIL}">{name_id}</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData{irt} NotOnOrAfter="{not_after}" Recipient="{acs}"/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="{not_before}" NotOnOrAfter="{not_after}"><saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="{issued}" SessionIndex="{aid}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement><saml:AttributeStatement><saml:Attribute Name="mail"><saml:AttributeValue>{name_id}</saml:AttributeValue></saml:Attribute></saml:AttributeStatement></saml:Assertion></samlp:Response>"#,
            rid = self.response_id,
            aid = self.assertion_id,
            issued = t(&self.issue_instant),
            acs = self.acs_url,
            issuer = self.issuer,
            name_id = self.name_id,
            not_before = t(&(self.issue_instant - Duration::seconds(30))),
            not_after = t(&self.not_on_or_after),
            audience = self.audience,
        )
    }

    /// The Response signed by `xmlsec1` with `key` (assertion first, then the Response).
    pub(crate) fn sign(&self, dir: &Path, key: &TestKey) -> String {
        let mut current = self.template();
        let mut passes = Vec::new();
        if self.signed != Signed::Nothing {
            passes.push("//*[local-name()='Assertion']/*[local-name()='Signature']");
        }
        if self.signed == Signed::Both {
            passes.push("/*/*[local-name()='Signature']");
        }
        for (index, xpath) in passes.into_iter().enumerate() {
            let input = dir.join(format!("{}-{index}-in.xml", self.response_id));
            let output = dir.join(format!("{}-{index}-out.xml", self.response_id));
            std::fs::write(&input, &current).expect("write template");
            run(Command::new(xmlsec1())
                .arg("--sign")
                .arg("--privkey-pem")
                .arg(format!(
                    "{},{}",
                    key.key_pem.display(),
                    key.cert_pem.display()
                ))
                .args(["--id-attr:ID", &format!("{SAML}:Assertion")])
                .args(["--id-attr:ID", &format!("{SAMLP}:Response")])
                .args(["--node-xpath", xpath])
                .arg("--output")
                .arg(&output)
                .arg(&input));
            current = std::fs::read_to_string(&output).expect("signed output");
        }
        current
    }
}

fn signature_template(id: &str) -> String {
    format!(
        r##"<ds:Signature xmlns:ds="{DS}"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI="#{id}"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data/></ds:KeyInfo></ds:Signature>"##
    )
}

/// Debian's `xmlsec1`: `$XMLSEC1_BIN`, else `xmlsec1` on PATH (.ci/run installs it).
fn xmlsec1() -> PathBuf {
    std::env::var_os("XMLSEC1_BIN").map_or_else(|| PathBuf::from("xmlsec1"), PathBuf::from)
}

/// Base64, as the HTTP-POST binding sends a Response.
pub(crate) fn b64(xml: &str) -> String {
    STANDARD.encode(xml.as_bytes())
}

/// Percent-encodes a form value.
pub(crate) fn form_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An HTTP/1.1 answer: status, headers (lower-case names), body.
#[derive(Debug)]
pub(crate) struct HttpAnswer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpAnswer {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

/// One request over a fresh connection (`Connection: close`); `body` is a form.
pub(crate) fn http(address: &str, method: &str, path: &str, form: Option<&str>) -> HttpAnswer {
    let mut stream = std::net::TcpStream::connect(address).expect("connect to the sandbox");
    let body = form.unwrap_or_default();
    let mut request =
        format!("{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
    if form.is_some() {
        request.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    stream.write_all(request.as_bytes()).expect("send");
    let mut raw = String::new();
    stream.read_to_string(&mut raw).expect("read the answer");
    let (head, body) = raw.split_once("\r\n\r\n").expect("an HTTP answer");
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect::<Vec<_>>();
    assert!(
        !headers
            .iter()
            .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked")),
        "the test client reads only bodies with a Content-Length"
    );
    HttpAnswer {
        status,
        headers,
        body: body.to_owned(),
    }
}
