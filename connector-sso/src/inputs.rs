//! The values an admin supplies for sign-in: tenant variables, and the SP values a service
//! issues per connection.
//!
//! Names are the spec's tenant variables (`vanity`, `domain`) plus three reserved SP inputs:
//! `acs_url` and `entity_id` for SAML (required when the spec does not fix them, and
//! otherwise replacing the spec's value), and `redirect_uri` for OIDC-only services.
//! Every problem is collected, so one run reports them all.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use connector_sdk::config::render_template;
use connector_sdk::manifest::{Manifest, SsoProtocol};

use super::expression::AttributeStatement;
use super::text::closest;
use super::{OidcRelyingParty, SamlServiceProvider, ServiceProvider, SpValueOrigin, ValueOrigin};

/// The SP input that gives (or replaces) the SAML ACS URL.
pub const ACS_URL: &str = "acs_url";
/// The SP input that gives (or replaces) the SAML SP entity ID.
pub const ENTITY_ID: &str = "entity_id";
/// The SP input that gives the OIDC redirect URI.
pub const REDIRECT_URI: &str = "redirect_uri";

/// Tenant variables and SP inputs, by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SsoInputs {
    values: BTreeMap<String, String>,
}

impl SsoInputs {
    /// No inputs.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `name` to `value` (a later value replaces an earlier one).
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.values.insert(name.into(), value.into());
        self
    }

    /// Like [`set`](Self::set), by value.
    pub fn with(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.set(name, value);
        self
    }

    /// The value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// Every input, by name.
    pub fn values(&self) -> &BTreeMap<String, String> {
        &self.values
    }

    /// Parses `name=value` (the CLI's `--var`) and sets it.
    ///
    /// # Errors
    ///
    /// A message when there is no `=` or the name is empty.
    pub fn set_assignment(&mut self, assignment: &str) -> Result<(), String> {
        let Some((name, value)) = assignment.split_once('=') else {
            return Err(format!(
                "`{assignment}` is not NAME=VALUE (for example `vanity=acme`)"
            ));
        };
        let name = name.trim();
        if name.is_empty() {
            return Err(format!("`{assignment}` has an empty name"));
        }
        self.set(name, value);
        Ok(())
    }
}

/// One thing wrong with the inputs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum InputProblem {
    /// A name that is neither a tenant variable of the connector nor an SP input.
    Unknown {
        /// The name given.
        name: String,
        /// A close known name, when the given one looks like a typo.
        suggestion: Option<String>,
        /// Every name the connector takes.
        known: Vec<String>,
    },
    /// A tenant variable the sign-in templates use but the inputs lack (or give empty).
    MissingVariable {
        /// The variable.
        name: String,
        /// What the admin should enter (from the spec).
        description: String,
        /// An example value (from the spec).
        example: String,
        /// The spec keys whose templates use it (`sso.acs_url`).
        used_by: Vec<String>,
    },
    /// An SP value the spec does not fix and the inputs lack.
    MissingSpValue {
        /// The input name (`acs_url`, `entity_id`, `redirect_uri`).
        name: String,
        /// What the value is and where to find it.
        description: String,
    },
    /// A value that is not acceptable (not an https URL, white space in an entity ID).
    Invalid {
        /// The input or spec key.
        name: String,
        /// The rendered value.
        value: String,
        /// Why it is refused.
        reason: String,
    },
}

impl fmt::Display for InputProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unknown {
                name,
                suggestion,
                known,
            } => {
                write!(f, "unknown input `{name}`")?;
                if let Some(suggestion) = suggestion {
                    write!(f, " (did you mean `{suggestion}`?)")?;
                }
                write!(f, "; this connector takes: {}", known.join(", "))
            }
            Self::MissingVariable {
                name,
                description,
                example,
                used_by,
            } => write!(
                f,
                "tenant variable `{name}` is not set (used by {}): {description}; \
                 for example `{name}={example}`",
                used_by.join(", ")
            ),
            Self::MissingSpValue { name, description } => {
                write!(f, "`{name}` is not set: {description}")
            }
            Self::Invalid {
                name,
                value,
                reason,
            } => write!(f, "`{name}` = `{value}` is refused: {reason}"),
        }
    }
}

/// Every problem with the inputs of one connector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
pub struct SsoInputError {
    /// The connector's human name.
    pub connector: String,
    /// The problems, in a stable order (unknown names, then missing and invalid values).
    pub problems: Vec<InputProblem>,
}

impl fmt::Display for SsoInputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot build {} sign-in artifacts ({} problem{}):",
            self.connector,
            self.problems.len(),
            if self.problems.len() == 1 { "" } else { "s" }
        )?;
        for problem in &self.problems {
            write!(f, "\n  - {problem}")?;
        }
        Ok(())
    }
}

/// Resolves the SP facts of `manifest`, rendering its templates with `inputs`.
pub(crate) fn resolve(
    manifest: &Manifest,
    inputs: &SsoInputs,
) -> Result<ServiceProvider, SsoInputError> {
    let sso = &manifest.sso;
    let protocol = if sso.protocols.contains(&SsoProtocol::Saml2) || sso.protocols.is_empty() {
        SsoProtocol::Saml2
    } else {
        SsoProtocol::Oidc
    };
    let sp_inputs: &[&str] = match protocol {
        SsoProtocol::Saml2 => &[ACS_URL, ENTITY_ID],
        SsoProtocol::Oidc => &[REDIRECT_URI],
    };
    let mut resolver = Resolver {
        manifest,
        inputs,
        problems: Vec::new(),
        missing: BTreeMap::new(),
    };
    resolver.check_names(sp_inputs);

    let login_url = sso
        .login_url
        .and_then(|template| resolver.render(template, "sso.login_url"))
        .and_then(|url| resolver.url("sso.login_url", url));

    let (saml, oidc) = match protocol {
        SsoProtocol::Saml2 => (resolver.saml(), None),
        SsoProtocol::Oidc => (None, resolver.oidc(login_url.clone())),
    };

    let mut problems = resolver.problems;
    for (name, used_by) in resolver.missing {
        let variable = manifest.variables.iter().find(|v| v.name == name);
        problems.push(InputProblem::MissingVariable {
            description: variable.map_or_else(String::new, |v| v.description.to_owned()),
            example: variable.map_or_else(String::new, |v| v.example.to_owned()),
            name,
            used_by,
        });
    }
    problems.sort_by_key(|problem| match problem {
        InputProblem::Unknown { .. } => 0,
        InputProblem::MissingVariable { .. } => 1,
        InputProblem::MissingSpValue { .. } => 2,
        InputProblem::Invalid { .. } => 3,
    });
    if !problems.is_empty() {
        return Err(SsoInputError {
            connector: manifest.display_name.to_owned(),
            problems,
        });
    }
    Ok(ServiceProvider {
        connector: manifest.name,
        display_name: manifest.display_name,
        protocol,
        protocols: sso.protocols.to_vec(),
        sp_initiated_only: sso.sp_initiated_only,
        login_url,
        saml,
        oidc,
    })
}

/// Renders templates and collects problems.
struct Resolver<'a> {
    manifest: &'a Manifest,
    inputs: &'a SsoInputs,
    problems: Vec<InputProblem>,
    /// Missing tenant variable -> the spec keys that use it.
    missing: BTreeMap<String, Vec<String>>,
}

impl Resolver<'_> {
    /// Reports names that are neither tenant variables nor SP inputs, and empty values.
    fn check_names(&mut self, sp_inputs: &[&str]) {
        let known: Vec<&str> = self
            .manifest
            .variables
            .iter()
            .map(|v| v.name)
            .chain(sp_inputs.iter().copied())
            .collect();
        for (name, value) in self.inputs.values() {
            if !known.contains(&name.as_str()) {
                self.problems.push(InputProblem::Unknown {
                    name: name.clone(),
                    suggestion: closest(name, known.iter().copied()).map(str::to_owned),
                    known: known.iter().map(|k| (*k).to_owned()).collect(),
                });
            } else if value.trim().is_empty() {
                self.problems.push(InputProblem::Invalid {
                    name: name.clone(),
                    value: value.clone(),
                    reason: "the value is empty".to_owned(),
                });
            }
        }
    }

    /// Renders `template` (spec key `key`), recording every variable it lacks.
    fn render(&mut self, template: &str, key: &str) -> Option<String> {
        let variables: BTreeMap<String, String> = self
            .inputs
            .values()
            .iter()
            .filter(|(_, value)| !value.trim().is_empty())
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect();
        let mut complete = true;
        for name in connector_model::placeholder::placeholders(template) {
            if !variables.contains_key(name) {
                complete = false;
                let used_by = self.missing.entry(name.to_owned()).or_default();
                if !used_by.iter().any(|k| k == key) {
                    used_by.push(key.to_owned());
                }
            }
        }
        if !complete {
            return None;
        }
        match render_template(template, &variables) {
            Ok(value) => Some(value),
            Err(error) => {
                self.problems.push(InputProblem::Invalid {
                    name: key.to_owned(),
                    value: template.to_owned(),
                    reason: error.to_string(),
                });
                None
            }
        }
    }

    /// Checks that `value` is an https URL (http is accepted for loopback hosts only).
    fn url(&mut self, name: &str, value: String) -> Option<String> {
        match check_url(&value) {
            Ok(()) => Some(value),
            Err(reason) => {
                self.problems.push(InputProblem::Invalid {
                    name: name.to_owned(),
                    value,
                    reason,
                });
                None
            }
        }
    }

    /// An SP value: the input `input` when given, else the spec's template, else a problem.
    fn sp_value(
        &mut self,
        input: &str,
        template: Option<&str>,
        key: &str,
        description: String,
    ) -> Option<(String, ValueOrigin)> {
        if let Some(value) = self.inputs.get(input) {
            if value.trim().is_empty() {
                return None; // reported by check_names
            }
            return Some((value.to_owned(), ValueOrigin::Input));
        }
        match template {
            Some(template) => self
                .render(template, key)
                .map(|value| (value, ValueOrigin::Spec)),
            None => {
                self.problems.push(InputProblem::MissingSpValue {
                    name: input.to_owned(),
                    description,
                });
                None
            }
        }
    }

    fn saml(&mut self) -> Option<SamlServiceProvider> {
        let sso = &self.manifest.sso;
        let service = self.manifest.display_name;
        let acs = self.sp_value(
            ACS_URL,
            sso.acs_url,
            "sso.acs_url",
            format!(
                "{service}'s spec does not fix the SAML ACS URL because the service issues it \
                 per SSO connection; copy it from {service}'s SSO setup page and pass \
                 `{ACS_URL}=<URL>`"
            ),
        );
        let entity = self.sp_value(
            ENTITY_ID,
            sso.entity_id,
            "sso.entity_id",
            format!(
                "{service}'s spec does not fix the SAML SP entity ID (audience) because the \
                 service issues it per SSO connection; copy it from {service}'s SSO setup page \
                 and pass `{ENTITY_ID}=<entity ID>`"
            ),
        );
        let acs =
            acs.and_then(|(value, origin)| self.url(ACS_URL, value).map(|value| (value, origin)));
        let entity = entity.and_then(|(value, origin)| {
            if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
                self.problems.push(InputProblem::Invalid {
                    name: ENTITY_ID.to_owned(),
                    value,
                    reason: "an entity ID is a URI and cannot contain white space or control \
                             characters"
                        .to_owned(),
                });
                None
            } else if value.len() > 1024 {
                self.problems.push(InputProblem::Invalid {
                    name: ENTITY_ID.to_owned(),
                    value,
                    reason: "SAML metadata limits entity IDs to 1024 characters".to_owned(),
                });
                None
            } else {
                Some((value, origin))
            }
        });
        let ((acs_url, acs_origin), (entity_id, entity_origin)) = (acs?, entity?);
        Some(SamlServiceProvider {
            acs_url,
            entity_id,
            origin: SpValueOrigin {
                acs_url: acs_origin,
                entity_id: entity_origin,
            },
            name_id_format: sso.name_id_format.to_owned(),
            attributes: sso
                .attributes
                .iter()
                .map(|(name, template)| AttributeStatement::new(name, template))
                .collect(),
        })
    }

    fn oidc(&mut self, login_url: Option<String>) -> Option<OidcRelyingParty> {
        let service = self.manifest.display_name;
        let Some(redirect_uri) = self.inputs.get(REDIRECT_URI) else {
            self.problems.push(InputProblem::MissingSpValue {
                name: REDIRECT_URI.to_owned(),
                description: format!(
                    "{service} signs in with OIDC and its spec does not fix the redirect URI; \
                     copy it from {service}'s SSO setup page and pass `{REDIRECT_URI}=<URL>`"
                ),
            });
            return None;
        };
        let redirect_uri = self.url(REDIRECT_URI, redirect_uri.to_owned())?;
        Some(OidcRelyingParty {
            redirect_uri,
            initiate_login_uri: login_url,
        })
    }
}

/// Accepts an absolute https URL with a host, or http to a loopback host (local tests and
/// the sandbox).
pub(crate) fn check_url(value: &str) -> Result<(), String> {
    let url = url::Url::parse(value).map_err(|e| format!("not a URL ({e})"))?;
    let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    match url.scheme() {
        "https" if url.host_str().is_some() => Ok(()),
        "http" if loopback => Ok(()),
        "http" => Err("sign-in URLs must use https".to_owned()),
        other => Err(format!("the scheme must be https, not `{other}`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignments_split_on_the_first_equals_sign() {
        let mut inputs = SsoInputs::new();
        inputs.set_assignment("acs_url=https://x/acs?a=b").unwrap();
        assert_eq!(inputs.get("acs_url"), Some("https://x/acs?a=b"));
        assert!(inputs.set_assignment("novalue").is_err());
        assert!(inputs.set_assignment("=x").is_err());
    }

    #[test]
    fn urls_must_be_https_except_on_loopback() {
        assert!(check_url("https://acme.zoom.us/saml/SSO").is_ok());
        assert!(check_url("http://127.0.0.1:8080/acs").is_ok());
        assert!(check_url("http://acme.zoom.us/saml/SSO").is_err());
        assert!(check_url("acme.zoom.us").is_err());
    }
}
