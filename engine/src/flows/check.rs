//! The flows file's checker: every mistake at `file:line:column`, with "did you mean".
//! The cards' JSON Schemas drive the checks of inputs, paths and types, so every
//! connector's cards are covered by the same code.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use connector_sdk::cards::events::EVENT_CARDS;
use connector_sdk::cards::{Card, CardKind};
use serde_json::Value;

use super::filter::plan_actions;
use super::node::{Key, Node, NodeValue};
use super::schema::{self, Kind};
use super::template::{self, Read};
use super::{Catalogue, Conversion, Flow, FlowStep, Flows, Route};
use crate::config::{Assignments, ConfigError, Diagnostic, closest_name, line_column};

/// Collects the problems of one file.
struct Diags<'a> {
    file: &'a Path,
    text: &'a str,
    found: Vec<Diagnostic>,
}

impl Diags<'_> {
    fn error(&mut self, span: Range<usize>, message: impl Into<String>) {
        let (line, column) = line_column(self.text, span.start);
        self.found.push(Diagnostic {
            file: self.file.to_path_buf(),
            line,
            column,
            message: message.into(),
        });
    }

    fn line(&self, span: &Range<usize>) -> usize {
        line_column(self.text, span.start).0
    }
}

/// ` (did you mean `x`?)`, or nothing.
fn did_you_mean<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    closest_name(name, known)
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default()
}

/// Reports keys of `entries` outside `allowed`.
fn unknown_keys(d: &mut Diags, entries: &[(Key, Node)], allowed: &[&str], what: &str) {
    for (key, _) in entries {
        if !allowed.contains(&key.name.as_str()) {
            d.error(
                key.span.clone(),
                format!(
                    "unknown key `{}` in {what}{}; expected one of: {}",
                    key.name,
                    did_you_mean(&key.name, allowed.iter().copied()),
                    allowed.join(", ")
                ),
            );
        }
    }
}

fn get<'n>(entries: &'n [(Key, Node)], name: &str) -> Option<&'n Node> {
    entries.iter().find(|(k, _)| k.name == name).map(|(_, v)| v)
}

/// A required string field; an error at `at` when it is missing or not a string.
fn string_field<'n>(
    d: &mut Diags,
    entries: &'n [(Key, Node)],
    name: &str,
    at: &Range<usize>,
    what: &str,
) -> Option<(&'n str, Range<usize>)> {
    match get(entries, name) {
        Some(node) => match node.as_str() {
            Some(text) => Some((text, node.span.clone())),
            None => {
                d.error(
                    node.span.clone(),
                    format!("`{name}` of {what} must be a string, found {}", node.what()),
                );
                None
            }
        },
        None => {
            d.error(at.clone(), format!("{what} has no `{name}`"));
            None
        }
    }
}

/// Checks the whole file.
pub(super) fn check(
    path: &Path,
    text: &str,
    assignments: &Assignments,
    catalogue: &Catalogue,
) -> Result<Flows, ConfigError> {
    let mut d = Diags {
        file: path,
        text,
        found: Vec::new(),
    };
    let root = match Node::parse(text) {
        Ok(root) => root,
        Err((message, span)) => {
            d.error(span, format!("not valid TOML: {}", message.trim()));
            return Err(ConfigError {
                diagnostics: d.found,
            });
        }
    };
    let entries = root.entries().unwrap_or_default();
    unknown_keys(&mut d, entries, &["flow"], "the flows file");
    let mut flows = Vec::new();
    let mut names: BTreeMap<String, usize> = BTreeMap::new();
    match get(entries, "flow").map(|n| &n.value) {
        Some(NodeValue::Array(items)) => {
            for item in items {
                if let Some(flow) = check_flow(&mut d, item, assignments, catalogue, &mut names) {
                    flows.push(flow);
                }
            }
        }
        Some(_) => {
            let node = get(entries, "flow").expect("just matched");
            d.error(node.span.clone(), "write each flow as a `[[flow]]` table");
        }
        None => {}
    }
    if d.found.is_empty() {
        return Ok(Flows {
            file: path.to_path_buf(),
            flows,
        });
    }
    d.found.sort_by_key(|x| (x.line, x.column));
    Err(ConfigError {
        diagnostics: d.found,
    })
}

/// What a flow's templates may read: the event cards' outputs and earlier steps.
struct Scope<'a> {
    /// The output schemas of the flow's event cards.
    events: Vec<(&'static str, Value)>,
    /// Earlier steps: name → (card, what a later step can read of it).
    steps: Vec<(String, &'a str, StepOutput)>,
}

/// What a later step can read of a step.
enum StepOutput {
    /// Nothing: it runs through apply.
    Apply,
    /// Nothing: it runs on every instance the person has an account in (`"*"`), so it
    /// has one output per instance.
    Each,
    /// Its card's output, of this schema.
    One(Value),
}

fn check_flow(
    d: &mut Diags,
    node: &Node,
    assignments: &Assignments,
    catalogue: &Catalogue,
    names: &mut BTreeMap<String, usize>,
) -> Option<Flow> {
    let Some(entries) = node.entries() else {
        d.error(node.span.clone(), "a `[[flow]]` must be a table");
        return None;
    };
    unknown_keys(d, entries, &["name", "on", "when", "step"], "a flow");
    let name = string_field(d, entries, "name", &node.span, "a flow");
    if let Some((name, span)) = &name {
        let line = d.line(span);
        if let Some(first) = names.insert((*name).to_owned(), line) {
            d.error(
                span.clone(),
                format!("flow name `{name}` is used twice (first at line {first})"),
            );
        }
    }
    let what = match &name {
        Some((name, _)) => format!("flow `{name}`"),
        None => "a flow".to_owned(),
    };
    let on = check_on(d, entries, &node.span, &what);
    let mut scope = Scope {
        events: on
            .iter()
            .filter_map(|n| {
                EVENT_CARDS
                    .iter()
                    .find(|c| c.name == n)
                    .map(|c| (c.name, Value::from((c.output_schema)())))
            })
            .collect(),
        steps: Vec::new(),
    };
    let when = get(entries, "when").map(|when| {
        check_when(d, when, &scope.events, &mut Vec::new());
        when.to_json()
    });
    let mut steps = Vec::new();
    match get(entries, "step").map(|n| &n.value) {
        Some(NodeValue::Array(items)) => {
            let mut step_names: BTreeMap<String, usize> = BTreeMap::new();
            for item in items {
                if let Some(step) = check_step(
                    d,
                    item,
                    assignments,
                    catalogue,
                    &mut scope,
                    &mut step_names,
                    &what,
                ) {
                    steps.push(step);
                }
            }
        }
        Some(_) => {
            let step = get(entries, "step").expect("just matched");
            d.error(
                step.span.clone(),
                "write each step as a `[[flow.step]]` table",
            );
        }
        None => d.error(
            node.span.clone(),
            format!("{what} has no steps (`[[flow.step]]`)"),
        ),
    }
    Some(Flow {
        name: name.map(|(n, _)| n.to_owned()).unwrap_or_default(),
        on,
        when,
        steps,
    })
}

/// `on = "person_deactivated"` or a list of event cards.
fn check_on(d: &mut Diags, entries: &[(Key, Node)], at: &Range<usize>, what: &str) -> Vec<String> {
    let Some(on) = get(entries, "on") else {
        d.error(
            at.clone(),
            format!("{what} has no trigger: add `on = \"<event card>\"`"),
        );
        return Vec::new();
    };
    let items: Vec<&Node> = match &on.value {
        NodeValue::Str(_) => vec![on],
        NodeValue::Array(items) => items.iter().collect(),
        _ => {
            d.error(
                on.span.clone(),
                format!(
                    "`on` must be an event card or a list of them, found {}",
                    on.what()
                ),
            );
            return Vec::new();
        }
    };
    let known: Vec<&str> = EVENT_CARDS.iter().map(|c| c.name).collect();
    let mut cards = Vec::new();
    for item in items {
        let Some(name) = item.as_str() else {
            d.error(item.span.clone(), "an event card is a string");
            continue;
        };
        if known.contains(&name) {
            cards.push(name.to_owned());
        } else {
            d.error(
                item.span.clone(),
                format!(
                    "unknown event card `{name}`{}; the event cards are: {}",
                    did_you_mean(name, known.iter().copied()),
                    known.join(", ")
                ),
            );
        }
    }
    cards
}

/// The trigger's filter: every key a field of every `on` card's output.
fn check_when(
    d: &mut Diags,
    node: &Node,
    events: &[(&'static str, Value)],
    path: &mut Vec<String>,
) {
    let Some(entries) = node.entries() else {
        d.error(
            node.span.clone(),
            format!(
                "`when` must be a table of the event's fields, found {}",
                node.what()
            ),
        );
        return;
    };
    for (key, value) in entries {
        path.push(key.name.clone());
        for (card, output) in events {
            let segments: Vec<&str> = path.iter().map(String::as_str).collect();
            match schema::at_path(output, output, &segments) {
                Err((_, fields)) => {
                    d.error(
                        key.span.clone(),
                        format!(
                            "`{card}` outputs no `{}`{}; its fields here: {}",
                            segments.join("."),
                            did_you_mean(&key.name, fields.iter().map(String::as_str)),
                            fields.join(", ")
                        ),
                    );
                    break;
                }
                Ok(field) => {
                    let kind = schema::kind(output, field);
                    let is_table = matches!(value.value, NodeValue::Table(_));
                    if kind == Kind::Object && !is_table {
                        let fields: Vec<String> = schema::properties(output, field)
                            .map(|p| p.keys().cloned().collect())
                            .unwrap_or_default();
                        d.error(
                            value.span.clone(),
                            format!(
                                "type mismatch: `{}` is an object ({}); filter on one of its fields, e.g. `{}.{}`",
                                segments.join("."),
                                fields.join(", "),
                                segments.join("."),
                                fields.first().map_or("id", String::as_str)
                            ),
                        );
                        break;
                    }
                    if is_table && kind != Kind::Object {
                        d.error(
                            value.span.clone(),
                            format!(
                                "type mismatch: `{}` is {}, not an object",
                                segments.join("."),
                                kind.what()
                            ),
                        );
                        break;
                    }
                }
            }
        }
        if matches!(value.value, NodeValue::Table(_)) {
            check_when(d, value, events, path);
        }
        path.pop();
    }
}

#[allow(clippy::too_many_arguments)]
fn check_step<'c>(
    d: &mut Diags,
    node: &Node,
    assignments: &Assignments,
    catalogue: &'c Catalogue,
    scope: &mut Scope<'c>,
    step_names: &mut BTreeMap<String, usize>,
    flow: &str,
) -> Option<FlowStep> {
    let Some(entries) = node.entries() else {
        d.error(node.span.clone(), "a `[[flow.step]]` must be a table");
        return None;
    };
    unknown_keys(
        d,
        entries,
        &["name", "card", "instance", "input", "if"],
        "a step",
    );
    let what = format!("a step of {flow}");
    let name = string_field(d, entries, "name", &node.span, &what);
    if let Some((name, span)) = &name {
        let line = d.line(span);
        if let Some(first) = step_names.insert((*name).to_owned(), line) {
            d.error(
                span.clone(),
                format!("step name `{name}` is used twice in {flow} (first at line {first})"),
            );
        }
    }
    let instance = string_field(d, entries, "instance", &node.span, &what);
    let card = string_field(d, entries, "card", &node.span, &what);
    let condition = get(entries, "if").and_then(|cond| match cond.as_str() {
        Some(text) => check_template(d, text, &cond.span, scope),
        None => {
            d.error(
                cond.span.clone(),
                format!(
                    "`if` is a template (`\"{{steps.find.account.id}}\"`), found {}",
                    cond.what()
                ),
            );
            None
        }
    });
    let (instance, instance_span) = instance?;
    let (card, card_span) = card?;
    // The cards this step can use, by the instances it runs on.
    let targets: Vec<(&str, &'static [Card])> = if instance == "*" {
        assignments
            .instances
            .values()
            .filter_map(|i| Some((i.name.as_str(), *catalogue.get(i.manifest.name)?)))
            .collect()
    } else {
        match assignments.instance(instance) {
            Some(found) => match catalogue.get(found.manifest.name) {
                Some(cards) => vec![(instance, *cards)],
                None => {
                    d.error(
                        instance_span,
                        format!(
                            "instance `{instance}` uses connector `{}`, whose cards are not known to this build",
                            found.manifest.name
                        ),
                    );
                    return None;
                }
            },
            None => {
                d.error(
                    instance_span,
                    format!(
                        "unknown instance `{instance}`{}; the assignments file has: {} (or `\"*\"`: every instance the person is planned on)",
                        did_you_mean(instance, assignments.instances.keys().map(String::as_str)),
                        assignments
                            .instances
                            .keys()
                            .map(String::as_str)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
                return None;
            }
        }
    };
    let route = match plan_actions(card) {
        Some(actions) => Route::Apply(actions),
        None => Route::Card,
    };
    let having: Vec<(&str, &Card)> = targets
        .iter()
        .filter_map(|(i, cards)| {
            cards
                .iter()
                .find(|c| c.name == card && c.kind == CardKind::Action)
                .map(|c| (*i, c))
        })
        .collect();
    let Some((_, card_def)) = having.first().copied() else {
        let known: Vec<&str> = targets
            .iter()
            .flat_map(|(_, cards)| cards.iter())
            .filter(|c| c.kind == CardKind::Action)
            .map(|c| c.name)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let whose = if instance == "*" {
            "no instance".to_owned()
        } else {
            format!("instance `{instance}`")
        };
        d.error(
            card_span,
            format!(
                "{whose} has no card `{card}`{}; its cards are: {}",
                did_you_mean(card, known.iter().copied()),
                known.join(", ")
            ),
        );
        return None;
    };
    let mut conversions = Vec::new();
    let input = match get(entries, "input") {
        Some(input) => {
            match &input.value {
                NodeValue::Table(_) => {
                    // With `"*"`, the input must fit the card of at least one instance
                    // (a SKU of one app); the first instance's problems are reported.
                    let mut first: Option<Vec<Diagnostic>> = None;
                    for (_, def) in &having {
                        let mut scratch = Diags {
                            file: d.file,
                            text: d.text,
                            found: Vec::new(),
                        };
                        let found = check_input(&mut scratch, input, def, route, scope);
                        if scratch.found.is_empty() {
                            first = None;
                            conversions = found;
                            break;
                        }
                        first.get_or_insert(scratch.found);
                    }
                    d.found.extend(first.unwrap_or_default());
                }
                _ => d.error(
                    input.span.clone(),
                    format!("`input` must be a table, found {}", input.what()),
                ),
            }
            input.to_json()
        }
        None => {
            if route == Route::Card {
                let root = Value::from((card_def.input_schema)());
                let missing = schema::required(&root, &root);
                if !missing.is_empty() {
                    d.error(
                        node.span.clone(),
                        format!("card `{card}` needs an input: {}", missing.join(", ")),
                    );
                }
            }
            Value::Object(Default::default())
        }
    };
    let output = match route {
        Route::Apply(_) => StepOutput::Apply,
        Route::Card if instance == "*" => StepOutput::Each,
        Route::Card => StepOutput::One(Value::from((card_def.output_schema)())),
    };
    let name = name?.0.to_owned();
    scope.steps.push((name.clone(), card_def.name, output));
    Some(FlowStep {
        name,
        card: card.to_owned(),
        instance: (instance != "*").then(|| instance.to_owned()),
        input,
        condition,
        route,
        conversions,
    })
}

/// Checks a step's input table against its card's input schema; returns the inputs
/// whose template text must become a number or a boolean.
fn check_input(
    d: &mut Diags,
    input: &Node,
    card: &Card,
    route: Route,
    scope: &Scope,
) -> Vec<Conversion> {
    let root = Value::from((card.input_schema)());
    let entries = input.entries().unwrap_or_default();
    if let Route::Apply(_) = route {
        for (key, _) in entries {
            let Some(field) = schema::properties(&root, &root).and_then(|p| p.get(&key.name))
            else {
                continue;
            };
            if schema::kind(&root, field) == Kind::Object {
                d.error(
                    key.span.clone(),
                    format!(
                        "`{}` is not given to `{}` in a flow: it runs through apply, on the person's own account in each instance (only the SKU can be named)",
                        key.name, card.name
                    ),
                );
            }
        }
    }
    let mut check = InputCheck {
        root: &root,
        card: card.name,
        scope,
        require: route == Route::Card,
        conversions: Vec::new(),
    };
    check_value(d, input, &root, &Place::default(), &mut check);
    check.conversions
}

/// What a step's input is checked against, and what the check finds to convert.
struct InputCheck<'a> {
    /// The card's input schema (what `$ref`s point into).
    root: &'a Value,
    /// The card's name, for messages.
    card: &'a str,
    /// What the input's templates may read.
    scope: &'a Scope<'a>,
    /// Whether an object's required fields must be given (`cards::run` cards).
    require: bool,
    /// The templates whose text must become a number or a boolean.
    conversions: Vec<Conversion>,
}

/// Where a value is in a step's input: its name in messages (`query.limit`; a list's
/// items go by the list's name) and its JSON Pointer (`/query/limit`).
#[derive(Debug, Clone, Default)]
struct Place {
    name: String,
    pointer: String,
}

impl Place {
    /// The field `key` of this object.
    fn field(&self, key: &str) -> Self {
        Self {
            name: if self.name.is_empty() {
                key.to_owned()
            } else {
                format!("{}.{key}", self.name)
            },
            pointer: format!(
                "{}/{}",
                self.pointer,
                key.replace('~', "~0").replace('/', "~1")
            ),
        }
    }

    /// The item `index` of this list.
    fn item(&self, index: usize) -> Self {
        Self {
            name: self.name.clone(),
            pointer: format!("{}/{index}", self.pointer),
        }
    }

    /// The name in messages: `input` for the whole input.
    fn shown(&self) -> &str {
        if self.name.is_empty() {
            "input"
        } else {
            &self.name
        }
    }
}

/// Checks `node` against `schema`, at `place` in the input.
fn check_value(d: &mut Diags, node: &Node, schema: &Value, place: &Place, check: &mut InputCheck) {
    let kind = schema::kind(check.root, schema);
    match (&node.value, kind) {
        (NodeValue::Table(entries), Kind::Object) => {
            check_fields(d, node, entries, schema, place, check);
        }
        (NodeValue::Table(entries), Kind::Any) => {
            for (key, value) in entries {
                check_value(d, value, &Value::Bool(true), &place.field(&key.name), check);
            }
        }
        (NodeValue::Array(items), Kind::Array | Kind::Any) => {
            let items_schema = schema::resolve(check.root, schema)
                .get("items")
                .cloned()
                .unwrap_or(Value::Bool(true));
            for (index, item) in items.iter().enumerate() {
                check_value(d, item, &items_schema, &place.item(index), check);
            }
        }
        (NodeValue::Str(text), _) => check_text(d, node, text, schema, place, check),
        (NodeValue::Bool(_), Kind::Boolean | Kind::Any)
        | (NodeValue::Int(_), Kind::Integer | Kind::Number | Kind::Any)
        | (NodeValue::Float(_), Kind::Number | Kind::Any) => {}
        _ => mismatch(d, node, schema, place, check),
    }
}

/// Checks the fields of an input table against an object schema: unknown fields (with
/// "did you mean") and, for `cards::run` cards, missing required ones.
fn check_fields(
    d: &mut Diags,
    node: &Node,
    entries: &[(Key, Node)],
    schema: &Value,
    place: &Place,
    check: &mut InputCheck,
) {
    let fields = schema::properties(check.root, schema);
    let known: Vec<&str> = fields
        .map(|f| f.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let mut misspelt = false;
    for (key, value) in entries {
        let child = place.field(&key.name);
        match fields.and_then(|f| f.get(&key.name)) {
            Some(field) => check_value(d, value, field, &child, check),
            None => {
                misspelt = true;
                d.error(
                    key.span.clone(),
                    format!(
                        "card `{}` has no input `{}`{}; {} are: {}",
                        check.card,
                        child.name,
                        did_you_mean(&key.name, known.iter().copied()),
                        if place.name.is_empty() {
                            "its inputs".to_owned()
                        } else {
                            format!("the fields of `{}`", place.name)
                        },
                        known.join(", ")
                    ),
                );
            }
        }
    }
    // A misspelt key explains the missing one: one error, not two.
    if check.require && !misspelt {
        for wanted in schema::required(check.root, schema) {
            if !entries.iter().any(|(k, _)| k.name == wanted) {
                d.error(
                    node.span.clone(),
                    format!(
                        "`{}` of `{}` has no `{wanted}` (required)",
                        place.shown(),
                        check.card
                    ),
                );
            }
        }
    }
}

/// Checks a string of the input: a template whose paths the scope has; a literal of
/// the schema's type and enum; a template where a number or a boolean is wanted is
/// recorded for conversion when the step runs.
fn check_text(
    d: &mut Diags,
    node: &Node,
    text: &str,
    schema: &Value,
    place: &Place,
    check: &mut InputCheck,
) {
    let Some(template) = check_template(d, text, &node.span, check.scope) else {
        return;
    };
    let literal = template.exprs().next().is_none();
    let kind = schema::kind(check.root, schema);
    match (kind.scalar(), kind) {
        (_, Kind::String | Kind::Any) => {}
        (Some(to), _) if !literal => {
            check.conversions.push(Conversion {
                pointer: place.pointer.clone(),
                path: place.shown().to_owned(),
                to,
            });
            return;
        }
        _ => {
            mismatch(d, node, schema, place, check);
            return;
        }
    }
    if literal
        && let Some(values) = schema::enum_values(check.root, schema)
        && !values.iter().any(|v| v == text)
    {
        d.error(
            node.span.clone(),
            format!(
                "type mismatch: `{text}` is not a value of `{}` of `{}`{}; it takes: {}",
                place.shown(),
                check.card,
                did_you_mean(text, values.iter().map(String::as_str)),
                values.join(", ")
            ),
        );
    }
}

/// Reports `node` as not of the type `schema` wants (an object's fields listed).
fn mismatch(d: &mut Diags, node: &Node, schema: &Value, place: &Place, check: &InputCheck) {
    let kind = schema::kind(check.root, schema);
    let detail = match kind {
        Kind::Object => format!(
            " ({})",
            schema::properties(check.root, schema)
                .map(|p| p.keys().cloned().collect::<Vec<_>>().join(", "))
                .unwrap_or_default()
        ),
        _ => String::new(),
    };
    d.error(
        node.span.clone(),
        format!(
            "type mismatch: `{}` of `{}` wants {}{detail}, found {}",
            place.shown(),
            check.card,
            kind.what(),
            node.what()
        ),
    );
}

/// Parses a template written at `span` and checks each path it reads against `scope`.
fn check_template(
    d: &mut Diags,
    text: &str,
    span: &Range<usize>,
    scope: &Scope,
) -> Option<connector_sdk::template::Template> {
    // Offsets inside the string are exact when the TOML string is written as is.
    let raw = d.text.get(span.clone()).unwrap_or_default();
    let exact = raw.len() == text.len() + 2 && raw.get(1..raw.len() - 1) == Some(text);
    let at = |local: &Range<usize>| {
        if exact {
            span.start + 1 + local.start..span.start + 1 + local.end
        } else {
            span.clone()
        }
    };
    let (template, reads) = match template::parse(text) {
        Ok(parsed) => parsed,
        Err(errors) => {
            for error in errors {
                let message = match error.help {
                    Some(help) => format!("{}; {help}", error.message),
                    None => error.message,
                };
                d.error(at(&error.span), message);
            }
            return None;
        }
    };
    let before = d.found.len();
    for read in &reads {
        if let Err(message) = check_read(read, scope) {
            d.error(at(&read.span), message);
        }
    }
    (d.found.len() == before).then_some(template)
}

/// Whether the path `read` names a value the event or an earlier step outputs.
fn check_read(read: &Read, scope: &Scope) -> Result<(), String> {
    let segments: Vec<&str> = read.path.split('.').collect();
    match segments[0] {
        "event" => {
            for (card, output) in &scope.events {
                check_path(
                    output,
                    &segments[1..],
                    "event",
                    &format!("event card `{card}`"),
                )?;
            }
            Ok(())
        }
        "steps" => {
            let Some(step) = segments.get(1) else {
                return Err("`steps` needs a step: `{steps.<name>.<field>}`".into());
            };
            let Some((_, card, output)) = scope.steps.iter().find(|(n, _, _)| n == step) else {
                return Err(format!(
                    "no earlier step `{step}`{}",
                    did_you_mean(step, scope.steps.iter().map(|(n, _, _)| n.as_str()))
                ));
            };
            let output = match output {
                StepOutput::One(output) => output,
                StepOutput::Apply => {
                    return Err(format!(
                        "step `{step}` (`{card}`) runs through apply: it has no output to read"
                    ));
                }
                StepOutput::Each => {
                    return Err(format!(
                        "step `{step}` (`{card}`) runs on every instance the person has an account in (`instance = \"*\"`): it has one output per instance, so no later step can read it"
                    ));
                }
            };
            check_path(
                output,
                &segments[2..],
                &format!("steps.{step}"),
                &format!("step `{step}` (`{card}`)"),
            )
        }
        other => Err(format!(
            "`{}`: a template reads `event.<field>` or `steps.<name>.<field>`{}",
            read.path,
            did_you_mean(other, ["event", "steps"])
        )),
    }
}

/// `path` below `output` must be a scalar field.
fn check_path(output: &Value, path: &[&str], prefix: &str, what: &str) -> Result<(), String> {
    let field = schema::at_path(output, output, path).map_err(|(at, fields)| {
        let shown = [prefix]
            .into_iter()
            .chain(path[..=at].iter().copied())
            .collect::<Vec<_>>()
            .join(".");
        format!(
            "{what} outputs no `{shown}`{}; the fields there: {}",
            did_you_mean(path[at], fields.iter().map(String::as_str)),
            fields.join(", ")
        )
    })?;
    let shown = [prefix]
        .into_iter()
        .chain(path.iter().copied())
        .collect::<Vec<_>>()
        .join(".");
    match schema::kind(output, field) {
        Kind::Object => {
            let fields: Vec<String> = schema::properties(output, field)
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default();
            Err(format!(
                "type mismatch: `{shown}` is an object ({}); read one of its fields",
                fields.join(", ")
            ))
        }
        Kind::Array => Err(format!(
            "type mismatch: `{shown}` is a list; a template reads text"
        )),
        _ => Ok(()),
    }
}
