//! The `/Groups` behaviour of each vendor, written from the vendor's documentation (never
//! from the connector's manifest, so the emulation can disagree with a spec): how many
//! members one PATCH may carry and what answers more, whether PUT exists, whether reads
//! show `members`, what a new Group may or must carry, the largest page and filter of
//! `GET /Groups`, and a per-group hourly budget of member additions. The generic tenant,
//! and every vendor whose documentation states none of these, follows RFC 7644 with no cap.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value};

use crate::scim::error::{ScimError, ScimResult};
use crate::scim::filter::Filter;
use crate::scim::value::get_ci;

/// What a cap on members counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CapScope {
    /// The members of one PATCH operation's `value` array (Canva).
    Operation,
    /// The members of every operation of one request together (Slack, Miro).
    Request,
}

/// The answer to a request over a member cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OverCap {
    /// 400 `invalidValue` (the vendor documents the limit as a validation rule).
    InvalidValue,
    /// 400 `tooMany` (RFC 7644 §3.12: "more results than the server is willing to
    /// process"), for a documented cap whose error the vendor does not document.
    TooMany,
    /// 413 Payload Too Large (Miro).
    PayloadTooLarge,
}

/// A documented cap on the members one PATCH carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MemberCap {
    /// The most members allowed.
    pub limit: usize,
    /// What is counted.
    pub scope: CapScope,
    /// What answers more.
    pub over: OverCap,
}

/// What a new Group's `members` may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CreateMembers {
    /// Any list, or none (RFC 7643).
    Optional,
    /// `members` must be present (Slack).
    Required,
    /// No member may be given: a group is created empty, members come by PATCH or PUT
    /// (Canva).
    Forbidden,
}

/// The `/Groups` behaviour of one tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct GroupRules {
    /// The vendor's name, for error details (`RFC 7644` for the generic behaviour).
    pub vendor: &'static str,
    /// The cap on members per PATCH, if documented.
    pub patch_cap: Option<MemberCap>,
    /// The cap on members of a PUT body, if documented (answered like `patch_cap`).
    pub put_cap: Option<usize>,
    /// Whether `PUT /Groups/{id}` exists (405 otherwise).
    pub put_allowed: bool,
    /// Whether Group responses always carry an empty `members`.
    pub members_hidden: bool,
    /// What a new Group's `members` may be.
    pub create_members: CreateMembers,
    /// The largest page of `GET /Groups`, below the tenant's page size.
    pub list_page_cap: Option<usize>,
    /// The one attribute `GET /Groups` filters on (`eq` only), if restricted.
    pub filter_attribute: Option<&'static str>,
    /// The most members added to one group per hour, if documented.
    pub hourly_member_adds: Option<usize>,
}

impl GroupRules {
    /// RFC 7643/7644: no caps, PUT allowed, members shown, any filter.
    pub(crate) const GENERIC: Self = Self {
        vendor: "RFC 7644",
        patch_cap: None,
        put_cap: None,
        put_allowed: true,
        members_hidden: false,
        create_members: CreateMembers::Optional,
        list_page_cap: None,
        filter_attribute: None,
        hourly_member_adds: None,
    };

    /// Canva. "For add or remove operations, a maximum of 1000 group members are allowed
    /// in each value array"; "A maximum of 1000 group members are allowed in a PUT
    /// request"; "The members array returned in a group's API response is always empty";
    /// "You can't provide a list of group members when creating a group"
    /// (<https://www.canva.dev/docs/scim/update-individual-attributes-group/>,
    /// <https://www.canva.dev/docs/scim/update-all-information-group/>,
    /// <https://www.canva.dev/docs/scim/create-group/>). The error is not documented:
    /// the limit reads as a validation rule, so 400 `invalidValue`. An empty `members`
    /// on create lists no member and is accepted (not documented either way).
    pub(crate) const CANVA: Self = Self {
        vendor: "Canva",
        patch_cap: Some(MemberCap {
            limit: 1000,
            scope: CapScope::Operation,
            over: OverCap::InvalidValue,
        }),
        put_cap: Some(1000),
        members_hidden: true,
        create_members: CreateMembers::Forbidden,
        ..Self::GENERIC
    };

    /// Slack. Groups: "displayName" and "members" are required on create, and a call
    /// takes "up to 15,000 users" (<https://docs.slack.dev/reference/scim-api>, Groups).
    /// The over-cap error is not documented: 400 `tooMany` (RFC 7644 §3.12). Whether an
    /// empty `members` array satisfies "required" is not documented: it is accepted.
    pub(crate) const SLACK: Self = Self {
        vendor: "Slack",
        patch_cap: Some(MemberCap {
            limit: 15_000,
            scope: CapScope::Request,
            over: OverCap::TooMany,
        }),
        put_cap: Some(15_000),
        create_members: CreateMembers::Required,
        ..Self::GENERIC
    };

    /// Miro. "Maximum 8000 members per request" on the group PATCH, answered 413
    /// (<https://developers.miro.com/reference/rate-limits>).
    pub(crate) const MIRO: Self = Self {
        vendor: "Miro",
        patch_cap: Some(MemberCap {
            limit: 8000,
            scope: CapScope::Request,
            over: OverCap::PayloadTooLarge,
        }),
        ..Self::GENERIC
    };

    /// Zoom. Groups offer `GET`/`POST /scim2/Groups` and `GET`/`PATCH`/`DELETE
    /// /scim2/Groups/{groupId}`: no PUT (<https://developers.zoom.us/docs/api/scim2/>).
    pub(crate) const ZOOM: Self = Self {
        vendor: "Zoom",
        put_allowed: false,
        ..Self::GENERIC
    };

    /// Notion. `GET /Groups` returns at most 100 per page and filters on `displayName
    /// eq` (<https://www.notion.com/help/provision-users-and-groups-with-scim>).
    pub(crate) const NOTION: Self = Self {
        vendor: "Notion",
        list_page_cap: Some(100),
        filter_attribute: Some("displayName"),
        ..Self::GENERIC
    };

    /// GitHub Enterprise Managed Users: "do not add more than 1,000 users to each group
    /// per hour" (<https://docs.github.com/admin/managing-iam/provisioning-user-accounts-with-scim/provisioning-users-and-groups-with-scim-using-the-rest-api>,
    /// rate limits). A rate, not a per-request cap: the addition past the budget is
    /// refused with GitHub's secondary-rate-limit answer and the wait until the oldest
    /// window ends (the status is not documented for SCIM; see `vendors::github`).
    pub(crate) const GITHUB: Self = Self {
        vendor: "GitHub",
        hourly_member_adds: Some(1000),
        ..Self::GENERIC
    };

    /// The rules of the vendor a manifest named `name` emulates; RFC 7644 for the
    /// generic tenant and for vendors that document no group quirk (ChatGPT, Claude,
    /// Perplexity).
    pub(crate) fn for_vendor(name: Option<&str>) -> Self {
        match name {
            Some("canva") => Self::CANVA,
            Some("slack") => Self::SLACK,
            Some("miro") => Self::MIRO,
            Some("zoom") => Self::ZOOM,
            Some("notion") => Self::NOTION,
            Some("github_copilot") => Self::GITHUB,
            _ => Self::GENERIC,
        }
    }

    /// Refuses a new Group whose `members` the vendor does not take.
    pub(crate) fn check_create(&self, body: &Map<String, Value>) -> ScimResult<()> {
        let members = get_ci(body, "members");
        match self.create_members {
            CreateMembers::Optional => Ok(()),
            CreateMembers::Required if members.is_none_or(Value::is_null) => {
                Err(ScimError::invalid_value(format!(
                    "{}: `members` is required when creating a group",
                    self.vendor
                )))
            }
            CreateMembers::Required => Ok(()),
            CreateMembers::Forbidden
                if members
                    .and_then(Value::as_array)
                    .is_some_and(|list| !list.is_empty()) =>
            {
                Err(ScimError::invalid_value(format!(
                    "{}: a group is created without members; add them with PATCH or PUT",
                    self.vendor
                )))
            }
            CreateMembers::Forbidden => Ok(()),
        }
    }

    /// Refuses a PUT the vendor does not offer (405).
    pub(crate) fn check_put_allowed(&self) -> ScimResult<()> {
        if self.put_allowed {
            Ok(())
        } else {
            Err(ScimError::method_not_allowed(format!(
                "{}: PUT is not offered on Groups; use PATCH",
                self.vendor
            )))
        }
    }

    /// Refuses a PUT body whose members exceed the vendor's cap.
    pub(crate) fn check_put(&self, body: &Map<String, Value>) -> ScimResult<()> {
        if let Some(limit) = self.put_cap {
            let count = get_ci(body, "members")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            if count > limit {
                let over = self.patch_cap.map_or(OverCap::TooMany, |cap| cap.over);
                return Err(self.over_cap(over, count, limit, "a PUT request"));
            }
        }
        Ok(())
    }

    /// Refuses a PATCH request (its raw JSON) whose members exceed the vendor's cap.
    pub(crate) fn check_patch(&self, request: &Value) -> ScimResult<()> {
        let Some(cap) = self.patch_cap else {
            return Ok(());
        };
        let counts: Vec<usize> = operations(request).iter().map(members_in).collect();
        let (count, what) = match cap.scope {
            CapScope::Operation => (
                counts.iter().copied().max().unwrap_or(0),
                "one PATCH operation",
            ),
            CapScope::Request => (counts.iter().sum(), "one PATCH request"),
        };
        if count > cap.limit {
            return Err(self.over_cap(cap.over, count, cap.limit, what));
        }
        Ok(())
    }

    /// Refuses a `GET /Groups` filter on another attribute than the vendor's one.
    pub(crate) fn check_filter(&self, filter: &Filter) -> ScimResult<()> {
        let Some(allowed) = self.filter_attribute else {
            return Ok(());
        };
        for path in filter.attributes() {
            if !path.key().eq_ignore_ascii_case(allowed) {
                return Err(ScimError::invalid_filter(format!(
                    "{}: groups are filtered only on `{allowed}`, not on `{path}`",
                    self.vendor
                )));
            }
        }
        Ok(())
    }

    /// The page size of `GET /Groups` for the `count` the tenant's rules allowed.
    pub(crate) fn page_count(&self, count: usize) -> usize {
        self.list_page_cap.map_or(count, |cap| count.min(cap))
    }

    /// A Group as the vendor shows it (Canva: `members` always empty).
    pub(crate) fn show(&self, mut group: Value) -> Value {
        if self.members_hidden
            && let Some(object) = group.as_object_mut()
            && let Some(key) = crate::scim::value::find_key(object, "members")
        {
            object.insert(key, Value::Array(Vec::new()));
        }
        group
    }

    /// The answer to member additions past the hourly budget, waiting `wait`.
    pub(crate) fn budget_exceeded(&self, wait: Duration) -> Response {
        crate::vendors::github::secondary_rate_limit(wait)
    }

    /// The error of `count` members where `limit` are allowed in `what`.
    fn over_cap(&self, over: OverCap, count: usize, limit: usize, what: &str) -> ScimError {
        let detail = format!(
            "{}: at most {limit} group members are allowed in {what}, not {count}",
            self.vendor
        );
        match over {
            OverCap::InvalidValue => ScimError::invalid_value(detail),
            OverCap::TooMany => ScimError::bad_request("tooMany", detail),
            OverCap::PayloadTooLarge => ScimError::new(StatusCode::PAYLOAD_TOO_LARGE, None, detail),
        }
    }
}

/// The operations of a PATCH request (`Operations`, any case); none when malformed (the
/// PATCH parser reports that).
fn operations(request: &Value) -> Vec<Value> {
    request
        .as_object()
        .and_then(|object| get_ci(object, "Operations"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// How many members one PATCH operation names: the `value` array on `members`, one for
/// a `members[...]` filter path, the `members` of a path-less `value` object.
fn members_in(operation: &Value) -> usize {
    let Some(operation) = operation.as_object() else {
        return 0;
    };
    let value = get_ci(operation, "value");
    let array_len = |value: Option<&Value>| value.and_then(Value::as_array).map_or(0, Vec::len);
    match get_ci(operation, "path").and_then(Value::as_str) {
        Some(path) if path.trim().eq_ignore_ascii_case("members") => match value {
            Some(Value::Array(items)) => items.len(),
            Some(Value::Null) | None => 0,
            Some(_) => 1,
        },
        Some(path) if path.trim().to_ascii_lowercase().starts_with("members[") => 1,
        Some(_) => 0,
        None => array_len(
            value
                .and_then(Value::as_object)
                .and_then(|object| get_ci(object, "members")),
        ),
    }
}

/// The member additions of each group in the current hour (GitHub's budget).
#[derive(Debug, Default)]
pub(crate) struct MemberAddBudget {
    /// By group id: when its window started and how many members were added since.
    windows: HashMap<String, (Instant, usize)>,
}

/// The length of a budget window.
pub(crate) const HOUR: Duration = Duration::from_secs(3600);

impl MemberAddBudget {
    /// Takes `added` additions to `group` from a budget of `limit` an hour at `now`;
    /// when they do not fit, takes nothing and returns how long until the window ends.
    pub(crate) fn take(
        &mut self,
        group: &str,
        added: usize,
        limit: usize,
        now: Instant,
    ) -> Result<(), Duration> {
        let window = self.windows.entry(group.to_owned()).or_insert((now, 0));
        if now.duration_since(window.0) >= HOUR {
            *window = (now, 0);
        }
        if window.1 + added > limit {
            return Err(HOUR.saturating_sub(now.duration_since(window.0)));
        }
        window.1 += added;
        Ok(())
    }

    /// Forgets every window (a tenant reset).
    pub(crate) fn clear(&mut self) {
        self.windows.clear();
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn members(n: usize) -> Value {
        Value::Array((0..n).map(|i| json!({"value": format!("u{i}")})).collect())
    }

    fn add(n: usize) -> Value {
        json!({"op": "add", "path": "members", "value": members(n)})
    }

    fn remove_one(i: usize) -> Value {
        json!({"op": "remove", "path": format!("members[value eq \"u{i}\"]")})
    }

    fn patch(operations: Vec<Value>) -> Value {
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": operations})
    }

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn vendors_are_chosen_by_manifest_name() {
        assert_eq!(GroupRules::for_vendor(Some("canva")), GroupRules::CANVA);
        assert_eq!(GroupRules::for_vendor(Some("miro")), GroupRules::MIRO);
        assert_eq!(GroupRules::for_vendor(Some("chatgpt")), GroupRules::GENERIC);
        assert_eq!(GroupRules::for_vendor(None), GroupRules::GENERIC);
    }

    #[test]
    fn canva_caps_each_operation_at_1000_members() {
        let canva = GroupRules::CANVA;
        assert!(canva.check_patch(&patch(vec![add(1000)])).is_ok());
        // Two operations of 1,000 each: the cap is per value array.
        assert!(
            canva
                .check_patch(&patch(vec![add(1000), add(1000)]))
                .is_ok()
        );
        let error = canva.check_patch(&patch(vec![add(1001)])).unwrap_err();
        assert_eq!(error.status, StatusCode::BAD_REQUEST);
        assert_eq!(error.scim_type, Some("invalidValue"));
        assert!(error.detail.contains("at most 1000"), "{}", error.detail);
        assert!(error.detail.contains("1001"), "{}", error.detail);
        // 1,500 single-member removals: each operation names one member.
        let removals = (0..1500).map(remove_one).collect();
        assert!(canva.check_patch(&patch(removals)).is_ok());
        // A path-less add counts the members of its value object.
        let pathless = json!({"op": "add", "value": {"members": members(1001)}});
        assert!(canva.check_patch(&patch(vec![pathless])).is_err());
    }

    #[test]
    fn slack_and_miro_cap_the_whole_request() {
        let slack = GroupRules::SLACK;
        assert!(slack.check_patch(&patch(vec![add(15_000)])).is_ok());
        let error = slack
            .check_patch(&patch(vec![add(10_000), add(5_001)]))
            .unwrap_err();
        assert_eq!(error.scim_type, Some("tooMany"));
        assert!(error.detail.contains("15000"), "{}", error.detail);

        let miro = GroupRules::MIRO;
        assert!(miro.check_patch(&patch(vec![add(8000)])).is_ok());
        let mut operations = vec![add(7999)];
        operations.extend((0..2).map(remove_one));
        let error = miro.check_patch(&patch(operations)).unwrap_err();
        assert_eq!(error.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(error.scim_type, None);
    }

    #[test]
    fn the_generic_tenant_has_no_cap() {
        let generic = GroupRules::GENERIC;
        assert!(generic.check_patch(&patch(vec![add(20_000)])).is_ok());
        assert!(
            generic
                .check_put(&object(json!({"members": members(20_000)})))
                .is_ok()
        );
        assert!(
            generic
                .check_create(&object(json!({"displayName": "a", "members": members(3)})))
                .is_ok()
        );
        let shown = generic.show(json!({"members": members(2)}));
        assert_eq!(shown["members"], members(2));
    }

    #[test]
    fn canva_hides_members_caps_put_and_creates_empty_groups() {
        let canva = GroupRules::CANVA;
        let shown = canva.show(json!({"id": "g", "members": members(2)}));
        assert_eq!(shown, json!({"id": "g", "members": []}));
        assert_eq!(canva.show(json!({"id": "g"})), json!({"id": "g"}));
        assert!(
            canva
                .check_put(&object(json!({"members": members(1000)})))
                .is_ok()
        );
        let error = canva
            .check_put(&object(json!({"members": members(1001)})))
            .unwrap_err();
        assert_eq!(error.scim_type, Some("invalidValue"));
        assert!(
            canva
                .check_create(&object(json!({"displayName": "a", "members": []})))
                .is_ok()
        );
        let error = canva
            .check_create(&object(json!({"displayName": "a", "members": members(1)})))
            .unwrap_err();
        assert!(error.detail.contains("without members"), "{}", error.detail);
    }

    #[test]
    fn slack_requires_members_on_create() {
        let slack = GroupRules::SLACK;
        let error = slack
            .check_create(&object(json!({"displayName": "a"})))
            .unwrap_err();
        assert!(error.detail.contains("`members` is required"));
        assert!(
            slack
                .check_create(&object(json!({"displayName": "a", "members": []})))
                .is_ok()
        );
    }

    #[test]
    fn zoom_has_no_put() {
        let error = GroupRules::ZOOM.check_put_allowed().unwrap_err();
        assert_eq!(error.status, StatusCode::METHOD_NOT_ALLOWED);
        assert!(GroupRules::GENERIC.check_put_allowed().is_ok());
    }

    #[test]
    fn notion_pages_groups_by_100_and_filters_on_display_name() {
        let notion = GroupRules::NOTION;
        assert_eq!(notion.page_count(1000), 100);
        assert_eq!(notion.page_count(10), 10);
        assert_eq!(GroupRules::GENERIC.page_count(1000), 1000);
        let by_name = Filter::parse(r#"displayName eq "Eng""#).unwrap();
        assert!(notion.check_filter(&by_name).is_ok());
        let by_external = Filter::parse(r#"externalId eq "e""#).unwrap();
        let error = notion.check_filter(&by_external).unwrap_err();
        assert_eq!(error.scim_type, Some("invalidFilter"));
        assert!(GroupRules::GENERIC.check_filter(&by_external).is_ok());
    }

    #[test]
    fn the_hourly_budget_counts_additions_per_group() {
        let mut budget = MemberAddBudget::default();
        let start = Instant::now();
        assert!(budget.take("g1", 1000, 1000, start).is_ok());
        let wait = budget
            .take("g1", 1, 1000, start + Duration::from_secs(600))
            .unwrap_err();
        assert_eq!(wait, Duration::from_secs(3000));
        // Another group has its own budget; a refused take took nothing.
        assert!(budget.take("g2", 1000, 1000, start).is_ok());
        // The next hour starts a new window.
        assert!(budget.take("g1", 1000, 1000, start + HOUR).is_ok());
        budget.clear();
        assert!(budget.take("g1", 1000, 1000, start + HOUR).is_ok());
    }
}
