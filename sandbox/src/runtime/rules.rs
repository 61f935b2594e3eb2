//! The behaviour of a tenant's SCIM API: the vendor's dialect from its manifest, strict
//! RFC 7644 for the generic tenant, and the permissive admin view over either.

use connector_sdk::Manifest;
use connector_sdk::manifest::{Capability, DeactivateMethod, PatchStyle, UpdateMethod};

use crate::scim::error::{ScimError, ScimResult};
use crate::scim::filter::Filter;

/// What `DELETE /Users/{id}` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DeleteRule {
    /// Removes the user (404 afterwards).
    Remove,
    /// Deactivates the user and keeps it (Slack).
    Deactivate,
    /// Not offered: 405 (Canva).
    Refuse,
}

/// Which `/Users` filters the service understands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FilterRule {
    /// Any RFC 7644 filter.
    Any,
    /// Filters on this attribute only (`userName`, `emails`).
    Only(String),
    /// None at all.
    Refuse,
}

/// The behaviour switches of one SCIM API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rules {
    /// Updates are PUTs; PATCH may change `active` only (Zoom).
    pub update_by_put: bool,
    /// `add`/`replace` must be path-less (a `pathless` dialect).
    pub pathless_only: bool,
    /// What DELETE does to a User.
    pub delete: DeleteRule,
    /// The `/Users` filters understood.
    pub filter: FilterRule,
    /// The largest page returned.
    pub page_size: u32,
    /// A page's size when the client gives no `count`.
    pub default_count: u32,
    /// Writes must carry `schemas` with the core schema (RFC-strict).
    pub require_schemas: bool,
    /// A new User without `active` is active (what services do).
    pub default_active: bool,
    /// A successful PATCH answers 204 without a body.
    pub patch_no_content: bool,
    /// The `User-Agent` requests must carry, if any.
    pub user_agent: Option<&'static str>,
}

impl Rules {
    /// The vendor's behaviour, from the manifest's dialect and capabilities.
    pub(crate) fn from_manifest(manifest: &Manifest) -> Self {
        let dialect = &manifest.provisioning.dialect;
        let delete = match dialect.deactivate {
            DeactivateMethod::Delete => DeleteRule::Deactivate,
            _ if manifest.can(Capability::Delete) => DeleteRule::Remove,
            _ => DeleteRule::Refuse,
        };
        let filter = match dialect.filter_attribute {
            Some(attribute) => FilterRule::Only(attribute.to_owned()),
            None => FilterRule::Refuse,
        };
        let update_by_put = dialect.update == UpdateMethod::Put;
        Self {
            update_by_put,
            pathless_only: dialect.patch_style == PatchStyle::Pathless,
            delete,
            filter,
            page_size: dialect.page_size.max(1),
            default_count: dialect.page_size.clamp(1, 100),
            require_schemas: false,
            default_active: true,
            patch_no_content: update_by_put,
            user_agent: dialect.user_agent,
        }
    }

    /// Strict RFC 7643/7644 behaviour (the `generic` tenant).
    pub(crate) fn generic() -> Self {
        Self {
            update_by_put: false,
            pathless_only: false,
            delete: DeleteRule::Remove,
            filter: FilterRule::Any,
            page_size: 1000,
            default_count: 100,
            require_schemas: true,
            default_active: false,
            patch_no_content: false,
            user_agent: None,
        }
    }

    /// The admin view of the same data: any filter, PATCH style and page size, DELETE
    /// removes, no `User-Agent` required.
    pub(crate) fn admin_view(&self) -> Self {
        Self {
            update_by_put: false,
            pathless_only: false,
            delete: DeleteRule::Remove,
            filter: FilterRule::Any,
            page_size: self.page_size.max(1000),
            default_count: 100,
            require_schemas: false,
            default_active: self.default_active,
            patch_no_content: false,
            user_agent: None,
        }
    }

    /// Refuses a `/Users` filter the service does not understand (400 `invalidFilter`).
    pub(crate) fn check_user_filter(&self, filter: &Filter) -> ScimResult<()> {
        let allowed: Vec<String> = match &self.filter {
            FilterRule::Any => return Ok(()),
            FilterRule::Refuse => {
                return Err(ScimError::invalid_filter(
                    "this service does not support filtering users",
                ));
            }
            FilterRule::Only(attribute) => {
                let attribute = attribute.to_ascii_lowercase();
                if attribute.starts_with("emails") {
                    vec!["emails".to_owned(), "emails.value".to_owned()]
                } else {
                    vec![attribute]
                }
            }
        };
        for path in filter.attributes() {
            if !allowed.contains(&path.key()) {
                return Err(ScimError::invalid_filter(format!(
                    "this service filters users only on {}, not on `{path}`",
                    allowed.join(" / ")
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_rules() {
        let mut rules = Rules::generic();
        let parse = |f: &str| Filter::parse(f).unwrap();
        assert!(rules.check_user_filter(&parse("title pr")).is_ok());
        rules.filter = FilterRule::Only("userName".into());
        assert!(
            rules
                .check_user_filter(&parse(r#"USERNAME eq "a""#))
                .is_ok()
        );
        assert!(
            rules
                .check_user_filter(&parse(r#"externalId eq "a""#))
                .is_err()
        );
        rules.filter = FilterRule::Only("emails".into());
        assert!(rules.check_user_filter(&parse(r#"emails eq "a""#)).is_ok());
        assert!(
            rules
                .check_user_filter(&parse(r#"emails[value eq "a"]"#))
                .is_ok()
        );
        assert!(
            rules
                .check_user_filter(&parse(r#"emails.type eq "a""#))
                .is_err()
        );
        rules.filter = FilterRule::Refuse;
        let error = rules
            .check_user_filter(&parse(r#"userName eq "a""#))
            .unwrap_err();
        assert_eq!(error.scim_type, Some("invalidFilter"));
    }
}
