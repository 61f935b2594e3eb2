// The pinned expansion of connectors/slack/connector.toml compiles on its own.
include!("../../../connector-codegen/tests/output/slack.rs");

fn main() {
    let _ = <Slack as connector_sdk::scim::ScimApp>::manifest();
}
