use super::custom::relative_segments;
use super::*;

#[test]
fn a_relative_path_becomes_decoded_segments() {
    assert_eq!(relative_segments("/Users/42").unwrap(), ["Users", "42"]);
    assert_eq!(relative_segments("Users").unwrap(), ["Users"]);
    assert_eq!(relative_segments("a%20b/").unwrap(), ["a b"]);
    assert!(relative_segments("/").unwrap().is_empty());
}

#[test]
fn a_path_leaving_the_base_url_is_refused() {
    for path in [
        "https://evil.example/x",
        "//evil.example/x",
        "http:/x",
        "../admin",
        "Users/../../admin",
        "Users/./x",
        "%2e%2e/admin",
        "%2E%2E/admin",
        ".%2e/admin",
        "Users%2f..%2fadmin",
        "Users//x",
        "a%252e%252e/b",
        "a\\..\\b",
        "Users?x=1",
        "%zz",
    ] {
        let error = relative_segments(path).expect_err(path);
        assert!(
            error.starts_with(&format!("custom_api_call path `{path}` is refused")),
            "{error}"
        );
    }
}

#[test]
fn an_input_error_names_the_json_path() {
    let error =
        parse_as::<io::DisableAccountInput>(serde_json::json!({"account": {"id": 7}})).unwrap_err();
    assert_eq!(error.path, "account.id");
    assert!(
        error.message.contains("expected a string"),
        "{}",
        error.message
    );
    let error =
        parse_as::<io::ListAccountsInput>(serde_json::json!({"count": 2, "extra": 1})).unwrap_err();
    assert!(error.message.contains("unknown field `extra`"), "{error}");
}

#[test]
fn every_action_card_name_is_unique_and_named_finds_it() {
    let mut names: Vec<&str> = ActionCard::ALL.iter().map(|c| c.name()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), ActionCard::ALL.len());
    assert_eq!(
        ActionCard::named("assign_license"),
        Some(ActionCard::AssignLicense)
    );
    assert_eq!(ActionCard::named("assign"), None);
}

#[test]
fn the_universal_cards_describe_their_input_fields() {
    let custom = UNIVERSAL
        .iter()
        .find(|c| c.name == "custom_api_call")
        .unwrap();
    assert_eq!(custom.input_fields(), ["body?", "method", "path", "query?"]);
    let described = custom.describe();
    assert_eq!(described["kind"], "action");
    assert_eq!(described["capability"], serde_json::Value::Null);
    assert_eq!(
        described["input"]["properties"]["method"]["$ref"],
        "#/$defs/CustomMethod"
    );
    let methods = described["input"]["$defs"]["CustomMethod"].to_string();
    for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
        assert!(methods.contains(&format!("\"{method}\"")), "{methods}");
    }
}
