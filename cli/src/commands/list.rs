//! `connector list`: the support matrix, from the manifests (the same rows as
//! `docs/SUPPORT.md`).

use clap::Args;
use connector_sdk::Manifest;
use connector_sso::support::{COLUMNS, row};

use crate::{connectors, table};

/// Options of `connector list`.
#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// Print the full manifests as JSON instead of a table.
    #[arg(long, conflicts_with = "markdown")]
    json: bool,
    /// Print the support matrix as Markdown (the content of docs/SUPPORT.md).
    #[arg(long)]
    markdown: bool,
}

/// Prints the connectors.
pub(crate) fn run(args: &ListArgs) -> Result<(), String> {
    let manifests = connectors::manifests();
    if args.json {
        let all: Vec<&Manifest> = manifests;
        let text = serde_json::to_string_pretty(&all).map_err(|e| e.to_string())?;
        println!("{text}");
        return Ok(());
    }
    if args.markdown {
        print!("{}", connector_sso::support::markdown(&manifests));
        return Ok(());
    }
    // The sources column counts links; `--json` and docs/SUPPORT.md list them.
    let rows: Vec<Vec<String>> = manifests.iter().map(|m| row(m)).collect();
    print!("{}", table::render(&COLUMNS, &rows));
    Ok(())
}
