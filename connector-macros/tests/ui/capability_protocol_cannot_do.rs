connector_sdk::connector!("specs/capability_protocol_cannot_do.toml");

fn main() {}
