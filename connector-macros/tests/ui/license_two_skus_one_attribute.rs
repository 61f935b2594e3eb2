connector_sdk::connector!("specs/license_two_skus_one_attribute.toml");

fn main() {}
