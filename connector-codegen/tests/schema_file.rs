//! `schemas/connector.schema.json` is what the spec model generates.

#[test]
fn spec_json_schema_file_is_up_to_date() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas/connector.schema.json");
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == connector_codegen::spec_json_schema(),
        "schemas/connector.schema.json is stale: run `cargo xtask schema` and commit it"
    );
}
