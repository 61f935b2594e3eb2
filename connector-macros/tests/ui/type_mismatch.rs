connector_sdk::connector!("specs/type_mismatch.toml");

fn main() {}
