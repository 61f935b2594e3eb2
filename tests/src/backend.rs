//! [`ScimBackend`]: a SCIM service the capability suite runs against, with an
//! independent view of its data.

use connector_sdk::Secret;

use crate::{Scim2Server, StateChecker};

/// A SCIM service the [`CapabilitySuite`](crate::CapabilitySuite) can drive a connector
/// against: the third-party [`Scim2Server`], or (with the `sandbox` feature) a tenant of
/// the connector sandbox.
pub trait ScimBackend {
    /// The SCIM base URL connectors talk to (no trailing slash).
    fn base_url(&self) -> &str;

    /// A bearer token the SCIM API accepts.
    fn token(&self) -> Secret;

    /// An independent reader and seeder of the service's data (plain HTTP, no
    /// connector), which the suite's checks go through.
    fn state(&self) -> StateChecker;

    /// Whether the service behaves as the connector's dialect says, as the vendor does
    /// (a sandbox tenant), rather than as a plain RFC 7644 server: with
    /// `deactivate = "delete"`, DELETE then keeps the account with `active=false`
    /// instead of removing it. Default: `false`.
    fn follows_dialect(&self) -> bool {
        false
    }
}

impl ScimBackend for Scim2Server {
    fn base_url(&self) -> &str {
        Scim2Server::base_url(self)
    }

    fn token(&self) -> Secret {
        Scim2Server::token(self)
    }

    fn state(&self) -> StateChecker {
        Scim2Server::state(self)
    }
}

/// A sandbox tenant: connectors use its SCIM API (limits, faults and the vendor's
/// dialect apply); the suite checks through the admin view of the same data, which has
/// none of those.
#[cfg(feature = "sandbox")]
impl ScimBackend for connector_sandbox::TenantHandle {
    fn base_url(&self) -> &str {
        self.scim_url()
    }

    fn token(&self) -> Secret {
        connector_sandbox::TenantHandle::token(self)
    }

    fn state(&self) -> StateChecker {
        StateChecker::new(self.admin_scim_url(), self.admin_token())
    }

    fn follows_dialect(&self) -> bool {
        self.manifest().is_some()
    }
}
