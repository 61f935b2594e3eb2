//! The files of a new connector crate besides its spec: `Cargo.toml` (package metadata
//! like every connector's), `src/lib.rs` (the macro line), a placeholder `README.md` (which
//! `cargo xtask gen` replaces once the spec checks) and `tests/sandbox.rs` (the capability
//! suite against the in-process sandbox).

use super::names::Names;
use super::spec_template::Protocol;

/// crates.io accepts at most this many characters in a keyword.
const MAX_KEYWORD_LEN: usize = 20;

/// `Cargo.toml`.
pub(super) fn cargo_toml(names: &Names, protocol: Protocol) -> String {
    let Names {
        app,
        package,
        display,
        ..
    } = names;
    let mut keywords = vec![
        match protocol {
            Protocol::Scim => "scim",
            Protocol::Rest => "rest",
        },
        "provisioning",
        "sso",
    ];
    if app.len() <= MAX_KEYWORD_LEN {
        keywords.push(app);
    }
    keywords.push("connector");
    let keywords = keywords
        .iter()
        .map(|k| format!("\"{k}\""))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "[package]\n\
         name = \"{package}\"\n\
         description = \"Connector for {display}: accounts, seats and sign-in under the company identity provider.\"\n\
         version.workspace = true\n\
         edition.workspace = true\n\
         rust-version.workspace = true\n\
         license.workspace = true\n\
         repository.workspace = true\n\
         authors.workspace = true\n\
         documentation = \"https://docs.rs/{package}\"\n\
         readme = \"README.md\"\n\
         keywords = [{keywords}]\n\
         categories = [\"authentication\", \"api-bindings\"]\n\
         include = [\"src/**\", \"tests/**\", \"connector.toml\", \"README.md\"]\n\
         \n\
         [dependencies]\n\
         connector-sdk.workspace = true\n\
         \n\
         [dev-dependencies]\n\
         connector-sandbox.workspace = true\n\
         connector-tests = {{ workspace = true, features = [\"sandbox\"] }}\n\
         tokio.workspace = true\n\
         \n\
         [lints]\n\
         workspace = true\n"
    )
}

/// `src/lib.rs`.
pub(super) fn lib_rs() -> String {
    "#![doc = include_str!(\"../README.md\")]\n\
     \n\
     connector_sdk::connector!(\"connector.toml\");\n"
        .to_owned()
}

/// `README.md`, until `cargo xtask gen` writes the real one from the spec.
pub(super) fn readme(names: &Names) -> String {
    format!(
        "# {display} connector\n\
         \n\
         `{package}` puts {display} under the company identity provider. This README is a\n\
         placeholder: once every `TODO` in `connector.toml` is filled in, `cargo xtask gen`\n\
         rewrites it from the spec.\n",
        display = names.display,
        package = names.package,
    )
}

/// `tests/sandbox.rs`: the capability suite on a sandbox tenant emulated from the
/// connector's own manifest.
pub(super) fn sandbox_test(names: &Names, protocol: Protocol) -> String {
    let Names {
        display,
        ident,
        app,
        ..
    } = names;
    let rest_note = match protocol {
        Protocol::Scim => String::new(),
        Protocol::Rest => "\n\
             //!\n\
             //! A REST connector needs its vendor's API emulated in `sandbox/src/vendors/` (one\n\
             //! module per vendor, chosen by manifest name in `Vendor::for_manifest`); until\n\
             //! then the sandbox serves SCIM in its place and this test fails, saying so.\n"
            .to_owned(),
    };
    let rest_guard = match protocol {
        Protocol::Scim => "",
        Protocol::Rest => {
            "\x20   let base_url = tenant.config().base_url.unwrap_or_default();\n\
             \x20   assert!(\n\
             \x20       !base_url.ends_with(\"/scim/v2\"),\n\
             \x20       \"the sandbox does not emulate {}'s REST API yet (it serves SCIM at {base_url}): \\\n\
             \x20        add it to sandbox/src/vendors/\",\n\
             \x20       manifest.display_name\n\
             \x20   );\n"
        }
    };
    format!(
        "//! {display}'s capability suite against its sandbox tenant. The in-process sandbox\n\
         //! emulates the service from the connector's own `MANIFEST` (dialect, capabilities,\n\
         //! extensions, authentication), and the suite checks every step on the tenant's state\n\
         //! independently of the connector. Every capability the spec declares must pass.\n\
         //!\n\
         //! Scaffolded by `cargo xtask gen new {app}`: add the service's own quirks as tests\n\
         //! here (see `sandbox/tests/capability_suites.rs`).{rest_note}\n\
         \n\
         use connector_sandbox::{{RateLimitConfig, Sandbox, TenantSpec}};\n\
         use connector_sdk::{{Capability, Identity}};\n\
         use connector_tests::CapabilitySuite;\n\
         use connector_tests::people::person;\n\
         \n\
         /// The `userName` the spec's `[mapping]` gives a person: keep the two in step.\n\
         fn user_name(who: &Identity) -> String {{\n\
         \x20   who.email.clone()\n\
         }}\n\
         \n\
         /// The suite's steps, each with the capability that makes it run.\n\
         const STEPS: &[(&str, Capability)] = &[\n\
         \x20   (\"create\", Capability::Create),\n\
         \x20   (\"existing\", Capability::Create),\n\
         \x20   (\"update\", Capability::Update),\n\
         \x20   (\"license\", Capability::License),\n\
         \x20   (\"list\", Capability::Import),\n\
         \x20   (\"disable\", Capability::Deactivate),\n\
         \x20   (\"enable\", Capability::Reactivate),\n\
         \x20   (\"delete\", Capability::Delete),\n\
         ];\n\
         \n\
         #[tokio::test]\n\
         async fn capability_suite_passes_on_the_sandbox_tenant() {{\n\
         \x20   let manifest = &{ident}::MANIFEST;\n\
         \x20   // No rate limit (the tenant's config sets none on the client): the limits are tested\n\
         \x20   // in the sandbox crate.\n\
         \x20   let sandbox = Sandbox::builder()\n\
         \x20       .tenant(TenantSpec::for_manifest(manifest).rate_limit(RateLimitConfig::off()))\n\
         \x20       .start(\"127.0.0.1:0\")\n\
         \x20       .await\n\
         \x20       .expect(\"the sandbox starts\");\n\
         \x20   let tenant = sandbox\n\
         \x20       .tenant(manifest.name)\n\
         \x20       .expect(\"the sandbox serves the connector's tenant\");\n\
         {rest_guard}\
         \x20   let connector =\n\
         \x20       {ident}::connect(tenant.config()).expect(\"the connector accepts the tenant\");\n\
         \x20   let domain = format!(\"{{}}.example\", manifest.name);\n\
         \x20   let report = CapabilitySuite::new(&connector, tenant, |i| person(i, &domain))\n\
         \x20       .user_name(user_name)\n\
         \x20       .run()\n\
         \x20       .await;\n\
         \x20   for (step, capability) in STEPS {{\n\
         \x20       if manifest.can(*capability) {{\n\
         \x20           assert!(report.passed(step), \"step `{{step}}` did not pass:\\n{{report}}\");\n\
         \x20       }}\n\
         \x20   }}\n\
         \x20   println!(\"{{report}}\");\n\
         }}\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_toml_has_the_package_metadata_and_the_sandbox_dev_dependencies() {
        let names = Names::new("acme").unwrap();
        let text = cargo_toml(&names, Protocol::Scim);
        for expected in [
            "name = \"connector-acme\"",
            "description = \"Connector for Acme: ",
            "documentation = \"https://docs.rs/connector-acme\"",
            "keywords = [\"scim\", \"provisioning\", \"sso\", \"acme\", \"connector\"]",
            "include = [\"src/**\", \"tests/**\", \"connector.toml\", \"README.md\"]",
            "license.workspace = true",
            "connector-tests = { workspace = true, features = [\"sandbox\"] }",
        ] {
            assert!(text.contains(expected), "missing `{expected}`:\n{text}");
        }
        let long = Names::new("a-very-long-service-name").unwrap();
        assert!(
            cargo_toml(&long, Protocol::Rest)
                .contains("keywords = [\"rest\", \"provisioning\", \"sso\", \"connector\"]")
        );
    }

    #[test]
    fn the_sandbox_test_names_the_crate() {
        let names = Names::new("acme-ai").unwrap();
        let text = sandbox_test(&names, Protocol::Scim);
        assert!(text.contains("let manifest = &connector_acme_ai::MANIFEST;"));
        assert!(text.contains("connector_acme_ai::connect(tenant.config())"));
        assert!(!text.contains("sandbox/src/vendors"));
        assert!(sandbox_test(&names, Protocol::Rest).contains("sandbox/src/vendors"));
    }
}
