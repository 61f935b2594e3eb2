//! Helpers for the crate's unit tests.

use std::sync::Arc;

use connector_sdk::Connector;

use crate::registry::Registry;

/// A registry with the ChatGPT, Slack and Zoom connectors.
pub(crate) fn registry() -> Registry {
    Registry::new()
        .with(&connector_chatgpt::MANIFEST, |c| {
            Ok(Arc::new(connector_chatgpt::connect(c)?) as Arc<dyn Connector>)
        })
        .with(&connector_slack::MANIFEST, |c| {
            Ok(Arc::new(connector_slack::connect(c)?) as Arc<dyn Connector>)
        })
        .with(&connector_zoom::MANIFEST, |c| {
            Ok(Arc::new(connector_zoom::connect(c)?) as Arc<dyn Connector>)
        })
}
