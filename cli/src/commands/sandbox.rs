//! `connector sandbox`: serves a local emulation of every connector's provisioning API
//! (one tenant per manifest, named after it: SCIM, or the vendor's REST API for
//! Gemini, Microsoft 365 Copilot and Box) plus a strict RFC 7644 tenant, `generic`, and
//! an Okta org, `okta`, to read people from (`[directory.okta]`), until Ctrl-C.
//!
//! Built with the `saml-verify` feature and given `--saml-idp-metadata`, it also serves
//! each SAML service's SP at `/saml/{app}/...` (module `sandbox_saml`).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use clap::Args;
use connector_sandbox::{
    OktaOrg, Sandbox, SandboxBuilder, SandboxHandle, TenantCredentials, TenantHandle,
};
use connector_sdk::manifest::Protocol;

use crate::connectors;

/// The name of the strict RFC 7644 tenant.
const GENERIC: &str = "generic";

/// The name of the emulated Okta org (a directory source, seeded with sample people).
const OKTA: &str = "okta";

/// Options of `connector sandbox`.
#[derive(Debug, Args)]
pub(crate) struct SandboxArgs {
    /// Where to listen: a loopback address and port (`127.0.0.1:8787`, `[::1]:8787`,
    /// `localhost:8787`). The sandbox prints test credentials, so it never listens
    /// beyond this machine.
    #[arg(long, default_value = "127.0.0.1:8787")]
    listen: String,
    /// Serve the SAML SP of every SAML service at /saml/{app}/metadata, /saml/{app}/login
    /// and /saml/{app}/acs, trusting the IdP of this metadata file (needs the
    /// `saml-verify` feature).
    #[arg(long, value_name = "FILE")]
    saml_idp_metadata: Option<PathBuf>,
}

/// Runs the sandbox until Ctrl-C.
pub(crate) fn run(args: &SandboxArgs) -> Result<(), String> {
    let address = loopback(&args.listen)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(serve(address, args.saml_idp_metadata.as_deref()))
}

/// Parses `text` as a socket address on a loopback interface, refusing any other.
fn loopback(text: &str) -> Result<SocketAddr, String> {
    let address = match text.strip_prefix("localhost:") {
        Some(port) => port
            .parse::<u16>()
            .map(|port| SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port))
            .map_err(|_| format!("`{text}` has no valid port")),
        None => text
            .parse::<SocketAddr>()
            .map_err(|_| format!("`{text}` is not an address and port such as 127.0.0.1:8787")),
    }?;
    if !address.ip().is_loopback() {
        return Err(format!(
            "refusing to listen on {address}: the sandbox serves test credentials, so it \
             only listens on a loopback address (127.0.0.1, ::1 or localhost)"
        ));
    }
    Ok(address)
}

/// Starts the sandbox, prints its tenants (and SAML SPs), waits for Ctrl-C, stops.
async fn serve(address: SocketAddr, saml_idp_metadata: Option<&Path>) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|e| format!("cannot listen on {address}: {e}"))?;
    let local = listener
        .local_addr()
        .map_err(|e| format!("cannot read the listening address: {e}"))?;
    let mut builder = Sandbox::builder();
    for manifest in connectors::manifests() {
        if manifest.provisioning.protocol != Protocol::None && manifest.name != GENERIC {
            builder = builder.manifest(manifest);
        }
    }
    let mut saml_description = String::new();
    if let Some(path) = saml_idp_metadata {
        (builder, saml_description) = mount_saml(builder, path, &format!("http://{local}"))?;
    }
    let sandbox = builder
        .generic(GENERIC)
        .okta(OKTA, OktaOrg::sample("example.com"))
        .start_on(listener)
        .await
        .map_err(|e| e.to_string())?;
    print!("{}", describe(&sandbox, &saml_description));
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| format!("cannot wait for Ctrl-C: {e}"))?;
    println!("stopping the sandbox");
    sandbox.shutdown().await;
    Ok(())
}

/// Mounts the SAML SPs at `/saml`, returning what to print about them.
#[cfg(feature = "saml-verify")]
fn mount_saml(
    builder: SandboxBuilder,
    idp_metadata: &Path,
    base_url: &str,
) -> Result<(SandboxBuilder, String), String> {
    super::sandbox_saml::mount(builder, idp_metadata, base_url)
}

/// Without the `saml-verify` feature: says how to get it.
#[cfg(not(feature = "saml-verify"))]
fn mount_saml(_: SandboxBuilder, _: &Path, _: &str) -> Result<(SandboxBuilder, String), String> {
    Err(super::sso::needs_saml_verify(
        "`connector sandbox --saml-idp-metadata`",
    ))
}

/// What the sandbox serves, with its sandbox-local test credentials; `saml` (the SAML
/// SPs, if any) comes after the admin API.
fn describe(sandbox: &SandboxHandle, saml: &str) -> String {
    let mut out = format!(
        "connector sandbox on {} (Ctrl-C to stop)\n\nadmin API   {}\n  token     {}\n{saml}",
        sandbox.base_url(),
        sandbox.admin_url(),
        sandbox.admin_token().expose()
    );
    for tenant in sandbox.tenants() {
        if tenant.name() == OKTA {
            out.push_str(&describe_okta(tenant));
            continue;
        }
        let what = tenant.manifest().map_or_else(
            || "strict RFC 7644".to_owned(),
            |m| m.display_name.to_owned(),
        );
        let (kind, url) = match tenant.manifest().map(|m| m.provisioning.protocol) {
            Some(Protocol::Rest) => ("API ", tenant.api_url()),
            _ => ("SCIM", tenant.scim_url()),
        };
        out.push_str(&format!(
            "\n{} ({what})\n  {kind}      {url}\n",
            tenant.name()
        ));
        out.push_str(&format!("  bearer    {}\n", tenant.token().expose()));
        if let TenantCredentials::ClientCredentials {
            token_url,
            client_id,
            client_secret,
        } = tenant.credentials()
        {
            out.push_str(&format!(
                "  oauth     {token_url}\n  client    {} / {}\n",
                client_id.expose(),
                client_secret.expose()
            ));
        }
    }
    out
}

/// The Okta org: its API, token, and the `[directory.okta]` table that reads it.
fn describe_okta(tenant: &TenantHandle) -> String {
    format!(
        "\n{} (Okta Management API: 8 sample people, app 0oachatgpt)\n  API       {}/api/v1\n  \
         SSWS      {}\n  directory [directory.okta] url = \"{}\", token_env = \"OKTA_API_TOKEN\"\n",
        tenant.name(),
        tenant.api_url(),
        tenant.token().expose(),
        tenant.api_url()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listens_on_loopback_only() {
        assert_eq!(loopback("127.0.0.1:8787").unwrap().port(), 8787);
        assert!(loopback("[::1]:9000").is_ok());
        assert!(loopback("localhost:0").unwrap().ip().is_loopback());
        for refused in ["0.0.0.0:8787", "192.168.1.2:80", "[::]:8787"] {
            let error = loopback(refused).unwrap_err();
            assert!(error.contains("loopback"), "{error}");
        }
        assert!(loopback("nonsense").is_err());
        assert!(loopback("localhost:http").is_err());
    }
}
