//! `Auth::ServiceAccountJwt`: a fresh RSA key (made with `openssl` for this test run
//! only), the RS256 assertion the mock token endpoint receives, its claims and signature,
//! the cached access token, and errors that show neither the key nor the assertion.

mod rest_fixtures;

use std::process::{Command, Stdio};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use connector_sdk::manifest::{AccountPointers, Auth, HttpMethod, Manifest, RestOperation};
use connector_sdk::mapping::MappingError;
use connector_sdk::rest::{RestApp, RestConnector};
use connector_sdk::{AccountRef, Connector, Credentials, Error, Identity, Operation, Secret};
use rest_fixtures::{config, manifest, op, variable};
use ring::signature::{RSA_PKCS1_2048_8192_SHA256, RsaKeyPair, UnparsedPublicKey};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY_ENV: &str = "CONNECTOR_SDK_TEST_SA_KEY_NEVER_SET";
const CLIENT_EMAIL: &str = "provisioner@test-project.iam.gserviceaccount.com";

const OPS: &[RestOperation] = &[op(Operation::Get, HttpMethod::Get, "/users/{account.id}")];

static JWT: Manifest = {
    let mut m = manifest(
        "jwt_like",
        "https://admin.googleapis.com/admin/directory/v1",
        &[variable("admin_email", None)],
        AccountPointers {
            id: "/id",
            user_name: "/primaryEmail",
            email: None,
            display_name: None,
            active: "/suspended",
            active_equals: "false",
        },
        OPS,
        &[],
        &[],
    );
    m.auth = Auth::ServiceAccountJwt {
        token_url: "https://oauth2.googleapis.com/token",
        key_env: KEY_ENV,
        subject: Some("{admin_email}"),
        scopes: &["https://scope.example/a", "https://scope.example/b"],
    };
    m
};

struct JwtApp;

impl RestApp for JwtApp {
    type Account = Value;
    fn manifest() -> &'static Manifest {
        &JWT
    }
    fn map_identity(who: &Identity) -> Result<Value, MappingError> {
        Ok(json!({"primaryEmail": who.email}))
    }
}

/// A service account JSON key with a fresh 2048-bit key, and its public key (DER).
fn service_account_key() -> (Secret, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("key.pem");
    let status = Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
        ])
        .arg(&file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("this test needs `openssl` on the PATH");
    assert!(status.success(), "openssl genpkey failed");
    let pem = std::fs::read_to_string(&file).unwrap();
    let base64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let pair = RsaKeyPair::from_pkcs8(&STANDARD.decode(base64).unwrap()).unwrap();
    let key = json!({
        "type": "service_account",
        "project_id": "test-project",
        "private_key_id": "0123",
        "private_key": pem,
        "client_email": CLIENT_EMAIL,
        "token_uri": "https://oauth2.googleapis.com/token",
    });
    (
        Secret::new(key.to_string()),
        pair.public().as_ref().to_vec(),
    )
}

fn jwt_config(server: &MockServer, key: &Secret) -> connector_sdk::InstanceConfig {
    connector_sdk::InstanceConfig {
        token_url: Some(format!("{}/token", server.uri())),
        credentials: Some(Credentials::ServiceAccountKey(key.clone())),
        ..config(server, "/admin/directory/v1").with_variable("admin_email", "admin@example.com")
    }
}

fn account() -> AccountRef {
    AccountRef {
        id: "g1".to_owned(),
        user_name: "ada@example.com".to_owned(),
    }
}

#[tokio::test]
async fn signs_an_assertion_and_caches_the_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"access_token": "ya29.test-token", "expires_in": 3599, "token_type": "Bearer"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/admin/directory/v1/users/g1"))
        .and(header("authorization", "Bearer ya29.test-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"id": "g1", "primaryEmail": "ada@example.com", "suspended": false}),
        ))
        .expect(2)
        .mount(&server)
        .await;
    let (key, public_key) = service_account_key();
    let connector = RestConnector::<JwtApp>::new(jwt_config(&server, &key)).unwrap();
    assert!(!format!("{connector:?}").contains("PRIVATE KEY"));
    for _ in 0..2 {
        assert_eq!(connector.get(&account()).await.unwrap().id, "g1");
    }

    let requests = server.received_requests().await.unwrap();
    let token_request = requests.iter().find(|r| r.url.path() == "/token").unwrap();
    assert!(token_request.headers.get("authorization").is_none());
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&token_request.body)
        .into_owned()
        .collect();
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    assert_eq!(
        field("grant_type"),
        "urn:ietf:params:oauth:grant-type:jwt-bearer"
    );
    let assertion = field("assertion");
    let parts: Vec<&str> = assertion.split('.').collect();
    assert_eq!(parts.len(), 3, "header.claims.signature");
    let decode = |part: &str| -> Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
    };
    assert_eq!(decode(parts[0]), json!({"alg": "RS256", "typ": "JWT"}));
    let claims = decode(parts[1]);
    assert_eq!(claims["iss"], CLIENT_EMAIL);
    assert_eq!(claims["sub"], "admin@example.com");
    assert_eq!(
        claims["scope"],
        "https://scope.example/a https://scope.example/b"
    );
    assert_eq!(claims["aud"], format!("{}/token", server.uri()));
    let iat = claims["iat"].as_u64().unwrap();
    assert_eq!(claims["exp"].as_u64().unwrap(), iat + 3600);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(iat.abs_diff(now) < 60, "iat {iat}, now {now}");
    let signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
    let signed = format!("{}.{}", parts[0], parts[1]);
    UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &public_key)
        .verify(signed.as_bytes(), &signature)
        .expect("the signature verifies with the key's public half");
}

#[tokio::test]
async fn errors_show_neither_the_key_nor_the_assertion() {
    let server = MockServer::start().await;
    // The endpoint echoes what it received.
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(|request: &wiremock::Request| {
            let echo = String::from_utf8_lossy(&request.body).into_owned();
            ResponseTemplate::new(400)
                .set_body_json(json!({"error": "invalid_grant", "error_description": echo}))
        })
        .mount(&server)
        .await;
    let (key, _) = service_account_key();
    let connector = RestConnector::<JwtApp>::new(jwt_config(&server, &key)).unwrap();
    let error = connector.get(&account()).await.unwrap_err();
    let text = error.to_string();
    assert!(
        matches!(
            error,
            Error::Auth {
                status: Some(400),
                ..
            }
        ),
        "{error:?}"
    );
    assert!(text.contains("service account key"), "{text}");
    assert!(!text.contains("eyJ"), "no part of the assertion: {text}");
    assert!(!text.contains("PRIVATE"), "{text}");

    // No key anywhere: the error names the variable.
    let config = connector_sdk::InstanceConfig {
        credentials: None,
        ..jwt_config(&server, &key)
    };
    let error = RestConnector::<JwtApp>::new(config).unwrap_err();
    assert!(error.to_string().contains(KEY_ENV), "{error}");
    // A key that is not a service account key.
    let config = connector_sdk::InstanceConfig {
        credentials: Some(Credentials::ServiceAccountKey(Secret::new(
            "{\"client_email\": \"x@y\"}",
        ))),
        ..jwt_config(&server, &key)
    };
    let error = RestConnector::<JwtApp>::new(config).unwrap_err();
    assert!(error.to_string().contains("no `private_key`"), "{error}");
}

#[tokio::test]
async fn a_refused_key_names_its_variable() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": "invalid_client"})))
        .mount(&server)
        .await;
    let (key, _) = service_account_key();
    let key = key.with_origin("GOOGLE_SERVICE_ACCOUNT_KEY");
    let connector = RestConnector::<JwtApp>::new(jwt_config(&server, &key)).unwrap();
    let error = connector.get(&account()).await.unwrap_err().to_string();
    assert!(
        error.contains("for the service account key in GOOGLE_SERVICE_ACCOUNT_KEY: invalid_client"),
        "{error}"
    );
    assert!(!error.contains("PRIVATE"), "{error}");
}
