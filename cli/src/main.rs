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
    /// The whole job on the embedded defaults: an in-process sandbox of every service, a
    /// bundled directory of 300 people, plan and apply to all twelve apps, leavers, and a
    /// run with nothing to do.
    Demo(commands::demo::DemoArgs),
    /// List the connectors with their sign-in, provisioning, capabilities and licence modes.
    List(commands::list::ListArgs),
    /// Show what apply would change in each app (writes nothing). Exit 0: no changes, 2: changes pending, 3: a safety check would stop, 1: error.
    Plan(commands::plan::PlanArgs),
    /// Plan and make the changes, journaled and resumable. Exit 0: done, 4: some failed, 3: stopped by a safety check, 1: error.
    Apply(commands::apply::ApplyArgs),
    /// Show recent runs, linked accounts, open manual tasks and interrupted calls.
    Status(commands::status::StatusArgs),
    /// Print the audit events (OCSF Account Change), filtered.
    Audit(commands::audit::AuditArgs),
    /// Serve a local emulation of every connector's SCIM API (plus a strict `generic` one) until Ctrl-C.
    Sandbox(commands::sandbox::SandboxArgs),
    /// Print a connector's sign-in artifacts (Okta apps, SAML SP metadata), or check an IdP's SAML metadata (`sso check`). Exit 0: done/passed, 1: a check failed, 2: bad input or file.
    Sso(commands::sso::SsoArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo(args) => return commands::demo::run(&args),
        Command::List(args) => commands::list::run(&args),
        Command::Plan(args) => return commands::plan::run(&args),
        Command::Apply(args) => return commands::apply::run(&args),
        Command::Status(args) => return commands::status::run(&args),
        Command::Audit(args) => return commands::audit::run(&args),
        Command::Sandbox(args) => commands::sandbox::run(&args),
        Command::Sso(args) => return commands::sso::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
