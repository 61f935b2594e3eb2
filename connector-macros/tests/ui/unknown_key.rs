connector_sdk::connector!("specs/unknown_key.toml");

fn main() {}
