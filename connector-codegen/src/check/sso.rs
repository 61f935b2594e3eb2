//! `[sso]`: protocols, SP-initiated-only services, URL templates, attribute statements.

use std::collections::BTreeMap;

use super::urls::string_base;
use super::{Checker, Templates};
use crate::ir::SsoModel;
use crate::spec::model::{CustomKind, SsoSection};
use crate::template::{Func, TemplateContext, parse_template};

pub(crate) fn check_sso(
    cx: &mut Checker<'_>,
    sso: &SsoSection,
    custom: &BTreeMap<String, CustomKind>,
    templates: &mut Templates,
) -> SsoModel {
    cx.source("sso", &sso.source);
    let sp_initiated_only = sso.sp_initiated_only.as_ref().is_some_and(|s| *s.get());
    if sso.protocols.is_empty() {
        cx.error(
            sso.source.span(),
            "`sso.protocols` is empty; list `saml2` and/or `oidc`",
        );
    }
    if sp_initiated_only
        && sso.login_url.is_none()
        && let Some(flag) = &sso.sp_initiated_only
    {
        cx.error_help(
            flag.span(),
            "an SP-initiated-only service needs `sso.login_url`: the IdP tile is a bookmark to it",
            "add `login_url = \"https://...\"`",
        );
    }
    for (key, value) in [
        ("sso.login_url", &sso.login_url),
        ("sso.acs_url", &sso.acs_url),
    ] {
        if let Some(value) = value {
            templates.check_url(cx, key, value);
        }
    }
    if let Some(entity_id) = &sso.entity_id {
        templates.check_text(cx, "sso.entity_id", entity_id);
    }
    let mut attributes = Vec::new();
    for (name, value) in &sso.attributes {
        let subject = format!("SSO attribute `{}`", name.as_str());
        let (base, exact) = string_base(cx.source, value);
        let tcx = TemplateContext {
            subject: &subject,
            custom,
            base,
            exact,
            value_span: value.span(),
        };
        let Some(template) = parse_template(value.as_str(), &tcx, &mut cx.errors) else {
            continue;
        };
        if template.calls(Func::RandomSecret) {
            cx.error_help(
                value.span(),
                format!(
                    "{subject} calls `random_secret()`: a sign-in assertion carries no \
                     credentials, and Okta has no equivalent"
                ),
                "map a profile field, e.g. `{email}`",
            );
        }
        attributes.push((name.as_str().to_owned(), template));
    }
    let federation = sso.federation.as_ref().map(|f| {
        cx.source("sso.federation", &f.source);
        if f.settings.is_empty() {
            cx.error(f.via.span(), "`sso.federation` lists no settings to enter");
        }
        let settings = f
            .settings
            .iter()
            .map(|s| (s.name.as_str().to_owned(), s.value.as_str().to_owned()))
            .collect();
        crate::ir::FederationModel {
            via: *f.via.get(),
            plan: f.plan.as_str().to_owned(),
            settings,
        }
    });
    SsoModel {
        federation,
        protocols: sso.protocols.iter().map(|p| *p.get()).collect(),
        sp_initiated_only,
        login_url: sso.login_url.as_ref().map(|u| u.as_str().to_owned()),
        acs_url: sso.acs_url.as_ref().map(|u| u.as_str().to_owned()),
        entity_id: sso.entity_id.as_ref().map(|u| u.as_str().to_owned()),
        name_id_format: *sso.name_id_format.get(),
        attributes,
    }
}
