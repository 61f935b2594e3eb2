//! Audit events of card runs over HTTP (`connector serve`'s `POST /cards/...`): one OCSF
//! API Activity-style Account Change event (class 3001, activity `Other` named `Card`)
//! per call, whatever its outcome, with the card, the instance, the caller and the
//! outcome; never the caller's token nor the input's values.

use serde_json::Value;

use super::ocsf::{ChangeRecord, ChangeStatus, event};
use super::sink::AuditSink;
use crate::clock;
use crate::state::{Effect, Outcome, StateError, Store};

/// One card call to record.
#[derive(Debug, Clone)]
pub struct CardRun<'a> {
    /// The call's id (`metadata.uid`, `correlation_uid`).
    pub run_id: &'a str,
    /// The instance (empty when the call named none that exists).
    pub instance: &'a str,
    /// The connector (empty when unknown).
    pub connector: &'a str,
    /// The card asked for.
    pub card: &'a str,
    /// Who called: the peer's address and what it says it is (`User-Agent`).
    pub caller: &'a str,
    /// The HTTP status answered (`None`: the card was not run, a flow step skipped).
    pub http_status: Option<u16>,
    /// Success, or a failure / refusal.
    pub status: ChangeStatus,
    /// What happened, in words (the refusal or error; never a secret).
    pub detail: &'a str,
    /// The account the card acted on, when its input named one.
    pub account_id: Option<&'a str>,
}

/// The OCSF event of `run`.
pub fn card_event(run: &CardRun) -> Value {
    let record = ChangeRecord {
        run_id: run.run_id,
        request_id: None,
        instance: if run.instance.is_empty() {
            "*"
        } else {
            run.instance
        },
        connector: run.connector,
        action: "card",
        identity_id: None,
        login: None,
        account_id: run.account_id,
        user_name: None,
        sku: None,
        changes: &[],
        status: run.status,
        detail: Some(run.detail),
        time: clock::now(),
    };
    let mut event = event(&record);
    event["activity_name"] = Value::from("Card");
    event["type_name"] = Value::from("Account Change: Card");
    event["api"]["operation"] = Value::from(run.card);
    event["actor"] = serde_json::json!({
        "app_name": "connector-serve",
        "app_uid": run.run_id,
        "user": { "name": run.caller, "type": "Service" },
    });
    if run.connector.is_empty() {
        event["api"]["service"] = serde_json::json!({ "name": "connector-engine" });
    }
    if let Some(code) = run.http_status {
        event["http_response"] = serde_json::json!({ "code": code });
    }
    let unmapped = &mut event["unmapped"];
    unmapped["card"] = Value::from(run.card);
    unmapped["caller"] = Value::from(run.caller);
    if let Some(code) = run.http_status {
        unmapped["http_status"] = Value::from(code);
    }
    event
}

/// Stores the event of `run` in the state's audit table, then writes it to `sink`.
///
/// # Errors
///
/// When the state cannot be written (nothing is then written to the sink).
pub async fn record_card(
    store: &Store,
    sink: &AuditSink,
    run: &CardRun<'_>,
) -> Result<(), StateError> {
    let event = card_event(run);
    let line = serde_json::to_string(&event).unwrap_or_default();
    let effect = Effect::Audit {
        run_id: run.run_id.to_owned(),
        instance: event["api"]["service"]["uid"]
            .as_str()
            .unwrap_or("*")
            .to_owned(),
        identity_id: None,
        activity: "Card".to_owned(),
        status: run.status.as_str().to_owned(),
        time_ms: event["time"].as_i64().unwrap_or_default(),
        event: line.clone(),
    };
    store
        .record_outcome(None, Outcome::Ok, None, vec![effect])
        .await?;
    sink.write(&line);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_card_event_names_card_instance_caller_and_outcome() {
        let run = CardRun {
            run_id: "card-1",
            instance: "zoom",
            connector: "zoom",
            card: "get_account",
            caller: "127.0.0.1:5000 (curl/8)",
            http_status: Some(502),
            status: ChangeStatus::Failure,
            detail: "the app answered 503",
            account_id: Some("42"),
        };
        let event = card_event(&run);
        assert_eq!(event["class_uid"], 3001);
        assert_eq!(event["activity_name"], "Card");
        assert_eq!(event["api"]["operation"], "get_account");
        assert_eq!(event["api"]["service"]["uid"], "zoom");
        assert_eq!(event["actor"]["user"]["name"], "127.0.0.1:5000 (curl/8)");
        assert_eq!(event["status"], "Failure");
        assert_eq!(event["status_detail"], "the app answered 503");
        assert_eq!(event["http_response"]["code"], 502);
        assert_eq!(event["user"]["uid"], "42");
    }
}
