//! What generated code implements for a REST service.

use std::fmt::Debug;

use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::identity::Identity;
use crate::manifest::Manifest;
use crate::mapping::MappingError;

/// A REST service described by a spec's `[rest]` section. Codegen implements it on the
/// connector's marker type; [`RestConnector`](super::RestConnector) turns it into a
/// [`Connector`](crate::Connector) that runs the operations the manifest declares.
pub trait RestApp: Send + Sync + 'static {
    /// The service's typed account, as its API holds it (`{"primaryEmail": ..,
    /// "name": {"givenName": ..}}`); absent values are left out when serialized.
    type Account: Serialize + DeserializeOwned + JsonSchema + Clone + Debug + Send + Sync + 'static;

    /// The card catalogue generated from the spec (`ping` and `custom_api_call` when
    /// none is given).
    const CARDS: &'static [crate::cards::Card] = crate::cards::UNIVERSAL;

    /// The connector's manifest, with `provisioning.rest` declaring the operations and
    /// the account pointers.
    fn manifest() -> &'static Manifest;

    /// Maps a directory profile to the account this service should hold for that person.
    fn map_identity(who: &Identity) -> Result<Self::Account, MappingError>;
}
