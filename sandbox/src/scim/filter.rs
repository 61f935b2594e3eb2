//! SCIM filter expressions (RFC 7644 §3.4.2.2): the syntax tree and its parser.
//!
//! Precedence is `not` over `and` over `or`; parentheses group; `attr[filter]` filters
//! the values of a multi-valued attribute. Evaluation lives in `filter_eval`.

use serde_json::Value;

use super::attr_path::AttrPath;
use super::error::{ScimError, ScimResult};

/// The longest filter accepted, in bytes.
const MAX_LEN: usize = 8 * 1024;
/// The deepest nesting accepted (parentheses, `not`, value paths).
const MAX_DEPTH: usize = 32;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CompareOp {
    /// Equal.
    Eq,
    /// Not equal.
    Ne,
    /// Contains.
    Co,
    /// Starts with.
    Sw,
    /// Ends with.
    Ew,
    /// Greater than.
    Gt,
    /// Greater than or equal.
    Ge,
    /// Less than.
    Lt,
    /// Less than or equal.
    Le,
}

impl CompareOp {
    /// The operator spelled `word` (any case).
    fn parse(word: &str) -> Option<Self> {
        Some(match word.to_ascii_lowercase().as_str() {
            "eq" => Self::Eq,
            "ne" => Self::Ne,
            "co" => Self::Co,
            "sw" => Self::Sw,
            "ew" => Self::Ew,
            "gt" => Self::Gt,
            "ge" => Self::Ge,
            "lt" => Self::Lt,
            "le" => Self::Le,
            _ => return None,
        })
    }
}

/// A filter expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Filter {
    /// `path op value`.
    Compare {
        /// The attribute compared.
        path: AttrPath,
        /// The operator.
        op: CompareOp,
        /// The literal (string, number, boolean or null).
        value: Value,
    },
    /// `path pr`.
    Present(AttrPath),
    /// Both hold.
    And(Box<Filter>, Box<Filter>),
    /// Either holds.
    Or(Box<Filter>, Box<Filter>),
    /// The inner filter does not hold.
    Not(Box<Filter>),
    /// `path[filter]`: some value of the multi-valued `path` matches `filter`.
    ValuePath {
        /// The multi-valued attribute.
        path: AttrPath,
        /// The filter each value is tested with.
        filter: Box<Filter>,
    },
}

impl Filter {
    /// Parses a filter; a malformed one is a 400 `invalidFilter`.
    pub(crate) fn parse(text: &str) -> ScimResult<Self> {
        if text.len() > MAX_LEN {
            return Err(ScimError::invalid_filter("the filter is too long"));
        }
        let tokens = tokenize(text)?;
        let mut parser = Parser { tokens, at: 0 };
        let filter = parser.or_expr(0)?;
        match parser.peek() {
            None => Ok(filter),
            Some(token) => Err(ScimError::invalid_filter(format!(
                "unexpected {token:?} in the filter"
            ))),
        }
    }

    /// Every attribute the filter reads, value paths joined with their inner attributes
    /// (`emails[value eq "x"]` reads `emails.value`).
    pub(crate) fn attributes(&self) -> Vec<AttrPath> {
        let mut out = Vec::new();
        self.collect(None, &mut out);
        out
    }

    fn collect(&self, parent: Option<&AttrPath>, out: &mut Vec<AttrPath>) {
        let join = |path: &AttrPath| match parent {
            Some(parent) => AttrPath {
                urn: parent.urn.clone(),
                attr: parent.attr.clone(),
                sub: Some(path.attr.clone()),
            },
            None => path.clone(),
        };
        match self {
            Self::Compare { path, .. } | Self::Present(path) => out.push(join(path)),
            Self::And(a, b) | Self::Or(a, b) => {
                a.collect(parent, out);
                b.collect(parent, out);
            }
            Self::Not(inner) => inner.collect(parent, out),
            Self::ValuePath { path, filter } => filter.collect(Some(&join(path)), out),
        }
    }
}

/// A lexical token.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    /// A name, operator, keyword or number.
    Word(String),
    /// A JSON string literal, decoded.
    Str(String),
    /// `(`.
    Open,
    /// `)`.
    Close,
    /// `[`.
    OpenBracket,
    /// `]`.
    CloseBracket,
}

fn tokenize(text: &str) -> ScimResult<Vec<Token>> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'(' | b')' | b'[' | b']' => {
                tokens.push(match c {
                    b'(' => Token::Open,
                    b')' => Token::Close,
                    b'[' => Token::OpenBracket,
                    _ => Token::CloseBracket,
                });
                i += 1;
            }
            b'"' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                if i >= bytes.len() {
                    return Err(ScimError::invalid_filter(
                        "unterminated string in the filter",
                    ));
                }
                i += 1;
                let literal: String = serde_json::from_str(&text[start..i]).map_err(|e| {
                    ScimError::invalid_filter(format!("bad string literal in the filter: {e}"))
                })?;
                tokens.push(Token::Str(literal));
            }
            _ => {
                let start = i;
                while i < bytes.len() && !b" \t\r\n()[]\"".contains(&bytes[i]) {
                    i += 1;
                }
                tokens.push(Token::Word(text[start..i].to_owned()));
            }
        }
    }
    Ok(tokens)
}

/// A recursive-descent parser over the tokens.
struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    fn expect(&mut self, wanted: &Token) -> ScimResult<()> {
        match self.next() {
            Some(token) if &token == wanted => Ok(()),
            other => Err(ScimError::invalid_filter(format!(
                "expected {wanted:?} in the filter, found {other:?}"
            ))),
        }
    }

    fn or_expr(&mut self, depth: usize) -> ScimResult<Filter> {
        if depth > MAX_DEPTH {
            return Err(ScimError::invalid_filter("the filter is nested too deeply"));
        }
        let mut left = self.and_expr(depth)?;
        while self.keyword("or") {
            self.at += 1;
            let right = self.and_expr(depth)?;
            left = Filter::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and_expr(&mut self, depth: usize) -> ScimResult<Filter> {
        let mut left = self.unary(depth)?;
        while self.keyword("and") {
            self.at += 1;
            let right = self.unary(depth)?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self, depth: usize) -> ScimResult<Filter> {
        if self.keyword("not") && self.tokens.get(self.at + 1) == Some(&Token::Open) {
            self.at += 2;
            let inner = self.or_expr(depth + 1)?;
            self.expect(&Token::Close)?;
            return Ok(Filter::Not(Box::new(inner)));
        }
        if self.peek() == Some(&Token::Open) {
            self.at += 1;
            let inner = self.or_expr(depth + 1)?;
            self.expect(&Token::Close)?;
            return Ok(inner);
        }
        self.attr_expr(depth)
    }

    fn attr_expr(&mut self, depth: usize) -> ScimResult<Filter> {
        let path = match self.next() {
            Some(Token::Word(word)) => AttrPath::parse(&word).ok_or_else(|| {
                ScimError::invalid_filter(format!("`{word}` is not an attribute path"))
            })?,
            other => {
                return Err(ScimError::invalid_filter(format!(
                    "expected an attribute path in the filter, found {other:?}"
                )));
            }
        };
        if self.peek() == Some(&Token::OpenBracket) {
            self.at += 1;
            let filter = self.or_expr(depth + 1)?;
            self.expect(&Token::CloseBracket)?;
            return Ok(Filter::ValuePath {
                path,
                filter: Box::new(filter),
            });
        }
        let op = match self.next() {
            Some(Token::Word(word)) if word.eq_ignore_ascii_case("pr") => {
                return Ok(Filter::Present(path));
            }
            Some(Token::Word(word)) => CompareOp::parse(&word).ok_or_else(|| {
                ScimError::invalid_filter(format!("`{word}` is not a filter operator"))
            })?,
            other => {
                return Err(ScimError::invalid_filter(format!(
                    "expected an operator after `{path}`, found {other:?}"
                )));
            }
        };
        let value = match self.next() {
            Some(Token::Str(text)) => Value::String(text),
            Some(Token::Word(word)) => literal(&word)?,
            other => {
                return Err(ScimError::invalid_filter(format!(
                    "expected a value after `{path}`, found {other:?}"
                )));
            }
        };
        Ok(Filter::Compare { path, op, value })
    }
}

/// A non-string literal: `true`, `false`, `null` or a number.
fn literal(word: &str) -> ScimResult<Value> {
    match word.to_ascii_lowercase().as_str() {
        "true" => Ok(Value::Bool(true)),
        "false" => Ok(Value::Bool(false)),
        "null" => Ok(Value::Null),
        _ => serde_json::from_str::<serde_json::Number>(word)
            .map(Value::Number)
            .map_err(|_| ScimError::invalid_filter(format!("`{word}` is not a filter value"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_precedence_and_value_paths() {
        let filter =
            Filter::parse(r#"userName eq "a\"b" or not (active eq false) and emails[type eq "work" and value co "@x"]"#)
                .unwrap();
        let Filter::Or(left, right) = filter else {
            panic!("or at the top")
        };
        assert_eq!(
            *left,
            Filter::Compare {
                path: AttrPath::core("userName"),
                op: CompareOp::Eq,
                value: Value::from("a\"b"),
            }
        );
        assert!(matches!(*right, Filter::And(..)));
        let attrs: Vec<String> = Filter::parse(r#"emails[value eq "x"] and title pr"#)
            .unwrap()
            .attributes()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(attrs, ["emails.value", "title"]);
    }

    #[test]
    fn rejects_malformed_filters() {
        for bad in [
            "",
            "userName",
            "userName eq",
            "userName xx \"a\"",
            "userName eq \"a",
            "(userName eq \"a\"",
            "userName eq \"a\" junk",
            "emails[type eq \"a\"",
            "userName eq bare",
        ] {
            let error = Filter::parse(bad).unwrap_err();
            assert_eq!(error.scim_type, Some("invalidFilter"), "{bad}");
        }
        let deep = format!("{}a pr{}", "(".repeat(100), ")".repeat(100));
        assert!(Filter::parse(&deep).is_err());
    }
}
