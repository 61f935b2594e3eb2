connector_sdk::connector!("specs/malformed_url_template.toml");

fn main() {}
