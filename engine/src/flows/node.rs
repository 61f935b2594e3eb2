//! The flows file as a tree of values, each with its byte span, so every check can
//! point at the exact place of a mistake.

use std::ops::Range;

use serde_json::Value;
use toml::de::{DeTable, DeValue};

/// A value of the flows file and where it is.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    /// Its byte range in the file.
    pub span: Range<usize>,
    /// The value.
    pub value: NodeValue,
}

/// A TOML value with the spans of its parts.
#[derive(Debug, Clone)]
pub(crate) enum NodeValue {
    /// A string.
    Str(String),
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A date or time (kept as written).
    Datetime(String),
    /// An array.
    Array(Vec<Node>),
    /// A table: keys with their spans, in file order.
    Table(Vec<(Key, Node)>),
}

/// A table key and where it is.
#[derive(Debug, Clone)]
pub(crate) struct Key {
    /// The key.
    pub name: String,
    /// Its byte range.
    pub span: Range<usize>,
}

impl Node {
    /// The whole file's table, or the parser's error (message and span).
    pub(crate) fn parse(text: &str) -> Result<Node, (String, Range<usize>)> {
        let table =
            DeTable::parse(text).map_err(|e| (e.message().to_owned(), e.span().unwrap_or(0..0)))?;
        let span = table.span();
        Ok(Node {
            span,
            value: table_of(table.into_inner()),
        })
    }

    /// What the value is, for messages (`a string`, `a table`).
    pub(crate) fn what(&self) -> &'static str {
        match self.value {
            NodeValue::Str(_) => "a string",
            NodeValue::Bool(_) => "a boolean",
            NodeValue::Int(_) => "an integer",
            NodeValue::Float(_) => "a float",
            NodeValue::Datetime(_) => "a date",
            NodeValue::Array(_) => "an array",
            NodeValue::Table(_) => "a table",
        }
    }

    /// The table's entries, if it is one.
    pub(crate) fn entries(&self) -> Option<&[(Key, Node)]> {
        match &self.value {
            NodeValue::Table(entries) => Some(entries),
            _ => None,
        }
    }

    /// The string, if it is one.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match &self.value {
            NodeValue::Str(text) => Some(text),
            _ => None,
        }
    }

    /// The value as JSON (tables as objects).
    pub(crate) fn to_json(&self) -> Value {
        match &self.value {
            NodeValue::Str(text) | NodeValue::Datetime(text) => Value::from(text.as_str()),
            NodeValue::Bool(b) => Value::from(*b),
            NodeValue::Int(i) => Value::from(*i),
            NodeValue::Float(f) => Value::from(*f),
            NodeValue::Array(items) => items.iter().map(Node::to_json).collect(),
            NodeValue::Table(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.name.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

fn table_of(table: DeTable<'_>) -> NodeValue {
    NodeValue::Table(
        table
            .into_iter()
            .map(|(key, value)| {
                let key = Key {
                    span: key.span(),
                    name: key.into_inner().into_owned(),
                };
                let span = value.span();
                (
                    key,
                    Node {
                        span,
                        value: value_of(value.into_inner()),
                    },
                )
            })
            .collect(),
    )
}

fn value_of(value: DeValue<'_>) -> NodeValue {
    match value {
        DeValue::String(text) => NodeValue::Str(text.into_owned()),
        DeValue::Integer(i) => {
            let digits = i.as_str().replace('_', "");
            let parsed = match i.radix() {
                10 => digits.parse().ok(),
                radix => i64::from_str_radix(&digits, radix).ok(),
            };
            parsed.map_or(NodeValue::Str(i.as_str().to_owned()), NodeValue::Int)
        }
        DeValue::Float(f) => f
            .as_str()
            .replace('_', "")
            .parse()
            .map_or(NodeValue::Str(f.as_str().to_owned()), NodeValue::Float),
        DeValue::Boolean(b) => NodeValue::Bool(b),
        DeValue::Datetime(d) => NodeValue::Datetime(d.to_string()),
        DeValue::Array(items) => NodeValue::Array(
            items
                .into_iter()
                .map(|item| {
                    let span = item.span();
                    Node {
                        span,
                        value: value_of(item.into_inner()),
                    }
                })
                .collect(),
        ),
        DeValue::Table(table) => table_of(table),
    }
}
