connector_sdk::connector!("specs/secret_in_spec.toml");

fn main() {}
