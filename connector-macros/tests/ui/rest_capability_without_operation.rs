connector_sdk::connector!("specs/rest_capability_without_operation.toml");

fn main() {}
