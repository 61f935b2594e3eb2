connector_sdk::connector!("specs/unfilled_placeholder.toml");

fn main() {}
