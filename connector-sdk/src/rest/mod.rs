//! Declarative REST: services that do not provision over SCIM (Google Workspace's
//! Directory API, Microsoft Graph, Box), and the licence calls of SCIM services whose
//! paid seats are assigned elsewhere (GitHub Copilot).
//!
//! A spec's `[rest]` section becomes the manifest's
//! [`RestDescription`](crate::manifest::RestDescription): account pointers and HTTP
//! operations whose paths, query parameters and bodies are templates over the tenant
//! variables and `{account.id}`, `{account.user_name}`, `{sku.name}`, `{sku.<param>}`,
//! `{page.count}`, `{page.cursor}`, `{page.offset}`, `{page.start_index}`, the
//! groups' `{group.id}`, `{group.name}`, `{group.external_id}`, `{member.id}`, and
//! `{lookup}`. Every call goes through [`HttpClient`](crate::http::HttpClient), with its
//! retry, rate limit, throttle rules, auth and error mapping.
//!
//! Modules, one job each:
//! - `app`: [`RestApp`], what generated code implements;
//! - `template`: rendering templates into requests and bodies;
//! - `json`: JSON pointers and dotted attribute paths;
//! - `exec`: running one operation and reading its statuses;
//! - `account`: any account JSON as an [`Account`](crate::Account);
//! - `connector` and `list`: [`RestConnector`], the [`Connector`](crate::Connector);
//! - `groups`: group push from the declared group operations (`{group.id}`,
//!   `{group.name}`, `{group.external_id}`, `{member.id}`; one request per member);
//! - `license`: seats by mode; `api`-mode ones are shared with
//!   [`ScimConnector`](crate::scim::ScimConnector).

mod account;
mod app;
mod connector;
pub(crate) mod exec;
mod groups;
mod json;
pub(crate) mod license;
mod list;
mod template;

pub use account::account_from_json;
pub use app::RestApp;
pub use connector::RestConnector;
