connector_sdk::connector!("specs/aws_key_in_spec.toml");

fn main() {}
