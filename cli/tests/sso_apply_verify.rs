//! The whole way through the emulated Okta: `connector sso apply` creates the apps, the
//! app's IdP metadata is fetched from the org, the org signs a Response as that app (its
//! own key, made when the app was created), and `connector sso verify` (the
//! `connector-saml-sp` SP) accepts it; a Response altered after signing, one signed by
//! another app's key and one with a wrong audience are rejected. ChatGPT's hidden app
//! answers an SP-initiated request (`--in-response-to`).

use std::path::Path;
use std::process::{Command, Output};

use connector_sandbox::{OktaOrg, RateLimitConfig, Sandbox, SandboxHandle, TenantSpec};
use serde_json::{Value, json};

const OKTA_TOKEN: &str = "okta-token-7a2f40";
const CHATGPT_ACS: &str = "https://auth0.openai.com/login/callback?connection=acme";
const CHATGPT_ENTITY: &str = "urn:auth0:openai:acme";

async fn start() -> SandboxHandle {
    connector_tests::install_crypto_provider();
    let person = |i: usize, group: &str| {
        let mut who = connector_tests::people::person(i, "example.com");
        who.groups = vec![group.to_owned()];
        who
    };
    let org = OktaOrg::new()
        .person(person(1, "engineering"))
        .person(person(2, "sales"));
    Sandbox::builder()
        .tenant(
            TenantSpec::okta("okta", org)
                .token(OKTA_TOKEN)
                .rate_limit(RateLimitConfig::off()),
        )
        .start("127.0.0.1:0")
        .await
        .unwrap()
}

fn connector(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_connector"))
        .args(args)
        .env("OKTA_API_TOKEN", OKTA_TOKEN)
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A call to the org's Management API with its token: status and body text.
async fn okta(
    sandbox: &SandboxHandle,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, String) {
    let org = sandbox.tenant("okta").unwrap();
    let mut request = reqwest::Client::new()
        .request(method, format!("{}/api/v1/{path}", org.api_url()))
        .header("Authorization", format!("SSWS {OKTA_TOKEN}"));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// The id of the app labelled `label` with `mode`.
async fn app_id(sandbox: &SandboxHandle, label: &str, mode: &str) -> String {
    let (_, apps) = okta(sandbox, reqwest::Method::GET, "apps?limit=200", None).await;
    let apps: Value = serde_json::from_str(&apps).unwrap();
    apps.as_array()
        .unwrap()
        .iter()
        .find(|a| a["label"] == label && a["signOnMode"] == mode)
        .and_then(|a| a["id"].as_str())
        .unwrap_or_else(|| panic!("no {mode} app {label}: {apps}"))
        .to_owned()
}

/// The Response app `id` signs for `body`, written to `dir/name`.
async fn signed(sandbox: &SandboxHandle, id: &str, body: Value, dir: &Path, name: &str) -> String {
    let (status, answer) = okta(
        sandbox,
        reqwest::Method::POST,
        &format!("apps/{id}/sso/saml/sign"),
        Some(body),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let answer: Value = serde_json::from_str(&answer).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, answer["xml"].as_str().unwrap()).unwrap();
    path.display().to_string()
}

/// `sso verify FILE --app zoom --var vanity=acme --metadata METADATA`.
fn verify_zoom(file: &str, metadata: &str) -> Output {
    connector(&[
        "sso",
        "verify",
        file,
        "--app",
        "zoom",
        "--var",
        "vanity=acme",
        "--metadata",
        metadata,
    ])
}

fn assert_rejected(output: &Output, code: &str) {
    let out = stdout(output);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{out}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(out.contains(&format!(": rejected ({code})")), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sp_accepts_what_the_emulated_okta_app_signs_and_rejects_the_attacks() {
    let sandbox = start().await;
    let ada = connector_tests::people::person(1, "example.com").email;
    let other_person = connector_tests::people::person(2, "example.com").email;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("assignments.toml");
    std::fs::write(
        &config,
        format!(
            "[idp.okta]\nurl = \"{}\"\ntoken_env = \"OKTA_API_TOKEN\"\n\n\
             [instances.zoom]\nconnector = \"zoom\"\ntoken_env = \"ZOOM_TOKEN\"\n\
             variables = {{ vanity = \"acme\" }}\n\n\
             [instances.chatgpt]\nconnector = \"chatgpt\"\ntoken_env = \"CHATGPT_TOKEN\"\n\n\
             [[sso]]\ninstance = \"zoom\"\ngroups = [\"engineering\"]\n\n\
             [[sso]]\ninstance = \"chatgpt\"\ngroups = [\"engineering\"]\n",
            sandbox.tenant("okta").unwrap().api_url()
        ),
    )
    .unwrap();
    let config = config.display().to_string();
    let acs_var = format!("chatgpt.acs_url={CHATGPT_ACS}");
    let entity_var = format!("chatgpt.entity_id={CHATGPT_ENTITY}");
    let apply = connector(&[
        "sso",
        "apply",
        "-c",
        &config,
        "--var",
        &acs_var,
        "--var",
        &entity_var,
    ]);
    assert_eq!(
        apply.status.code(),
        Some(0),
        "{}{}",
        stdout(&apply),
        String::from_utf8_lossy(&apply.stderr)
    );

    // The metadata of the app sso apply created, from the org.
    let zoom = app_id(&sandbox, "Zoom", "SAML_2_0").await;
    let (status, xml) = okta(
        &sandbox,
        reqwest::Method::GET,
        &format!("apps/{zoom}/sso/saml/metadata"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{xml}");
    let metadata = dir.path().join("zoom-idp.xml");
    std::fs::write(&metadata, &xml).unwrap();
    let metadata = metadata.display().to_string();

    // Accepted.
    let ok = signed(&sandbox, &zoom, json!({"user": ada}), dir.path(), "ok.xml").await;
    let output = verify_zoom(&ok, &metadata);
    let out = stdout(&output);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{out}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(out.contains(": valid"), "{out}");
    assert!(out.contains(&ada), "{out}");

    // Altered after signing: someone else's NameID.
    let text = std::fs::read_to_string(&ok).unwrap();
    assert!(text.contains(&format!(">{ada}</saml:NameID>")));
    let altered = dir.path().join("altered.xml");
    std::fs::write(
        &altered,
        text.replace(
            &format!(">{ada}</saml:NameID>"),
            &format!(">{other_person}</saml:NameID>"),
        ),
    )
    .unwrap();
    assert_rejected(
        &verify_zoom(&altered.display().to_string(), &metadata),
        "invalid_signature",
    );

    // Signed by another app's key, with Zoom's issuer named: the signature does not verify.
    let (status, other) = okta(
        &sandbox,
        reqwest::Method::POST,
        "apps",
        Some(json!({
            "label": "Zoom (impostor)", "signOnMode": "SAML_2_0",
            "credentials": {"userNameTemplate": {"template": "${source.email}", "type": "BUILT_IN"}},
            "settings": {"signOn": {"ssoAcsUrl": "https://acme.zoom.us/saml/SSO", "audience": "acme.zoom.us",
                "subjectNameIdFormat": "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
                "responseSigned": true, "assertionSigned": true}},
        })),
    )
    .await;
    assert_eq!(status, 200, "{other}");
    let other: Value = serde_json::from_str(&other).unwrap();
    let impostor = signed(
        &sandbox,
        other["id"].as_str().unwrap(),
        json!({"user": ada, "issuer": format!("http://www.okta.com/exk{}", zoom.trim_start_matches("0oa"))}),
        dir.path(),
        "impostor.xml",
    )
    .await;
    assert_rejected(&verify_zoom(&impostor, &metadata), "untrusted_key");

    // A wrong audience, though signed by the right key.
    let wrong = signed(
        &sandbox,
        &zoom,
        json!({"user": ada, "audience": "https://evil.example"}),
        dir.path(),
        "audience.xml",
    )
    .await;
    assert_rejected(&verify_zoom(&wrong, &metadata), "wrong_audience");

    // ChatGPT: its hidden SAML app answers an SP-initiated request.
    let chatgpt = app_id(&sandbox, "ChatGPT", "SAML_2_0").await;
    let (_, xml) = okta(
        &sandbox,
        reqwest::Method::GET,
        &format!("apps/{chatgpt}/sso/saml/metadata"),
        None,
    )
    .await;
    let chatgpt_metadata = dir.path().join("chatgpt-idp.xml");
    std::fs::write(&chatgpt_metadata, xml).unwrap();
    let answer = signed(
        &sandbox,
        &chatgpt,
        json!({"user": ada, "in_response_to": "_req1"}),
        dir.path(),
        "chatgpt.xml",
    )
    .await;
    let acs = format!("acs_url={CHATGPT_ACS}");
    let entity = format!("entity_id={CHATGPT_ENTITY}");
    let output = connector(&[
        "sso",
        "verify",
        &answer,
        "--app",
        "chatgpt",
        "--var",
        &acs,
        "--var",
        &entity,
        "--metadata",
        &chatgpt_metadata.display().to_string(),
        "--in-response-to",
        "_req1",
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        stdout(&output),
        String::from_utf8_lossy(&output.stderr)
    );
}
