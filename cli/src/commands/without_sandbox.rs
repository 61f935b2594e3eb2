//! `connector sandbox` and `connector demo` in a build without the `sandbox` feature:
//! both commands still exist, accept any arguments, and say how to get a build that
//! runs them (exit 1).

use std::process::ExitCode;

use clap::Args;

use super::engine_setup::{EXIT_ERROR, fail};

/// What both commands say in a build without the sandbox.
pub(crate) const NO_SANDBOX: &str = "this build has no sandbox: rebuild with --features sandbox";

/// Whatever was given after the command; nothing is read from it.
#[derive(Debug, Args)]
pub(crate) struct Unavailable {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    ignored: Vec<String>,
}

/// `connector demo` without the sandbox: prints [`NO_SANDBOX`], exit 1.
pub(crate) fn run_demo(_: &Unavailable) -> ExitCode {
    fail(EXIT_ERROR, NO_SANDBOX)
}

/// `connector sandbox` without the sandbox: [`NO_SANDBOX`] as the error.
pub(crate) fn run_sandbox(_: &Unavailable) -> Result<(), String> {
    Err(NO_SANDBOX.to_owned())
}
