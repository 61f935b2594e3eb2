//! Checks a parsed spec and builds the [`crate::ir::Model`] that generation reads.
//!
//! Every problem is collected (not just the first), each at its place in the spec.

mod auth;
mod mapping;
pub mod placeholders;
pub(crate) mod provisioning;
mod rest;
pub mod secrets;
mod sso;
mod urls;

use std::collections::BTreeMap;

use crate::diagnostic::Diagnostic;
use crate::ir::Model;
use crate::spec::Sp;
use crate::spec::model::SpecFile;

pub use placeholders::find_placeholders;
pub use provisioning::name as capability_name;
pub use urls::Templates;

/// State shared by the checks: the spec text and the problems found so far.
pub(crate) struct Checker<'s> {
    pub source: &'s str,
    pub errors: Vec<Diagnostic>,
    pub sources: Vec<(String, String)>,
}

impl Checker<'_> {
    pub(crate) fn error(&mut self, span: std::ops::Range<usize>, message: impl Into<String>) {
        self.errors.push(Diagnostic::new(span, message));
    }

    pub(crate) fn error_help(
        &mut self,
        span: std::ops::Range<usize>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.errors
            .push(Diagnostic::new(span, message).with_help(help));
    }

    /// Records a `source = "..."` link after checking it is an https URL.
    pub(crate) fn source(&mut self, about: &str, url: &Sp<String>) {
        if !urls::is_https_url(url.as_str()) {
            self.error_help(
                url.span(),
                format!("the source of `{about}` must be an https URL"),
                "link the vendor page the fact comes from",
            );
        }
        self.sources
            .push((about.to_owned(), url.as_str().to_owned()));
    }
}

/// Checks `spec` (parsed from `source`) and builds the model.
pub fn check(spec: &SpecFile, source: &str) -> Result<Model, Vec<Diagnostic>> {
    let mut cx = Checker {
        source,
        errors: Vec::new(),
        sources: Vec::new(),
    };
    if *spec.spec_version.get() != 1 {
        cx.error_help(
            spec.spec_version.span(),
            format!("unsupported spec_version {}", spec.spec_version.get()),
            "this toolkit reads spec_version = 1",
        );
    }
    let connector = &spec.connector;
    let name = connector.name.as_str();
    if name.is_empty()
        || !name.starts_with(|c: char| c.is_ascii_lowercase())
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        cx.error_help(
            connector.name.span(),
            format!("connector name `{name}` is not a valid machine name"),
            "use lowercase letters, digits and `_`, starting with a letter",
        );
    }
    let type_stem = type_stem(connector.display_name.as_str());
    if type_stem.is_empty() {
        cx.error(
            connector.display_name.span(),
            "display_name must contain letters or digits (it names the generated types)",
        );
    }
    urls::check_plain_url(&mut cx, "connector.docs_url", &connector.docs_url);
    cx.source("plan", &spec.plan.source);

    let examples: BTreeMap<String, String> = spec
        .variables
        .iter()
        .map(|(k, v)| {
            let example = v.default.as_ref().unwrap_or(&v.example);
            (k.as_str().to_owned(), example.as_str().to_owned())
        })
        .collect();
    for key in spec.variables.keys() {
        if !is_snake_ident(key.as_str()) {
            cx.error(
                key.span(),
                format!(
                    "variable name `{}` must be lowercase snake_case",
                    key.as_str()
                ),
            );
        }
    }
    let mut templates = Templates::new(examples);

    let auth = auth::check_auth(&mut cx, &spec.auth, &mut templates);
    let provisioning =
        provisioning::check_provisioning(&mut cx, &spec.provisioning, &mut templates);
    let mapped = mapping::check_mapping(&mut cx, spec);
    let (rest, throttle) = rest::check_rest(&mut cx, spec, &provisioning, &mut templates);
    let licenses = mapping::check_licenses(&mut cx, spec, &provisioning, &mapped, &mut templates);
    let sso = sso::check_sso(&mut cx, &spec.sso, &mapped.custom, &mut templates);
    templates.report_unused(&mut cx, spec);

    if !cx.errors.is_empty() {
        let mut errors = cx.errors;
        errors.sort_by_key(|d| (d.span.start, d.span.end));
        errors.dedup();
        return Err(errors);
    }
    let variables = spec
        .variables
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                v.description.as_str().to_owned(),
                v.example.as_str().to_owned(),
                v.default.as_ref().map(|d| d.as_str().to_owned()),
            )
        })
        .collect();
    Ok(Model {
        name: name.to_owned(),
        display_name: connector.display_name.as_str().to_owned(),
        type_stem,
        vendor: connector.vendor.as_str().to_owned(),
        product: connector.product.as_str().to_owned(),
        docs_url: connector.docs_url.as_str().to_owned(),
        plan_sso: spec.plan.sso.as_str().to_owned(),
        plan_provisioning: spec.plan.provisioning.as_str().to_owned(),
        variables,
        auth,
        protocol: provisioning.protocol,
        base_url: provisioning.base_url,
        capabilities: provisioning.capabilities,
        dialect: provisioning.dialect,
        rate_limit: provisioning.rate_limit,
        throttle,
        rest,
        extensions: mapped.extensions,
        custom: mapped.custom,
        attributes: mapped.attributes,
        license_only_targets: licenses.1,
        licenses: licenses.0,
        sso,
        sources: cx.sources,
    })
}

/// `ChatGPT` → `ChatGPT`, `GitHub Copilot` → `GitHubCopilot`, `Microsoft 365 Copilot` →
/// `Microsoft365Copilot`: words kept as written, first letters upper-cased.
pub fn type_stem(display_name: &str) -> String {
    let mut stem = String::new();
    for word in display_name.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            stem.push(first.to_ascii_uppercase());
            stem.extend(chars);
        }
    }
    if stem.starts_with(|c: char| c.is_ascii_digit()) {
        stem.insert(0, 'S');
    }
    stem
}

/// Lowercase letters, digits and `_`, starting with a letter.
pub(crate) fn is_snake_ident(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::type_stem;

    #[test]
    fn type_stems() {
        assert_eq!(type_stem("ChatGPT"), "ChatGPT");
        assert_eq!(type_stem("GitHub Copilot"), "GitHubCopilot");
        assert_eq!(type_stem("Microsoft 365 Copilot"), "Microsoft365Copilot");
        assert_eq!(type_stem("zoom"), "Zoom");
    }
}
