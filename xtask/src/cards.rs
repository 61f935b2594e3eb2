//! Each connector's `cards.json` (its action cards with their input and output JSON
//! Schemas, from `connector cards --json`: the schemas are the generated Rust types'
//! own, so only the built CLI can print them), and the README section rendered from it.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

use crate::readmes::per_connector_json;

/// Writes (or with `check`, checks) `connectors/<dir>/cards.json` for every connector in
/// `cards_json`, the output of `connector cards --json`.
pub(crate) fn run(root: &Path, cards_json: &str, check: bool) -> Result<(), String> {
    let document: Value = serde_json::from_str(cards_json)
        .map_err(|e| format!("`connector cards --json` printed something else than JSON: {e}"))?;
    let listed = document["connectors"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    per_connector_json(root, &listed, "cards --json", "cards.json", check)
}

/// The README's "Cards" section from the connector's `cards.json` text: a table of the
/// cards, then each card's input and output JSON Schemas.
pub(crate) fn readme_section(cards_json: &str) -> Result<String, String> {
    let entry: Value =
        serde_json::from_str(cards_json).map_err(|e| format!("cards.json is not JSON: {e}"))?;
    let cards = entry["cards"].as_array().cloned().unwrap_or_default();
    let mut out = String::from(
        "## Cards\n\n\
         The typed steps a flow chains (see the toolkit's `docs/flows.md`): one action card per \
         capability the spec declares, plus `ping` and `custom_api_call`. Run one with \
         `connector_sdk::cards::run`; `connector cards` lists them. Their JSON Schemas are also \
         in `cards.json`.\n\n\
         | card | capability | input |\n|---|---|---|\n",
    );
    for card in &cards {
        let fields: Vec<String> = card["input"]["properties"]
            .as_object()
            .map(|p| {
                let required = card["input"]["required"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                p.keys()
                    .map(|k| {
                        if required.iter().any(|r| r == k) {
                            format!("`{k}`")
                        } else {
                            format!("`{k}`?")
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "| `{}` | {} | {} |",
            card["name"].as_str().unwrap_or_default(),
            card["capability"]
                .as_str()
                .map_or("every connector".to_owned(), |c| format!("`{c}`")),
            if fields.is_empty() {
                "none".to_owned()
            } else {
                fields.join(", ")
            }
        );
    }
    out.push('\n');
    for card in &cards {
        let name = card["name"].as_str().unwrap_or_default();
        for side in ["input", "output"] {
            let schema = serde_json::to_string_pretty(&card[side]).unwrap_or_default();
            let _ = writeln!(
                out,
                "<details><summary><code>{name}</code> {side} schema</summary>\n\n```json\n{schema}\n```\n\n</details>\n"
            );
        }
    }
    Ok(out)
}
