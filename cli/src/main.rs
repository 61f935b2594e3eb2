//! `connector`: the command line of the AI SaaS connector toolkit.

mod commands;
mod registry;
mod table;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Put every AI SaaS under the identity provider: accounts, seats and sign-in.
#[derive(Debug, Parser)]
#[command(name = "connector", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List the connectors with their sign-in, provisioning, capabilities and licence modes.
    List(commands::list::ListArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::List(args) => commands::list::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
