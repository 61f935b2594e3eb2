//! The org's event hooks, as Okta's Event Hooks API keeps them
//! (<https://developer.okta.com/docs/api/openapi/okta-management/management/tag/EventHook/>):
//! registration checked as Okta checks it (plus: the URI must be a loopback address, the
//! sandbox calls nothing else), the `eventHook` JSON (the auth secret is never shown),
//! the verification state, and a record of every delivery and its attempts, which the
//! admin API shows.

use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::net::IpAddr;

use serde_json::{Map, Value, json};

use super::error::OktaError;
use super::events::HOOK_ELIGIBLE;
use crate::scim::value::now_rfc3339;

/// How many deliveries the record keeps.
const DELIVERY_CAPACITY: usize = 10_000;
/// How many hooks an org may register here: Okta's limit of active, verified hooks
/// (<https://developer.okta.com/docs/concepts/event-hooks/>), applied to all of them.
const MAX_HOOKS: usize = 25;

/// A secret header value: shown nowhere, not even in debug output.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Secret(String);

impl Secret {
    /// The value, to send.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Where and how a hook is called.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Channel {
    /// The endpoint (a loopback `http` or `https` URL).
    pub uri: String,
    /// `channel.version`.
    pub version: String,
    /// Extra headers sent with every call.
    pub headers: Vec<(String, String)>,
    /// The `authScheme` header: name and secret value.
    pub auth: Option<(String, Secret)>,
}

/// One registered hook.
#[derive(Debug, Clone)]
struct Hook {
    id: String,
    name: String,
    description: Value,
    active: bool,
    verified: bool,
    created: String,
    last_updated: String,
    items: Vec<String>,
    channel: Channel,
}

/// How one delivery attempt went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Attempt {
    /// The receiver's status, when it answered.
    pub status: Option<u16>,
    /// The transport failure (timeout, refused connection), when it did not.
    pub error: Option<String>,
    /// How long it took, in milliseconds.
    pub millis: u64,
}

/// One delivery (one POST of Okta's event hook payload) and its attempts.
#[derive(Debug, Clone)]
struct Delivery {
    event_id: String,
    hook: String,
    uuids: Vec<String>,
    event_types: Vec<String>,
    attempts: Vec<Attempt>,
    state: &'static str,
}

/// A delivery to make, taken from the org's outbox by the HTTP layer.
#[derive(Debug, Clone)]
pub(crate) struct Dispatch {
    /// The payload's `eventId`, naming the delivery in the record.
    pub event_id: String,
    /// Where and how.
    pub channel: Channel,
    /// The JSON body.
    pub body: Vec<u8>,
}

/// A verification call to make for hook `hook`.
#[derive(Debug, Clone)]
pub(crate) struct Verification {
    /// The hook.
    pub hook: String,
    /// Where and how.
    pub channel: Channel,
}

/// The hooks of one org and the record of their deliveries.
#[derive(Debug, Clone, Default)]
pub(crate) struct EventHooks {
    hooks: BTreeMap<String, Hook>,
    deliveries: VecDeque<Delivery>,
    seq: u64,
}

impl EventHooks {
    /// Registers a hook from Okta's `eventHook` JSON (`created_by`: the caller's user
    /// id); answers its JSON, `UNVERIFIED`.
    pub(crate) fn create(
        &mut self,
        body: &Map<String, Value>,
        created_by: &str,
        org_url: &str,
    ) -> Result<Value, OktaError> {
        if self.hooks.len() >= MAX_HOOKS {
            return Err(OktaError::invalid(
                "eventHook",
                format!("an org has at most {MAX_HOOKS} event hooks"),
            ));
        }
        let name = text(body, "name")?;
        if name.trim().is_empty() || name.len() > 255 {
            return Err(OktaError::invalid(
                "name",
                "name: 1 to 255 characters are required",
            ));
        }
        let items = events(body.get("events"))?;
        let channel = channel(body.get("channel"))?;
        self.seq += 1;
        let id = format!("whosbx{:014}", self.seq);
        let now = now_rfc3339();
        let hook = Hook {
            id: id.clone(),
            name: name.to_owned(),
            description: body.get("description").cloned().unwrap_or(Value::Null),
            active: true,
            verified: false,
            created: now.clone(),
            last_updated: now,
            items,
            channel,
        };
        let json = hook.json(created_by, org_url);
        self.hooks.insert(id, hook);
        Ok(json)
    }

    /// The JSON of every hook.
    pub(crate) fn list(&self, org_url: &str) -> Value {
        Value::Array(self.hooks.values().map(|h| h.json("", org_url)).collect())
    }

    /// The JSON of hook `id`.
    pub(crate) fn get(&self, id: &str, org_url: &str) -> Result<Value, OktaError> {
        Ok(self.hook(id)?.json("", org_url))
    }

    /// Removes hook `id`, which must be `INACTIVE`, as Okta requires.
    pub(crate) fn delete(&mut self, id: &str) -> Result<(), OktaError> {
        if self.hook(id)?.active {
            return Err(OktaError::invalid(
                "eventHook",
                "an ACTIVE event hook cannot be deleted: deactivate it first (POST /api/v1/eventHooks/{id}/lifecycle/deactivate)",
            ));
        }
        self.hooks.remove(id);
        Ok(())
    }

    /// Sets hook `id` `ACTIVE` or `INACTIVE`; answers its JSON.
    pub(crate) fn set_active(
        &mut self,
        id: &str,
        active: bool,
        org_url: &str,
    ) -> Result<Value, OktaError> {
        let hook = self.hook_mut(id)?;
        hook.active = active;
        hook.last_updated = now_rfc3339();
        Ok(hook.json("", org_url))
    }

    /// The verification call hook `id` needs.
    pub(crate) fn verification(&self, id: &str) -> Result<Verification, OktaError> {
        let hook = self.hook(id)?;
        Ok(Verification {
            hook: hook.id.clone(),
            channel: hook.channel.clone(),
        })
    }

    /// Marks hook `id` `VERIFIED`; answers its JSON.
    pub(crate) fn verified(&mut self, id: &str, org_url: &str) -> Result<Value, OktaError> {
        let hook = self.hook_mut(id)?;
        hook.verified = true;
        hook.last_updated = now_rfc3339();
        Ok(hook.json("", org_url))
    }

    /// The deliveries of `events` (`LogEvent`s of one type): one per `ACTIVE`,
    /// `VERIFIED` hook subscribed to it, recorded as pending.
    pub(crate) fn dispatch(&mut self, events: &[Value], org_url: &str) -> Vec<Dispatch> {
        let Some(event_type) = events.first().and_then(|e| e["eventType"].as_str()) else {
            return Vec::new();
        };
        let subscribed: Vec<(String, Channel)> = self
            .hooks
            .values()
            .filter(|h| h.active && h.verified && h.items.iter().any(|i| i == event_type))
            .map(|h| (h.id.clone(), h.channel.clone()))
            .collect();
        let mut out = Vec::new();
        for (hook, channel) in subscribed {
            let event_id = super::events::uuid();
            // The payload Okta posts
            // (<https://developer.okta.com/docs/concepts/event-hooks/#sample-event-delivery-payload>).
            let body = json!({
                "eventType": "com.okta.event_hook",
                "eventTypeVersion": "1.0",
                "cloudEventsVersion": "0.1",
                "source": format!("{org_url}/api/v1/eventHooks/{hook}"),
                "eventId": event_id,
                "eventTime": now_rfc3339(),
                "contentType": "application/json",
                "data": {"events": events},
            });
            if self.deliveries.len() == DELIVERY_CAPACITY {
                self.deliveries.pop_front();
            }
            self.deliveries.push_back(Delivery {
                event_id: event_id.clone(),
                hook,
                uuids: events
                    .iter()
                    .map(|e| e["uuid"].as_str().unwrap_or_default().to_owned())
                    .collect(),
                event_types: vec![event_type.to_owned()],
                attempts: Vec::new(),
                state: "PENDING",
            });
            out.push(Dispatch {
                event_id,
                channel,
                body: body.to_string().into_bytes(),
            });
        }
        out
    }

    /// Records an attempt of delivery `event_id`; `last` closes it as `DELIVERED`
    /// (a 2xx answer) or `FAILED`.
    pub(crate) fn record(&mut self, event_id: &str, attempt: Attempt, last: bool) {
        let Some(delivery) = self
            .deliveries
            .iter_mut()
            .rev()
            .find(|d| d.event_id == event_id)
        else {
            return;
        };
        let delivered = attempt.status.is_some_and(|s| (200..300).contains(&s));
        delivery.attempts.push(attempt);
        if last {
            delivery.state = if delivered { "DELIVERED" } else { "FAILED" };
        }
    }

    /// The admin view: every hook (as the API shows it) and every delivery.
    pub(crate) fn admin(&self, org_url: &str) -> Value {
        let deliveries: Vec<Value> = self
            .deliveries
            .iter()
            .map(|d| {
                let attempts: Vec<Value> = d
                    .attempts
                    .iter()
                    .map(|a| json!({"status": a.status, "error": a.error, "millis": a.millis}))
                    .collect();
                json!({
                    "eventId": d.event_id,
                    "hook": d.hook,
                    "uuids": d.uuids,
                    "eventTypes": d.event_types,
                    "state": d.state,
                    "attempts": attempts,
                })
            })
            .collect();
        json!({"hooks": self.list(org_url), "deliveries": deliveries})
    }

    fn hook(&self, id: &str) -> Result<&Hook, OktaError> {
        self.hooks
            .get(id)
            .ok_or_else(|| OktaError::not_found(id, "EventHook"))
    }

    fn hook_mut(&mut self, id: &str) -> Result<&mut Hook, OktaError> {
        self.hooks
            .get_mut(id)
            .ok_or_else(|| OktaError::not_found(id, "EventHook"))
    }
}

impl Hook {
    /// Okta's `eventHook` JSON; the auth secret is left out, as Okta does.
    fn json(&self, created_by: &str, org_url: &str) -> Value {
        let href = format!("{org_url}/api/v1/eventHooks/{}", self.id);
        let headers: Vec<Value> = self
            .channel
            .headers
            .iter()
            .map(|(key, value)| json!({"key": key, "value": value}))
            .collect();
        let auth = self.channel.auth.as_ref().map_or(
            Value::Null,
            |(key, _)| json!({"type": "HEADER", "key": key}),
        );
        let created_by = if created_by.is_empty() {
            Value::Null
        } else {
            json!(created_by)
        };
        let lifecycle = if self.active {
            "deactivate"
        } else {
            "activate"
        };
        json!({
            "id": self.id,
            "status": if self.active { "ACTIVE" } else { "INACTIVE" },
            "verificationStatus": if self.verified { "VERIFIED" } else { "UNVERIFIED" },
            "name": self.name,
            "description": self.description,
            "created": self.created,
            "createdBy": created_by,
            "lastUpdated": self.last_updated,
            "events": {"type": "EVENT_TYPE", "items": self.items, "filter": null},
            "channel": {
                "type": "HTTP",
                "version": self.channel.version,
                "config": {
                    "uri": self.channel.uri,
                    "headers": headers,
                    "method": "POST",
                    "authScheme": auth,
                },
            },
            "_links": {
                "self": {"href": href, "hints": {"allow": ["GET", "PUT", "DELETE"]}},
                "verify": {"href": format!("{href}/lifecycle/verify"), "hints": {"allow": ["POST"]}},
                lifecycle: {"href": format!("{href}/lifecycle/{lifecycle}"), "hints": {"allow": ["POST"]}},
            },
        })
    }
}

/// The string field `name` of `body`.
fn text<'a>(body: &'a Map<String, Value>, name: &str) -> Result<&'a str, OktaError> {
    body.get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| OktaError::invalid(name, format!("{name}: a string is required")))
}

/// `events`: `{"type": "EVENT_TYPE", "items": [eligible event types]}`.
fn events(events: Option<&Value>) -> Result<Vec<String>, OktaError> {
    let bad = |cause: String| OktaError::invalid("events", cause);
    let events = events
        .and_then(Value::as_object)
        .ok_or_else(|| bad("events: an object with `type` and `items` is required".into()))?;
    if events.get("type").and_then(Value::as_str) != Some("EVENT_TYPE") {
        return Err(bad("events.type: must be EVENT_TYPE".into()));
    }
    let items = events
        .get("items")
        .and_then(Value::as_array)
        .filter(|items| !items.is_empty())
        .ok_or_else(|| bad("events.items: a non-empty array of event types is required".into()))?;
    items
        .iter()
        .map(|item| match item.as_str() {
            Some(name) if HOOK_ELIGIBLE.contains(&name) => Ok(name.to_owned()),
            _ => Err(bad(format!(
                "events.items: {item} is not an event hook eligible event type (known: {})",
                HOOK_ELIGIBLE.join(", ")
            ))),
        })
        .collect()
}

/// `channel`: `{"type": "HTTP", "version": "1.0.0", "config": {"uri", "headers"?,
/// "authScheme"?: {"type": "HEADER", "key", "value"}}}`.
fn channel(channel: Option<&Value>) -> Result<Channel, OktaError> {
    let bad = |cause: String| OktaError::invalid("channel", cause);
    let channel = channel
        .and_then(Value::as_object)
        .ok_or_else(|| bad("channel: an object is required".into()))?;
    if channel.get("type").and_then(Value::as_str) != Some("HTTP") {
        return Err(bad("channel.type: must be HTTP".into()));
    }
    let version = channel
        .get("version")
        .and_then(Value::as_str)
        .filter(|v| *v == "1.0.0")
        .ok_or_else(|| bad("channel.version: must be 1.0.0".into()))?;
    let config = channel
        .get("config")
        .and_then(Value::as_object)
        .ok_or_else(|| bad("channel.config: an object is required".into()))?;
    let uri = config
        .get("uri")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("channel.config.uri: a URL is required".into()))?;
    check_uri(uri).map_err(bad)?;
    let headers = match config.get("headers") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(headers)) => headers
            .iter()
            .map(|h| pair(h, "channel.config.headers[]").map_err(bad))
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(bad("channel.config.headers: must be an array".into())),
    };
    let auth = match config.get("authScheme") {
        None | Some(Value::Null) => None,
        Some(scheme) => {
            if scheme["type"].as_str() != Some("HEADER") {
                return Err(bad("channel.config.authScheme.type: must be HEADER".into()));
            }
            let (key, value) = pair(scheme, "channel.config.authScheme").map_err(bad)?;
            Some((key, Secret(value)))
        }
    };
    Ok(Channel {
        uri: uri.to_owned(),
        version: version.to_owned(),
        headers,
        auth,
    })
}

/// `{"key", "value"}` with a valid header name and value.
fn pair(value: &Value, at: &str) -> Result<(String, String), String> {
    let key = value["key"].as_str().unwrap_or_default();
    let text = value["value"].as_str();
    let name_ok = axum::http::HeaderName::from_bytes(key.as_bytes()).is_ok();
    let value_ok = text.is_some_and(|t| axum::http::HeaderValue::from_str(t).is_ok());
    if !name_ok || !value_ok {
        return Err(format!(
            "{at}: `key` must be a header name and `value` a header value"
        ));
    }
    Ok((key.to_owned(), text.unwrap_or_default().to_owned()))
}

/// Accepts `http` or `https` URLs whose host is a loopback address or `localhost`:
/// the sandbox binds 127.0.0.1 and calls nothing beyond it (Okta itself requires a
/// public HTTPS endpoint).
fn check_uri(uri: &str) -> Result<(), String> {
    let url = url::Url::parse(uri)
        .map_err(|e| format!("channel.config.uri: `{uri}` is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("channel.config.uri: `{uri}` must be http or https"));
    }
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    if !loopback {
        return Err(format!(
            "channel.config.uri: the sandbox delivers only to loopback addresses (127.0.0.0/8, [::1], localhost), not `{uri}`"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(uri: &str, items: Value) -> Map<String, Value> {
        json!({
            "name": "leavers",
            "events": {"type": "EVENT_TYPE", "items": items},
            "channel": {"type": "HTTP", "version": "1.0.0", "config": {
                "uri": uri,
                "headers": [{"key": "X-Extra", "value": "1"}],
                "authScheme": {"type": "HEADER", "key": "Authorization", "value": "s3cret"},
            }},
        })
        .as_object()
        .cloned()
        .unwrap()
    }

    #[test]
    fn registration_checks_the_body_and_hides_the_secret() {
        let mut hooks = EventHooks::default();
        let items = json!(["user.lifecycle.deactivate"]);
        let created = hooks
            .create(
                &body("http://127.0.0.1:9/hook", items.clone()),
                "00uadmin",
                "http://h/o",
            )
            .unwrap();
        assert_eq!(created["verificationStatus"], "UNVERIFIED");
        assert_eq!(created["status"], "ACTIVE");
        assert!(!created.to_string().contains("s3cret"));
        assert!(!format!("{hooks:?}").contains("s3cret"));
        let id = created["id"].as_str().unwrap();
        assert_eq!(
            created["_links"]["verify"]["href"],
            format!("http://h/o/api/v1/eventHooks/{id}/lifecycle/verify")
        );
        for uri in [
            "http://example.com/hook",
            "http://10.0.0.1/x",
            "ftp://127.0.0.1/x",
            "nope",
        ] {
            let error = hooks.create(&body(uri, items.clone()), "", "").unwrap_err();
            assert_eq!(error.code, "E0000001");
            assert!(
                error.causes[0].contains("channel.config.uri"),
                "{uri}: {error:?}"
            );
        }
        assert!(
            hooks
                .create(&body("http://localhost:1/", items.clone()), "", "")
                .is_ok()
        );
        assert!(
            hooks
                .create(&body("http://[::1]:1/", items), "", "")
                .is_ok()
        );
        let error = hooks
            .create(
                &body("http://127.0.0.1/", json!(["user.lifecycle.explode"])),
                "",
                "",
            )
            .unwrap_err();
        assert!(error.causes[0].contains("user.lifecycle.explode"));
        assert!(hooks.delete(id).unwrap_err().causes[0].contains("deactivate it first"));
        hooks.set_active(id, false, "").unwrap();
        hooks.delete(id).unwrap();
        assert_eq!(hooks.get(id, "").unwrap_err().code, "E0000007");
    }

    #[test]
    fn only_verified_active_subscribers_get_deliveries() {
        let mut hooks = EventHooks::default();
        let items = json!(["user.lifecycle.deactivate"]);
        let id = hooks
            .create(&body("http://127.0.0.1:9/", items), "", "")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let event = json!({"eventType": "user.lifecycle.deactivate", "uuid": "u1"});
        assert!(hooks.dispatch(std::slice::from_ref(&event), "o").is_empty());
        hooks.verified(&id, "").unwrap();
        let other = json!({"eventType": "user.lifecycle.suspend", "uuid": "u2"});
        assert!(hooks.dispatch(&[other], "o").is_empty());
        let sent = hooks.dispatch(&[event], "o");
        assert_eq!(sent.len(), 1);
        let body: Value = serde_json::from_slice(&sent[0].body).unwrap();
        assert_eq!(body["eventType"], "com.okta.event_hook");
        assert_eq!(body["data"]["events"][0]["uuid"], "u1");
        assert_eq!(body["source"], format!("o/api/v1/eventHooks/{id}"));
        let attempt = Attempt {
            status: Some(204),
            error: None,
            millis: 1,
        };
        hooks.record(&sent[0].event_id, attempt, true);
        let admin = hooks.admin("o");
        assert_eq!(admin["deliveries"][0]["state"], "DELIVERED");
        assert_eq!(admin["deliveries"][0]["uuids"], json!(["u1"]));
    }
}
