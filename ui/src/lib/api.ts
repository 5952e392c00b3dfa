// Typed calls to the desktop shell's commands (src-tauri/src/commands.rs), one per engine
// operation. Every call rejects with an OpsError.
import { invoke } from '@tauri-apps/api/core';
import { startMeasure } from './timeline';
import type {
  Account, ApiKey, AppSettings, CalendarDay, LocalApiStatus, LogEntry, LogFilter, Media, OAuthStart, OpsError, PlatformSummary,
  Post, PostInput, NewApiKey, NewWebhook, PostSummary, Saved, Schedule, StoredNotification, Violation, Webhook, WebhookDelivery,
} from './types';

/** Calls one command. During the start each call is a measure named `ipc <command>` on the
 * page's timeline (see `timeline.ts`). */
async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  const start = performance.now();
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw toOpsError(e);
  } finally {
    startMeasure(`ipc ${command}`, start);
  }
}

/** Normalises whatever a failed command threw into an OpsError. */
export function toOpsError(e: unknown): OpsError {
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) return e as OpsError;
  return { code: 'internal', message: String(e), field: null };
}

export const api = {
  platforms: () => call<PlatformSummary[]>('platforms'),
  countText: (platform: string, text: string) => call<[number, number | null]>('count_text', { platform, text }),
  accounts: () => call<Account[]>('accounts'),
  connectAccount: (platform: string, fields: Record<string, string>) => call<Account>('connect_account', { platform, fields }),
  beginOauth: (platform: string, fields: Record<string, string>) => call<OAuthStart>('begin_oauth', { platform, fields }),
  finishOauth: (flowId: string) => call<Account>('finish_oauth', { flowId }),
  cancelOauth: (flowId: string) => call<void>('cancel_oauth', { flowId }),
  pauseAccount: (id: string, paused: boolean) => call<Account>('pause_account', { id, paused }),
  setAccountEnabled: (id: string, enabled: boolean) => call<Account>('set_account_enabled', { id, enabled }),
  removeAccount: (id: string, leaveHeld = false) => call<void>('remove_account', { id, leaveHeld }),

  validatePost: (input: PostInput) => call<Violation[]>('validate_post', { input }),
  createPost: (input: PostInput) => call<Saved>('create_post', { input }),
  updatePost: (id: string, input: PostInput) => call<Saved>('update_post', { id, input }),
  getPost: (id: string) => call<Post>('get_post', { id }),
  calendar: (from: Date, to: Date) => call<PostSummary[]>('calendar', { from: from.toISOString(), to: to.toISOString() }),
  calendarDays: (from: Date, to: Date, perDay: number) =>
    call<CalendarDay[]>('calendar_days', { from: from.toISOString(), to: to.toISOString(), perDay }),
  drafts: () => call<Post[]>('drafts'),
  queue: () => call<Post[]>('queue'),
  missedPosts: () => call<Post[]>('missed_posts'),
  deletePost: (id: string) => call<void>('delete_post', { id }),
  deletePostEverywhere: (id: string) => call<void>('delete_post_everywhere', { id }),
  reschedule: (id: string, at: Date) => call<Post>('reschedule', { id, at: at.toISOString() }),
  setDraft: (id: string, draft: boolean) => call<Post>('set_draft', { id, draft }),
  duplicatePost: (id: string, schedule: Schedule) => call<Saved>('duplicate_post', { id, schedule }),
  retryFailed: (id: string) => call<Post>('retry_failed', { id }),
  publishMissedNow: (id: string) => call<Post>('publish_missed_now', { id }),
  rescheduleMissed: (id: string, at: Date) => call<Post>('reschedule_missed', { id, at: at.toISOString() }),
  discardMissed: (id: string) => call<Post>('discard_missed', { id }),
  confirmPublished: (targetId: string, remoteId: string, url: string | null) =>
    call<Post>('confirm_published', { targetId, remoteId, url }),
  publishUnconfirmedAgain: (targetId: string) => call<Post>('publish_unconfirmed_again', { targetId }),

  importMedia: (path: string, alt: string | null = null) => call<Media>('import_media', { path, alt }),
  uploadMedia: (bytes: Uint8Array, name: string, alt: string | null = null) =>
    call<Media>('upload_media', { bytes: Array.from(bytes), name, alt }),
  mediaList: () => call<Media[]>('media_list'),
  setMediaAlt: (id: string, alt: string | null) => call<Media>('set_media_alt', { id, alt }),
  deleteMedia: (id: string) => call<void>('delete_media', { id }),

  settings: () => call<AppSettings>('settings'),
  localApiStatus: () => call<LocalApiStatus>('local_api_status'),
  apiKeys: () => call<ApiKey[]>('api_keys'),
  createApiKey: (name: string) => call<NewApiKey>('create_api_key', { name }),
  revokeApiKey: (id: string) => call<void>('revoke_api_key', { id }),
  webhooks: () => call<Webhook[]>('webhooks'),
  createWebhook: (url: string, events: string[]) => call<NewWebhook>('create_webhook', { url, events }),
  deleteWebhook: (id: string) => call<void>('delete_webhook', { id }),
  webhookDeliveries: (id: string) => call<WebhookDelivery[]>('webhook_deliveries', { id }),
  updateSettings: (settings: AppSettings) => call<AppSettings>('update_settings', { settings }),
  setPublishingPaused: (paused: boolean) => call<AppSettings>('set_publishing_paused', { paused }),
  timeSlots: (accountId: string) => call<[number, number][]>('time_slots', { accountId }),
  setTimeSlots: (accountId: string, slots: [number, number][]) => call<[number, number][]>('set_time_slots', { accountId, slots }),
  nextFreeSlot: (accountId: string, timeZone: string | null = null) => call<string | null>('next_free_slot', { accountId, timeZone }),
  activity: (filter: LogFilter) => call<LogEntry[]>('activity', { filter }),
  notifications: (page: number) => call<[StoredNotification[], number]>('notifications', { page }),
  markNotificationsRead: (upToId: number) => call<void>('mark_notifications_read', { upToId }),
  exportBackup: (destination: string) => call<string>('export_backup', { destination }),
  dataDir: () => call<string>('data_dir'),
};

/** Engine events forwarded by the shell. */
export const EVENTS = {
  changed: 'sipstory://changed',
  notification: 'sipstory://notification',
  /** `{view: 'composer'}` or `{view: 'failed'}` from the tray. */
  navigate: 'sipstory://navigate',
} as const;
