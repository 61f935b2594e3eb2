//! `[idp.okta]`: the Okta org where `connector sso apply` creates each instance's
//! sign-in apps and assigns them. Without the section, an Okta `[directory.okta]` is
//! used (the same org and token).

use reqwest::Url;
use serde::Deserialize;
use serde_spanned::Spanned;

use super::DirectoryConfig;
use super::check::env_name;
use super::diag::Diagnostics;

/// `[idp]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawIdp {
    pub okta: Option<Spanned<RawIdpOkta>>,
}

/// `[idp.okta]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawIdpOkta {
    pub url: Spanned<String>,
    pub token_env: Spanned<String>,
}

/// The Okta org sign-in apps are managed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdpConfig {
    /// The org URL (`https://acme.okta.com`).
    pub url: String,
    /// The environment variable holding the API token (it needs `okta.apps.manage`).
    pub token_env: String,
    /// Whether this came from `[directory.okta]` rather than `[idp.okta]`.
    pub from_directory: bool,
}

/// Checks `[idp]`; without `[idp.okta]`, falls back to an Okta `[directory]`.
pub(super) fn check(
    raw: Option<&Spanned<RawIdp>>,
    directory: Option<&DirectoryConfig>,
    diags: &mut Diagnostics,
) -> Option<IdpConfig> {
    if let Some(section) = raw {
        let Some(okta) = &section.get_ref().okta else {
            diags.error(
                section.span(),
                "[idp] needs an `okta` section: [idp.okta] with `url` and `token_env`",
            );
            return None;
        };
        let okta = okta.get_ref();
        env_name(&okta.token_env, diags);
        let url = okta.url.get_ref().trim().trim_end_matches('/').to_owned();
        let valid = Url::parse(&url)
            .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some());
        if !valid {
            diags.error(
                okta.url.span(),
                format!(
                    "the Okta `url` `{url}` must be an http(s) URL such as https://acme.okta.com"
                ),
            );
        }
        return Some(IdpConfig {
            url,
            token_env: okta.token_env.get_ref().clone(),
            from_directory: false,
        });
    }
    match directory? {
        DirectoryConfig::Okta { url, token_env, .. } => Some(IdpConfig {
            url: url.trim().trim_end_matches('/').to_owned(),
            token_env: token_env.clone(),
            from_directory: true,
        }),
        DirectoryConfig::Files { .. } => None,
    }
}
