connector_sdk::connector!("specs/unknown_profile_field.toml");

fn main() {}
