//! The directory profile that codegen checks mappings against is exactly `Identity`.

use std::collections::BTreeSet;

use connector_sdk::{CustomValue, Identity, IdentityStatus};

#[test]
fn codegen_profile_fields_are_the_identity_fields() {
    let some = || Some("x".to_owned());
    let full = Identity {
        id: "1".into(),
        login: "a".into(),
        email: "a@x".into(),
        first_name: some(),
        last_name: some(),
        display_name: some(),
        department: some(),
        title: some(),
        manager: some(),
        employee_number: some(),
        cost_center: some(),
        organization: some(),
        division: some(),
        locale: some(),
        preferred_language: some(),
        timezone: some(),
        phone: some(),
        status: IdentityStatus::Suspended,
        groups: vec!["g".into()],
        custom: [("k".to_owned(), CustomValue::Text("v".into()))].into(),
    };
    let json = serde_json::to_value(&full).unwrap();
    let identity_fields: BTreeSet<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .filter(|k| *k != "custom")
        .collect();
    let codegen_fields: BTreeSet<&str> = connector_codegen::profile::PROFILE_FIELDS
        .iter()
        .map(|f| f.name)
        .collect();
    assert_eq!(identity_fields, codegen_fields);
}
