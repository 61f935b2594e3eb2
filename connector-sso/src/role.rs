//! The part of a SAML metadata document the IdP and SP readers share: finding the entities
//! that play one role (`IDPSSODescriptor`, `SPSSODescriptor`), and the role's protocols.

use crate::idp::MD_NS;
use crate::xml::Element;

/// The first entity that plays a role, its role descriptor, and how many entities do.
pub(crate) struct Role<'a> {
    /// The `EntityDescriptor` of the first entity playing the role.
    pub(crate) entity: &'a Element,
    /// That entity's role descriptor.
    pub(crate) descriptor: &'a Element,
    /// How many entities of the document play the role.
    pub(crate) count: usize,
}

/// Why a document has no entity playing the role.
pub(crate) enum NoRole {
    /// The root is neither `EntityDescriptor` nor `EntitiesDescriptor` (its expanded name).
    NotMetadata(String),
    /// No entity has the role descriptor.
    Missing,
}

/// Finds the entities of `root` that hold a `descriptor` element (e.g. `IDPSSODescriptor`).
pub(crate) fn find<'a>(root: &'a Element, descriptor: &str) -> Result<Role<'a>, NoRole> {
    let entities: Vec<&Element> = if root.is(MD_NS, "EntityDescriptor") {
        vec![root]
    } else if root.is(MD_NS, "EntitiesDescriptor") {
        root.descendants()
            .into_iter()
            .filter(|e| e.is(MD_NS, "EntityDescriptor"))
            .collect()
    } else {
        return Err(NoRole::NotMetadata(match &root.namespace {
            Some(ns) => format!("{{{ns}}}{}", root.name),
            None => root.name.clone(),
        }));
    };
    let playing: Vec<(&Element, &Element)> = entities
        .into_iter()
        .filter_map(|entity| Some((entity, entity.child(MD_NS, descriptor)?)))
        .collect();
    let &(entity, descriptor) = playing.first().ok_or(NoRole::Missing)?;
    Ok(Role {
        entity,
        descriptor,
        count: playing.len(),
    })
}

impl Role<'_> {
    /// The role descriptor's `protocolSupportEnumeration`, split.
    pub(crate) fn protocols(&self) -> Vec<String> {
        self.descriptor
            .attribute("protocolSupportEnumeration")
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_owned)
            .collect()
    }
}
