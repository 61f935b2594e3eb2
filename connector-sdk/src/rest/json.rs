//! JSON helpers of declared REST operations: JSON pointers (RFC 6901) into answers, and
//! the dotted attribute paths of a spec (`name.givenName` ↔ `{"name":{"givenName":..}}`).
//! Keys match exactly: REST APIs, unlike SCIM, have case-sensitive names.

use serde_json::Value;

/// The value at `pointer` (`""` is the whole document); `None` when absent or `null`.
pub(super) fn at<'a>(json: &'a Value, pointer: &str) -> Option<&'a Value> {
    json.pointer(pointer).filter(|value| !value.is_null())
}

/// A scalar as text: strings as they are, numbers and booleans as JSON writes them
/// (ids are sometimes numbers). `None` for arrays, objects and `null`.
pub(super) fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

/// The text at `pointer`, when it is a scalar.
pub(super) fn text_at(json: &Value, pointer: &str) -> Option<String> {
    at(json, pointer).and_then(text)
}

/// The value at a dotted attribute path; `None` when absent or `null`.
pub(super) fn dotted<'a>(json: &'a Value, path: &str) -> Option<&'a Value> {
    let mut current = json;
    for key in path.split('.') {
        current = current.as_object()?.get(key)?;
    }
    (!current.is_null()).then_some(current)
}

/// Removes the value at a dotted attribute path, and the objects it leaves empty.
/// Returns the removed value.
pub(super) fn remove_dotted(json: &mut Value, path: &str) -> Option<Value> {
    let (head, rest) = match path.split_once('.') {
        Some((head, rest)) => (head, Some(rest)),
        None => (path, None),
    };
    let object = json.as_object_mut()?;
    match rest {
        None => object.remove(head),
        Some(rest) => {
            let child = object.get_mut(head)?;
            let removed = remove_dotted(child, rest);
            if child.as_object().is_some_and(serde_json::Map::is_empty) {
                object.remove(head);
            }
            removed
        }
    }
}

/// The accounts an answer holds: the array at `items`, or the answer itself when the
/// operation names no `items`. An absent or `null` array is empty (Google leaves it out
/// when nothing matches). The error says what is wrong.
pub(super) fn items(mut body: Value, items: Option<&str>) -> Result<Vec<Value>, String> {
    let Some(pointer) = items else {
        return Ok(vec![body]);
    };
    match body.pointer_mut(pointer).map(Value::take) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(values)) => Ok(values),
        Some(_) => Err(format!("`{pointer}` is not an array")),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn pointers_and_text() {
        let json = json!({"id": 7, "a/b": {"c": "x"}, "n": null, "ok": true});
        assert_eq!(text_at(&json, "/id").as_deref(), Some("7"));
        assert_eq!(text_at(&json, "/a~1b/c").as_deref(), Some("x"));
        assert_eq!(text_at(&json, "/ok").as_deref(), Some("true"));
        assert_eq!(at(&json, "/n"), None);
        assert_eq!(at(&json, "/missing"), None);
        assert_eq!(text_at(&json, "/a~1b"), None);
    }

    #[test]
    fn dotted_paths() {
        let mut json = json!({"name": {"givenName": "Ada", "familyName": "L"}, "password": "p"});
        assert_eq!(dotted(&json, "name.givenName"), Some(&json!("Ada")));
        assert_eq!(dotted(&json, "name.GivenName"), None);
        assert_eq!(remove_dotted(&mut json, "password"), Some(json!("p")));
        assert_eq!(
            remove_dotted(&mut json, "name.givenName"),
            Some(json!("Ada"))
        );
        assert_eq!(
            remove_dotted(&mut json, "name.familyName"),
            Some(json!("L"))
        );
        assert_eq!(json, json!({}));
        assert_eq!(remove_dotted(&mut json, "name.x"), None);
    }

    #[test]
    fn item_arrays() {
        let body = json!({"users": [{"id": "1"}, {"id": "2"}]});
        assert_eq!(items(body.clone(), Some("/users")).unwrap().len(), 2);
        assert_eq!(items(body.clone(), None).unwrap(), [body]);
        assert!(items(json!({}), Some("/users")).unwrap().is_empty());
        assert!(items(json!({"users": {}}), Some("/users")).is_err());
    }
}
