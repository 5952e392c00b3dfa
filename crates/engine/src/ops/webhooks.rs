//! Webhook operations: add one (its signing secret goes to the keychain and is shown once),
//! list, delete, and read its delivery log.

use chrono::Utc;
use rand::RngCore;
use serde::Serialize;

use super::{Operations, OpsError, OpsResult};
use crate::model::{WEBHOOK_EVENTS, Webhook, WebhookDelivery, new_id};
use crate::webhooks::secret_entry;

/// Deliveries a log shows.
const LOG_LENGTH: u32 = 50;

/// A webhook as created: `secret` signs its deliveries and is shown once.
#[derive(Debug, Clone, Serialize)]
pub struct NewWebhook {
    pub webhook: Webhook,
    pub secret: String,
}

impl Operations {
    pub fn create_webhook(&self, url: &str, events: &[String]) -> OpsResult<NewWebhook> {
        let url = url.trim();
        let parsed = reqwest::Url::parse(url).map_err(|_| {
            OpsError::invalid("url", "Enter the full address, e.g. https://example.com/hook.")
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(OpsError::invalid(
                "url",
                "A webhook address starts with http:// or https://.",
            ));
        }
        if events.is_empty() {
            return Err(OpsError::invalid("events", "Choose at least one event."));
        }
        if let Some(unknown) = events.iter().find(|e| !WEBHOOK_EVENTS.contains(&e.as_str())) {
            return Err(OpsError::invalid(
                "events",
                format!("Unknown event '{unknown}'; choose from {}.", WEBHOOK_EVENTS.join(", ")),
            ));
        }
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let secret = format!("whsec_{}", hex::encode(bytes));
        let webhook = Webhook {
            id: new_id(),
            url: url.to_owned(),
            events: events.to_vec(),
            created_at: Utc::now(),
        };
        self.core.secrets.set(&secret_entry(&webhook.id), &secret)?;
        self.core.store.insert_webhook(&webhook)?;
        Ok(NewWebhook { webhook, secret })
    }

    pub fn webhooks(&self) -> OpsResult<Vec<Webhook>> {
        Ok(self.core.store.webhooks()?)
    }

    /// Deletes a webhook, its delivery log and its secret.
    pub fn delete_webhook(&self, id: &str) -> OpsResult<()> {
        self.core.store.delete_webhook(id)?;
        self.core.secrets.delete(&secret_entry(id))?;
        Ok(())
    }

    /// A webhook's latest deliveries, newest first.
    pub fn webhook_deliveries(&self, id: &str) -> OpsResult<Vec<WebhookDelivery>> {
        Ok(self.core.store.webhook_deliveries(id, LOG_LENGTH)?)
    }
}
