//! Whether an app in Okta already holds what its definition says.

use serde_json::Value;

/// The paths (`settings.signOn.audience`) where `have` differs from `want`; keys `want`
/// does not mention are Okta's own and ignored.
pub(super) fn differences(want: &Value, have: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk(want, have, "", &mut out);
    out
}

fn walk(want: &Value, have: &Value, path: &str, out: &mut Vec<String>) {
    match (want, have) {
        (Value::Object(want), Value::Object(have)) => {
            for (key, value) in want {
                let child = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                walk(value, have.get(key).unwrap_or(&Value::Null), &child, out);
            }
        }
        _ if want == have => {}
        _ => out.push(if path.is_empty() {
            "(app)".to_owned()
        } else {
            path.to_owned()
        }),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn only_what_the_definition_says_counts() {
        let want = json!({"label": "A", "settings": {"signOn": {"audience": "x", "list": [1]}}});
        let same = json!({"id": "0oa1", "label": "A", "settings": {"signOn": {"audience": "x", "list": [1], "extra": 1}}});
        assert!(differences(&want, &same).is_empty());
        let other =
            json!({"label": "B", "settings": {"signOn": {"audience": "y", "list": [1, 2]}}});
        assert_eq!(
            differences(&want, &other),
            ["label", "settings.signOn.audience", "settings.signOn.list"]
        );
        assert_eq!(differences(&want, &json!({})), ["label", "settings"]);
    }
}
