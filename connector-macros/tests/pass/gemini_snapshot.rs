// The pinned expansion of connectors/gemini/connector.toml (a REST connector) compiles on its own.
include!("../../../connector-codegen/tests/output/gemini.rs");

fn main() {
    let _ = <Gemini as connector_sdk::rest::RestApp>::manifest();
}
