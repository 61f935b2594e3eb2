//! The support matrix: what each connector really does, one row per service, rendered
//! from the manifests (and so from the specs). `docs/SUPPORT.md` and `connector list`
//! both come from here.

use connector_sdk::manifest::{
    Capability, DeactivateMethod, LicenseMode, Manifest, Protocol, RateLimit, SsoProtocol,
    UpdateMethod,
};

/// The columns of the matrix.
pub const COLUMNS: [&str; 12] = [
    "service",
    "sso",
    "sp-initiated only",
    "provisioning",
    "create",
    "update",
    "deactivate",
    "licence",
    "groups",
    "rate limit",
    "plan (provisioning)",
    "sources",
];

/// One service's row, as plain text cells in [`COLUMNS`] order.
pub fn row(manifest: &Manifest) -> Vec<String> {
    let provisioning = &manifest.provisioning;
    let yes_no = |capability| {
        if manifest.can(capability) {
            "yes"
        } else {
            "no"
        }
        .to_owned()
    };
    vec![
        manifest.display_name.to_owned(),
        sso(manifest),
        if manifest.sso.sp_initiated_only {
            "yes"
        } else {
            "no"
        }
        .to_owned(),
        protocol(manifest),
        yes_no(Capability::Create),
        if manifest.can(Capability::Update) {
            update(manifest)
        } else {
            "no".to_owned()
        },
        if manifest.can(Capability::Deactivate) {
            deactivate(manifest)
        } else {
            "no".to_owned()
        },
        licences(manifest),
        groups(manifest),
        provisioning
            .rate_limit
            .map_or_else(|| "not published".to_owned(), rate),
        manifest.plan.provisioning.to_owned(),
        manifest.sources.len().to_string(),
    ]
}

/// Whether directory groups are pushed into the service, and how.
fn groups(manifest: &Manifest) -> String {
    match (
        manifest.provisioning.protocol,
        manifest.can(Capability::Groups),
    ) {
        (Protocol::Scim2, true) => format!(
            "pushed (SCIM /Groups, {} members per request{})",
            manifest.provisioning.dialect.group_members_per_request,
            if manifest.provisioning.dialect.group_members_listed {
                ""
            } else {
                "; members never listed: the engine keeps what it pushed"
            }
        ),
        (Protocol::Rest, true) => {
            "pushed (the vendor's group API, one request per member)".to_owned()
        }
        (Protocol::Rest, false) => "not pushed (planned: the vendor's group API)".to_owned(),
        _ => "no".to_owned(),
    }
}

fn sso(manifest: &Manifest) -> String {
    manifest
        .sso
        .protocols
        .iter()
        .map(|p| match p {
            SsoProtocol::Saml2 => "SAML",
            SsoProtocol::Oidc => "OIDC",
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn protocol(manifest: &Manifest) -> String {
    let provisioning = &manifest.provisioning;
    let licence_api = provisioning
        .rest
        .as_ref()
        .is_some_and(|r| !r.operations.is_empty());
    match provisioning.protocol {
        Protocol::Scim2 if licence_api => "SCIM 2.0 + seat API".to_owned(),
        Protocol::Scim2 => "SCIM 2.0".to_owned(),
        Protocol::Rest => format!("REST ({})", host(provisioning.base_url)),
        Protocol::None => "none".to_owned(),
    }
}

/// The host of a URL template, for the table (`admin.googleapis.com`).
fn host(url: &str) -> &str {
    url.trim_start_matches("https://")
        .split('/')
        .next()
        .unwrap_or(url)
}

fn update(manifest: &Manifest) -> String {
    match (
        manifest.provisioning.protocol,
        manifest.provisioning.dialect.update,
    ) {
        (Protocol::Rest, _) => rest_method(manifest, connector_sdk::Operation::Update),
        (_, UpdateMethod::Patch) => "PATCH".to_owned(),
        (_, UpdateMethod::Put) => "PUT".to_owned(),
    }
}

fn deactivate(manifest: &Manifest) -> String {
    match (
        manifest.provisioning.protocol,
        manifest.provisioning.dialect.deactivate,
    ) {
        (Protocol::Rest, _) => rest_method(manifest, connector_sdk::Operation::Disable),
        (_, DeactivateMethod::PatchActive) => "PATCH active=false".to_owned(),
        (_, DeactivateMethod::PutActive) => "PUT active=false".to_owned(),
        (_, DeactivateMethod::Delete) => "DELETE (keeps the account)".to_owned(),
    }
}

/// `PATCH {"suspended":true}` for a declared operation.
fn rest_method(manifest: &Manifest, name: connector_sdk::Operation) -> String {
    let Some(op) = manifest
        .provisioning
        .rest
        .as_ref()
        .and_then(|r| r.operation(name))
    else {
        return "no".to_owned();
    };
    let method = serde_json::to_value(op.method)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    match op.body {
        connector_sdk::manifest::RestBody::Template(body) => format!("{method} {body}"),
        _ => method,
    }
}

fn licences(manifest: &Manifest) -> String {
    if manifest.licenses.is_empty() {
        return "none".to_owned();
    }
    manifest
        .licenses
        .iter()
        .map(|sku| {
            let how = match sku.mode {
                LicenseMode::Automatic => "automatic",
                LicenseMode::Attribute => "SCIM attribute",
                LicenseMode::Group => "group",
                LicenseMode::Api => "API",
                LicenseMode::Manual => "manual",
            };
            format!("{} ({how})", sku.display_name)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn rate(limit: RateLimit) -> String {
    let per = match limit.period_ms {
        1000 => "s".to_owned(),
        60_000 => "min".to_owned(),
        3_600_000 => "h".to_owned(),
        ms if ms % 1000 == 0 => format!("{} s", ms / 1000),
        ms => format!("{ms} ms"),
    };
    format!("{}/{per} (burst {})", limit.requests, limit.burst)
}

/// `docs/SUPPORT.md`: the matrix with each service's sources listed under it.
pub fn markdown(manifests: &[&Manifest]) -> String {
    let mut out = String::from(
        "# Support matrix\n\n\
         Generated from `connectors/*/connector.toml` by `cargo xtask gen`; do not edit by hand.\n\
         What each connector actually does, with the plan that unlocks it and the vendor pages\n\
         the facts come from.\n\n",
    );
    // Every column but the count of sources, which are listed below the table.
    let shown = COLUMNS.len() - 1;
    out.push_str(&format!("| {} |\n", COLUMNS[..shown].join(" | ")));
    out.push_str(&format!("|{}\n", "---|".repeat(shown)));
    for manifest in manifests {
        let cells: Vec<String> = row(manifest)[..shown]
            .iter()
            .map(|c| c.replace('|', "\\|"))
            .collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out.push_str("\n## Sources\n");
    for manifest in manifests {
        out.push_str(&format!("\n### {}\n\n", manifest.display_name));
        for source in manifest.sources {
            out.push_str(&format!("- {}: <{}>\n", source.about, source.url));
        }
    }
    out
}
