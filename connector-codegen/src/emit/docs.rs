//! The connector's documentation, generated from the spec.

use crate::ir::Model;
use crate::spec::model::{DeactivateKind, LicenseModeKind, SsoProtocolKind, UpdateKind};

/// Markdown describing what the connector does, its plan, licences and sign-in.
pub fn crate_docs(model: &Model) -> String {
    let mut out = format!(
        "# {} connector\n\n{} by {}. Generated from `connector.toml`; provisioning docs: <{}>.\n\n",
        model.display_name, model.product, model.vendor, model.docs_url
    );
    out.push_str(&format!(
        "**Plan.** Sign-in: {}. Provisioning: {}.\n\n",
        model.plan_sso, model.plan_provisioning
    ));
    let caps: Vec<&str> = model
        .capabilities
        .iter()
        .map(|c| crate::check::capability_name(*c))
        .collect();
    if model.protocol == crate::spec::model::ProtocolKind::None {
        out.push_str("**Provisioning.** None: the service offers sign-in only.\n\n");
    } else if model.protocol == crate::spec::model::ProtocolKind::Rest {
        let operations: Vec<String> = model
            .rest
            .iter()
            .flat_map(|r| r.operations.iter())
            .map(|op| format!("{} (`{} {}`)", op.name, op.method, op.path))
            .collect();
        out.push_str(&format!(
            "**Provisioning.** The vendor REST API at `{}`; capabilities: {}. Declared operations: {}.\n\n",
            model.base_url,
            if caps.is_empty() { "none".to_owned() } else { caps.join(", ") },
            operations.join("; ")
        ));
    } else {
        out.push_str(&format!(
        "**Provisioning.** SCIM 2.0 at `{}`; capabilities: {}. Updates by {}, deactivation by {}.\n\n",
        model.base_url,
        if caps.is_empty() { "none".to_owned() } else { caps.join(", ") },
        match model.dialect.update {
            UpdateKind::Patch => "PATCH",
            UpdateKind::Put => "PUT",
        },
        match model.dialect.deactivate {
            DeactivateKind::PatchActive => "PATCH `active=false`",
            DeactivateKind::PutActive => "PUT with `active=false`",
            DeactivateKind::Delete => "DELETE (the service keeps the account, deactivated)",
        }
    ));
    }
    if let Some(limit) = &model.rate_limit {
        out.push_str(&format!(
            "**Rate limit.** {} requests per {} ms, burst {}.\n\n",
            limit.requests, limit.period_ms, limit.burst
        ));
    }
    if !model.licenses.is_empty() {
        out.push_str("**Licences.**\n\n");
        for sku in &model.licenses {
            let how = match sku.mode {
                LicenseModeKind::Automatic => "comes with an active account".to_owned(),
                LicenseModeKind::Attribute => format!(
                    "set by SCIM attribute `{}`",
                    sku.attribute
                        .as_ref()
                        .map(|(t, _, _)| t.display_path())
                        .unwrap_or_default()
                ),
                LicenseModeKind::Group => format!(
                    "membership of group `{}`",
                    sku.group.clone().unwrap_or_default()
                ),
                LicenseModeKind::Api => "a vendor API call".to_owned(),
                LicenseModeKind::Manual => {
                    format!("manual: {}", sku.instructions.clone().unwrap_or_default())
                }
            };
            out.push_str(&format!("- `{}` ({}): {how}\n", sku.name, sku.display_name));
        }
        out.push('\n');
    }
    let protocols: Vec<&str> = model
        .sso
        .protocols
        .iter()
        .map(|p| match p {
            SsoProtocolKind::Saml2 => "SAML 2.0",
            SsoProtocolKind::Oidc => "OIDC",
        })
        .collect();
    out.push_str(&format!("**Sign-in.** {}", protocols.join(", ")));
    if model.sso.sp_initiated_only {
        out.push_str(&format!(
            "; SP-initiated only: the IdP tile must be a bookmark to `{}`",
            model.sso.login_url.clone().unwrap_or_default()
        ));
    }
    out.push_str(".\n");
    out
}
