//! `[extensions]`, `[directory]`, `[mapping]` and `[license]`: every key resolves to an
//! attribute, every template reads real profile fields, every value fits its type.

use std::collections::BTreeMap;

use super::provisioning::Provisioning;
use super::urls::string_base;
use super::{Checker, Templates, is_snake_ident};
use crate::catalog::{ExtensionInfo, Target, resolve_key};
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::ir::{AttributeModel, ExtensionModel, SkuModel, ValueModel};
use crate::spec::Sp;
use crate::spec::model::{Capability, CustomKind, LicenseMode, MappingValue, ScimType, SpecFile};
use crate::template::{TemplateContext, parse_template};

/// The checked mapping side of a spec.
pub(crate) struct Mapped {
    pub extensions: Vec<ExtensionModel>,
    pub ext_info: BTreeMap<String, ExtensionInfo>,
    pub custom: BTreeMap<String, CustomKind>,
    pub attributes: Vec<AttributeModel>,
}

/// Aliases that would collide with a field of the generated User struct.
fn reserved_alias(alias: &str) -> bool {
    const FIXED: &[&str] = &[
        "schemas",
        "id",
        "user_name",
        "active",
        "meta",
        "name",
        "enterprise",
        "emails",
        "phone_numbers",
    ];
    FIXED.contains(&alias)
        || crate::catalog::CORE_SIMPLE
            .iter()
            .any(|(_, field)| *field == alias)
}

pub(crate) fn check_mapping(cx: &mut Checker<'_>, spec: &SpecFile) -> Mapped {
    let mut extensions = Vec::new();
    let mut ext_info = BTreeMap::new();
    for (alias, ext) in &spec.extensions {
        cx.source(&format!("extensions.{}", alias.as_str()), &ext.source);
        if !is_snake_ident(alias.as_str()) {
            cx.error(
                alias.span(),
                format!(
                    "extension alias `{}` must be lowercase snake_case",
                    alias.as_str()
                ),
            );
        } else if reserved_alias(alias.as_str()) {
            cx.error_help(
                alias.span(),
                format!(
                    "extension alias `{}` is taken by a field of the generated User",
                    alias.as_str()
                ),
                "choose another alias, such as the vendor's name",
            );
        }
        if !ext.urn.as_str().starts_with("urn:") || ext.urn.as_str().contains(char::is_whitespace) {
            cx.error(
                ext.urn.span(),
                format!(
                    "`{}` is not a schema URN (it starts with `urn:`)",
                    ext.urn.as_str()
                ),
            );
        }
        let mut attributes = Vec::new();
        for (name, attr) in &ext.attributes {
            let valid = name.as_str().starts_with(|c: char| c.is_ascii_alphabetic())
                && name
                    .as_str()
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if !valid {
                cx.error(
                    name.span(),
                    format!("`{}` is not a valid SCIM attribute name", name.as_str()),
                );
            }
            attributes.push((
                name.as_str().to_owned(),
                *attr.kind.get(),
                attr.description.as_str().to_owned(),
            ));
        }
        ext_info.insert(
            alias.as_str().to_owned(),
            ExtensionInfo {
                urn: ext.urn.as_str().to_owned(),
                attributes: attributes.iter().map(|(n, k, _)| (n.clone(), *k)).collect(),
            },
        );
        extensions.push(ExtensionModel {
            alias: alias.as_str().to_owned(),
            urn: ext.urn.as_str().to_owned(),
            name: ext.name.as_str().to_owned(),
            description: ext.description.as_str().to_owned(),
            attributes,
        });
    }

    let mut custom = BTreeMap::new();
    for (name, kind) in &spec.directory.custom {
        if connector_model::profile_field(name.as_str()).is_some() {
            cx.error(
                name.span(),
                format!(
                    "custom attribute `{}` has the name of a base profile field",
                    name.as_str()
                ),
            );
        } else if !is_snake_ident(name.as_str()) {
            cx.error(
                name.span(),
                format!(
                    "custom attribute `{}` must be lowercase snake_case",
                    name.as_str()
                ),
            );
        }
        custom.insert(name.as_str().to_owned(), *kind.get());
    }

    let rest_attributes = rest_attributes(cx, spec);
    let mut attributes = Vec::new();
    for (key, value) in &spec.mapping {
        let resolved = match &rest_attributes {
            Some(declared) => resolve_rest_key(key.as_str(), declared),
            None => resolve_key(key.as_str(), &ext_info),
        };
        let target = match resolved {
            Ok(target) => target,
            Err(unresolved) => {
                let mean = did_you_mean(
                    key.as_str(),
                    unresolved.candidates.iter().map(String::as_str),
                );
                cx.error(key.span(), format!("{}{mean}", unresolved.message));
                continue;
            }
        };
        let subject = format!("mapping for `{}`", key.as_str());
        if let Some(checked) = check_value(cx, &subject, &target, value, &custom, true) {
            let flags = rest_attributes
                .as_ref()
                .and_then(|d| d.get(key.as_str()))
                .map_or((false, false), |(_, create_only, sensitive)| {
                    (*create_only, *sensitive)
                });
            attributes.push(AttributeModel {
                key: key.as_str().to_owned(),
                source_text: source_text(value),
                target,
                value: checked,
                create_only: flags.0,
                sensitive: flags.1,
            });
        }
    }
    if let Some(declared) = &rest_attributes {
        require_rest_user_name(cx, spec, declared);
    } else if !spec.mapping.keys().any(|k| k.as_str() == "userName") {
        let at = cx
            .source
            .find("[mapping]")
            .map_or(0..0, |i| i..i + "[mapping]".len());
        cx.errors.push(
            Diagnostic::new(
                at,
                "the mapping has no `userName`: every account needs its unique sign-in name",
            )
            .with_help("add e.g. `userName = \"{email}\"`"),
        );
    }
    Mapped {
        extensions,
        ext_info,
        custom,
        attributes,
    }
}

/// Checks a mapping value against its target's type.
fn check_value(
    cx: &mut Checker<'_>,
    subject: &str,
    target: &Target,
    value: &Sp<MappingValue>,
    custom: &BTreeMap<String, CustomKind>,
    allow_template: bool,
) -> Option<ValueModel> {
    let want = target.kind();
    let found = match value.get() {
        MappingValue::Template(_) => "a text template",
        MappingValue::Boolean(_) => "a boolean",
        MappingValue::Integer(_) => "an integer",
    };
    match (value.get(), want) {
        (MappingValue::Template(text), ScimType::String | ScimType::DateTime) => {
            if text.is_empty() {
                cx.error_help(
                    value.span(),
                    format!("{subject} is empty"),
                    "remove the key, or write a template such as \"{email}\"",
                );
                return None;
            }
            if !allow_template {
                if text.contains('{') {
                    cx.error(
                        value.span(),
                        format!("{subject}: a licence value is a constant, not a template"),
                    );
                    return None;
                }
                return Some(ValueModel::Template(crate::template::Template {
                    source: text.clone().into(),
                    parts: vec![crate::template::Part::Text(text.clone().into())].into(),
                }));
            }
            let text_sp = Sp(serde_spanned::Spanned::new(value.span(), text.clone()));
            let (base, exact) = string_base(cx.source, &text_sp);
            let tcx = TemplateContext {
                subject,
                custom,
                base,
                exact,
                value_span: value.span(),
            };
            parse_template(text, &tcx, &mut cx.errors).map(ValueModel::Template)
        }
        (MappingValue::Boolean(b), ScimType::Boolean) => Some(ValueModel::Boolean(*b)),
        (MappingValue::Integer(i), ScimType::Integer) => Some(ValueModel::Integer(*i)),
        (_, want) => {
            let want_name = match want {
                ScimType::String => "a string",
                ScimType::Boolean => "a boolean",
                ScimType::Integer => "an integer",
                ScimType::DateTime => "a dateTime",
            };
            let help = match want {
                ScimType::String | ScimType::DateTime => "write the value as a quoted string",
                ScimType::Boolean => "write `true` or `false` without quotes",
                ScimType::Integer => "write a whole number without quotes",
            };
            cx.error_help(
                value.span(),
                format!(
                    "type mismatch: {subject} is {found}, but `{}` is {want_name} attribute",
                    target.display_path()
                ),
                help,
            );
            None
        }
    }
}

fn source_text(value: &Sp<MappingValue>) -> String {
    match value.get() {
        MappingValue::Template(t) => t.clone(),
        MappingValue::Boolean(b) => b.to_string(),
        MappingValue::Integer(i) => i.to_string(),
    }
}

fn json_of(value: &ValueModel) -> String {
    match value {
        ValueModel::Template(t) => {
            let text: String = t
                .parts
                .iter()
                .map(|p| match p {
                    crate::template::Part::Text(l) => l.as_ref(),
                    crate::template::Part::Expr(_) => "",
                })
                .collect();
            serde_json::Value::String(text).to_string()
        }
        ValueModel::Boolean(b) => b.to_string(),
        ValueModel::Integer(i) => i.to_string(),
    }
}

/// Checks `[license]` against the capabilities and the mapping.
pub(crate) fn check_licenses(
    cx: &mut Checker<'_>,
    spec: &SpecFile,
    provisioning: &Provisioning,
    mapped: &Mapped,
    templates: &mut Templates,
) -> (Vec<SkuModel>, Vec<Target>) {
    let has_license = provisioning.capabilities.contains(&Capability::License);
    let license_span = spec
        .provisioning
        .capabilities
        .get()
        .iter()
        .find(|c| *c.get() == Capability::License)
        .map(Sp::span);
    let Some(section) = &spec.license else {
        if let Some(span) = license_span {
            cx.error_help(
                span,
                "capability `license` needs a `[license]` section with at least one SKU",
                "declare `[license.skus.<name>]` with its mode",
            );
        }
        return (Vec::new(), Vec::new());
    };
    cx.source("license", &section.source);
    if section.skus.is_empty() {
        cx.error(section.source.span(), "`[license]` declares no SKU");
    }
    let mut skus = Vec::new();
    let mut extra_targets: Vec<Target> = Vec::new();
    let mut seats = SeatAttributes::default();
    for (name, sku) in &section.skus {
        if !is_snake_ident(name.as_str()) {
            cx.error(
                name.span(),
                format!("SKU name `{}` must be lowercase snake_case", name.as_str()),
            );
        }
        let mode = *sku.mode.get();
        if !has_license && mode != LicenseMode::Automatic {
            cx.error_help(
                sku.mode.span(),
                format!(
                    "SKU `{}` is assigned by `{}` but capability `license` is not declared",
                    name.as_str(),
                    mode_name(mode)
                ),
                "add `license` to `provisioning.capabilities`",
            );
        }
        let mut model = SkuModel {
            name: name.as_str().to_owned(),
            display_name: sku.display_name.as_str().to_owned(),
            mode,
            attribute: None,
            group: sku.group.as_ref().map(|g| g.as_str().to_owned()),
            instructions: sku.instructions.as_ref().map(|i| i.as_str().to_owned()),
            console_url: sku.console_url.as_ref().map(|u| u.as_str().to_owned()),
            params: sku
                .params
                .iter()
                .map(|(k, v)| (k.as_str().to_owned(), v.as_str().to_owned()))
                .collect(),
        };
        for (key, value) in &sku.params {
            templates.check_text(
                cx,
                &format!("license.skus.{}.params.{}", name.as_str(), key.as_str()),
                value,
            );
        }
        if let Some(url) = &sku.console_url {
            templates.check_url(
                cx,
                &format!("license.skus.{}.console_url", name.as_str()),
                url,
            );
        }
        let present = [
            ("attribute", sku.attribute.is_some()),
            ("assign", sku.assign.is_some()),
            ("revoke", sku.revoke.is_some()),
            ("group", sku.group.is_some()),
            ("instructions", sku.instructions.is_some()),
        ];
        let allowed: &[&str] = match mode {
            LicenseMode::Attribute => &["attribute", "assign", "revoke"],
            LicenseMode::Group => &["group"],
            LicenseMode::Manual => &["instructions"],
            LicenseMode::Automatic => &[],
            LicenseMode::Api => &[],
        };
        let stray: Vec<&str> = present
            .iter()
            .filter(|(key, set)| *set && !allowed.contains(key))
            .map(|(key, _)| *key)
            .collect();
        for key in stray {
            cx.error(
                sku.mode.span(),
                format!(
                    "SKU `{}`: `{key}` does not apply to mode `{}`",
                    name.as_str(),
                    mode_name(mode)
                ),
            );
        }
        if provisioning.protocol == crate::spec::model::Protocol::Rest
            && matches!(mode, LicenseMode::Attribute | LicenseMode::Group)
        {
            cx.error_help(
                sku.mode.span(),
                format!("SKU `{}`: mode `{}` needs SCIM; protocol `rest` assigns seats with `api` operations", name.as_str(), mode_name(mode)),
                "use mode `api` with `[rest.operations.assign_license]` and `revoke_license`",
            );
        }
        match mode {
            LicenseMode::Attribute => {
                let subject = format!("licence SKU `{}`", name.as_str());
                match (&sku.attribute, &sku.assign, &sku.revoke) {
                    (Some(attr), Some(assign), Some(revoke)) => {
                        match resolve_key(attr.as_str(), &mapped.ext_info) {
                            Ok(
                                target @ (Target::Name { .. }
                                | Target::Multi { .. }
                                | Target::Enterprise { .. }),
                            ) => {
                                cx.error_help(
                                attr.span(),
                                format!("{subject}: `{}` cannot carry a seat", target.display_path()),
                                "a licence attribute is a core single-valued attribute (`userType`) or a vendor extension attribute (`zoom.zoomWhiteboard`)",
                            );
                            }
                            Ok(target) => {
                                let a = check_value(
                                    cx,
                                    &subject,
                                    &target,
                                    assign,
                                    &mapped.custom,
                                    false,
                                );
                                let r = check_value(
                                    cx,
                                    &subject,
                                    &target,
                                    revoke,
                                    &mapped.custom,
                                    false,
                                );
                                if let (Some(a), Some(r)) = (a, r) {
                                    let mapped_already =
                                        mapped.attributes.iter().any(|m| m.target == target);
                                    if mapped_already {
                                        cx.error(attr.span(), format!("`{}` is both mapped and a licence attribute; the mapping would undo the seat", attr.as_str()));
                                    } else if !extra_targets.contains(&target) {
                                        extra_targets.push(target.clone());
                                    }
                                    seats.check(
                                        cx,
                                        section.exclusive.as_ref().is_some_and(|e| *e.get()),
                                        Seat {
                                            sku: name.as_str(),
                                            attribute: attr,
                                            target: &target,
                                            assign: json_of(&a),
                                            revoke: json_of(&r),
                                        },
                                    );
                                    model.attribute = Some((target, json_of(&a), json_of(&r)));
                                }
                            }
                            Err(unresolved) => {
                                let mean = did_you_mean(
                                    attr.as_str(),
                                    unresolved.candidates.iter().map(String::as_str),
                                );
                                cx.error(
                                    attr.span(),
                                    format!("{subject}: {}{mean}", unresolved.message),
                                );
                            }
                        }
                    }
                    _ => cx.error(
                        sku.mode.span(),
                        format!(
                            "SKU `{}` in mode `attribute` needs `attribute`, `assign` and `revoke`",
                            name.as_str()
                        ),
                    ),
                }
            }
            LicenseMode::Group => {
                if sku.group.is_none() {
                    cx.error(sku.mode.span(), format!("SKU `{}` in mode `group` needs `group`, the SCIM group that carries the seat", name.as_str()));
                }
                if !provisioning.capabilities.contains(&Capability::Groups) {
                    cx.error(
                        sku.mode.span(),
                        format!(
                            "SKU `{}` in mode `group` needs capability `groups`",
                            name.as_str()
                        ),
                    );
                }
            }
            LicenseMode::Manual => {
                if sku.instructions.is_none() {
                    cx.error(
                        sku.mode.span(),
                        format!(
                            "SKU `{}` in mode `manual` needs `instructions`: what a person must do",
                            name.as_str()
                        ),
                    );
                }
            }
            LicenseMode::Api if rest_licence_ops(spec) => {}
            LicenseMode::Api => {
                cx.error_help(
                    sku.mode.span(),
                    format!(
                        "SKU `{}` in mode `api` needs `[rest.operations.assign_license]` and `revoke_license`, which protocol `{}` does not give",
                        name.as_str(),
                        super::provisioning::protocol_name(provisioning.protocol)
                    ),
                    "declare both operations under `[rest.operations]`, or use `attribute`, `group` or `manual`",
                );
            }
            LicenseMode::Automatic => {}
        }
        skus.push(model);
    }
    if let Some(exclusive) = &section.exclusive
        && *exclusive.get()
        && !seats.shared
    {
        cx.error_help(
            exclusive.span(),
            "`exclusive = true` but no two `attribute` SKUs write the same attribute",
            "remove `exclusive`, or give the alternative seats the same `attribute` with different `assign` values",
        );
    }
    (skus, extra_targets)
}

/// An `attribute` SKU, checked against the others that write the same attribute.
struct Seat<'a> {
    /// The SKU name.
    sku: &'a str,
    /// The `attribute` key as written (for its span).
    attribute: &'a Sp<String>,
    /// What it resolves to.
    target: &'a Target,
    /// The `assign` value as JSON text.
    assign: String,
    /// The `revoke` value as JSON text.
    revoke: String,
}

/// The `attribute` SKUs seen so far: the first SKU of each attribute with its values.
#[derive(Default)]
struct SeatAttributes {
    /// (target, first SKU, every assign value, the revoke value).
    seen: Vec<(Target, String, Vec<String>, String)>,
    /// Whether two SKUs write one attribute.
    shared: bool,
}

impl SeatAttributes {
    /// A second SKU on an attribute is an error unless `[license]` says `exclusive`; then
    /// each must assign its own value, all must revoke with the same value, and that
    /// value must assign none of them (or revoking one would assign another).
    fn check(&mut self, cx: &mut Checker<'_>, exclusive: bool, seat: Seat<'_>) {
        let Some((_, first, assigns, revoke)) =
            self.seen.iter_mut().find(|(t, ..)| t == seat.target)
        else {
            self.seen.push((
                seat.target.clone(),
                seat.sku.to_owned(),
                vec![seat.assign],
                seat.revoke,
            ));
            return;
        };
        self.shared = true;
        let path = seat.target.display_path();
        if !exclusive {
            cx.error_help(
                seat.attribute.span(),
                format!(
                    "SKUs `{first}` and `{}` both write `{path}`: assigning one would silently take the other away",
                    seat.sku
                ),
                "if they are alternative values of one attribute (a seat type), declare `exclusive = true` in `[license]`; otherwise give each SKU its own attribute",
            );
            return;
        }
        if assigns.contains(&seat.assign) {
            cx.error(
                seat.attribute.span(),
                format!(
                    "SKU `{}` assigns `{path}` = {}, which SKU `{first}` (or another) already assigns: exclusive seats need distinct values",
                    seat.sku, seat.assign
                ),
            );
        }
        if seat.revoke != *revoke {
            cx.error(
                seat.attribute.span(),
                format!(
                    "SKU `{}` revokes `{path}` with {}, SKU `{first}` with {revoke}: exclusive seats on one attribute revoke to the same value",
                    seat.sku, seat.revoke
                ),
            );
        }
        assigns.push(seat.assign);
        if assigns.contains(revoke) {
            cx.error(
                seat.attribute.span(),
                format!(
                    "the revoke value {revoke} of `{path}` is also an assign value: revoking one seat would assign another"
                ),
            );
        }
    }
}

fn mode_name(mode: LicenseMode) -> &'static str {
    match mode {
        LicenseMode::Automatic => "automatic",
        LicenseMode::Attribute => "attribute",
        LicenseMode::Group => "group",
        LicenseMode::Api => "api",
        LicenseMode::Manual => "manual",
    }
}

/// Whether the spec declares both REST licence operations.
fn rest_licence_ops(spec: &SpecFile) -> bool {
    spec.rest.as_ref().is_some_and(|rest| {
        ["assign_license", "revoke_license"]
            .iter()
            .all(|op| rest.operations.keys().any(|k| k.as_str() == *op))
    })
}

/// (type, create_only, sensitive) of each declared REST attribute, by dotted path.
type RestAttributes = BTreeMap<String, (ScimType, bool, bool)>;

/// The declared REST attributes when the protocol is `rest`.
fn rest_attributes(cx: &mut Checker<'_>, spec: &SpecFile) -> Option<RestAttributes> {
    if *spec.provisioning.protocol.get() != crate::spec::model::Protocol::Rest {
        return None;
    }
    let mut declared = BTreeMap::new();
    for (path, attr) in spec.rest.iter().flat_map(|r| r.attributes.iter()) {
        let segments: Vec<&str> = path.as_str().split('.').collect();
        let valid = segments.len() <= 2
            && segments.iter().all(|s| {
                s.starts_with(|c: char| c.is_ascii_alphabetic())
                    && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            });
        if !valid {
            cx.error_help(
                path.span(),
                format!("`{}` is not an attribute path", path.as_str()),
                "write a JSON field name, or two joined by `.` (`name.givenName`)",
            );
        }
        if attr.sensitive && !attr.create_only {
            cx.error_help(
                path.span(),
                format!(
                    "`{}` is sensitive, so it cannot be read back and compared",
                    path.as_str()
                ),
                "a sensitive attribute must also be `create_only = true`",
            );
        }
        declared.insert(
            path.as_str().to_owned(),
            (*attr.kind.get(), attr.create_only, attr.sensitive),
        );
    }
    Some(declared)
}

fn resolve_rest_key(
    key: &str,
    declared: &RestAttributes,
) -> Result<Target, crate::catalog::Unresolved> {
    match declared.get(key) {
        Some((kind, _, _)) => Ok(Target::Rest {
            path: key.to_owned(),
            kind: *kind,
        }),
        None => Err(crate::catalog::Unresolved {
            message: format!("mapping key `{key}` is not declared under `[rest.attributes]`"),
            candidates: declared.keys().cloned().collect(),
        }),
    }
}

/// Protocol `rest`: the attribute `[rest.account] user_name` points at must be mapped.
fn require_rest_user_name(cx: &mut Checker<'_>, spec: &SpecFile, declared: &RestAttributes) {
    let Some(pointer) = spec
        .rest
        .as_ref()
        .and_then(|r| r.account.as_ref())
        .map(|a| &a.user_name)
    else {
        return;
    };
    let path = pointer.as_str().trim_start_matches('/').replace('/', ".");
    if !declared.contains_key(&path) {
        cx.error(pointer.span(), format!("`[rest.account] user_name` points at `{path}`, which `[rest.attributes]` does not declare"));
    } else if !spec.mapping.keys().any(|k| k.as_str() == path) {
        cx.error_help(
            pointer.span(),
            format!("the mapping has no `{path}`, the account's unique sign-in name"),
            format!("add e.g. `{path} = \"{{email}}\"`"),
        );
    }
}
