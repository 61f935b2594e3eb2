//! `connector list`: what each connector does, from its manifest.

use clap::Args;
use connector_sdk::manifest::{DeactivateMethod, Protocol, UpdateMethod};
use connector_sdk::{Capability, Manifest};

use crate::{registry, table};

/// Options of `connector list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print the full manifests as JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// Prints the connectors.
pub fn run(args: &ListArgs) -> Result<(), String> {
    let manifests = registry::manifests();
    if args.json {
        let all: Vec<&Manifest> = manifests;
        let text = serde_json::to_string_pretty(&all).map_err(|e| e.to_string())?;
        println!("{text}");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = manifests.iter().map(|m| row(m)).collect();
    print!(
        "{}",
        table::render(
            &[
                "connector",
                "sso",
                "sp-only",
                "provisioning",
                "capabilities",
                "deactivate",
                "licence",
                "plan (provisioning)"
            ],
            &rows
        )
    );
    Ok(())
}

fn row(m: &Manifest) -> Vec<String> {
    let sso: Vec<&str> = m
        .sso
        .protocols
        .iter()
        .map(|p| match p.as_str() {
            "saml2" => "SAML",
            _ => "OIDC",
        })
        .collect();
    let provisioning = match m.provisioning.protocol {
        Protocol::Scim2 => format!(
            "SCIM 2.0 ({})",
            match m.provisioning.dialect.update {
                UpdateMethod::Patch => "PATCH",
                UpdateMethod::Put => "PUT",
            }
        ),
        Protocol::Rest => "REST (declared operations)".to_owned(),
        Protocol::None => "none".to_owned(),
    };
    let capabilities: Vec<&str> = Capability::ALL
        .iter()
        .filter(|c| m.can(**c))
        .map(|c| c.as_str())
        .collect();
    let deactivate = match m.provisioning.dialect.deactivate {
        DeactivateMethod::PatchActive => "PATCH active=false",
        DeactivateMethod::PutActive => "PUT active=false",
        DeactivateMethod::Delete => "DELETE",
    };
    let licences: Vec<String> = m
        .licenses
        .iter()
        .map(|sku| format!("{}:{}", sku.name, sku.mode.as_str()))
        .collect();
    vec![
        m.display_name.to_owned(),
        sso.join("+"),
        if m.sso.sp_initiated_only { "yes" } else { "no" }.to_owned(),
        provisioning,
        capabilities.join(","),
        deactivate.to_owned(),
        licences.join(" "),
        m.plan.provisioning.to_owned(),
    ]
}
