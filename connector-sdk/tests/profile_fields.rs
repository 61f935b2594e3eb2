//! The directory profile's field table (shared with codegen) is exactly `Identity`, and
//! `Identity::field` reads every row of it.

use std::collections::BTreeSet;

use connector_sdk::profile::{FieldKind, FieldValue, PROFILE_FIELDS};
use connector_sdk::{CustomValue, Identity, IdentityStatus};

fn full() -> Identity {
    let some = || Some("x".to_owned());
    Identity {
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
    }
}

#[test]
fn the_profile_field_table_is_the_identity_fields() {
    let json = serde_json::to_value(full()).unwrap();
    let identity_fields: BTreeSet<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .filter(|k| *k != "custom")
        .collect();
    let table: BTreeSet<&str> = PROFILE_FIELDS.iter().map(|f| f.name).collect();
    assert_eq!(identity_fields, table);
}

#[test]
fn identity_field_reads_each_row_as_its_serde_value() {
    let who = full();
    let json = serde_json::to_value(&who).unwrap();
    for row in &PROFILE_FIELDS {
        let value = who.field(row.name).unwrap();
        match (row.kind, value) {
            (FieldKind::List, FieldValue::List(items)) => {
                assert_eq!(json[row.name], serde_json::json!(items))
            }
            (FieldKind::List, other) => panic!("{}: {other:?}", row.name),
            (_, FieldValue::Text(text)) => {
                assert_eq!(json[row.name].as_str(), text, "{}", row.name)
            }
            (_, other) => panic!("{}: {other:?}", row.name),
        }
    }
    assert_eq!(who.field("custom"), None);
    assert_eq!(
        who.field("k"),
        None,
        "custom attributes are not profile fields"
    );
}
