//! `connector flows check flows.toml -c assignments.toml`: checks a flows file against
//! the assignments and every connector's cards, as `connector serve --flows` does before
//! it starts. Prints `OK` and what each flow does, or every mistake at
//! `file:line:column`. Exit 0: the file is sound; 1: it is not (or cannot be read).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use connector_engine::Assignments;
use connector_engine::flows::{self, Catalogue, Flows, Route};

use super::engine_setup::{EXIT_ERROR, fail};

/// Options of `connector flows`.
#[derive(Debug, Args)]
pub(crate) struct FlowsArgs {
    #[command(subcommand)]
    command: FlowsCommand,
}

/// The subcommands of `connector flows`.
#[derive(Debug, Subcommand)]
enum FlowsCommand {
    /// Check a flows file: every mistake at `file:line:column`, with "did you mean".
    Check {
        /// The flows file.
        file: PathBuf,
        /// The assignments file (its instances are what steps name).
        #[arg(short, long, default_value = "assignments.toml")]
        config: PathBuf,
    },
}

/// Runs `connector flows`.
pub(crate) fn run(args: &FlowsArgs) -> ExitCode {
    match &args.command {
        FlowsCommand::Check { file, config } => {
            let registry = crate::connectors::registry();
            let assignments = match Assignments::load(config, &registry) {
                Ok(assignments) => assignments,
                Err(error) => return fail(EXIT_ERROR, &error.to_string()),
            };
            match load(file, &assignments) {
                Ok(flows) => {
                    println!("OK: {} ({} flows)", file.display(), flows.flows.len());
                    for flow in &flows.flows {
                        let steps: Vec<String> = flow
                            .steps
                            .iter()
                            .map(|s| {
                                let via = match s.route {
                                    Route::Apply(_) => "apply",
                                    Route::Card => "card",
                                };
                                let on = s.instance.as_deref().unwrap_or("*");
                                format!("{} on {on} ({via})", s.card)
                            })
                            .collect();
                        println!(
                            "  {}: on {} -> {}",
                            flow.name,
                            flow.on.join(" | "),
                            steps.join(", ")
                        );
                    }
                    ExitCode::SUCCESS
                }
                Err(message) => fail(EXIT_ERROR, &message),
            }
        }
    }
}

/// Every connector's card catalogue, by connector name.
pub(crate) fn catalogue() -> Catalogue {
    crate::connectors::cards()
        .into_iter()
        .map(|(name, cards)| (name.to_owned(), cards))
        .collect()
}

/// Loads and checks `file` against `assignments`; the error lists every mistake.
pub(crate) fn load(file: &Path, assignments: &Assignments) -> Result<Flows, String> {
    flows::load(file, assignments, &catalogue()).map_err(|e| e.to_string())
}
