connector_sdk::connector!("specs/rest_bad_pointer_and_paging.toml");

fn main() {}
