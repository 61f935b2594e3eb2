// The pinned expansion of connectors/zoom/connector.toml compiles on its own.
include!("../../../connector-codegen/tests/output/zoom.rs");

fn main() {
    let _ = <Zoom as connector_sdk::scim::ScimApp>::manifest();
}
