connector_sdk::connector!("specs/missing_user_name.toml");

fn main() {}
