//! `[instances.NAME.cards]`: the `custom_api_call` allow-list of the cards over HTTP is
//! read and checked like every other key, each mistake at its line.

mod common;

use std::path::Path;

use common::registry;
use connector_engine::Assignments;

const ZOOM: &str = "[instances.zoom]\nconnector = \"zoom\"\nvariables = { vanity = \"acme\", account_id = \"A1\" }\n";

/// The diagnostics of `text`, one string each.
fn errors(text: &str) -> Vec<String> {
    Assignments::parse(Path::new("assignments.toml"), text, &registry())
        .unwrap_err()
        .diagnostics
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn an_allow_list_is_read_and_checks_method_and_prefix() {
    let text = format!(
        "{ZOOM}[instances.zoom.cards]\ncustom_api_call = {{ methods = [\"get\"], path_prefixes = [\"/users\"] }}\n"
    );
    let assignments =
        Assignments::parse(Path::new("assignments.toml"), &text, &registry()).expect("valid");
    let allow = assignments.instances["zoom"]
        .cards
        .custom_api_call
        .as_ref()
        .expect("an allow-list");
    assert_eq!(allow.methods, ["GET"]);
    assert!(allow.allows("GET", "/users/42"));
    assert!(!allow.allows("POST", "/users"));
    assert!(!allow.allows("GET", "/accounts"));
}

#[test]
fn without_the_key_custom_api_call_is_not_allowed() {
    let assignments =
        Assignments::parse(Path::new("assignments.toml"), ZOOM, &registry()).expect("valid");
    assert!(
        assignments.instances["zoom"]
            .cards
            .custom_api_call
            .is_none()
    );
}

#[test]
fn mistakes_are_errors_at_their_line() {
    let text = format!(
        "{ZOOM}[instances.zoom.cards]\ncustom_api_call = {{ methods = [\"GETT\", \"POST\"], path_prefixes = [\"users\", \"/a/../b\"] }}\n"
    );
    let errors = errors(&text);
    assert!(
        errors[0].starts_with("assignments.toml:5:32: unknown method `GETT`")
            && errors[0].contains("did you mean `GET`?"),
        "{errors:#?}"
    );
    assert!(
        errors[1].starts_with("assignments.toml:5:66: the path prefix `users` must start with `/`"),
        "{errors:#?}"
    );
    assert!(
        errors[2].starts_with("assignments.toml:5:75: custom_api_call path `/a/../b` is refused"),
        "{errors:#?}"
    );
    let unknown = errors_of_unknown_key();
    assert!(
        unknown[0].starts_with("assignments.toml:5:"),
        "{unknown:#?}"
    );
    assert!(unknown[0].contains("unknown field `flows`"), "{unknown:#?}");
}

/// An unknown key under `cards`.
fn errors_of_unknown_key() -> Vec<String> {
    errors(&format!("{ZOOM}[instances.zoom.cards]\nflows = true\n"))
}
