//! The vendor facts of one spec and, for each, one plausible wrong value: pure text in,
//! edits out (no file is read or written here).
//!
//! A fact is found through the spec parser's spans, so a mutation changes exactly the
//! bytes of that value and leaves comments and layout alone. The facts are the ones the
//! spec format states about the vendor (see `connector-codegen/src/spec/model.rs`): the
//! SCIM dialect switches, the page cap, the filter attribute, each capability, the rate
//! limit, each licence mode and value, and for `[rest]` each operation's method and each
//! throttle rule's status.

use std::ops::Range;

use connector_codegen::spec::bounds;
use connector_codegen::spec::model::{SkuSection, SpecFile};
use connector_codegen::spec::rest_model::RestSection;
use connector_codegen::spec::{Sp, parse_spec};

/// Every capability the spec format knows, in its spelling.
const CAPABILITIES: [&str; 8] = [
    "create",
    "update",
    "deactivate",
    "reactivate",
    "delete",
    "import",
    "groups",
    "license",
];

/// One wrong value for one vendor fact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mutation {
    /// The fact, as a dotted key (`provisioning.dialect.page_size`,
    /// `provisioning.capabilities.delete`, `license.skus.full.assign`).
    pub fact: String,
    /// What the mutation does, for people (`10 -> 20`, `removed`).
    pub change: String,
    /// The bytes to replace in the spec's text.
    range: Range<usize>,
    /// What replaces them.
    replacement: String,
    /// Further edits the change needs to stay well-formed (the keys a licence mode takes
    /// or drops), not overlapping the main one.
    also: Vec<(Range<usize>, String)>,
}

impl Mutation {
    /// The spec's text with this mutation applied.
    pub(crate) fn apply(&self, source: &str) -> String {
        let mut edits: Vec<(&Range<usize>, &str)> = self
            .also
            .iter()
            .map(|(range, text)| (range, text.as_str()))
            .collect();
        edits.push((&self.range, &self.replacement));
        // From the end, so each range still points at the original bytes.
        edits.sort_by_key(|(range, _)| std::cmp::Reverse(range.start));
        let mut out = source.to_owned();
        for (range, text) in edits {
            out.replace_range(range.clone(), text);
        }
        out
    }
}

/// The facts of a spec, one mutation each, in the spec's order. Fails (never panics) on a
/// spec the parser refuses, naming the line and the reason.
pub(crate) fn mutations(source: &str) -> Result<Vec<Mutation>, String> {
    let spec = parse_spec(source).map_err(|d| {
        let line = source[..d.span.start.min(source.len())]
            .lines()
            .count()
            .max(1);
        format!(
            "the spec does not parse (line {line}: {}), so it has no facts to mutate",
            d.message
        )
    })?;
    let mut found = Vec::new();
    capabilities(source, &spec, &mut found);
    dialect(source, &spec, &mut found);
    rate_limit(source, &spec, &mut found);
    license(source, &spec, &mut found);
    if let Some(rest) = &spec.rest {
        rest_facts(source, rest, &mut found);
    }
    Ok(found)
}

/// The value's text as written (a string with its quotes), or `None` when the span does
/// not fit the text.
fn text<'s, T>(source: &'s str, value: &Sp<T>) -> &'s str {
    source.get(value.span()).unwrap_or_default()
}

/// A string value's text without its quotes.
fn unquoted<'s, T>(source: &'s str, value: &Sp<T>) -> &'s str {
    text(source, value).trim_matches(|c| c == '"' || c == '\'')
}

/// A mutation replacing `value` by `replacement` (TOML text).
fn replace<T>(source: &str, fact: String, value: &Sp<T>, replacement: String) -> Mutation {
    Mutation {
        change: format!("{} -> {}", text(source, value), replacement),
        fact,
        range: value.span(),
        replacement,
        also: Vec::new(),
    }
}

/// Each listed capability removed, and each capability the vendor lacks added (a claim
/// such as "Slack deletes for good" or "Notion reactivates" is a wrong fact too).
fn capabilities(source: &str, spec: &SpecFile, found: &mut Vec<Mutation>) {
    let list = &spec.provisioning.capabilities;
    let items = list.get();
    let mut listed = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let name = unquoted(source, item).to_owned();
        // Remove the item with the separator after it, or before it for the last one.
        let span = item.span();
        let range = match items.get(index + 1) {
            Some(next) => span.start..next.span().start,
            None if index > 0 => items[index - 1].span().end..span.end,
            None => span,
        };
        found.push(Mutation {
            fact: format!("provisioning.capabilities.{name}"),
            change: "removed".to_owned(),
            range,
            replacement: String::new(),
            also: Vec::new(),
        });
        listed.push(name);
    }
    let Some(last) = items.last() else {
        return;
    };
    for missing in CAPABILITIES
        .iter()
        .filter(|c| !listed.iter().any(|l| l == *c))
    {
        let end = last.span().end;
        found.push(Mutation {
            fact: format!("provisioning.capabilities.{missing}"),
            change: "added (the vendor lacks it)".to_owned(),
            range: end..end,
            replacement: format!(", \"{missing}\""),
            also: Vec::new(),
        });
    }
}

/// The SCIM dialect: each switch to another variant, the page cap doubled (halved at the
/// checker's maximum), the user agent dropped. A switch the spec leaves at its default is
/// set to another value when the spec has a `[provisioning.dialect]` table.
fn dialect(source: &str, spec: &SpecFile, found: &mut Vec<Mutation>) {
    let dialect = &spec.provisioning.dialect;
    let header = table_body_start(source, "provisioning.dialect");
    let key = |name: &str| format!("provisioning.dialect.{name}");
    let switches: [Switch; 4] = [
        (
            "update",
            dialect.update.as_ref().map(Sp::span),
            other_update,
            "patch",
        ),
        (
            "deactivate",
            dialect.deactivate.as_ref().map(Sp::span),
            other_deactivate,
            "patch_active",
        ),
        (
            "patch_style",
            dialect.patch_style.as_ref().map(Sp::span),
            other_patch_style,
            "path",
        ),
        (
            "filter",
            dialect.filter.as_ref().map(Sp::span),
            other_filter,
            "userName",
        ),
    ];
    for (name, span, wrong, default) in switches {
        match (span, header) {
            (Some(span), _) => {
                let written = source.get(span.clone()).unwrap_or_default();
                let replacement = format!("\"{}\"", wrong(written.trim_matches('"')));
                found.push(Mutation {
                    fact: key(name),
                    change: format!("{written} -> {replacement}"),
                    range: span,
                    replacement,
                    also: Vec::new(),
                });
            }
            (None, Some(at)) => {
                found.push(insert(
                    key(name),
                    at,
                    name,
                    &format!("\"{}\"", wrong(default)),
                ));
            }
            (None, None) => {}
        }
    }
    match (&dialect.page_size, header) {
        (Some(size), _) => {
            let wrong = other_page_size(u64::from(*size.get()));
            found.push(replace(source, key("page_size"), size, wrong.to_string()));
        }
        (None, Some(at)) => found.push(insert(key("page_size"), at, "page_size", "200")),
        (None, None) => {}
    }
    // Group push: a cap twice the vendor's, and members said to be listed (or not).
    if let Some(cap) = &dialect.group_members_per_request {
        let wrong = u64::from(*cap.get()).saturating_mul(2);
        found.push(replace(
            source,
            key("group_members_per_request"),
            cap,
            wrong.to_string(),
        ));
    }
    match (&dialect.group_members_listed, header) {
        (Some(listed), _) => {
            let wrong = (!*listed.get()).to_string();
            found.push(replace(source, key("group_members_listed"), listed, wrong));
        }
        (None, Some(at)) if groups_declared(source) => found.push(insert(
            key("group_members_listed"),
            at,
            "group_members_listed",
            "false",
        )),
        _ => {}
    }
    if let Some(agent) = &dialect.user_agent {
        found.push(Mutation {
            fact: key("user_agent"),
            change: "removed".to_owned(),
            range: line_of(source, agent.span()),
            replacement: String::new(),
            also: Vec::new(),
        });
    }
}

/// Whether the spec declares capability `groups` (a group fact is a mutation only then:
/// otherwise the checker refuses it, which tests nothing).
fn groups_declared(source: &str) -> bool {
    source
        .lines()
        .any(|l| l.trim_start().starts_with("capabilities") && l.contains("\"groups\""))
}

/// A dialect switch: its key, where its value is (if set), the wrong value for a value,
/// and its default.
type Switch<'a> = (
    &'a str,
    Option<Range<usize>>,
    fn(&str) -> &'static str,
    &'a str,
);

/// PATCH updates said to be PUT, and the other way round.
fn other_update(value: &str) -> &'static str {
    if value == "put" { "patch" } else { "put" }
}

/// A DELETE that deactivates said to be a PATCH of `active`; any other way said to be
/// DELETE (the Slack confusion, the other way round).
fn other_deactivate(value: &str) -> &'static str {
    if value == "delete" {
        "patch_active"
    } else {
        "delete"
    }
}

/// Path PATCH said to be path-less, and the other way round.
fn other_patch_style(value: &str) -> &'static str {
    if value == "pathless" {
        "path"
    } else {
        "pathless"
    }
}

/// A userName filter said to be an email filter; any other said to be userName.
fn other_filter(value: &str) -> &'static str {
    if value == "userName" {
        "emails"
    } else {
        "userName"
    }
}

/// The page cap doubled, or halved when doubling would leave the checker's range.
fn other_page_size(size: u64) -> u64 {
    let doubled = size.saturating_mul(2);
    if bounds::contains(&bounds::PAGE_SIZE, doubled) {
        doubled
    } else {
        (size / 2).max(*bounds::PAGE_SIZE.start())
    }
}

/// The rate limit: twice the requests, half the period, twice the burst (each lets the
/// connector go faster than the vendor allows).
fn rate_limit(source: &str, spec: &SpecFile, found: &mut Vec<Mutation>) {
    let Some(limit) = &spec.provisioning.rate_limit else {
        return;
    };
    let key = |name: &str| format!("provisioning.rate_limit.{name}");
    let requests = u64::from(*limit.requests.get());
    found.push(replace(
        source,
        key("requests"),
        &limit.requests,
        (requests * 2).to_string(),
    ));
    if let Some(half) = half_period(limit.per.as_str()) {
        found.push(replace(
            source,
            key("per"),
            &limit.per,
            format!("\"{half}\""),
        ));
    }
    if let Some(burst) = &limit.burst {
        let doubled = u64::from(*burst.get()) * 2;
        found.push(replace(source, key("burst"), burst, doubled.to_string()));
    }
}

/// Half of a period written `<number><unit>` (`1m` -> `30s`, `1s` -> `500ms`), in the
/// largest unit that divides it; `None` for text that is not a period or a 1 ms period.
fn half_period(text: &str) -> Option<String> {
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().ok().filter(|n| *n > 0)?;
    let unit_ms: u64 = match unit {
        "ms" => 1,
        "s" => 1000,
        "m" => 60_000,
        "h" => 3_600_000,
        _ => return None,
    };
    let half = number * unit_ms / 2;
    if half == 0 {
        return None;
    }
    let (unit_ms, unit) = [(3_600_000, "h"), (60_000, "m"), (1000, "s"), (1, "ms")]
        .into_iter()
        .find(|(ms, _)| half.is_multiple_of(*ms))?;
    Some(format!("{}{unit}", half / unit_ms))
}

/// Each seat: its mode to another one, and its values (the attribute's assigned value,
/// the group's name, each API parameter) to a wrong one.
fn license(source: &str, spec: &SpecFile, found: &mut Vec<Mutation>) {
    let Some(license) = &spec.license else {
        return;
    };
    for (name, sku) in &license.skus {
        let key = |field: &str| format!("license.skus.{}.{field}", name.as_str());
        let wrong_mode = match unquoted(source, &sku.mode) {
            "automatic" | "api" => "manual",
            _ => "automatic",
        };
        found.push(mode_change(source, key("mode"), sku, wrong_mode));
        if let (Some(assign), Some(revoke)) = (&sku.assign, &sku.revoke) {
            found.push(replace(
                source,
                key("assign"),
                assign,
                text(source, revoke).to_owned(),
            ));
        } else if let Some(assign) = &sku.assign {
            found.push(replace(
                source,
                key("assign"),
                assign,
                wrong_string(text(source, assign)),
            ));
        }
        if let Some(attribute) = &sku.attribute {
            found.push(replace(
                source,
                key("attribute"),
                attribute,
                wrong_string(text(source, attribute)),
            ));
        }
        if let Some(group) = &sku.group {
            found.push(replace(
                source,
                key("group"),
                group,
                wrong_string(text(source, group)),
            ));
        }
        for (param, value) in &sku.params {
            let fact = key(&format!("params.{}", param.as_str()));
            found.push(replace(
                source,
                fact,
                value,
                wrong_string(text(source, value)),
            ));
        }
    }
}

/// A seat's mode changed to `wrong_mode`, with the keys of the old mode dropped and, for
/// `manual`, the instructions that mode needs added: a well-formed spec stating a wrong
/// fact, rather than one the checker refuses for its shape.
fn mode_change(source: &str, fact: String, sku: &SkuSection, wrong_mode: &str) -> Mutation {
    let mut mutation = replace(source, fact, &sku.mode, format!("\"{wrong_mode}\""));
    let mode_specific = [
        ("attribute", sku.attribute.as_ref().map(Sp::span)),
        ("assign", sku.assign.as_ref().map(Sp::span)),
        ("revoke", sku.revoke.as_ref().map(Sp::span)),
        ("group", sku.group.as_ref().map(Sp::span)),
        ("instructions", sku.instructions.as_ref().map(Sp::span)),
    ];
    for (name, span) in mode_specific {
        let Some(span) = span else { continue };
        let line = line_of(source, span);
        // Only a key on its own line is dropped (not one inside an inline table).
        if source[line.clone()].trim_start().starts_with(name) {
            mutation.also.push((line, String::new()));
        }
    }
    if wrong_mode == "manual" {
        let after_mode = line_of(source, sku.mode.span()).end;
        mutation.also.push((
            after_mode..after_mode,
            "instructions = \"Assign the seat in the vendor's admin console\"\n".to_owned(),
        ));
    }
    mutation
}

/// A plausible wrong string literal: its last letter or digit changed (`"101068"` ->
/// `"101069"`, `"Full"` -> `"Fulm"`), so a value that is off by one character is caught.
/// A template (`"{group_id}"`) is kept as a template by changing the text around it.
fn wrong_string(literal: &str) -> String {
    let inner = literal.trim_matches('"');
    if inner.starts_with('{') && inner.ends_with('}') {
        return format!("\"{inner}-x\"");
    }
    let mut chars: Vec<char> = inner.chars().collect();
    match chars.iter().rposition(char::is_ascii_alphanumeric) {
        Some(at) => {
            chars[at] = match chars[at] {
                '9' => '0',
                'z' => 'a',
                'Z' => 'A',
                c => char::from(c as u8 + 1),
            };
            format!("\"{}\"", chars.into_iter().collect::<String>())
        }
        None => format!("\"{inner}x\""),
    }
}

/// `[rest]`: each operation's method to another plausible one, each throttle rule's
/// status to the other "slow down" status.
fn rest_facts(source: &str, rest: &RestSection, found: &mut Vec<Mutation>) {
    for (name, operation) in &rest.operations {
        let wrong = match unquoted(source, &operation.method) {
            "PATCH" => "PUT",
            "PUT" => "PATCH",
            "POST" => "PUT",
            "DELETE" => "POST",
            _ => "POST",
        };
        let fact = format!("rest.operations.{}.method", name.as_str());
        found.push(replace(
            source,
            fact,
            &operation.method,
            format!("\"{wrong}\""),
        ));
    }
    for (index, rule) in rest.throttle.iter().enumerate() {
        let wrong = if *rule.status.get() == 429 { 403 } else { 429 };
        let fact = format!("rest.throttle[{index}].status");
        found.push(replace(source, fact, &rule.status, wrong.to_string()));
    }
}

/// Where a new key goes in the table `[name]`: the start of the line after its header.
fn table_body_start(source: &str, name: &str) -> Option<usize> {
    let header = format!("[{name}]");
    let mut offset = 0;
    for line in source.split_inclusive('\n') {
        offset += line.len();
        if line.trim() == header {
            return Some(offset);
        }
    }
    None
}

/// A key the spec leaves at its default, set to a wrong value at `at`.
fn insert(fact: String, at: usize, key: &str, value: &str) -> Mutation {
    Mutation {
        fact,
        change: format!("(default) -> {value}"),
        range: at..at,
        replacement: format!("{key} = {value}\n"),
        also: Vec::new(),
    }
}

/// The whole line (with its newline) holding `span`.
fn line_of(source: &str, span: Range<usize>) -> Range<usize> {
    let start = source[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let end = source[span.end..]
        .find('\n')
        .map_or(source.len(), |i| span.end + i + 1);
    start..end
}

#[cfg(test)]
mod tests {
    use super::{half_period, mutations, other_page_size, wrong_string};
    use connector_codegen::spec::parse_spec;

    const SLACK: &str = include_str!("../../../connectors/slack/connector.toml");

    fn facts_of(source: &str) -> Vec<String> {
        mutations(source)
            .unwrap()
            .into_iter()
            .map(|m| m.fact)
            .collect()
    }

    #[test]
    fn slacks_facts_are_its_dialect_capabilities_rate_limit_and_seats() {
        let facts = facts_of(SLACK);
        for fact in [
            "provisioning.capabilities.create",
            "provisioning.capabilities.license",
            "provisioning.capabilities.delete",
            "provisioning.dialect.update",
            "provisioning.dialect.deactivate",
            "provisioning.dialect.patch_style",
            "provisioning.dialect.filter",
            "provisioning.dialect.page_size",
            "provisioning.dialect.group_members_per_request",
            "provisioning.dialect.group_members_listed",
            "provisioning.rate_limit.requests",
            "provisioning.rate_limit.per",
            "provisioning.rate_limit.burst",
            "license.skus.member.mode",
            "license.skus.slack_ai.mode",
        ] {
            assert!(
                facts.iter().any(|f| f == fact),
                "{fact} missing from {facts:?}"
            );
        }
        // 7 capabilities listed + 1 missing, 5 switches, 2 group facts, 3 limits, 2 seats.
        assert_eq!(facts.len(), 20, "{facts:?}");
    }

    #[test]
    fn each_mutation_changes_one_value_and_leaves_a_spec_that_parses() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../connectors");
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path().join("connector.toml");
            let Ok(source) = std::fs::read_to_string(&path) else {
                continue;
            };
            for mutation in mutations(&source).unwrap() {
                let mutated = mutation.apply(&source);
                assert_ne!(mutated, source, "{}: {}", path.display(), mutation.fact);
                if let Err(e) = parse_spec(&mutated) {
                    panic!("{} {}: {}", path.display(), mutation.fact, e.message);
                }
                seen += 1;
            }
        }
        assert!(seen > 100, "only {seen} mutations over all specs");
    }

    #[test]
    fn values_change_as_described() {
        let all = mutations(SLACK).unwrap();
        let get = |fact: &str| all.iter().find(|m| m.fact == fact).unwrap();
        let page = get("provisioning.dialect.page_size").apply(SLACK);
        assert!(page.contains("\npage_size = 2000\n"), "doubled");
        let deactivate = get("provisioning.dialect.deactivate");
        assert_eq!(deactivate.change, "\"delete\" -> \"patch_active\"");
        assert!(
            deactivate
                .apply(SLACK)
                .contains("\ndeactivate = \"patch_active\"\n")
        );
        let per = get("provisioning.rate_limit.per").apply(SLACK);
        assert!(per.contains("\nper = \"30s\"\n"), "halved");
        let seat = get("license.skus.slack_ai.mode").apply(SLACK);
        assert!(seat.contains("mode = \"automatic\"\nconsole_url"), "{seat}");
        // The comment above the capabilities is kept: only the value's bytes change.
        let removed = get("provisioning.capabilities.create").apply(SLACK);
        assert!(removed.contains("# No hard delete: DELETE only deactivates"));
        assert!(removed.contains(
            "capabilities = [\"update\", \"deactivate\", \"reactivate\", \"import\", \"groups\", \"license\"]"
        ));
        let last = get("provisioning.capabilities.license").apply(SLACK);
        assert!(
            last.contains("\"import\", \"groups\"]"),
            "the last one with its comma"
        );
        let added = get("provisioning.capabilities.delete").apply(SLACK);
        assert!(added.contains("\"groups\", \"license\", \"delete\"]"));
    }

    #[test]
    fn a_changed_seat_mode_is_well_formed_so_only_a_test_can_catch_it() {
        let claude = include_str!("../../../connectors/claude/connector.toml");
        let miro = include_str!("../../../connectors/miro/connector.toml");
        for (path, source) in [("slack", SLACK), ("claude", claude), ("miro", miro)] {
            for mutation in mutations(source).unwrap() {
                if !mutation.fact.ends_with(".mode") {
                    continue;
                }
                let mutated = mutation.apply(source);
                if let Err(errors) = connector_codegen::load_model(&mutated, path) {
                    panic!(
                        "{path} {}: the checker refuses it: {errors:?}",
                        mutation.fact
                    );
                }
            }
        }
        let to_manual = mutations(SLACK)
            .unwrap()
            .into_iter()
            .find(|m| m.fact == "license.skus.member.mode")
            .unwrap()
            .apply(SLACK);
        assert!(
            to_manual.contains("mode = \"manual\"\ninstructions = "),
            "{to_manual}"
        );
    }

    #[test]
    fn a_switch_left_at_its_default_is_set_to_another_value() {
        let source = SLACK.replace("update = \"patch\"\n", "");
        let all = mutations(&source).unwrap();
        let update = all
            .iter()
            .find(|m| m.fact == "provisioning.dialect.update")
            .expect("the default is a fact too");
        assert_eq!(update.change, "(default) -> \"put\"");
        let mutated = update.apply(&source);
        assert!(mutated.contains("[provisioning.dialect]\nupdate = \"put\"\n"));
        assert!(parse_spec(&mutated).is_ok());
    }

    #[test]
    fn seats_api_parameters_and_rest_methods_are_facts() {
        let miro = include_str!("../../../connectors/miro/connector.toml");
        let all = mutations(miro).unwrap();
        let assign = all
            .iter()
            .find(|m| m.fact == "license.skus.full.assign")
            .unwrap();
        assert_eq!(
            assign.change, "\"Full\" -> \"Free Restricted\"",
            "the revoke value"
        );
        let gemini = include_str!("../../../connectors/gemini/connector.toml");
        let facts = facts_of(gemini);
        assert!(
            facts
                .iter()
                .any(|f| f == "license.skus.gemini_enterprise.params.sku_id")
        );
        assert!(facts.iter().any(|f| f == "rest.operations.create.method"));
        assert!(
            !facts.iter().any(|f| f.starts_with("provisioning.dialect")),
            "REST has no SCIM dialect"
        );
    }

    #[test]
    fn a_spec_that_does_not_parse_is_refused_with_its_line() {
        let broken = SLACK.replace("page_size = 1000", "page_size = \"ten\"");
        let error = mutations(&broken).unwrap_err();
        assert!(error.contains("line 40"), "{error}");
        assert!(error.contains("no facts to mutate"), "{error}");
        assert!(mutations("").unwrap_err().contains("does not parse"));
    }

    #[test]
    fn numbers_and_strings_get_plausible_wrong_values() {
        assert_eq!(other_page_size(10), 20);
        assert_eq!(
            other_page_size(10_000),
            5_000,
            "halved at the checker's maximum"
        );
        assert_eq!(half_period("1m").as_deref(), Some("30s"));
        assert_eq!(half_period("1s").as_deref(), Some("500ms"));
        assert_eq!(half_period("150s").as_deref(), Some("75s"));
        assert_eq!(half_period("2h").as_deref(), Some("1h"));
        assert_eq!(half_period("1ms"), None);
        assert_eq!(half_period("soon"), None);
        assert_eq!(wrong_string("\"1010680001\""), "\"1010680002\"");
        assert_eq!(wrong_string("\"Full\""), "\"Fulm\"");
        assert_eq!(wrong_string("\"ab9\""), "\"ab0\"");
        assert_eq!(
            wrong_string("\"{box_ai_group_id}\""),
            "\"{box_ai_group_id}-x\""
        );
    }
}
