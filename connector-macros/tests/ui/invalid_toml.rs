connector_sdk::connector!("specs/invalid_toml.toml");

fn main() {}
