//! [`TenantSpec`]: what one emulated service instance is, before the sandbox starts.

use std::time::Duration;

use connector_sdk::Manifest;

use crate::config::{Faults, RateLimitConfig, ThrottleStyle, UndeclaredAttributes};
use crate::scim::attr_path::{ENTERPRISE_USER_SCHEMA, starts_with_urn};
use crate::vendors::Vendor;
use crate::vendors::okta::OktaOrg;

/// The default lifetime of access tokens issued by an OAuth tenant.
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

/// One tenant to serve: a service emulated from a connector's manifest, or a strict
/// RFC 7644 server (`generic`). Every setting has a default; tokens are random unless set.
#[derive(Debug, Clone)]
pub struct TenantSpec {
    pub(crate) name: String,
    pub(crate) manifest: Option<&'static Manifest>,
    pub(crate) token: Option<String>,
    pub(crate) client: Option<(String, String)>,
    pub(crate) rate_limit: RateLimitConfig,
    pub(crate) faults: Faults,
    pub(crate) extensions: Vec<String>,
    pub(crate) undeclared: UndeclaredAttributes,
    pub(crate) token_lifetime: Duration,
    pub(crate) okta: Option<OktaOrg>,
}

impl TenantSpec {
    /// A tenant that behaves like the service `manifest` describes, named after it.
    ///
    /// Its SCIM dialect, capabilities, rate limit (and throttle style: GitHub's
    /// secondary-limit 403 for GitHub, Google's 403 for another manifest with a 403
    /// throttle rule) and authentication come from the manifest; the
    /// User extension URNs it accepts are those the manifest's attribute and licence
    /// paths name. Gemini, Microsoft 365 Copilot and Box tenants serve their vendor's
    /// REST API instead of SCIM; the GitHub Copilot tenant serves enterprise SCIM plus
    /// the Copilot seat API.
    pub fn for_manifest(manifest: &'static Manifest) -> Self {
        let mut extensions: Vec<String> = Vec::new();
        let paths = manifest.attributes.iter().map(|a| a.path).chain(
            manifest
                .licenses
                .iter()
                .filter_map(|l| l.attribute.as_ref().map(|a| a.path)),
        );
        for path in paths.filter(|p| starts_with_urn(p)) {
            let head = path.split('[').next().unwrap_or(path);
            if let Some(colon) = head.rfind(':') {
                let urn = &head[..colon];
                if !extensions.iter().any(|e| e == urn) {
                    extensions.push(urn.to_owned());
                }
            }
        }
        // A service that throttles with 403 (Google, GitHub) does so here too.
        let style = if Vendor::for_manifest(manifest) == Some(Vendor::GitHub) {
            ThrottleStyle::GitHub403
        } else if manifest
            .provisioning
            .throttle
            .iter()
            .any(|rule| rule.status == 403)
        {
            ThrottleStyle::Google403
        } else {
            ThrottleStyle::Scim429
        };
        Self {
            name: manifest.name.to_owned(),
            manifest: Some(manifest),
            extensions,
            rate_limit: RateLimitConfig::manifest().with_style(style),
            ..Self::generic("generic")
        }
    }

    /// A strict RFC 7643/7644 tenant named `name` (the enterprise extension declared).
    pub fn generic(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            manifest: None,
            token: None,
            client: None,
            rate_limit: RateLimitConfig::manifest(),
            faults: Faults::none(),
            extensions: vec![ENTERPRISE_USER_SCHEMA.to_owned()],
            undeclared: UndeclaredAttributes::default(),
            token_lifetime: DEFAULT_TOKEN_LIFETIME,
            okta: None,
        }
    }

    /// An emulated Okta org named `name` holding `org`: Okta's Management API at
    /// `{api_url}/api/v1` (the handle's [`api_url`](crate::TenantHandle::api_url) is the
    /// org's URL), its [`token`](Self::token) accepted as `Authorization: SSWS <token>`.
    /// The rate limit is a fixed window: `manifest` (the default) is 600 requests a
    /// minute, `custom` is `requests` per `period_ms`; faults apply as to any tenant.
    /// It serves no SCIM.
    pub fn okta(name: impl Into<String>, org: OktaOrg) -> Self {
        Self {
            okta: Some(org),
            extensions: Vec::new(),
            ..Self::generic(name)
        }
    }

    /// Serves the tenant under another name (lowercase letters, digits, `-` and `_`).
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The bearer token the tenant accepts (for an OAuth tenant: a token it counts as
    /// already issued). Random by default.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// The OAuth client id and secret (OAuth tenants). Random by default.
    pub fn client_credentials(mut self, id: impl Into<String>, secret: impl Into<String>) -> Self {
        self.client = Some((id.into(), secret.into()));
        self
    }

    /// The rate limit at start (default: the manifest's).
    pub fn rate_limit(mut self, rate_limit: RateLimitConfig) -> Self {
        self.rate_limit = rate_limit;
        self
    }

    /// The faults at start (default: none).
    pub fn faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// Declares one more User extension URN the tenant accepts.
    pub fn extension(mut self, urn: impl Into<String>) -> Self {
        let urn = urn.into();
        if !self.extensions.contains(&urn) {
            self.extensions.push(urn);
        }
        self
    }

    /// Stops declaring the User extension `urn` (in `/Schemas`, `/ResourceTypes` and for
    /// writes): `TenantSpec::generic(name).without_extension(ENTERPRISE)` is a server that
    /// knows only the core schemas.
    pub fn without_extension(mut self, urn: &str) -> Self {
        self.extensions.retain(|e| !e.eq_ignore_ascii_case(urn));
        self
    }

    /// What the tenant does with attributes of a schema it does not declare (default
    /// [`UndeclaredAttributes::Invalid`]): refuse them by name, or drop them silently,
    /// as real servers do.
    pub fn undeclared(mut self, mode: UndeclaredAttributes) -> Self {
        self.undeclared = mode;
        self
    }

    /// The lifetime of the access tokens an OAuth tenant issues (default an hour).
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_lifetime = lifetime;
        self
    }

    /// The tenant's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Checks the name and the settings; the error says what is wrong.
    pub(crate) fn validate(&self) -> Result<(), String> {
        let name_ok = !self.name.is_empty()
            && self.name.len() <= 64
            && !self.name.starts_with(['_', '-'])
            && self
                .name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if !name_ok {
            return Err(format!(
                "tenant name `{}` must be 1 to 64 lowercase letters, digits, `-` or `_`, not starting with `_` or `-`",
                self.name
            ));
        }
        self.rate_limit
            .validate()
            .map_err(|e| format!("tenant `{}`: {e}", self.name))?;
        if let Some(org) = &self.okta {
            org.validate()
                .map_err(|e| format!("tenant `{}`: {e}", self.name))?;
        }
        self.faults
            .validate()
            .map_err(|e| format!("tenant `{}`: {e}", self.name))
    }
}
