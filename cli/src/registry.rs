//! The connectors this build of the CLI knows.

use connector_sdk::Manifest;

/// Every connector's manifest, in display order.
pub fn manifests() -> Vec<&'static Manifest> {
    let mut all = vec![
        &connector_chatgpt::MANIFEST,
        &connector_claude::MANIFEST,
        &connector_perplexity::MANIFEST,
        &connector_notion::MANIFEST,
        &connector_miro::MANIFEST,
        &connector_canva::MANIFEST,
        &connector_slack::MANIFEST,
        &connector_zoom::MANIFEST,
        &connector_gemini::MANIFEST,
        &connector_copilot::MANIFEST,
        &connector_github_copilot::MANIFEST,
        &connector_box::MANIFEST,
    ];
    all.sort_by_key(|m| m.display_name);
    all
}
