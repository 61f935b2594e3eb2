//! `[[provision]]` and `[[sso]]` rules: instances, SKUs, people and time windows.

use std::collections::BTreeMap;
use std::path::Path;

use serde_spanned::Spanned;

use super::check::unknown_sku;
use super::diag::Diagnostics;
use super::raw::{RawProvision, RawSso};
use super::window::{Bound, Window, parse_instant};
use super::{Instance, ProvisionRule, SsoRule};

/// The instance a rule names, reporting an unknown one.
fn rule_instance<'a>(
    instance: &Spanned<String>,
    instances: &'a BTreeMap<String, Instance>,
    diags: &mut Diagnostics,
) -> Option<&'a Instance> {
    let found = instances.get(instance.get_ref());
    if found.is_none() {
        diags.error(
            instance.span(),
            format!(
                "unknown instance `{}` (declared: {})",
                instance.get_ref(),
                instances.keys().cloned().collect::<Vec<_>>().join(", ")
            ),
        );
    }
    found
}

/// The `from`/`until` window of a rule.
fn window(
    from: Option<&Spanned<toml::Value>>,
    until: Option<&Spanned<toml::Value>>,
    diags: &mut Diagnostics,
) -> Window {
    let mut read = |value: Option<&Spanned<toml::Value>>, bound| {
        value.and_then(|v| match parse_instant(v.get_ref(), bound) {
            Ok(instant) => Some(instant),
            Err(message) => {
                diags.error(v.span(), message);
                None
            }
        })
    };
    let starts = read(from, Bound::Start);
    let ends = read(until, Bound::End);
    if let (Some(s), Some(e), Some(until)) = (starts, ends, until)
        && e <= s
    {
        diags.error(until.span(), "`until` is before `from`");
    }
    Window {
        starts,
        ends,
        until: until.map(|u| match u.get_ref() {
            toml::Value::String(s) => s.clone(),
            toml::Value::Datetime(d) => d.to_string(),
            other => other.type_str().to_owned(),
        }),
    }
}

/// Checks that a rule names someone.
fn who(
    rule: &Spanned<impl Sized>,
    groups: &[Spanned<String>],
    people: &[Spanned<String>],
    diags: &mut Diagnostics,
) {
    if groups.is_empty() && people.is_empty() {
        diags.error(rule.span(), "the rule names no `groups` and no `people`");
    }
}

/// One `[[provision]]` rule.
pub(super) fn check_provision(
    path: &Path,
    rule: &Spanned<RawProvision>,
    instances: &BTreeMap<String, Instance>,
    diags: &mut Diagnostics,
) -> Option<ProvisionRule> {
    let raw = rule.get_ref();
    who(rule, &raw.groups, &raw.people, diags);
    let window = window(raw.from.as_ref(), raw.until.as_ref(), diags);
    let instance = rule_instance(&raw.instance, instances, diags)?;
    for sku in &raw.licenses {
        if instance.manifest.license(sku.get_ref()).is_none() {
            diags.error(sku.span(), unknown_sku(instance.manifest, sku.get_ref()));
        }
    }
    Some(ProvisionRule {
        location: format!("{}:{}", file_name(path), diags.line_of(rule.span().start)),
        instance: instance.name.clone(),
        groups: strings(&raw.groups),
        people: strings(&raw.people),
        licenses: strings(&raw.licenses),
        window,
    })
}

/// One `[[sso]]` rule.
pub(super) fn check_sso(
    path: &Path,
    rule: &Spanned<RawSso>,
    instances: &BTreeMap<String, Instance>,
    diags: &mut Diagnostics,
) -> Option<SsoRule> {
    let raw = rule.get_ref();
    who(rule, &raw.groups, &raw.people, diags);
    let window = window(None, raw.until.as_ref(), diags);
    let instance = rule_instance(&raw.instance, instances, diags)?;
    Some(SsoRule {
        location: format!("{}:{}", file_name(path), diags.line_of(rule.span().start)),
        instance: instance.name.clone(),
        groups: strings(&raw.groups),
        people: strings(&raw.people),
        window,
    })
}

/// The values of spanned strings.
fn strings(values: &[Spanned<String>]) -> Vec<String> {
    values.iter().map(|v| v.get_ref().clone()).collect()
}

/// The file's name, for rule locations.
fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}
