//! A template gives text; where a card's input schema wants a number or a boolean, the
//! checker records the input's place ([`Conversion`]) and the rendered text is
//! converted here before the card runs (`"42"` → 42, `"3.5"` → 3.5, `"true"` → true).

use serde_json::Value;

use super::{Conversion, Scalar};

impl Scalar {
    /// For messages: `an integer`, `a number`, `a boolean`.
    pub fn what(self) -> &'static str {
        match self {
            Self::Integer => "an integer",
            Self::Number => "a number",
            Self::Boolean => "a boolean",
        }
    }

    /// `text` as this type, or `None` when it is not one (surrounding spaces are
    /// ignored; a number that is whole stays an integer).
    pub fn parse(self, text: &str) -> Option<Value> {
        let text = text.trim();
        match self {
            Self::Integer => integer(text),
            Self::Number => integer(text).or_else(|| {
                text.parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                    .map(Value::Number)
            }),
            Self::Boolean => match text {
                "true" => Some(Value::Bool(true)),
                "false" => Some(Value::Bool(false)),
                _ => None,
            },
        }
    }
}

/// `text` as a whole number (signed or not), if it is one.
fn integer(text: &str) -> Option<Value> {
    text.parse::<i64>()
        .map(Value::from)
        .or_else(|_| text.parse::<u64>().map(Value::from))
        .ok()
}

/// `input` (rendered) with each of `conversions` applied; the first text that does not
/// convert fails, naming the input, `card` and the value.
pub(crate) fn convert(
    mut input: Value,
    conversions: &[Conversion],
    card: &str,
) -> Result<Value, String> {
    for conversion in conversions {
        let Some(slot) = input.pointer_mut(&conversion.pointer) else {
            continue;
        };
        let Value::String(text) = slot else {
            continue;
        };
        *slot = conversion.to.parse(text).ok_or_else(|| {
            format!(
                "`{}` of `{card}` wants {}; `{text}` is not one",
                conversion.path,
                conversion.to.what()
            )
        })?;
    }
    Ok(input)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn at(pointer: &str, path: &str, to: Scalar) -> Conversion {
        Conversion {
            pointer: pointer.to_owned(),
            path: path.to_owned(),
            to,
        }
    }

    #[test]
    fn text_becomes_the_type_the_card_wants() {
        let input = json!({"count": "42", "ratio": "3.5", "whole": "7", "on": "true",
                           "off": " false ", "name": "42", "list": ["1", "x"]});
        let conversions = [
            at("/count", "count", Scalar::Integer),
            at("/ratio", "ratio", Scalar::Number),
            at("/whole", "whole", Scalar::Number),
            at("/on", "on", Scalar::Boolean),
            at("/off", "off", Scalar::Boolean),
            at("/list/0", "list", Scalar::Integer),
        ];
        let converted = convert(input, &conversions, "c").unwrap();
        assert_eq!(
            converted,
            json!({"count": 42, "ratio": 3.5, "whole": 7, "on": true, "off": false,
                   "name": "42", "list": [1, "x"]})
        );
    }

    #[test]
    fn text_that_does_not_convert_names_the_input_the_card_and_the_value() {
        let fail = |value: &str, to: Scalar| {
            convert(
                json!({"limit": value}),
                &[at("/limit", "limit", to)],
                "list_accounts",
            )
            .unwrap_err()
        };
        assert_eq!(
            fail("abc", Scalar::Integer),
            "`limit` of `list_accounts` wants an integer; `abc` is not one"
        );
        assert_eq!(
            fail("3.5", Scalar::Integer),
            "`limit` of `list_accounts` wants an integer; `3.5` is not one"
        );
        assert_eq!(
            fail("yes", Scalar::Boolean),
            "`limit` of `list_accounts` wants a boolean; `yes` is not one"
        );
        assert_eq!(
            fail("NaN", Scalar::Number),
            "`limit` of `list_accounts` wants a number; `NaN` is not one"
        );
    }
}
