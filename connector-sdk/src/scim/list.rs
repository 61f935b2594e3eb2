//! SCIM `ListResponse` messages (RFC 7644 §3.4.2) and paging through them.

use serde_json::Value;

use crate::connector::PageRequest;

/// URN of the SCIM list response message.
pub const LIST_RESPONSE_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

/// A parsed `ListResponse`.
#[derive(Debug, Clone, PartialEq)]
pub struct ListResponse {
    /// `totalResults`, when the server sent it.
    pub total_results: Option<u64>,
    /// `startIndex`, when the server sent it.
    pub start_index: Option<u64>,
    /// `itemsPerPage`, when the server sent it.
    pub items_per_page: Option<u64>,
    /// `Resources`; empty when the server left it out (as it may for no results).
    pub resources: Vec<Value>,
}

impl ListResponse {
    /// Parses a `ListResponse`, tolerating numbers sent as strings and an absent
    /// `Resources`. The error says what is wrong.
    pub fn from_json(json: Value) -> Result<Self, String> {
        let Value::Object(mut object) = json else {
            return Err("a ListResponse must be a JSON object".to_owned());
        };
        let number = |name: &str| -> Option<u64> {
            match object.get(name)? {
                Value::Number(n) => n.as_u64(),
                Value::String(s) => s.trim().parse().ok(),
                _ => None,
            }
        };
        let total_results = number("totalResults");
        let start_index = number("startIndex");
        let items_per_page = number("itemsPerPage");
        let resources = match object.remove("Resources") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items,
            Some(_) => return Err("`Resources` is not an array".to_owned()),
        };
        Ok(Self {
            total_results,
            start_index,
            items_per_page,
            resources,
        })
    }

    /// The page after this one, which answered `request`: it starts after the items
    /// actually returned (servers may return fewer than asked). `None` when this page is
    /// empty or reaches `totalResults`, or when a server that sends no `totalResults`
    /// answered another `startIndex` than asked (it ignores paging: following it would
    /// never end).
    pub fn next_page(&self, request: PageRequest) -> Option<PageRequest> {
        let returned = u64::try_from(self.resources.len()).ok()?;
        let asked = request.start_index.max(1);
        if returned == 0 {
            return None;
        }
        match (self.total_results, self.start_index) {
            (None, Some(answered)) if answered != asked => return None,
            _ => {}
        }
        let start_index = asked.checked_add(returned)?;
        if self.total_results.is_some_and(|total| start_index > total) {
            return None;
        }
        Some(PageRequest {
            start_index,
            count: request.count,
            cursor: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn page(total: Option<u64>, items: usize) -> ListResponse {
        ListResponse {
            total_results: total,
            start_index: None,
            items_per_page: None,
            resources: vec![json!({}); items],
        }
    }

    #[test]
    fn parses_tolerantly() {
        let empty = ListResponse::from_json(json!({
            "schemas": [LIST_RESPONSE_SCHEMA], "totalResults": 0
        }))
        .unwrap();
        assert_eq!(empty.total_results, Some(0));
        assert!(empty.resources.is_empty());
        let list = ListResponse::from_json(json!({
            "totalResults": "3", "startIndex": 1, "itemsPerPage": 2,
            "Resources": [{"id": "1"}, {"id": "2"}]
        }))
        .unwrap();
        assert_eq!(list.total_results, Some(3));
        assert_eq!(list.items_per_page, Some(2));
        assert_eq!(list.resources.len(), 2);
        assert!(ListResponse::from_json(json!([])).is_err());
        assert!(ListResponse::from_json(json!({"Resources": {}})).is_err());
    }

    #[test]
    fn pages_by_items_returned() {
        let asked = PageRequest::first(3);
        // A short page: two of the three asked for.
        let next = page(Some(5), 2).next_page(asked.clone()).unwrap();
        assert_eq!(
            next,
            PageRequest {
                start_index: 3,
                count: 3,
                cursor: None,
            }
        );
        let next = page(Some(5), 2).next_page(next.clone()).unwrap();
        assert_eq!(next.start_index, 5);
        assert_eq!(page(Some(5), 1).next_page(next), None);
        assert_eq!(page(Some(5), 0).next_page(asked.clone()), None);
        // Without totalResults, paging stops at the first empty page...
        assert_eq!(
            page(None, 1).next_page(asked.clone()).unwrap().start_index,
            2
        );
        // ... or when the server ignores startIndex.
        let ignoring = ListResponse {
            start_index: Some(1),
            ..page(None, 3)
        };
        assert_eq!(
            ignoring.next_page(PageRequest {
                start_index: 4,
                count: 3,
                cursor: None,
            }),
            None
        );
        assert!(ignoring.next_page(asked).is_some());
    }
}
