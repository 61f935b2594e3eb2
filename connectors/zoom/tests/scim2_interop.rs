//! Zoom's whole capability set against the third-party scim2-server, with Zoom's vendor
//! extension loaded, every step checked on the server with plain HTTP.

use connector_sdk::{Connector, scim::ScimApp};
use connector_tests::{CapabilitySuite, Scim2Server, people::person};
use serde_json::Value;

fn server() -> Scim2Server {
    Scim2Server::with_extensions(connector_zoom::SCIM_EXTENSION_SCHEMAS)
}

#[tokio::test]
async fn capability_suite_passes_against_scim2_server() {
    let server = server();
    let zoom = connector_zoom::connect(server.config()).unwrap();
    let report = CapabilitySuite::new(&zoom, &server, |i| person(i, "zoom.example"))
        .user_name(|who| who.email.clone())
        .run()
        .await;
    report.assert_outcomes(
        &[
            "create", "find", "existing", "update", "license", "list", "disable", "enable",
            "delete",
        ],
        &[],
    );
}

#[tokio::test]
async fn whiteboard_seat_is_an_extension_boolean_on_the_server() {
    let server = server();
    let zoom = connector_zoom::connect(server.config()).unwrap();
    let account = zoom.create(&person(1, "zoom.example")).await.unwrap();
    let sku = zoom.manifest().license("whiteboard").unwrap();
    zoom.assign_license(&account.reference(), sku)
        .await
        .unwrap();

    let stored = server
        .state()
        .get_user(&account.id)
        .await
        .expect("user on the server");
    assert_eq!(
        stored["urn:ietf:params:scim:schemas:extension:zoom:1.0:User"]["zoomWhiteboard"],
        Value::Bool(true),
        "{stored:#}"
    );
    // The typed User reads it back.
    let typed: connector_zoom::ZoomUser = serde_json::from_value(stored).unwrap();
    assert_eq!(typed.zoom.and_then(|z| z.zoom_whiteboard), Some(true));
    assert!(
        zoom.get(&account.reference())
            .await
            .unwrap()
            .licenses
            .contains(&"whiteboard".to_owned())
    );
}

#[tokio::test]
async fn oauth_secrets_are_required_when_no_token_is_given() {
    let config = connector_sdk::InstanceConfig::default()
        .with_variable("vanity", "acme")
        .with_variable("account_id", "abc");
    let error = connector_zoom::connect(config).unwrap_err().to_string();
    assert!(error.contains("ZOOM_CLIENT_ID"), "{error}");
    assert_eq!(<connector_zoom::Zoom as ScimApp>::USER_SCHEMAS.len(), 3);
}
