connector_sdk::connector!("specs/page_size_not_a_number.toml");

fn main() {}
