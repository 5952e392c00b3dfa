//! The window's commands: each forwards to one operation of the engine's operations layer and
//! returns its result or its error (`{code, message, field, violations}`) unchanged. None runs
//! on the main thread (Tauri's default for a command that is not `async`): that thread draws
//! the window, and a store query there would hold up painting.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sipstory_api::LocalApiStatus;
use sipstory_engine::model::{
    Account, ApiKey, AppSettings, CalendarDay, Media, Post, PostSummary, Webhook, WebhookDelivery,
};
use sipstory_engine::oauth::OAuthStart;
use sipstory_engine::ops::{
    NewApiKey, NewWebhook, OpsError, PlatformSummary, PostInput, Saved, Schedule,
};
use sipstory_engine::store::{LogEntry, LogFilter, StoredNotification};
use sipstory_engine::validation::Violation;
use tauri::State;

use crate::lifecycle::AppState;

type App<'a> = State<'a, Arc<AppState>>;
type Result<T> = std::result::Result<T, OpsError>;

pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        platforms,
        count_text,
        accounts,
        connect_account,
        begin_oauth,
        finish_oauth,
        cancel_oauth,
        pause_account,
        set_account_enabled,
        remove_account,
        validate_post,
        create_post,
        update_post,
        get_post,
        calendar,
        calendar_days,
        drafts,
        queue,
        missed_posts,
        delete_post,
        delete_post_everywhere,
        reschedule,
        set_draft,
        duplicate_post,
        retry_failed,
        publish_missed_now,
        reschedule_missed,
        discard_missed,
        confirm_published,
        publish_unconfirmed_again,
        import_media,
        upload_media,
        media_list,
        set_media_alt,
        delete_media,
        settings,
        update_settings,
        set_publishing_paused,
        time_slots,
        set_time_slots,
        next_free_slot,
        activity,
        notifications,
        mark_notifications_read,
        export_backup,
        data_dir,
        local_api_status,
        api_keys,
        create_api_key,
        revoke_api_key,
        webhooks,
        create_webhook,
        delete_webhook,
        webhook_deliveries,
    ]
}

#[tauri::command(async)]
fn platforms(app: App<'_>) -> Vec<PlatformSummary> {
    app.ops.platforms()
}

#[tauri::command(async)]
fn count_text(app: App<'_>, platform: String, text: String) -> Result<(usize, Option<u32>)> {
    app.ops.count_text(&platform, &text)
}

#[tauri::command(async)]
fn accounts(app: App<'_>) -> Result<Vec<Account>> {
    app.ops.accounts()
}

#[tauri::command]
async fn connect_account(
    app: App<'_>,
    platform: String,
    fields: BTreeMap<String, String>,
) -> Result<Account> {
    app.ops.connect_account(&platform, fields).await
}

#[tauri::command]
async fn begin_oauth(
    app: App<'_>,
    platform: String,
    fields: BTreeMap<String, String>,
) -> Result<OAuthStart> {
    app.ops.begin_oauth(&platform, fields).await
}

#[tauri::command]
async fn finish_oauth(app: App<'_>, flow_id: String) -> Result<Account> {
    app.ops.finish_oauth(&flow_id).await
}

#[tauri::command(async)]
fn cancel_oauth(app: App<'_>, flow_id: String) -> Result<()> {
    app.ops.cancel_oauth(&flow_id)
}

#[tauri::command]
async fn pause_account(app: App<'_>, id: String, paused: bool) -> Result<Account> {
    app.ops.pause_account(&id, paused).await
}

#[tauri::command(async)]
fn set_account_enabled(app: App<'_>, id: String, enabled: bool) -> Result<Account> {
    app.ops.set_account_enabled(&id, enabled)
}

#[tauri::command]
async fn remove_account(app: App<'_>, id: String, leave_held: bool) -> Result<()> {
    app.ops.remove_account(&id, leave_held).await
}

#[tauri::command(async)]
fn validate_post(app: App<'_>, input: PostInput) -> Result<Vec<Violation>> {
    app.ops.validate_post(&input)
}

#[tauri::command(async)]
fn create_post(app: App<'_>, input: PostInput) -> Result<Saved> {
    app.ops.create_post(input)
}

#[tauri::command(async)]
fn update_post(app: App<'_>, id: String, input: PostInput) -> Result<Saved> {
    app.ops.update_post(&id, input)
}

#[tauri::command(async)]
fn get_post(app: App<'_>, id: String) -> Result<Post> {
    app.ops.post(&id)
}

#[tauri::command(async)]
fn calendar(app: App<'_>, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<PostSummary>> {
    app.ops.calendar(from, to)
}

#[tauri::command(async)]
fn calendar_days(
    app: App<'_>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    per_day: u32,
) -> Result<Vec<CalendarDay>> {
    app.ops.calendar_days(from, to, per_day)
}

#[tauri::command(async)]
fn drafts(app: App<'_>) -> Result<Vec<Post>> {
    app.ops.drafts()
}

#[tauri::command(async)]
fn queue(app: App<'_>) -> Result<Vec<Post>> {
    app.ops.queue()
}

#[tauri::command(async)]
fn missed_posts(app: App<'_>) -> Result<Vec<Post>> {
    app.ops.missed_posts()
}

#[tauri::command(async)]
fn delete_post(app: App<'_>, id: String) -> Result<()> {
    app.ops.delete_post(&id)
}

#[tauri::command]
async fn delete_post_everywhere(app: App<'_>, id: String) -> Result<()> {
    app.ops.delete_post_everywhere(&id).await
}

#[tauri::command(async)]
fn reschedule(app: App<'_>, id: String, at: DateTime<Utc>) -> Result<Post> {
    app.ops.reschedule(&id, at)
}

#[tauri::command(async)]
fn set_draft(app: App<'_>, id: String, draft: bool) -> Result<Post> {
    app.ops.set_draft(&id, draft)
}

#[tauri::command(async)]
fn duplicate_post(app: App<'_>, id: String, schedule: Schedule) -> Result<Saved> {
    app.ops.duplicate_post(&id, schedule)
}

#[tauri::command(async)]
fn retry_failed(app: App<'_>, id: String) -> Result<Post> {
    app.ops.retry_failed(&id)
}

#[tauri::command(async)]
fn publish_missed_now(app: App<'_>, id: String) -> Result<Post> {
    app.ops.publish_missed_now(&id)
}

#[tauri::command(async)]
fn reschedule_missed(app: App<'_>, id: String, at: DateTime<Utc>) -> Result<Post> {
    app.ops.reschedule_missed(&id, at)
}

#[tauri::command(async)]
fn discard_missed(app: App<'_>, id: String) -> Result<Post> {
    app.ops.discard_missed(&id)
}

#[tauri::command(async)]
fn confirm_published(
    app: App<'_>,
    target_id: String,
    remote_id: String,
    url: Option<String>,
) -> Result<Post> {
    app.ops.confirm_published(&target_id, &remote_id, url)
}

#[tauri::command(async)]
fn publish_unconfirmed_again(app: App<'_>, target_id: String) -> Result<Post> {
    app.ops.publish_unconfirmed_again(&target_id)
}

#[tauri::command]
async fn import_media(app: App<'_>, path: PathBuf, alt: Option<String>) -> Result<Media> {
    app.ops.import_media(&path, alt).await
}

#[tauri::command]
async fn upload_media(
    app: App<'_>,
    bytes: Vec<u8>,
    name: String,
    alt: Option<String>,
) -> Result<Media> {
    app.ops.upload_media(bytes, &name, alt).await
}

#[tauri::command(async)]
fn media_list(app: App<'_>) -> Result<Vec<Media>> {
    app.ops.media_list()
}

#[tauri::command(async)]
fn set_media_alt(app: App<'_>, id: String, alt: Option<String>) -> Result<Media> {
    app.ops.set_media_alt(&id, alt.as_deref())
}

#[tauri::command(async)]
fn delete_media(app: App<'_>, id: String) -> Result<()> {
    app.ops.delete_media(&id)
}

#[tauri::command(async)]
fn settings(app: App<'_>) -> Result<AppSettings> {
    app.ops.settings()
}

#[tauri::command]
async fn update_settings(
    app: App<'_>,
    handle: tauri::AppHandle,
    settings: AppSettings,
) -> Result<AppSettings> {
    let saved = app.ops.update_settings(settings).await?;
    crate::tray::apply_start_at_login(&handle, saved.start_at_login);
    app.local_api.apply(&saved.local_api).await;
    Ok(saved)
}

#[tauri::command]
async fn set_publishing_paused(app: App<'_>, paused: bool) -> Result<AppSettings> {
    app.ops.set_publishing_paused(paused).await
}

#[tauri::command(async)]
fn time_slots(app: App<'_>, account_id: String) -> Result<Vec<(u8, u16)>> {
    app.ops.time_slots(&account_id)
}

#[tauri::command(async)]
fn set_time_slots(
    app: App<'_>,
    account_id: String,
    slots: Vec<(u8, u16)>,
) -> Result<Vec<(u8, u16)>> {
    app.ops.set_time_slots(&account_id, &slots)
}

#[tauri::command(async)]
fn next_free_slot(
    app: App<'_>,
    account_id: String,
    time_zone: Option<String>,
) -> Result<Option<DateTime<Utc>>> {
    app.ops.next_free_slot(&account_id, time_zone.as_deref())
}

#[tauri::command(async)]
fn activity(app: App<'_>, filter: LogFilter) -> Result<Vec<LogEntry>> {
    app.ops.activity(&filter)
}

#[tauri::command(async)]
fn notifications(app: App<'_>, page: u32) -> Result<(Vec<StoredNotification>, u64)> {
    app.ops.notifications(page, 100)
}

#[tauri::command(async)]
fn mark_notifications_read(app: App<'_>, up_to_id: i64) -> Result<()> {
    app.ops.mark_notifications_read(up_to_id)
}

#[tauri::command(async)]
fn export_backup(app: App<'_>, destination: PathBuf) -> Result<PathBuf> {
    app.ops.export_backup(&destination)
}

#[tauri::command(async)]
fn data_dir(app: App<'_>) -> String {
    app.engine.core().store.path().parent().map(|p| p.display().to_string()).unwrap_or_default()
}

#[tauri::command]
async fn local_api_status(app: App<'_>) -> Result<LocalApiStatus> {
    Ok(app.local_api.status().await)
}

#[tauri::command(async)]
fn api_keys(app: App<'_>) -> Result<Vec<ApiKey>> {
    app.ops.api_keys()
}

#[tauri::command(async)]
fn create_api_key(app: App<'_>, name: String) -> Result<NewApiKey> {
    app.ops.create_api_key(&name)
}

#[tauri::command(async)]
fn revoke_api_key(app: App<'_>, id: String) -> Result<()> {
    app.ops.revoke_api_key(&id)
}

#[tauri::command(async)]
fn webhooks(app: App<'_>) -> Result<Vec<Webhook>> {
    app.ops.webhooks()
}

#[tauri::command(async)]
fn create_webhook(app: App<'_>, url: String, events: Vec<String>) -> Result<NewWebhook> {
    app.ops.create_webhook(&url, &events)
}

#[tauri::command(async)]
fn delete_webhook(app: App<'_>, id: String) -> Result<()> {
    app.ops.delete_webhook(&id)
}

#[tauri::command(async)]
fn webhook_deliveries(app: App<'_>, id: String) -> Result<Vec<WebhookDelivery>> {
    app.ops.webhook_deliveries(&id)
}
