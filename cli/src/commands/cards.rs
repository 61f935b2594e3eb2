//! `connector cards [<app>] [--json]`: the cards each connector's spec generates (one
//! action card per declared capability, plus `ping` and `custom_api_call`) and the event
//! cards a flow can start from.

use clap::Args;
use connector_sdk::cards::Card;
use connector_sdk::cards::events::EVENT_CARDS;
use serde_json::{Value, json};

use crate::{connectors, table};

/// Options of `connector cards`.
#[derive(Debug, Args)]
pub(crate) struct CardsArgs {
    /// Only this connector's cards (its name, as `connector list` shows it).
    app: Option<String>,
    /// Print the cards with their input and output JSON Schemas, as JSON.
    #[arg(long)]
    json: bool,
}

/// Prints the cards.
pub(crate) fn run(args: &CardsArgs) -> Result<(), String> {
    let all = connectors::cards();
    let chosen: Vec<(&'static str, &'static [Card])> = match &args.app {
        None => all,
        Some(app) => {
            let found: Vec<_> = all
                .iter()
                .copied()
                .filter(|(name, _)| name == app)
                .collect();
            if found.is_empty() {
                let names: Vec<&str> = all.iter().map(|(name, _)| *name).collect();
                return Err(format!(
                    "no connector `{app}`; the connectors: {}",
                    names.join(", ")
                ));
            }
            found
        }
    };
    if args.json {
        println!("{}", to_json(&chosen));
        return Ok(());
    }
    let mut rows: Vec<Vec<String>> = Vec::new();
    for (connector, cards) in &chosen {
        rows.extend(cards.iter().map(|card| row(connector, card)));
    }
    if args.app.is_none() {
        rows.extend(EVENT_CARDS.iter().map(|card| row("(directory)", card)));
    }
    print!(
        "{}",
        table::render(&["connector", "card", "kind", "capability", "input"], &rows)
    );
    Ok(())
}

/// One table row.
fn row(connector: &str, card: &Card) -> Vec<String> {
    vec![
        connector.to_owned(),
        card.name.to_owned(),
        card.kind.as_str().to_owned(),
        card.capability.map_or("-", |c| c.as_str()).to_owned(),
        card.input_fields().join(", "),
    ]
}

/// `{"connectors": [{"name", "cards": [...]}], "events": [...]}`, pretty.
fn to_json(chosen: &[(&'static str, &'static [Card])]) -> String {
    let connectors: Vec<Value> = chosen
        .iter()
        .map(|(name, cards)| {
            json!({
                "name": name,
                "cards": cards.iter().map(Card::describe).collect::<Vec<_>>(),
            })
        })
        .collect();
    let document = json!({
        "connectors": connectors,
        "events": EVENT_CARDS.iter().map(Card::describe).collect::<Vec<_>>(),
    });
    serde_json::to_string_pretty(&document).unwrap_or_default()
}
