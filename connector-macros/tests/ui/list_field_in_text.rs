connector_sdk::connector!("specs/list_field_in_text.toml");

fn main() {}
