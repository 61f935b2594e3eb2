//! Links between directory people and app accounts, and the licences the engine gave.

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::Row;

use super::{StateError, Store};

/// How the engine came to manage an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// The engine created it.
    Created,
    /// It existed and the engine linked it (policy `adopt`).
    Adopted,
}

impl Origin {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Adopted => "adopted",
        }
    }

    /// Reads the stored spelling.
    fn parse(text: &str) -> Self {
        if text == "adopted" {
            Self::Adopted
        } else {
            Self::Created
        }
    }
}

/// One person's account in one instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    /// The instance.
    pub instance: String,
    /// The directory person's id.
    pub identity_id: String,
    /// The person's login when linked (for reports after they leave the directory).
    pub login: String,
    /// The app's account id.
    pub account_id: String,
    /// The account's sign-in name.
    pub user_name: String,
    /// How the engine came to manage it.
    pub origin: Origin,
    /// Hash of the attribute snapshot last applied.
    pub attributes_hash: Option<String>,
    /// The snapshot last applied (JSON object of profile fields).
    pub attributes: Option<String>,
}

/// The state of a licence the engine gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LicenseState {
    /// Applied by the connector, or automatic with the account.
    Held,
    /// A manual task asked a person to assign it.
    Requested,
}

impl LicenseState {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Held => "held",
            Self::Requested => "requested",
        }
    }
}

impl Store {
    /// Every link of `instance`, by directory id.
    ///
    /// # Errors
    ///
    /// When the store cannot be read.
    pub async fn links(&self, instance: &str) -> Result<BTreeMap<String, Link>, StateError> {
        let rows = sqlx::query(
            "SELECT instance, identity_id, login, account_id, user_name, origin, \
             attributes_hash, attributes FROM links WHERE instance = ?",
        )
        .bind(instance)
        .fetch_all(self.pool())
        .await
        .map_err(|e| self.error(e))?;
        rows.iter()
            .map(|row| {
                let link = Link {
                    instance: row.try_get("instance")?,
                    identity_id: row.try_get("identity_id")?,
                    login: row.try_get("login")?,
                    account_id: row.try_get("account_id")?,
                    user_name: row.try_get("user_name")?,
                    origin: Origin::parse(row.try_get("origin")?),
                    attributes_hash: row.try_get("attributes_hash")?,
                    attributes: row.try_get("attributes")?,
                };
                Ok((link.identity_id.clone(), link))
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(|e| self.error(e))
    }

    /// How many links each instance has.
    ///
    /// # Errors
    ///
    /// When the store cannot be read.
    pub async fn link_counts(&self) -> Result<BTreeMap<String, i64>, StateError> {
        let rows = sqlx::query("SELECT instance, COUNT(*) AS n FROM links GROUP BY instance")
            .fetch_all(self.pool())
            .await
            .map_err(|e| self.error(e))?;
        rows.iter()
            .map(|row| Ok((row.try_get("instance")?, row.try_get("n")?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(|e| self.error(e))
    }

    /// The licences the engine gave in `instance`: person → SKU → state.
    ///
    /// # Errors
    ///
    /// When the store cannot be read.
    pub async fn licenses(
        &self,
        instance: &str,
    ) -> Result<BTreeMap<String, BTreeMap<String, LicenseState>>, StateError> {
        let rows = sqlx::query("SELECT identity_id, sku, state FROM licenses WHERE instance = ?")
            .bind(instance)
            .fetch_all(self.pool())
            .await
            .map_err(|e| self.error(e))?;
        let mut licenses: BTreeMap<String, BTreeMap<String, LicenseState>> = BTreeMap::new();
        for row in rows {
            let person: String = row.try_get("identity_id").map_err(|e| self.error(e))?;
            let sku: String = row.try_get("sku").map_err(|e| self.error(e))?;
            let state: String = row.try_get("state").map_err(|e| self.error(e))?;
            let state = if state == "requested" {
                LicenseState::Requested
            } else {
                LicenseState::Held
            };
            licenses.entry(person).or_default().insert(sku, state);
        }
        Ok(licenses)
    }
}
