//! The SAML SPs `connector sandbox --saml-idp-metadata` serves at `/saml/{app}/...`
//! (`connector_saml_sp::router`): one per service that signs in with SAML 2.0, trusting
//! the IdP of the given metadata, so a sign-in through that IdP can be checked end to end.
//!
//! Each SP's ACS URL is the sandbox's own (`{base}/saml/{app}/acs`, also the Recipient and
//! Destination the IdP must send); its entity ID is the spec's (with each tenant
//! variable's example value), or `{base}/saml/{app}` for services that issue one per
//! connection (ChatGPT).

use std::path::Path;

use connector_saml_sp::{IdpTrust, SamlSp, SpOptions};
use connector_sandbox::SandboxBuilder;
use connector_sdk::manifest::SsoProtocol;
use connector_sso::SsoInputs;

use crate::connectors;

/// Where the SPs are mounted.
pub(super) const SAML_PATH: &str = "/saml";

/// Mounts the SPs on `builder` (the sandbox will listen at `base_url`); returns the
/// builder and the lines that describe the SPs.
pub(super) fn mount(
    builder: SandboxBuilder,
    idp_metadata: &Path,
    base_url: &str,
) -> Result<(SandboxBuilder, String), String> {
    let at = |e: &dyn std::fmt::Display| format!("{}: {e}", idp_metadata.display());
    let xml = std::fs::read_to_string(idp_metadata).map_err(|e| at(&e))?;
    let idp = IdpTrust::from_metadata(&xml).map_err(|e| at(&e))?;
    let mut description = format!("\nsaml (SAML SPs trusting the IdP {})\n", idp.entity_id);
    let mut sps = Vec::new();
    for manifest in connectors::manifests() {
        if !manifest.sso.protocols.contains(&SsoProtocol::Saml2) {
            continue;
        }
        let prefix = format!("{base_url}{SAML_PATH}/{}", manifest.name);
        let mut inputs = SsoInputs::new();
        for variable in manifest.variables {
            inputs.set(variable.name, variable.example);
        }
        inputs.set("acs_url", format!("{prefix}/acs"));
        if manifest.sso.entity_id.is_none() {
            inputs.set("entity_id", prefix.clone());
        }
        let artifacts = connector_sso::generate(manifest, &inputs)
            .map_err(|e| format!("the sandbox SP of {}: {e}", manifest.name))?;
        let sp = SamlSp::new(
            artifacts.service_provider,
            idp.clone(),
            SpOptions::default(),
        )
        .map_err(|e| format!("the sandbox SP of {}: {e}", manifest.name))?;
        description.push_str(&format!(
            "  {:<15} {prefix}/metadata  (ACS {prefix}/acs, entity ID {})\n",
            manifest.name,
            sp.entity_id()
        ));
        sps.push(sp);
    }
    Ok((
        builder.nest(SAML_PATH, connector_saml_sp::router(sps)),
        description,
    ))
}
