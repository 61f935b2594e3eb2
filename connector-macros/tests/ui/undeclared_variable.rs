connector_sdk::connector!("specs/undeclared_variable.toml");

fn main() {}
