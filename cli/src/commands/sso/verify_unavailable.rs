//! What a build without the `saml-verify` feature says when asked to verify SAML: how to
//! get a build that can (the feature links libxmlsec1 through connector-saml-sp, so the
//! default build stays free of C libraries).

/// How to get a build with the `saml-verify` feature, for a message about `what` (a
/// command or option that needs it).
#[cfg_attr(all(feature = "saml-verify", not(test)), allow(dead_code))]
pub(crate) fn needs_saml_verify(what: &str) -> String {
    format!(
        "this build of `connector` cannot verify SAML: {what} needs the `saml-verify` feature \
         (it links libxmlsec1).\n\
         1. install the C libraries it builds against (Debian, Ubuntu):\n   \
         sudo apt-get install libxmlsec1-dev libclang-dev pkg-config\n\
         2. then install the command with it:\n   \
         cargo install connector-toolkit --features saml-verify\n   \
         or run it from a clone of the repository:\n   \
         cargo run -p connector-toolkit --features saml-verify -- sso verify <response> \
         --app <app> --metadata <idp.xml>"
    )
}

#[cfg(not(feature = "saml-verify"))]
pub(crate) use unavailable::{VerifyArgs, run};

#[cfg(not(feature = "saml-verify"))]
mod unavailable {
    use clap::Args;

    use super::super::fail;

    /// Whatever was given after `sso verify`; nothing is read from it.
    #[derive(Debug, Args)]
    pub(crate) struct VerifyArgs {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
        ignored: Vec<String>,
    }

    /// `connector sso verify` without the feature: says how to get it, exit 2.
    pub(crate) fn run(_: &VerifyArgs) -> u8 {
        fail(super::needs_saml_verify("`connector sso verify`"))
    }
}

#[cfg(test)]
mod tests {
    use super::needs_saml_verify;

    #[test]
    fn the_message_names_the_feature_the_packages_and_both_commands() {
        let message = needs_saml_verify("`connector sso verify`");
        for needed in [
            "`connector sso verify` needs the `saml-verify` feature",
            "apt-get install libxmlsec1-dev libclang-dev pkg-config",
            "cargo install connector-toolkit --features saml-verify",
            "cargo run -p connector-toolkit --features saml-verify -- sso verify",
        ] {
            assert!(
                message.contains(needed),
                "{needed} missing from:\n{message}"
            );
        }
    }
}
