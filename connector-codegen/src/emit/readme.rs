//! A connector crate's `README.md` (also its crate documentation), generated from the
//! spec by `cargo xtask gen`: what the connector does, what it needs, how to use it.

use std::fmt::Write as _;

use crate::ir::Model;
use crate::spec::model::{
    AuthKind, Capability, DeactivateMethod, FederationVia, LicenseMode, Protocol, SsoProtocol,
    UpdateMethod,
};

/// The first line of every generated README: tells readers where the text comes from.
pub const GENERATED_MARKER: &str =
    "<!-- Generated from connector.toml by `cargo xtask gen`: edit the spec, not this file. -->";

/// The doc comment of the generated app type: what the service is, the at-a-glance
/// table and the licences (the README, which is also the crate's documentation, has
/// the rest).
pub fn app_docs(model: &Model) -> String {
    let mut out = format!(
        "{} ({} by {}), as the connector sees it.\n\n",
        model.display_name, model.product, model.vendor
    );
    summary_table(&mut out, model);
    licences(&mut out, model);
    out
}

/// The README of the connector crate `crate_name` described by `model`.
pub fn readme(model: &Model, crate_name: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{GENERATED_MARKER}\n");
    let _ = writeln!(out, "# {} connector\n", model.display_name);
    let _ = writeln!(
        out,
        "`{crate_name}` puts {} ({} by {}) under the company identity provider: accounts \
         created and updated from the directory, disabled when people leave, seats assigned \
         and reclaimed, sign-in configured. It implements `connector_sdk::Connector`, the \
         trait the provisioning engine and the `connector` CLI drive.\n",
        model.display_name, model.product, model.vendor
    );
    summary_table(&mut out, model);
    variables(&mut out, model);
    attributes(&mut out, model);
    licences(&mut out, model);
    sign_in(&mut out, model);
    usage(&mut out, model, crate_name);
    sources(&mut out, model);
    out
}

/// The at-a-glance table: plan, protocol, capabilities, dialect, limits, credentials.
fn summary_table(out: &mut String, model: &Model) {
    let capabilities: Vec<String> = model
        .capabilities
        .iter()
        .map(|c| format!("`{}`", crate::check::capability_name(*c)))
        .collect();
    let capabilities = if capabilities.is_empty() {
        "none".to_owned()
    } else {
        capabilities.join(", ")
    };
    let _ = writeln!(out, "| | |\n|---|---|");
    row(out, "Plan for sign-in", &model.plan_sso);
    row(out, "Plan for provisioning", &model.plan_provisioning);
    match model.protocol {
        Protocol::Scim2 => {
            row(
                out,
                "Provisioning",
                &format!("SCIM 2.0 at `{}`", model.base_url),
            );
            row(out, "Capabilities", &capabilities);
            row(
                out,
                "Updates",
                match model.dialect.update {
                    UpdateMethod::Patch => "PATCH",
                    UpdateMethod::Put => "PUT (the whole resource)",
                },
            );
            row(
                out,
                "Deactivation",
                match model.dialect.deactivate {
                    DeactivateMethod::PatchActive => "PATCH `active=false`",
                    DeactivateMethod::PutActive => "PUT with `active=false`",
                    DeactivateMethod::Delete => {
                        "DELETE (the service keeps the account, deactivated)"
                    }
                },
            );
            if let Some(filter) = &model.dialect.filter {
                row(out, "Lookup", &format!("filter `{filter} eq \"...\"`"));
            }
            row(out, "Page size", &model.dialect.page_size.to_string());
            if model.capabilities.contains(&Capability::Groups) {
                row(
                    out,
                    "Group members per request",
                    &model.dialect.group_members_per_request.to_string(),
                );
                if !model.dialect.group_members_listed {
                    row(
                        out,
                        "Group members",
                        "never listed by the service: the engine keeps the members it pushed",
                    );
                }
            }
        }
        Protocol::Rest => {
            let operations: Vec<String> = model
                .rest
                .iter()
                .flat_map(|r| r.operations.iter())
                .map(|op| format!("{} (`{} {}`)", op.name, op.method, op.path))
                .collect();
            row(
                out,
                "Provisioning",
                &format!("the vendor's REST API at `{}`", model.base_url),
            );
            row(out, "Capabilities", &capabilities);
            row(out, "Operations", &operations.join("; "));
        }
        Protocol::None => row(out, "Provisioning", "none: the service offers sign-in only"),
    }
    if let Some(limit) = &model.rate_limit {
        row(
            out,
            "Rate limit",
            &format!(
                "{} requests per {} ms, burst {} (client-side, from the spec)",
                limit.requests, limit.period_ms, limit.burst
            ),
        );
    }
    if model.protocol != Protocol::None {
        row(out, "Credentials", &credentials(model));
    }
    out.push('\n');
}

/// One row of the summary table.
fn row(out: &mut String, label: &str, value: &str) {
    let _ = writeln!(out, "| {label} | {} |", linkify(&value.replace('|', "\\|")));
}

/// Which environment variables hold the credentials (never their values).
fn credentials(model: &Model) -> String {
    let auth = &model.auth;
    match auth.kind {
        AuthKind::Bearer => format!("bearer token from `{}`", auth.token_env),
        AuthKind::OAuth2ClientCredentials => format!(
            "OAuth 2.0 `{}` grant at `{}` with the client id in `{}` and the secret in `{}`",
            auth.grant_type, auth.token_url, auth.client_id_env, auth.client_secret_env
        ),
        AuthKind::ServiceAccountJwt => format!(
            "service-account JWT (RS256) exchanged at `{}`, key JSON in `{}`{}",
            auth.token_url,
            auth.key_env,
            auth.subject
                .as_ref()
                .map(|s| format!(", acting as `{s}`"))
                .unwrap_or_default()
        ),
    }
}

/// The tenant variables an instance must set.
fn variables(out: &mut String, model: &Model) {
    if model.variables.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "## Tenant variables\n\n| variable | meaning | example | default |\n|---|---|---|---|"
    );
    for (name, description, example, default) in &model.variables {
        let _ = writeln!(
            out,
            "| `{name}` | {} | `{example}` | {} |",
            linkify(description),
            default
                .as_ref()
                .map_or_else(|| "required".to_owned(), |d| format!("`{d}`"))
        );
    }
    out.push('\n');
}

/// What the connector sends, from which directory fields.
fn attributes(out: &mut String, model: &Model) {
    if model.attributes.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "## Attributes\n\nWhat each account gets from the directory profile \
         (templates over the fields of `connector_sdk::Identity`).\n\n\
         | attribute | value | notes |\n|---|---|---|"
    );
    for attribute in &model.attributes {
        let mut notes = Vec::new();
        if attribute.create_only {
            notes.push("set on create only");
        }
        if attribute.sensitive {
            notes.push("sensitive: never logged");
        }
        let _ = writeln!(
            out,
            "| `{}` | `{}` | {} |",
            attribute.key,
            attribute.source_text.replace('|', "\\|"),
            notes.join(", ")
        );
    }
    out.push('\n');
}

/// The licence SKUs and how each is held.
fn licences(out: &mut String, model: &Model) {
    if model.licenses.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "## Licences\n\n| SKU | name | how it is held |\n|---|---|---|"
    );
    for sku in &model.licenses {
        let how = match sku.mode {
            LicenseMode::Automatic => "comes with an active account".to_owned(),
            LicenseMode::Attribute => format!(
                "SCIM attribute `{}`",
                sku.attribute
                    .as_ref()
                    .map(|(target, _, _)| target.display_path())
                    .unwrap_or_default()
            ),
            LicenseMode::Group => format!(
                "membership of group `{}`",
                sku.group.clone().unwrap_or_default()
            ),
            LicenseMode::Api => "a vendor API call".to_owned(),
            LicenseMode::Manual => format!(
                "manual task for an admin: {}{}",
                sku.instructions.clone().unwrap_or_default(),
                sku.console_url
                    .as_ref()
                    .map(|u| format!(" (<{u}>)"))
                    .unwrap_or_default()
            ),
        };
        let _ = writeln!(
            out,
            "| `{}` | {} | {} |",
            sku.name,
            sku.display_name,
            linkify(&how.replace('|', "\\|"))
        );
    }
    let _ = writeln!(
        out,
        "\nA manual SKU is never reported as done: the engine records a task for an admin."
    );
    out.push('\n');
}

/// How sign-in is configured at the identity provider.
fn sign_in(out: &mut String, model: &Model) {
    let sso = &model.sso;
    let protocols: Vec<&str> = sso
        .protocols
        .iter()
        .map(|p| match p {
            SsoProtocol::Saml2 => "SAML 2.0",
            SsoProtocol::Oidc => "OpenID Connect",
        })
        .collect();
    let _ = writeln!(out, "## Sign-in\n");
    if protocols.is_empty() {
        let _ = writeln!(
            out,
            "The service signs people in through its own accounts.\n"
        );
    } else {
        let _ = writeln!(out, "Protocols: {}.\n", protocols.join(", "));
    }
    if sso.sp_initiated_only {
        let _ = writeln!(
            out,
            "SP-initiated only: the service rejects IdP-initiated responses, so the \
             identity provider's tile must be a bookmark to `{}` beside a hidden SAML app.\n",
            sso.login_url.clone().unwrap_or_default()
        );
    }
    let mut lines = Vec::new();
    if let Some(acs) = &sso.acs_url {
        lines.push(format!("- Assertion consumer service: `{acs}`"));
    }
    if let Some(entity) = &sso.entity_id {
        lines.push(format!("- Audience (SP entity id): `{entity}`"));
    }
    if !sso.protocols.is_empty() {
        lines.push(format!("- NameID format: `{}`", sso.name_id_format.urn()));
    }
    for (name, value) in &sso.attributes {
        lines.push(format!("- Attribute `{name}` = `{value}`"));
    }
    if !lines.is_empty() {
        let _ = writeln!(out, "{}\n", lines.join("\n"));
    }
    if let Some(federation) = &sso.federation {
        let via = match federation.via {
            FederationVia::GoogleWorkspace => "Google Workspace (third-party SSO profile)",
            FederationVia::EntraId => "Microsoft Entra ID (domain federation)",
        };
        let _ = writeln!(
            out,
            "Sign-in goes through {via}: the identity provider federates that directory, not \
             the app. {}\n",
            linkify(&federation.plan)
        );
        for (field, value) in &federation.settings {
            let _ = writeln!(out, "- {field}: `{value}`");
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "`connector sso {}` prints the identity provider's app (Okta SAML/OIDC app, \
         bookmark, or federation settings) and the SP metadata; `connector sso check` \
         checks the IdP metadata.\n",
        model.name
    );
}

/// An assignments-file snippet that uses the connector.
fn usage(out: &mut String, model: &Model, crate_name: &str) {
    let rust_path = crate_name.replace('-', "_");
    if model.protocol == Protocol::None {
        return;
    }
    let _ = writeln!(
        out,
        "## Use\n\nDeclare an instance in the engine's assignments file \
         (`docs/assignments.md` in the repository) and run `connector plan` / `connector apply`. \
         Credentials are read from the environment variables above, never from the file.\n"
    );
    let _ = writeln!(out, "```toml\n[instances.{}]", model.name);
    let _ = writeln!(out, "connector = \"{}\"", model.name);
    let required: Vec<String> = model
        .variables
        .iter()
        .filter(|(_, _, _, default)| default.is_none())
        .map(|(name, _, example, _)| format!("{name} = \"{example}\""))
        .collect();
    if !required.is_empty() {
        let _ = writeln!(out, "variables = {{ {} }}", required.join(", "));
    }
    let _ = writeln!(
        out,
        "\n[[provision]]\ninstance = \"{}\"\ngroups = [\"everyone\"]",
        model.name
    );
    let sku = model
        .licenses
        .iter()
        .find(|sku| sku.mode != LicenseMode::Manual)
        .or(model.licenses.first());
    if let Some(sku) = sku {
        let _ = writeln!(out, "licenses = [\"{}\"]", sku.name);
    }
    if !model.sso.protocols.is_empty() {
        let _ = writeln!(
            out,
            "\n[[sso]]\ninstance = \"{}\"\ngroups = [\"everyone\"]",
            model.name
        );
    }
    let _ = writeln!(out, "```\n");
    let _ = writeln!(
        out,
        "In Rust, `{rust_path}::connect(config)` returns the connector for one instance; \
         `{rust_path}::MANIFEST` is everything the spec declares.\n"
    );
}

/// Where each fact of the spec comes from.
fn sources(out: &mut String, model: &Model) {
    if model.sources.is_empty() {
        return;
    }
    let _ = writeln!(out, "## Sources\n");
    let _ = writeln!(out, "Provisioning documentation: <{}>\n", model.docs_url);
    for (key, url) in &model.sources {
        let _ = writeln!(out, "- `{key}`: <{url}>");
    }
}

/// `text` with every bare `http(s)://` URL wrapped in `<...>`, so Markdown (and rustdoc,
/// which reads the README as crate docs) renders it as a link.
fn linkify(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    while let Some(start) = rest.find("https://").or_else(|| rest.find("http://")) {
        let (before, from_url) = rest.split_at(start);
        out.push_str(before);
        let end = from_url
            .find(|c: char| c.is_whitespace() || c == '<' || c == '>')
            .unwrap_or(from_url.len());
        let url = from_url[..end].trim_end_matches(['.', ',', ';', ':', ')']);
        let already_linked =
            before.ends_with('<') || before.ends_with('`') || before.ends_with('(');
        if already_linked {
            out.push_str(url);
        } else {
            out.push('<');
            out.push_str(url);
            out.push('>');
        }
        rest = &from_url[url.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::linkify;

    #[test]
    fn bare_urls_become_links_and_linked_ones_stay() {
        assert_eq!(
            linkify("host: https://api.github.com, or api.*.ghe.com"),
            "host: <https://api.github.com>, or api.*.ghe.com"
        );
        assert_eq!(linkify("see <https://a.io/x>."), "see <https://a.io/x>.");
        assert_eq!(linkify("`https://a.io`"), "`https://a.io`");
        assert_eq!(linkify("no link"), "no link");
    }
}
