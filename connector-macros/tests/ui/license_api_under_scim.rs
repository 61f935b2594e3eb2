connector_sdk::connector!("specs/license_api_under_scim.toml");

fn main() {}
