connector_sdk::connector!("specs/rest_unknown_template_value.toml");

fn main() {}
