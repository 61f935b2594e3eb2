//! Which service `sso check` and `sso verify` are about, and its sign-in inputs: a
//! connector named with `--app` (tenant values from `--var`), or an instance of the
//! assignments file (its connector and tenant variables; `--var` adds or replaces).

use std::path::PathBuf;

use clap::Args;
use connector_engine::Assignments;
use connector_sdk::Manifest;
use connector_sso::{SsoInputs, generate};

use super::find;

/// Options naming the service and its sign-in inputs.
#[derive(Debug, Args)]
pub(super) struct TargetArgs {
    /// The connector (`connector list` shows them).
    #[arg(long, value_name = "APP", conflicts_with = "instance")]
    pub app: Option<String>,
    /// An instance of the assignments file: its connector and tenant variables.
    #[arg(long, value_name = "NAME")]
    pub instance: Option<String>,
    /// The assignments file, for --instance.
    #[arg(
        short = 'c',
        long = "config",
        value_name = "FILE",
        default_value = "assignments.toml"
    )]
    pub config: PathBuf,
    /// A tenant variable or SP value (`acs_url`, `entity_id`), as NAME=VALUE (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
}

/// The service a command is about.
#[derive(Debug)]
pub(super) struct Target {
    /// Its manifest.
    pub manifest: &'static Manifest,
    /// Its sign-in inputs.
    pub inputs: SsoInputs,
}

impl Target {
    /// The service's resolved SP facts, for a SAML service.
    ///
    /// # Errors
    ///
    /// Every missing or unknown input (with the `--var` hint), or a service that does not
    /// sign in with SAML 2.0.
    pub(super) fn saml_service(
        &self,
    ) -> Result<
        (
            connector_sso::ServiceProvider,
            connector_sso::SamlServiceProvider,
        ),
        String,
    > {
        let artifacts = generate(self.manifest, &self.inputs)
            .map_err(|e| format!("{e}\nhint: pass each value as --var NAME=VALUE"))?;
        let service = artifacts.service_provider;
        match service.saml.clone() {
            Some(saml) => Ok((service, saml)),
            None => Err(format!(
                "{} does not sign in with SAML 2.0",
                self.manifest.display_name
            )),
        }
    }
}

/// Resolves the service from `--instance` (with `-c`), else `--app`, else `positional`
/// (`sso check <app>`), then applies `--var`.
///
/// # Errors
///
/// A message naming what is missing or wrong: no service named, an unknown connector or
/// instance, an assignments file that does not load, a connector that contradicts the
/// instance's, a malformed `--var`.
pub(super) fn resolve(positional: Option<&str>, args: &TargetArgs) -> Result<Target, String> {
    let named = args.app.as_deref().or(positional);
    let (manifest, mut inputs) = match &args.instance {
        Some(instance) => {
            let registry = crate::connectors::registry();
            let assignments =
                Assignments::load(&args.config, &registry).map_err(|e| e.to_string())?;
            let found = assignments.instances.get(instance).ok_or_else(|| {
                format!(
                    "{}: no instance `{instance}`; instances: {}",
                    args.config.display(),
                    assignments
                        .instances
                        .keys()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?;
            if let Some(app) = named
                && app != found.manifest.name
            {
                return Err(format!(
                    "instance `{instance}` is a {} instance, not {app}",
                    found.manifest.name
                ));
            }
            let mut inputs = SsoInputs::new();
            for (name, value) in &found.connection.variables {
                inputs.set(name, value);
            }
            (found.manifest, inputs)
        }
        None => {
            let app = named.ok_or_else(|| {
                "name the service: --app <app>, or --instance <name> -c assignments.toml".to_owned()
            })?;
            (find(app)?, SsoInputs::new())
        }
    };
    for assignment in &args.vars {
        inputs
            .set_assignment(assignment)
            .map_err(|message| format!("--var {message}"))?;
    }
    Ok(Target { manifest, inputs })
}
