//! `connector state`: maintenance of the state file (`state backup`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use connector_engine::Assignments;
use connector_engine::state::Store;

use super::engine_setup::{EXIT_ERROR, EngineArgs, block_on, fail};

/// Options of `connector state`.
#[derive(Debug, Args)]
pub(crate) struct StateArgs {
    #[command(subcommand)]
    command: StateCommand,
}

/// The `state` subcommands.
#[derive(Debug, Subcommand)]
enum StateCommand {
    /// Write a consistent copy of the state to FILE, even while an apply runs (SQLite's VACUUM INTO). Exit 0: written, 1: error (FILE exists without --force, no state, not a state).
    Backup(BackupArgs),
}

/// Options of `connector state backup`.
#[derive(Debug, Args)]
struct BackupArgs {
    #[command(flatten)]
    engine: EngineArgs,
    /// The backup file to write.
    file: PathBuf,
    /// Replace FILE when it exists.
    #[arg(long)]
    force: bool,
}

/// Runs a `state` subcommand.
pub(crate) fn run(args: &StateArgs) -> ExitCode {
    match &args.command {
        StateCommand::Backup(backup) => run_backup(backup),
    }
}

/// `state backup`: opens the existing state (never creates one) and copies it.
fn run_backup(args: &BackupArgs) -> ExitCode {
    let state = match state_path(&args.engine) {
        Ok(state) => state,
        Err(message) => return fail(EXIT_ERROR, &message),
    };
    let written = block_on(async {
        if state.symlink_metadata().is_err() {
            return Err(format!(
                "no state at {}: nothing to back up",
                state.display()
            ));
        }
        let store = Store::open_existing(&state)
            .await
            .map_err(|e| e.to_string())?;
        store
            .backup(&args.file, args.force)
            .await
            .map_err(|e| e.to_string())
    });
    match written.and_then(|w| w) {
        Ok(size) => {
            println!(
                "Backed up {} to {} ({size} bytes)",
                state.display(),
                args.file.display()
            );
            ExitCode::SUCCESS
        }
        Err(message) => fail(EXIT_ERROR, &message),
    }
}

/// The state file: `--state`, else `settings.state` of the assignments file.
fn state_path(args: &EngineArgs) -> Result<PathBuf, String> {
    if let Some(state) = &args.state {
        return Ok(state.clone());
    }
    let registry = crate::connectors::registry();
    let assignments = Assignments::load(&args.config, &registry).map_err(|e| e.to_string())?;
    Ok(assignments.settings.state)
}
