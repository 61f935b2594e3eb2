//! Okta's cursor paging: `limit` (capped at each listing's maximum), `after` (an opaque
//! cursor: here the key of the last item served, items being ordered by key), and
//! `Link: <...>; rel="self"` / `Link: <...>; rel="next"` headers with absolute URLs.

use serde_json::Value;

use super::error::OktaError;

/// The page size of one listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct PageSize {
    /// When `limit` is absent.
    pub default: usize,
    /// The most one page holds; a larger `limit` is capped, as Okta does.
    pub max: usize,
}

impl PageSize {
    /// The page size `limit` asks for; 400 `E0000001` when it is not a positive integer.
    pub(super) fn read(self, limit: Option<&str>) -> Result<usize, OktaError> {
        let Some(text) = limit else {
            return Ok(self.default);
        };
        match text.trim().parse::<i64>() {
            Ok(n) if n >= 1 => Ok(usize::try_from(n).unwrap_or(self.max).min(self.max)),
            Ok(-1) => Ok(self.max),
            _ => Err(OktaError::invalid(
                "limit",
                format!("limit: `{text}` is not a positive integer"),
            )),
        }
    }
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Page {
    /// The items served.
    pub items: Vec<Value>,
    /// The cursor of the next page, when there are more items.
    pub next: Option<String>,
    /// Its 1-based number (how many full pages of `limit` come before it, plus one).
    pub number: u32,
}

/// The page of `all` (sorted by key) after the cursor `after`, `limit` items long.
pub(super) fn page(all: Vec<(String, Value)>, after: Option<&str>, limit: usize) -> Page {
    let skipped = after.map_or(0, |after| {
        all.iter()
            .take_while(|(key, _)| key.as_str() <= after)
            .count()
    });
    let number = u32::try_from(skipped / limit.max(1) + 1).unwrap_or(u32::MAX);
    let more = all.len() > skipped + limit;
    let items: Vec<(String, Value)> = all.into_iter().skip(skipped).take(limit).collect();
    let next = if more {
        items.last().map(|(key, _)| key.clone())
    } else {
        None
    };
    Page {
        items: items.into_iter().map(|(_, item)| item).collect(),
        next,
        number,
    }
}

/// The `Link` header values of a page of the listing at `url` (absolute, no query)
/// asked with `query`: `self` as asked, `next` with the same parameters but `limit`
/// and `after`.
pub(super) fn links(
    url: &str,
    query: &[(String, String)],
    limit: usize,
    next: Option<&str>,
) -> Vec<String> {
    let encode = |pairs: &[(String, String)]| {
        let mut serializer = url::form_urlencoded::Serializer::new(String::new());
        for (key, value) in pairs {
            serializer.append_pair(key, value);
        }
        serializer.finish()
    };
    let with_query = |query: String| {
        if query.is_empty() {
            url.to_owned()
        } else {
            format!("{url}?{query}")
        }
    };
    let mut out = vec![format!("<{}>; rel=\"self\"", with_query(encode(query)))];
    if let Some(cursor) = next {
        let mut pairs: Vec<(String, String)> = query
            .iter()
            .filter(|(k, _)| k != "after" && k != "limit")
            .cloned()
            .collect();
        pairs.push(("after".to_owned(), cursor.to_owned()));
        pairs.push(("limit".to_owned(), limit.to_string()));
        out.push(format!("<{}>; rel=\"next\"", with_query(encode(&pairs))));
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn items(n: usize) -> Vec<(String, Value)> {
        (1..=n)
            .map(|i| (format!("00u{i:03}"), json!({ "id": format!("00u{i:03}") })))
            .collect()
    }

    #[test]
    fn pages_follow_the_cursor() {
        let first = page(items(5), None, 2);
        assert_eq!((first.items.len(), first.number), (2, 1));
        assert_eq!(first.next.as_deref(), Some("00u002"));
        let last = page(items(5), Some("00u004"), 2);
        assert_eq!((last.items.len(), last.number, last.next), (1, 3, None));
        let gone = page(items(5), Some("00u0025"), 2);
        assert_eq!(
            gone.items[0]["id"], "00u003",
            "a removed cursor still works"
        );
        assert_eq!(page(items(4), Some("00u002"), 2).next, None);
        let size = PageSize {
            default: 200,
            max: 200,
        };
        assert_eq!(size.read(None).unwrap(), 200);
        assert_eq!(size.read(Some("500")).unwrap(), 200);
        assert_eq!(size.read(Some("3")).unwrap(), 3);
        assert!(size.read(Some("0")).is_err());
        assert!(size.read(Some("many")).is_err());
    }

    #[test]
    fn links_keep_the_query_and_move_the_cursor() {
        let query = vec![
            ("filter".to_owned(), "status eq \"ACTIVE\"".to_owned()),
            ("limit".to_owned(), "2".to_owned()),
        ];
        let links = links("http://h/o/api/v1/users", &query, 2, Some("00u2"));
        assert_eq!(
            links,
            [
                "<http://h/o/api/v1/users?filter=status+eq+%22ACTIVE%22&limit=2>; rel=\"self\"",
                "<http://h/o/api/v1/users?filter=status+eq+%22ACTIVE%22&after=00u2&limit=2>; rel=\"next\""
            ]
        );
    }
}
