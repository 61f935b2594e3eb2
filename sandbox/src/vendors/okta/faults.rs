//! Faults of an emulated Okta org besides the tenant's random ones: a listing that
//! comes back without users, and given pages of a collection that fail.
//!
//! They serialize to the admin API's JSON (`PUT /_admin/tenants/{tenant}/okta/faults`):
//! `{"empty_users":true,"fail_pages":[{"path":"users","page":2,"status":500,"times":1}]}`.

use serde::{Deserialize, Serialize};

/// Faults injected into an Okta org's listings.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OktaFaults {
    /// `GET /api/v1/users` answers an empty list (a broken or wrongly scoped source).
    pub empty_users: bool,
    /// Pages answered with an error instead of their items.
    pub fail_pages: Vec<PageFault>,
    /// OAuth scopes the org's token lacks (`okta.apps.manage`, `okta.apps.read`): the
    /// apps API answers 403 `E0000006` with a `WWW-Authenticate` header naming the scope.
    pub missing_scopes: Vec<String>,
}

impl OktaFaults {
    /// No faults.
    pub fn none() -> Self {
        Self::default()
    }

    /// Makes `GET /api/v1/users` answer an empty list.
    pub fn empty_users(mut self) -> Self {
        self.empty_users = true;
        self
    }

    /// Makes a page fail.
    pub fn fail_page(mut self, fault: PageFault) -> Self {
        self.fail_pages.push(fault);
        self
    }

    /// Takes `scope` away from the org's token.
    pub fn missing_scope(mut self, scope: impl Into<String>) -> Self {
        self.missing_scopes.push(scope.into());
        self
    }

    /// Checks every page fault; the error says what is wrong.
    pub fn validate(&self) -> Result<(), String> {
        self.fail_pages.iter().try_for_each(PageFault::validate)
    }
}

/// One page of a listing that fails.
///
/// JSON: `{"path":"groups/*/users","page":1,"status":500,"times":2}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageFault {
    /// The listing's path below `/api/v1` (`users`, `groups`, `groups/{id}/users`,
    /// `apps/{id}/users`, ...); a `*` segment matches any id.
    pub path: String,
    /// The 1-based page number (page *n* starts after `(n - 1) × limit` items).
    pub page: u32,
    /// The status answered, 400 to 599 (default 500, with Okta's `E0000009` body).
    #[serde(default = "server_error")]
    pub status: u16,
    /// How many times the page fails before it is served again (`None`: always).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u32>,
}

fn server_error() -> u16 {
    500
}

impl PageFault {
    /// Page `page` of the listing at `path` fails with 500, every time.
    pub fn new(path: impl Into<String>, page: u32) -> Self {
        Self {
            path: path.into(),
            page,
            status: server_error(),
            times: None,
        }
    }

    /// Answers `status` instead of 500.
    pub fn status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    /// Fails only the first `times` requests for the page.
    pub fn times(mut self, times: u32) -> Self {
        self.times = Some(times);
        self
    }

    /// Checks the path, page and status.
    fn validate(&self) -> Result<(), String> {
        if self.path.trim_matches('/').is_empty() {
            return Err("a page fault needs the `path` of a listing, such as `users`".to_owned());
        }
        if self.page == 0 {
            return Err(format!("page fault on `{}`: pages count from 1", self.path));
        }
        if !(400..=599).contains(&self.status) {
            return Err(format!(
                "page fault on `{}`: `status` must be 400 to 599, not {}",
                self.path, self.status
            ));
        }
        Ok(())
    }

    /// Whether this fault is about `path` (segments, `*` matching any one).
    fn matches(&self, path: &str, page: u32) -> bool {
        let wanted: Vec<&str> = self.path.trim_matches('/').split('/').collect();
        let asked: Vec<&str> = path.trim_matches('/').split('/').collect();
        page == self.page
            && wanted.len() == asked.len()
            && wanted.iter().zip(&asked).all(|(w, a)| *w == "*" || w == a)
    }
}

/// The faults in force and how often each page fault has fired.
#[derive(Debug, Clone, Default)]
pub(crate) struct FaultBook {
    faults: OktaFaults,
    fired: Vec<u32>,
}

impl FaultBook {
    /// A book for `faults`, nothing fired yet.
    pub(crate) fn new(faults: OktaFaults) -> Self {
        Self {
            fired: vec![0; faults.fail_pages.len()],
            faults,
        }
    }

    /// The faults in force.
    pub(crate) fn faults(&self) -> &OktaFaults {
        &self.faults
    }

    /// Whether the users listing comes back empty.
    pub(crate) fn empty_users(&self) -> bool {
        self.faults.empty_users
    }

    /// Whether the org's token lacks `scope`.
    pub(crate) fn lacks_scope(&self, scope: &str) -> bool {
        self.faults.missing_scopes.iter().any(|s| s == scope)
    }

    /// The status page `page` of `path` fails with now, if it does (counting it).
    pub(crate) fn fail(&mut self, path: &str, page: u32) -> Option<u16> {
        let (index, fault) = self.faults.fail_pages.iter().enumerate().find(|(i, f)| {
            f.matches(path, page) && f.times.is_none_or(|times| self.fired[*i] < times)
        })?;
        self.fired[index] += 1;
        Some(fault.status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_faults_match_paths_and_run_out() {
        let faults = OktaFaults::none()
            .fail_page(PageFault::new("groups/*/users", 2).times(1))
            .fail_page(PageFault::new("users", 1).status(503));
        assert!(faults.validate().is_ok());
        let mut book = FaultBook::new(faults);
        assert_eq!(book.fail("groups/00g1/users", 1), None);
        assert_eq!(book.fail("groups/00g1/users", 2), Some(500));
        assert_eq!(book.fail("groups/00g1/users", 2), None, "only once");
        assert_eq!(book.fail("users", 1), Some(503));
        assert_eq!(book.fail("users", 1), Some(503), "always");
        assert!(PageFault::new("users", 0).validate().is_err());
        assert!(PageFault::new("", 1).validate().is_err());
        assert!(PageFault::new("users", 1).status(302).validate().is_err());
        let json = r#"{"empty_users":true,"fail_pages":[{"path":"users","page":2}]}"#;
        let parsed: OktaFaults = serde_json::from_str(json).unwrap();
        assert_eq!(parsed.fail_pages[0].status, 500);
        assert!(serde_json::from_str::<OktaFaults>(r#"{"empty":true}"#).is_err());
    }
}
