//! Turns the HTTP requests of one action on a target (publish, reconcile, refresh, delete)
//! into publish-log rows: one per request, plus one for the failure the platform reported.

use chrono::Utc;

use crate::model::Account;
use crate::provider::ProviderError;
use crate::provider::http::Exchange;
use crate::store::LogEntry;

/// The target the requests were made for.
pub struct LogTarget<'a> {
    pub post_id: &'a str,
    pub target_id: &'a str,
    pub account: &'a Account,
    pub attempt: u32,
}

pub fn log_entries(
    target: &LogTarget<'_>,
    action: &str,
    exchanges: Vec<Exchange>,
    error: Option<&ProviderError>,
) -> Vec<LogEntry> {
    let base = LogEntry {
        id: 0,
        at: Utc::now(),
        post_id: Some(target.post_id.to_owned()),
        target_id: Some(target.target_id.to_owned()),
        account_id: Some(target.account.id.clone()),
        platform: Some(target.account.platform.clone()),
        action: action.to_owned(),
        endpoint: None,
        http_status: None,
        error_code: None,
        error_message: None,
        duration_ms: 0,
        attempt: target.attempt,
    };
    let mut entries: Vec<LogEntry> = exchanges
        .into_iter()
        .map(|x| LogEntry {
            action: x.action,
            endpoint: Some(x.endpoint),
            http_status: x.http_status,
            error_code: x.error.as_ref().map(|_| "network".to_owned()),
            error_message: x.error,
            duration_ms: x.duration_ms,
            ..base.clone()
        })
        .collect();
    if let Some(e) = error {
        entries.push(LogEntry {
            action: format!("{action}_failed"),
            http_status: e.http_status,
            error_code: e.code.clone(),
            error_message: Some(e.message.clone()),
            ..base
        });
    }
    entries
}
