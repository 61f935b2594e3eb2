//! The scim2-server fixture and the independent state checker, against the real peer.
//! These fail (not skip) when the peer is missing: run `cargo xtask test`.

use std::net::{Ipv4Addr, TcpStream};
use std::path::Path;
use std::time::Duration;

use connector_tests::{FixtureError, Scim2Server};
use reqwest::StatusCode;
use serde_json::{Value, json};

const ACME: &str = "urn:ietf:params:scim:schemas:extension:acme:2.0:User";

fn acme_schema() -> Value {
    json!({
        "id": ACME,
        "name": "AcmeUser",
        "description": "A vendor's licence extension",
        "attributes": [{
            "name": "licenseSku",
            "type": "string",
            "multiValued": false,
            "required": false,
            "caseExact": false,
            "mutability": "readWrite",
            "returned": "default",
            "uniqueness": "none"
        }]
    })
}

fn client() -> reqwest::Client {
    connector_tests::install_crypto_provider();
    reqwest::Client::new()
}

#[tokio::test]
async fn starts_and_requires_its_token() {
    let server = Scim2Server::start(&[]).unwrap();
    assert_eq!(
        server.base_url(),
        format!("http://127.0.0.1:{}/v2", server.port())
    );
    let users = format!("{}/Users", server.base_url());

    let anonymous = client().get(&users).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    let wrong = client()
        .get(&users)
        .bearer_auth("not-the-token")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);

    let token = server.token();
    let authorized = client()
        .get(&users)
        .bearer_auth(token.expose())
        .send()
        .await
        .unwrap();
    assert_eq!(authorized.status(), StatusCode::OK);

    let config = server.config();
    assert_eq!(config.base_url.as_deref(), Some(server.base_url()));
    assert!(matches!(
        config.credentials,
        Some(connector_sdk::Credentials::Bearer(ref t)) if *t == token
    ));
}

#[tokio::test]
async fn serves_appended_extension_schemas() {
    let server = Scim2Server::start(&[acme_schema()]).unwrap();
    let state = server.state();
    let id = state
        .seed_user(json!({
            "userName": "ada@example.com",
            "active": true,
            ACME: { "licenseSku": "PRO" },
        }))
        .await;
    let user = state.get_user(&id).await.expect("the seeded user exists");
    assert_eq!(user[ACME]["licenseSku"], "PRO", "{user}");

    // The extension is announced on the User resource type.
    let resource_type: Value = client()
        .get(format!("{}/ResourceTypes/User", server.base_url()))
        .bearer_auth(server.token().expose())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let extensions = resource_type["schemaExtensions"].to_string();
    assert!(extensions.contains(ACME), "{resource_type}");

    // Without the extension, the same attribute is refused: the schema file matters.
    let plain = Scim2Server::start(&[]).unwrap();
    let refused = client()
        .post(format!("{}/Users", plain.base_url()))
        .bearer_auth(plain.token().expose())
        .header("content-type", "application/scim+json")
        .body(
            json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ACME],
                "userName": "ada@example.com",
                ACME: { "licenseSku": "PRO" },
            })
            .to_string(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn state_checker_reads_what_the_server_holds() {
    let server = Scim2Server::start(&[]).unwrap();
    let state = server.state();
    assert_eq!(state.count_users().await, 0);
    let id = state
        .seed_user(json!({ "userName": "Grace@Example.com", "active": true }))
        .await;
    assert_eq!(state.count_users().await, 1);
    assert_eq!(state.list_user_ids().await, vec![id.clone()]);

    // userName filters are case-insensitive on the server.
    let found = state.find_by_user_name("grace@example.com").await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["id"], id.as_str());
    assert!(
        state
            .find_by_user_name("nobody@example.com")
            .await
            .is_empty()
    );

    state.set_active(&id, false).await;
    assert_eq!(state.get_user(&id).await.unwrap()["active"], false);
    assert!(state.get_user("no-such-id").await.is_none());

    let group = state.seed_group("AI seats").await;
    assert_eq!(
        state.find_group("AI seats").await.unwrap()["id"],
        group.as_str()
    );
    assert!(state.find_group("other").await.is_none());
}

#[tokio::test]
async fn parallel_servers_are_isolated() {
    let first = Scim2Server::start(&[]).unwrap();
    let second = Scim2Server::start(&[]).unwrap();
    assert_ne!(first.port(), second.port());
    assert_ne!(first.token(), second.token());
    first
        .state()
        .seed_user(json!({ "userName": "only-in-first" }))
        .await;
    assert_eq!(first.state().count_users().await, 1);
    assert_eq!(second.state().count_users().await, 0);
}

#[test]
fn drop_kills_the_server() {
    let server = Scim2Server::start(&[]).unwrap();
    let (port, pid) = (server.port(), server.pid());
    let address = (Ipv4Addr::LOCALHOST, port);
    assert!(TcpStream::connect(address).is_ok(), "the server listens");
    assert!(Path::new(&format!("/proc/{pid}")).exists());

    drop(server);

    // Killed and reaped: no process (not even a zombie) and nothing on the port.
    assert!(
        !Path::new(&format!("/proc/{pid}")).exists(),
        "process {pid} outlived the fixture"
    );
    std::thread::sleep(Duration::from_millis(50));
    assert!(
        TcpStream::connect(address).is_err(),
        "port {port} still accepts connections"
    );
}

#[test]
fn a_missing_peer_is_an_error_that_says_how_to_install_it() {
    let error =
        Scim2Server::start_with(Path::new("/nonexistent/bin/scim2-server"), &[]).unwrap_err();
    assert!(matches!(error, FixtureError::PeerMissing { .. }));
    let message = error.to_string();
    assert!(message.contains("cargo xtask peers"), "{message}");
    assert!(
        message.contains("/nonexistent/bin/scim2-server"),
        "{message}"
    );
}

#[test]
fn an_extension_without_an_id_is_refused() {
    let binary = Scim2Server::binary().unwrap();
    let error = Scim2Server::start_with(&binary, &[json!({ "name": "NoId" })]).unwrap_err();
    assert!(matches!(error, FixtureError::InvalidSchema(_)), "{error}");
}

#[test]
fn a_schema_the_server_rejects_fails_with_its_output() {
    let broken = json!({ "id": "urn:example:broken", "attributes": "not a list" });
    let error = Scim2Server::start(&[broken]).unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, FixtureError::Start { .. }), "{message}");
    assert!(message.contains("scim2-server output"), "{message}");
}
