//! Typed errors every connector returns. None of them ever carries a secret.

use std::time::Duration;

use crate::mapping::MappingError;

/// The result type of connector operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An operation of the [`Connector`](crate::Connector) trait, for error reports and
/// declared REST operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// `find`
    Find,
    /// `list`
    List,
    /// `get`
    Get,
    /// `create`
    Create,
    /// `update`
    Update,
    /// `disable`
    Disable,
    /// `enable`
    Enable,
    /// `delete`
    Delete,
    /// `assign_license`
    AssignLicense,
    /// `revoke_license`
    RevokeLicense,
    /// `list_groups`
    ListGroups,
    /// `create_group`
    CreateGroup,
    /// `rename_group`
    RenameGroup,
    /// `delete_group`
    DeleteGroup,
    /// `list_members` (a declared REST operation behind `list_groups`)
    ListMembers,
    /// `add_members`
    AddMembers,
    /// `remove_members`
    RemoveMembers,
    /// `whoami` (a declared REST operation behind `ping`: who the token acts as)
    Whoami,
}

impl std::fmt::Display for Operation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Find => "find",
            Self::List => "list",
            Self::Get => "get",
            Self::Create => "create",
            Self::Update => "update",
            Self::Disable => "disable",
            Self::Enable => "enable",
            Self::Delete => "delete",
            Self::AssignLicense => "assign_license",
            Self::RevokeLicense => "revoke_license",
            Self::ListGroups => "list_groups",
            Self::CreateGroup => "create_group",
            Self::RenameGroup => "rename_group",
            Self::DeleteGroup => "delete_group",
            Self::ListMembers => "list_members",
            Self::AddMembers => "add_members",
            Self::RemoveMembers => "remove_members",
            Self::Whoami => "whoami",
        })
    }
}

/// What went wrong in a connector call.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The service (or this connector instance) does not offer the operation.
    #[error("{connector} does not support `{operation}`")]
    Unsupported {
        /// Connector name.
        connector: &'static str,
        /// The operation asked for.
        operation: Operation,
    },
    /// The account (or group, or licence) does not exist.
    #[error("not found: {what}")]
    NotFound {
        /// What was looked for.
        what: String,
    },
    /// The service refused because the resource already exists (HTTP 409).
    #[error("conflict: {detail}")]
    Conflict {
        /// The service's explanation.
        detail: String,
    },
    /// A create was refused because an account already holds the person's unique name
    /// (HTTP 409, or SCIM `scimType: uniqueness`), and a lookup found that account. The
    /// connector never adopts it: whether it is the person's (`adopt`), left alone
    /// (`flag`) or someone else's (a conflict) is the caller's decision.
    #[error("an account already exists: {} (id {}); {cause}", existing.user_name, existing.id)]
    AlreadyExists {
        /// The account the lookup found.
        existing: Box<crate::connector::Account>,
        /// The service's refusal.
        cause: String,
    },
    /// Still throttled after the retry budget was spent (HTTP 429, or a vendor's equivalent).
    #[error("rate limited{}", retry_after.map(|d| format!(" (retry after {}s)", d.as_secs())).unwrap_or_default())]
    RateLimited {
        /// How long the service asked to wait, when it said.
        retry_after: Option<Duration>,
    },
    /// The request did not complete: connection refused or reset, timeout, TLS failure.
    #[error("transport error calling {url}: {message}")]
    Transport {
        /// The URL called (never contains credentials).
        url: String,
        /// What failed.
        message: String,
    },
    /// The service answered with an error status.
    #[error("HTTP {status}{}{}", scim_type.as_ref().map(|t| format!(" ({t})")).unwrap_or_default(), detail.as_ref().map(|d| format!(": {d}")).unwrap_or_default())]
    Server {
        /// HTTP status code.
        status: u16,
        /// SCIM `scimType`, when the body was a SCIM error.
        scim_type: Option<String>,
        /// SCIM `detail` or the body's text, truncated.
        detail: Option<String>,
    },
    /// Credentials missing, rejected (401/403) or the token endpoint failed.
    #[error("authentication failed: {detail}")]
    Auth {
        /// HTTP status, when the service answered.
        status: Option<u16>,
        /// What failed (names the environment variable, never its value).
        detail: String,
    },
    /// The directory profile could not be mapped to the service's account.
    #[error(transparent)]
    Mapping(#[from] MappingError),
    /// The instance configuration is incomplete or wrong.
    #[error("configuration error: {0}")]
    Config(String),
    /// The service answered 2xx with a body that is not what the protocol promises.
    #[error("invalid response from {url}: {detail}")]
    InvalidResponse {
        /// The URL called.
        url: String,
        /// What was wrong.
        detail: String,
    },
}

impl Error {
    /// Whether the service refused a create because the account exists (HTTP 409, or a
    /// SCIM `uniqueness` error under another status).
    pub fn is_conflict(&self) -> bool {
        match self {
            Self::Conflict { .. } => true,
            Self::Server {
                scim_type: Some(scim_type),
                ..
            } => scim_type.eq_ignore_ascii_case("uniqueness"),
            _ => false,
        }
    }

    /// Whether retrying the same call later may succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::RateLimited { .. } | Self::Transport { .. } => true,
            Self::Server { status, .. } => *status >= 500,
            _ => false,
        }
    }
}
