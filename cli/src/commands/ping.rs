//! `connector ping <instance> -c assignments.toml`: the health check (`_authping`) of one
//! instance: one cheap authenticated call, its latency, and the identity the token acts
//! as where the API says. Exit 0: the credentials work; 1: they do not, or bad input.

use std::process::ExitCode;

use clap::Args;
use connector_engine::{Assignments, EnvSecrets};

use super::engine_setup::{EXIT_ERROR, EngineArgs, block_on, fail};

/// Options of `connector ping`.
#[derive(Debug, Args)]
pub(crate) struct PingArgs {
    /// The instance, as the assignments file names it.
    instance: String,
    #[command(flatten)]
    engine: EngineArgs,
    /// Print the result as JSON (`latency_ms`, `identity`, `call`).
    #[arg(long)]
    json: bool,
}

/// Pings the instance and prints the result.
pub(crate) fn run(args: &PingArgs) -> ExitCode {
    match block_on(ping(args)) {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(message)) | Err(message) => fail(EXIT_ERROR, &message),
    }
}

/// The async body of [`run`].
async fn ping(args: &PingArgs) -> Result<(), String> {
    let registry = crate::connectors::registry();
    let assignments =
        Assignments::load(&args.engine.config, &registry).map_err(|e| e.to_string())?;
    let Some(instance) = assignments.instance(&args.instance) else {
        let names: Vec<&str> = assignments.instances.keys().map(String::as_str).collect();
        return Err(format!(
            "no instance `{}` in {}; its instances: {}",
            args.instance,
            args.engine.config.display(),
            names.join(", ")
        ));
    };
    let connector = connector_engine::connect(instance, &registry, &EnvSecrets)?;
    let result = connector
        .ping()
        .await
        .map_err(|e| format!("{}: ping failed: {e}", args.instance))?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&result).map_err(|e| e.to_string())?
        );
    } else {
        let identity = result
            .identity
            .as_deref()
            .map(|who| format!(", acting as {who}"))
            .unwrap_or_default();
        let line = format!(
            "{}: ok in {} ms ({}{identity})",
            args.instance, result.latency_ms, result.call
        );
        println!("{}", connector_sdk::display::escape_lines(&line));
    }
    Ok(())
}
