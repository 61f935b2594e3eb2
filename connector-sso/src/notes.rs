//! What an admin must know or do to finish sign-in, on each side of the federation.
//!
//! Notes are data, not log lines: the `json` format carries them, and the CLI prints them
//! next to the `okta` and `metadata` formats. A note can be aimed at a directory that sits
//! between the identity provider and the service (Gemini signs in through Google Workspace,
//! Microsoft 365 Copilot through Entra ID) and carry the settings to enter there.

use serde::Serialize;

/// How much a note matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Good to know.
    Info,
    /// Something is approximate or unusual; read it before relying on the artifacts.
    Warning,
    /// A step a person must take for sign-in to work or be safe.
    Action,
}

impl Severity {
    /// The lowercase spelling (`info`, `warning`, `action`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Action => "action",
        }
    }
}

/// A directory that federates to the identity provider on the service's behalf.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FederatedDirectory {
    /// Google Workspace (third-party SSO profile), for Gemini and other Google services.
    GoogleWorkspace,
    /// Microsoft Entra ID (domain federation), for Microsoft 365 Copilot.
    EntraId,
}

impl FederatedDirectory {
    /// The human name (`Google Workspace`, `Microsoft Entra ID`).
    pub fn display_name(self) -> &'static str {
        match self {
            Self::GoogleWorkspace => "Google Workspace",
            Self::EntraId => "Microsoft Entra ID",
        }
    }
}

/// Where a note's advice applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "side", rename_all = "snake_case")]
pub enum NoteScope {
    /// In the identity provider (Okta).
    IdentityProvider,
    /// In the service's admin console.
    Service,
    /// In a directory that federates to the identity provider.
    Federation {
        /// Which directory.
        directory: FederatedDirectory,
    },
}

impl NoteScope {
    /// A short label for text output (`identity provider`, `service`, `Google Workspace`).
    pub fn label(self) -> &'static str {
        match self {
            Self::IdentityProvider => "identity provider",
            Self::Service => "service",
            Self::Federation { directory } => directory.display_name(),
        }
    }
}

/// One named value to enter somewhere (a federation setting, a console field).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Setting {
    /// The field's name as the console shows it.
    pub name: String,
    /// The value to enter.
    pub value: String,
}

/// Something an admin must know or do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    /// Where it applies.
    pub scope: NoteScope,
    /// How much it matters.
    pub severity: Severity,
    /// The advice, as a sentence.
    pub text: String,
    /// Values to enter, in order (empty for most notes).
    pub settings: Vec<Setting>,
}

impl Note {
    /// A note for the identity provider.
    pub fn idp(severity: Severity, text: impl Into<String>) -> Self {
        Self::new(NoteScope::IdentityProvider, severity, text)
    }

    /// A note for the service's admin console.
    pub fn service(severity: Severity, text: impl Into<String>) -> Self {
        Self::new(NoteScope::Service, severity, text)
    }

    /// A note listing the federation settings to enter in `directory`.
    pub fn federation(
        directory: FederatedDirectory,
        text: impl Into<String>,
        settings: impl IntoIterator<Item = (String, String)>,
    ) -> Self {
        Self {
            settings: settings
                .into_iter()
                .map(|(name, value)| Setting { name, value })
                .collect(),
            ..Self::new(NoteScope::Federation { directory }, Severity::Action, text)
        }
    }

    /// A note without settings.
    pub fn new(scope: NoteScope, severity: Severity, text: impl Into<String>) -> Self {
        Self {
            scope,
            severity,
            text: text.into(),
            settings: Vec::new(),
        }
    }

    /// The note as text lines: `action (identity provider): ...`, then `  name: value`.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "{} ({}): {}",
            self.severity.as_str(),
            self.scope.label(),
            self.text
        );
        for setting in &self.settings {
            out.push_str(&format!("\n  {}: {}", setting.name, setting.value));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_federation_note_carries_its_settings_and_serializes_its_directory() {
        let note = Note::federation(
            FederatedDirectory::GoogleWorkspace,
            "Add a third-party SSO profile",
            [(
                "Sign-in page URL".to_owned(),
                "https://idp.example/sso".to_owned(),
            )],
        );
        assert_eq!(
            note.to_text(),
            "action (Google Workspace): Add a third-party SSO profile\n  Sign-in page URL: https://idp.example/sso"
        );
        let json = serde_json::to_value(&note).unwrap();
        assert_eq!(json["scope"]["side"], "federation");
        assert_eq!(json["scope"]["directory"], "google_workspace");
        assert_eq!(json["settings"][0]["name"], "Sign-in page URL");
    }
}
