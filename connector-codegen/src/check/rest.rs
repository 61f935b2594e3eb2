//! `[rest]`: operations the capabilities need, templates over known variables only,
//! JSON pointers, statuses, paging, and bodies.

use std::collections::BTreeSet;

use super::provisioning::{Provisioning, protocol_name};
use super::urls::string_base;
use super::{Checker, Templates};
use crate::diagnostic::did_you_mean;
use crate::ir::{AccountModel, GroupModel, LookupModel, OperationModel, RestModel};
use crate::spec::Sp;
use crate::spec::bounds;
use crate::spec::model::{Capability, LicenseMode, MappingValue, Protocol, SpecFile};
use crate::spec::rest_model::{HttpMethod, OperationSection, RestSection};

const OPERATIONS: &[&str] = &[
    "find",
    "list",
    "get",
    "create",
    "update",
    "disable",
    "enable",
    "delete",
    "assign_license",
    "revoke_license",
    "list_groups",
    "create_group",
    "rename_group",
    "delete_group",
    "list_members",
    "add_members",
    "remove_members",
    "whoami",
];

/// The operations of capability `groups`: all of them, or none.
const GROUP_OPERATIONS: &[&str] = &[
    "list_groups",
    "create_group",
    "rename_group",
    "delete_group",
    "list_members",
    "add_members",
    "remove_members",
];

/// The operations that page through a listing (`{page.*}`, `items`, paging keys).
const LISTINGS: &[&str] = &["list", "list_groups", "list_members"];

/// Checks `[rest]` and returns the operations, with the throttle rules.
pub(crate) fn check_rest(
    cx: &mut Checker<'_>,
    spec: &SpecFile,
    provisioning: &Provisioning,
    templates: &mut Templates,
) -> (Option<RestModel>, Vec<(u16, String)>) {
    let Some(rest) = &spec.rest else {
        if provisioning.protocol == Protocol::Rest {
            cx.error(
                spec.provisioning.protocol.span(),
                "protocol `rest` needs a `[rest]` section with its operations",
            );
        }
        return (None, Vec::new());
    };
    cx.source("rest", &rest.source);
    let is_rest = provisioning.protocol == Protocol::Rest;
    if provisioning.protocol == Protocol::None {
        cx.error(
            rest.source.span(),
            "protocol `none` has no API, so no `[rest]`",
        );
    }
    if !is_rest {
        for key in rest.attributes.keys() {
            cx.error(key.span(), format!("`[rest.attributes]` describes a `rest` protocol account; protocol `{}` has its own", protocol_name(provisioning.protocol)));
        }
    }
    let account = check_account(cx, rest, is_rest);
    let group = check_group(cx, rest, is_rest, provisioning);
    let sku_params = api_sku_params(spec);
    let mut operations = Vec::new();
    for (name, op) in &rest.operations {
        if !OPERATIONS.contains(&name.as_str()) {
            let mean = did_you_mean(name.as_str(), OPERATIONS.iter().copied());
            cx.error(
                name.span(),
                format!("unknown operation `{}`{mean}", name.as_str()),
            );
            continue;
        }
        if !is_rest && !name.as_str().ends_with("_license") {
            cx.error(name.span(), format!("protocol `{}` does its own `{}`; `[rest.operations]` may only add `assign_license` and `revoke_license`", protocol_name(provisioning.protocol), name.as_str()));
        }
        operations.push(check_operation(cx, name, op, &sku_params, templates));
    }
    let declared: BTreeSet<&str> = rest.operations.keys().map(Sp::as_str).collect();
    if is_rest {
        require_operations(cx, spec, provisioning, &declared);
        require_group_operations(cx, spec, provisioning, &declared);
    }
    let throttle = rest
        .throttle
        .iter()
        .map(|t| {
            check_status(cx, &t.status);
            (*t.status.get(), t.body_contains.as_str().to_owned())
        })
        .collect();
    (
        Some(RestModel {
            account,
            group,
            operations,
        }),
        throttle,
    )
}

fn check_account(cx: &mut Checker<'_>, rest: &RestSection, is_rest: bool) -> Option<AccountModel> {
    match (&rest.account, is_rest) {
        (None, true) => {
            cx.error(
                rest.source.span(),
                "protocol `rest` needs `[rest.account]`: where the id, sign-in name and state are",
            );
            None
        }
        (Some(a), false) => {
            cx.error(
                a.id.span(),
                "`[rest.account]` applies to protocol `rest` only",
            );
            None
        }
        (None, false) => None,
        (Some(a), true) => {
            for p in [
                Some(&a.id),
                Some(&a.user_name),
                a.email.as_ref(),
                a.display_name.as_ref(),
                Some(&a.active.pointer),
            ]
            .into_iter()
            .flatten()
            {
                check_pointer(cx, p);
            }
            let active_equals = match a.active.equals.get() {
                MappingValue::Template(t) => serde_json::Value::String(t.clone()).to_string(),
                MappingValue::Boolean(b) => b.to_string(),
                MappingValue::Integer(i) => i.to_string(),
            };
            Some(AccountModel {
                id: a.id.as_str().to_owned(),
                user_name: a.user_name.as_str().to_owned(),
                email: a.email.as_ref().map(|e| e.as_str().to_owned()),
                display_name: a.display_name.as_ref().map(|e| e.as_str().to_owned()),
                active: a.active.pointer.as_str().to_owned(),
                active_equals,
            })
        }
    }
}

/// `[rest.group]`: for protocol `rest` with capability `groups` only.
fn check_group(
    cx: &mut Checker<'_>,
    rest: &RestSection,
    is_rest: bool,
    provisioning: &Provisioning,
) -> Option<GroupModel> {
    let g = rest.group.as_ref()?;
    cx.source("rest.group", &g.source);
    if !is_rest {
        cx.error(
            g.id.span(),
            "`[rest.group]` applies to protocol `rest` only (SCIM has its own `/Groups`)",
        );
        return None;
    }
    if !provisioning.capabilities.contains(&Capability::Groups) {
        cx.error_help(
            g.id.span(),
            "`[rest.group]` is declared but capability `groups` is not",
            "add `groups` to the capabilities, or remove `[rest.group]`",
        );
    }
    for p in [
        Some(&g.id),
        Some(&g.name),
        g.external_id.as_ref(),
        Some(&g.member_id),
    ]
    .into_iter()
    .flatten()
    {
        check_pointer(cx, p);
    }
    Some(GroupModel {
        id: g.id.as_str().to_owned(),
        name: g.name.as_str().to_owned(),
        external_id: g.external_id.as_ref().map(|p| p.as_str().to_owned()),
        member_id: g.member_id.as_str().to_owned(),
    })
}

/// Capability `groups` under protocol `rest` needs `[rest.group]` and every group
/// operation; a group operation needs the capability.
fn require_group_operations(
    cx: &mut Checker<'_>,
    spec: &SpecFile,
    provisioning: &Provisioning,
    declared: &BTreeSet<&str>,
) {
    let span = spec.provisioning.capabilities.span();
    if provisioning.capabilities.contains(&Capability::Groups) {
        if spec.rest.as_ref().is_some_and(|r| r.group.is_none()) {
            cx.error_help(
                span.clone(),
                "capability `groups` needs `[rest.group]`: where a group's id and name are, and a member's account id",
                "declare `[rest.group]`, or remove the capability",
            );
        }
        for op in GROUP_OPERATIONS {
            if !declared.contains(op) {
                cx.error_help(
                    span.clone(),
                    format!("capability `groups` needs `[rest.operations.{op}]`"),
                    "declare the operation, or remove the capability",
                );
            }
        }
        return;
    }
    let keys = spec.rest.iter().flat_map(|r| r.operations.keys());
    for key in keys.filter(|k| GROUP_OPERATIONS.contains(&k.as_str())) {
        cx.error(
            key.span(),
            format!(
                "operation `{}` is declared but capability `groups` is not",
                key.as_str()
            ),
        );
    }
}

/// The operations each declared capability needs under protocol `rest`.
fn require_operations(
    cx: &mut Checker<'_>,
    spec: &SpecFile,
    provisioning: &Provisioning,
    declared: &BTreeSet<&str>,
) {
    let caps = &provisioning.capabilities;
    let span = spec.provisioning.capabilities.span();
    let mut need = |op: &str, why: &str| {
        if !declared.contains(op) {
            cx.error_help(
                span.clone(),
                format!("{why} needs `[rest.operations.{op}]`"),
                "declare the operation, or remove the capability",
            );
        }
    };
    need("get", "protocol `rest`");
    if !declared.contains("find") && !declared.contains("list") {
        need(
            "find",
            "finding a person's account (without `list` to page through)",
        );
    }
    for (cap, op) in [
        (Capability::Create, "create"),
        (Capability::Update, "update"),
        (Capability::Deactivate, "disable"),
        (Capability::Reactivate, "enable"),
        (Capability::Delete, "delete"),
        (Capability::Import, "list"),
    ] {
        if caps.contains(&cap) {
            need(op, &format!("capability `{}`", super::capability_name(cap)));
        }
    }
    for (cap, op) in [
        (Capability::Create, "create"),
        (Capability::Update, "update"),
        (Capability::Deactivate, "disable"),
        (Capability::Reactivate, "enable"),
        (Capability::Delete, "delete"),
    ] {
        if declared.contains(op)
            && !caps.contains(&cap)
            && let Some(key) = spec
                .rest
                .as_ref()
                .and_then(|r| r.operations.keys().find(|k| k.as_str() == op))
        {
            cx.error(
                key.span(),
                format!(
                    "operation `{op}` is declared but capability `{}` is not",
                    super::capability_name(cap)
                ),
            );
        }
    }
}

/// Parameter names every `api`-mode SKU provides (the ones `{sku.<name>}` may use).
fn api_sku_params(spec: &SpecFile) -> Option<BTreeSet<String>> {
    let skus: Vec<_> = spec
        .license
        .iter()
        .flat_map(|l| l.skus.values())
        .filter(|sku| *sku.mode.get() == LicenseMode::Api)
        .collect();
    let first = skus.first()?;
    let mut common: BTreeSet<String> = first.params.keys().map(|k| k.as_str().to_owned()).collect();
    for sku in &skus[1..] {
        let own: BTreeSet<String> = sku.params.keys().map(|k| k.as_str().to_owned()).collect();
        common = common.intersection(&own).cloned().collect();
    }
    Some(common)
}

fn check_operation(
    cx: &mut Checker<'_>,
    name: &Sp<String>,
    op: &OperationSection,
    sku_params: &Option<BTreeSet<String>>,
    templates: &mut Templates,
) -> OperationModel {
    let op_name = name.as_str();
    let scope = Scope {
        op: op_name,
        sku_params,
        has_lookup: op.lookup.is_some(),
    };
    let about = format!("rest.operations.{op_name}");
    check_path(cx, &format!("{about}.path"), &op.path, &scope, templates);
    for (key, value) in &op.query {
        check_template(
            cx,
            &format!("{about}.query.{}", key.as_str()),
            value,
            &scope,
            templates,
        );
    }
    let body = op.body.as_ref().map(|body| match &body.get().0 {
        toml::Value::String(s) if s == "account" => {
            if !matches!(op_name, "create" | "update") {
                cx.error(body.span(), format!("only `create` and `update` send the mapped account; `{op_name}` needs a table"));
            }
            None
        }
        toml::Value::Table(_) => {
            let json = toml_to_json(&body.get().0);
            let mut strings = Vec::new();
            collect_strings(&json, &mut strings);
            for text in strings {
                let sp = Sp(serde_spanned::Spanned::new(body.span(), text));
                check_template(cx, &format!("{about}.body"), &sp, &scope, templates);
            }
            Some(json.to_string())
        }
        _ => {
            cx.error_help(body.span(), format!("`{about}.body` must be \"account\" or a table"), "write e.g. `body = { suspended = true }`");
            None
        }
    });
    if matches!(*op.method.get(), HttpMethod::Get | HttpMethod::Delete)
        && body.as_ref().is_some_and(Option::is_some)
        && *op.method.get() == HttpMethod::Get
    {
        cx.error(
            op.method.span(),
            format!("`{op_name}` is a GET and cannot send a body"),
        );
    }
    check_identity(cx, op_name, op);
    for status in op
        .success
        .iter()
        .chain(&op.not_found)
        .chain(&op.conflict)
        .chain(&op.already_done)
    {
        check_status(cx, status);
    }
    for rule in &op.already_done_when {
        check_status(cx, &rule.status);
        if rule.body_contains.as_str().trim().is_empty() {
            cx.error(
                rule.body_contains.span(),
                format!("`rest.operations.{op_name}.already_done_when`: `body_contains` must name the text that tells the answer apart"),
            );
        }
    }
    for pointer in [&op.items, &op.next_cursor, &op.next_url, &op.total]
        .into_iter()
        .flatten()
    {
        check_pointer(cx, pointer);
    }
    let paging = [
        op.next_cursor.is_some(),
        op.next_url.is_some(),
        op.total.is_some(),
    ]
    .iter()
    .filter(|p| **p)
    .count();
    if paging > 1 {
        let span = [&op.total, &op.next_url, &op.next_cursor]
            .into_iter()
            .flatten()
            .next()
            .map_or(op.method.span(), Sp::span);
        cx.error(span, format!("`{op_name}` names more than one of `next_cursor`, `next_url` and `total`: pick the service's paging style"));
    }
    if LISTINGS.contains(&op_name) && op.items.is_none() {
        let what = match op_name {
            "list_groups" => "groups",
            "list_members" => "memberships",
            _ => "accounts",
        };
        cx.error(
            op.method.span(),
            format!("`{op_name}` needs `items`, the pointer to the array of {what}"),
        );
    }
    if !LISTINGS.contains(&op_name) && paging > 0 {
        cx.error(
            op.method.span(),
            format!(
                "paging keys apply to `list`, `list_groups` and `list_members`, not `{op_name}`"
            ),
        );
    }
    let lookup = op.lookup.as_ref().map(|l| {
        let lookup_scope = Scope {
            has_lookup: false,
            ..scope
        };
        check_path(
            cx,
            &format!("{about}.lookup.path"),
            &l.path,
            &lookup_scope,
            templates,
        );
        for (key, value) in &l.query {
            check_template(
                cx,
                &format!("{about}.lookup.query.{}", key.as_str()),
                value,
                &lookup_scope,
                templates,
            );
        }
        check_pointer(cx, &l.items);
        check_pointer(cx, &l.extract);
        for (pointer, value) in &l.select {
            check_pointer(cx, pointer);
            check_template(
                cx,
                &format!("{about}.lookup.select"),
                value,
                &lookup_scope,
                templates,
            );
        }
        LookupModel {
            path: l.path.as_str().to_owned(),
            query: pairs(&l.query),
            items: l.items.as_str().to_owned(),
            select: pairs(&l.select),
            extract: l.extract.as_str().to_owned(),
        }
    });
    let statuses = |v: &Vec<Sp<u16>>| v.iter().map(|s| *s.get()).collect::<Vec<u16>>();
    OperationModel {
        name: op_name.to_owned(),
        method: format!("{:?}", op.method.get()).to_uppercase(),
        path: op.path.as_str().to_owned(),
        query: pairs(&op.query),
        body,
        success: statuses(&op.success),
        not_found: if op.not_found.is_empty() {
            vec![404]
        } else {
            statuses(&op.not_found)
        },
        conflict: if op.conflict.is_empty() {
            vec![409]
        } else {
            statuses(&op.conflict)
        },
        already_done: statuses(&op.already_done),
        already_done_when: op
            .already_done_when
            .iter()
            .map(|rule| (*rule.status.get(), rule.body_contains.as_str().to_owned()))
            .collect(),
        items: op.items.as_ref().map(|p| p.as_str().to_owned()),
        next_cursor: op.next_cursor.as_ref().map(|p| p.as_str().to_owned()),
        next_url: op.next_url.as_ref().map(|p| p.as_str().to_owned()),
        total: op.total.as_ref().map(|p| p.as_str().to_owned()),
        lookup,
        identity: op.identity.as_ref().map(|p| p.as_str().to_owned()),
    }
}

/// `identity` belongs to `whoami`, which needs it and must be a GET (which sends no
/// body); no other operation has it.
fn check_identity(cx: &mut Checker<'_>, op_name: &str, op: &OperationSection) {
    if op_name != "whoami" {
        if let Some(identity) = &op.identity {
            cx.error_help(
                identity.span(),
                format!("`identity` belongs to `whoami`, not `{op_name}`"),
                "declare `[rest.operations.whoami]` with it, or remove the key",
            );
        }
        return;
    }
    if *op.method.get() != HttpMethod::Get {
        cx.error_help(
            op.method.span(),
            format!(
                "`whoami` asks who the token acts as and must be a GET, not a {}",
                op.method.get().as_str()
            ),
            "write `method = \"GET\"`",
        );
    }
    match &op.identity {
        Some(identity) => check_pointer(cx, identity),
        None => cx.error_help(
            op.method.span(),
            "`whoami` needs `identity`, the pointer to the identity the token acts as in the answer",
            "write e.g. `identity = \"/login\"`",
        ),
    }
}

fn pairs(map: &std::collections::BTreeMap<Sp<String>, Sp<String>>) -> Vec<(String, String)> {
    map.iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.as_str().to_owned()))
        .collect()
}

/// Which variables a template of one operation may use.
#[derive(Clone, Copy)]
struct Scope<'a> {
    op: &'a str,
    sku_params: &'a Option<BTreeSet<String>>,
    has_lookup: bool,
}

impl Scope<'_> {
    /// `Ok` when `name` is available, else the reason.
    fn allows(&self, name: &str) -> Result<(), String> {
        let licence = self.op.ends_with("_license");
        let grouping = GROUP_OPERATIONS.contains(&self.op);
        let accountless = grouping || matches!(self.op, "list" | "whoami");
        match name {
            "account.user_name" if !accountless => Ok(()),
            "account.id" if !matches!(self.op, "find" | "create") && !accountless => Ok(()),
            "page.count" | "page.cursor" | "page.offset" | "page.start_index"
                if LISTINGS.contains(&self.op) =>
            {
                Ok(())
            }
            "group.id" if grouping && !matches!(self.op, "list_groups" | "create_group") => Ok(()),
            "group.name" if matches!(self.op, "create_group" | "rename_group") => Ok(()),
            "group.external_id" if self.op == "create_group" => Ok(()),
            "member.id" if matches!(self.op, "add_members" | "remove_members") => Ok(()),
            "lookup" if self.has_lookup => Ok(()),
            "sku.name" if licence => Ok(()),
            other if other.starts_with("sku.") && licence => match self.sku_params {
                Some(params) if params.contains(&other[4..]) => Ok(()),
                _ => Err(format!(
                    "every `api` SKU must declare `params.{}` for `{{{other}}}`",
                    &other[4..]
                )),
            },
            other => Err(format!("`{{{other}}}` is not available in `{}`", self.op)),
        }
    }

    fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = [
            "account.id",
            "account.user_name",
            "lookup",
            "sku.name",
            "page.count",
            "page.cursor",
            "page.offset",
            "page.start_index",
            "group.id",
            "group.name",
            "group.external_id",
            "member.id",
        ]
        .map(str::to_owned)
        .into();
        if let Some(params) = self.sku_params {
            names.extend(params.iter().map(|p| format!("sku.{p}")));
        }
        names
    }
}

fn check_path(
    cx: &mut Checker<'_>,
    about: &str,
    path: &Sp<String>,
    scope: &Scope<'_>,
    templates: &mut Templates,
) {
    let text = path.as_str();
    if !(text.starts_with('/') || text.starts_with("https://") || text.starts_with('{')) {
        cx.error_help(
            path.span(),
            format!("`{about}` must start with `/` (below base_url), `https://`, or a tenant variable holding an API URL"),
            "write e.g. `/users/{account.id}` or `{licensing_api}/product/{sku.product}`",
        );
    }
    check_template(cx, about, path, scope, templates);
}

/// Checks every `{name}` of an operation template.
fn check_template(
    cx: &mut Checker<'_>,
    about: &str,
    value: &Sp<String>,
    scope: &Scope<'_>,
    templates: &mut Templates,
) {
    let text = value.as_str();
    let (base, exact) = string_base(cx.source, value);
    let at = |a: usize, b: usize| {
        if exact {
            base + a..base + b
        } else {
            value.span()
        }
    };
    let mut rest = 0;
    while let Some(open) = text[rest..].find('{').map(|o| o + rest) {
        let Some(close) = text[open..].find('}').map(|c| c + open) else {
            cx.error(
                at(open, text.len()),
                format!("`{about}`: `{{` is never closed"),
            );
            return;
        };
        let name = &text[open + 1..close];
        if !name.contains('.') && name != "lookup" {
            if !templates.use_variable(name) {
                let mut candidates = scope.names();
                candidates.extend(templates.variable_names());
                let mean = did_you_mean(name, candidates.iter().map(String::as_str));
                cx.error(at(open, close + 1), format!("`{about}` uses `{{{name}}}`, which is neither a tenant variable nor an operation value{mean}"));
            }
        } else if let Err(why) = scope.allows(name) {
            let mean = did_you_mean(
                name,
                scope.names().iter().map(String::as_str).collect::<Vec<_>>(),
            );
            cx.error(at(open, close + 1), format!("`{about}`: {why}{mean}"));
        }
        rest = close + 1;
    }
}

fn check_pointer(cx: &mut Checker<'_>, pointer: &Sp<String>) {
    let text = pointer.as_str();
    if !(text.is_empty() || text.starts_with('/')) {
        cx.error_help(
            pointer.span(),
            format!("`{text}` is not a JSON pointer"),
            format!("JSON pointers start with `/`: `/{text}`"),
        );
    }
}

fn check_status(cx: &mut Checker<'_>, status: &Sp<u16>) {
    if !bounds::contains(&bounds::HTTP_STATUS, *status.get()) {
        cx.error(
            status.span(),
            format!("{} is not an HTTP status", status.get()),
        );
    }
}

/// TOML to JSON, for body templates.
fn toml_to_json(value: &toml::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        toml::Value::String(s) => J::String(s.clone()),
        toml::Value::Integer(i) => J::from(*i),
        toml::Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        toml::Value::Boolean(b) => J::Bool(*b),
        toml::Value::Datetime(d) => J::String(d.to_string()),
        toml::Value::Array(items) => J::Array(items.iter().map(toml_to_json).collect()),
        toml::Value::Table(table) => J::Object(
            table
                .iter()
                .map(|(k, v)| (k.clone(), toml_to_json(v)))
                .collect(),
        ),
    }
}

fn collect_strings(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_strings(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| collect_strings(v, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    const BOX: &str = include_str!("../../../connectors/box/connector.toml");

    /// The errors of `spec`, rendered.
    fn errors(spec: &str) -> String {
        crate::load_model(spec, "box.toml").unwrap_err().to_string()
    }

    /// The 1-based line of the first occurrence of `text` in `spec`.
    fn line_of(spec: &str, text: &str) -> usize {
        spec[..spec.find(text).expect("in the spec")]
            .lines()
            .count()
            + 1
    }

    #[test]
    fn box_declares_every_group_operation_and_the_pointers() {
        let model = crate::load_model(BOX, "box.toml").unwrap();
        let rest = model.rest.unwrap();
        let group = rest.group.expect("[rest.group]");
        assert_eq!(
            (group.id.as_str(), group.member_id.as_str()),
            ("/id", "/user/id")
        );
        assert_eq!(
            group.external_id.as_deref(),
            Some("/external_sync_identifier")
        );
        for op in super::GROUP_OPERATIONS {
            assert!(
                rest.operations.iter().any(|o| o.name == *op),
                "{op} is not declared"
            );
        }
    }

    #[test]
    fn capability_and_operations_require_each_other() {
        let caps = "\"license\", \"groups\"]";
        assert!(BOX.contains(caps));
        let without_capability = BOX.replace(caps, "\"license\"]");
        let errors_without = errors(&without_capability);
        let at = line_of(&without_capability, "[rest.operations.list_groups]");
        assert!(
            errors_without.contains(&format!(
                "box.toml:{at}:18: operation `list_groups` is declared but capability `groups` is not"
            )),
            "{errors_without}"
        );
        assert!(
            errors_without.contains("`[rest.group]` is declared but capability `groups` is not"),
            "{errors_without}"
        );

        let section = "[rest.operations.delete_group]\n";
        let start = BOX.find(section).unwrap();
        let end = start + BOX[start..].find("\n\n").unwrap() + 2;
        let without_operation = format!("{}{}", &BOX[..start], &BOX[end..]);
        let errors_missing = errors(&without_operation);
        let at = line_of(&without_operation, "capabilities = ");
        assert!(
            errors_missing.contains(&format!(
                "box.toml:{at}:16: capability `groups` needs `[rest.operations.delete_group]`"
            )),
            "{errors_missing}"
        );
    }

    #[test]
    fn group_templates_are_scoped_with_suggestions() {
        let typo = BOX.replace(
            "body = { name = \"{group.name}\" }",
            "body = { name = \"{group.nmae}\" }",
        );
        assert_ne!(typo, BOX);
        let found = errors(&typo);
        assert!(
            found.contains(
                "`{group.nmae}` is not available in `rename_group` (did you mean `group.name`?)"
            ),
            "{found}"
        );
        let member_in_rename = BOX.replace(
            "path = \"/groups/{group.id}\"\nbody",
            "path = \"/groups/{member.id}\"\nbody",
        );
        assert_ne!(member_in_rename, BOX);
        let found = errors(&member_in_rename);
        assert!(
            found.contains("`{member.id}` is not available in `rename_group`"),
            "{found}"
        );
        let unpaged = BOX.replace(
            "path = \"/groups\"\nquery = { limit = \"{page.count}\", offset = \"{page.offset}\", fields = \"name,external_sync_identifier\" }\nitems = \"/entries\"\n",
            "path = \"/groups\"\nquery = { limit = \"{page.count}\", offset = \"{page.offset}\", fields = \"name,external_sync_identifier\" }\n",
        );
        assert_ne!(unpaged, BOX);
        let found = errors(&unpaged);
        assert!(
            found.contains("`list_groups` needs `items`, the pointer to the array of groups"),
            "{found}"
        );
    }

    #[test]
    fn already_done_when_needs_a_text() {
        let copilot = include_str!("../../../connectors/copilot/connector.toml");
        let rule = "body_contains = \"added object references already exist\"";
        assert!(copilot.contains(rule));
        let model = crate::load_model(copilot, "copilot.toml").unwrap();
        let add = model
            .rest
            .unwrap()
            .operations
            .into_iter()
            .find(|o| o.name == "add_members")
            .unwrap();
        assert_eq!(
            add.already_done_when,
            [(400, "added object references already exist".to_owned())]
        );
        let blank = copilot.replace(rule, "body_contains = \" \"");
        let found = crate::load_model(&blank, "copilot.toml")
            .unwrap_err()
            .to_string();
        assert!(
            found.contains("`body_contains` must name the text that tells the answer apart"),
            "{found}"
        );
    }

    #[test]
    fn group_pointers_are_for_rest_only() {
        let github = include_str!("../../../connectors/github-copilot/connector.toml");
        let with_group = format!(
            "{github}\n[rest.group]\nid = \"/id\"\nname = \"/name\"\nmember_id = \"/id\"\nsource = \"https://docs.github.com/rest\"\n"
        );
        let found = crate::load_model(&with_group, "github.toml")
            .unwrap_err()
            .to_string();
        assert!(
            found.contains("`[rest.group]` applies to protocol `rest` only"),
            "{found}"
        );
    }

    #[test]
    fn box_declares_whoami_with_the_identity_pointer() {
        let model = crate::load_model(BOX, "box.toml").unwrap();
        let whoami = model
            .rest
            .unwrap()
            .operations
            .into_iter()
            .find(|o| o.name == "whoami")
            .expect("[rest.operations.whoami]");
        assert_eq!(
            (whoami.method.as_str(), whoami.path.as_str()),
            ("GET", "/users/me")
        );
        assert_eq!(whoami.identity.as_deref(), Some("/login"));
    }

    #[test]
    fn whoami_needs_identity() {
        let declared = "path = \"/users/me\"\nidentity = \"/login\"\n";
        assert!(BOX.contains(declared));
        let without = BOX.replace(declared, "path = \"/users/me\"\n");
        let found = errors(&without);
        let at = line_of(&without, "[rest.operations.whoami]") + 4;
        assert!(
            found.contains(&format!(
                "box.toml:{at}:10: `whoami` needs `identity`, the pointer to the identity the token acts as in the answer"
            )),
            "{found}"
        );
    }

    #[test]
    fn identity_belongs_to_whoami_only() {
        let get = "path = \"/users/{account.id}\"\n\n[rest.operations.whoami]";
        assert!(BOX.contains(get));
        let on_get = BOX.replace(
            get,
            "path = \"/users/{account.id}\"\nidentity = \"/login\"\n\n[rest.operations.whoami]",
        );
        let found = errors(&on_get);
        let at = line_of(&on_get, "[rest.operations.whoami]") - 2;
        assert!(
            found.contains(&format!(
                "box.toml:{at}:12: `identity` belongs to `whoami`, not `get`"
            )),
            "{found}"
        );
    }

    #[test]
    fn whoami_is_a_get() {
        let get = "[rest.operations.whoami]\n";
        let start = BOX.find(get).unwrap();
        let method = start + BOX[start..].find("method = \"GET\"").unwrap();
        let posted = format!(
            "{}method = \"POST\"{}",
            &BOX[..method],
            &BOX[method + "method = \"GET\"".len()..]
        );
        let found = errors(&posted);
        let at = line_of(&posted, "[rest.operations.whoami]") + 4;
        assert!(
            found.contains(&format!(
                "box.toml:{at}:10: `whoami` asks who the token acts as and must be a GET, not a POST"
            )),
            "{found}"
        );
    }

    #[test]
    fn capability_groups_needs_the_group_pointers() {
        let start = BOX.find("[rest.group]\n").unwrap();
        let end = start + BOX[start..].find("\n\n").unwrap() + 2;
        let without = format!("{}{}", &BOX[..start], &BOX[end..]);
        let found = errors(&without);
        assert!(
            found.contains("capability `groups` needs `[rest.group]`"),
            "{found}"
        );
    }
}
