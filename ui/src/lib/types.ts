// The engine's types as the window receives them (serde JSON of crates/engine/src/model and ops).

export type AccountStatus = 'connected' | 'needs_reconnect' | 'disabled';
export interface Account {
  id: string;
  platform: string;
  handle: string;
  display_name: string;
  avatar_url: string | null;
  status: AccountStatus;
  paused: boolean;
  settings: Record<string, unknown>;
  created_at: string;
}

export interface CredentialField {
  key: string;
  label: string;
  secret: boolean;
  required: boolean;
  placeholder: string | null;
  help: string | null;
}
export interface ConnectionSpec {
  method: 'app_password' | 'o_auth2_pkce' | 'byo_o_auth2' | 'token' | 'key' | 'webhook_url' | 'password_to_token';
  fields: CredentialField[];
}
export interface MediaRules {
  max_items: number;
  images: boolean;
  gifs: boolean;
  videos: boolean;
  max_image_bytes: number | null;
  max_gif_bytes: number | null;
  max_video_bytes: number | null;
  max_video_duration_ms: number | null;
  video_alone: boolean;
  max_alt_length: number | null;
}
export interface PlatformRules {
  platform: string;
  platform_name: string;
  max_length: number | null;
  counting: 'chars' | 'graphemes' | 'x_weighted' | 'utf8_bytes';
  requires_media: boolean;
  media: MediaRules;
  thread: 'none' | 'replies' | 'comments';
  max_thread_items: number | null;
  /** JSON Schema of the per-post settings, or null. */
  settings_schema: JsonSchema | null;
}
export interface JsonSchema {
  type?: string;
  title?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  maxLength?: number;
  minLength?: number;
  format?: string;
  items?: JsonSchema;
}
export interface PlatformSummary {
  id: string;
  name: string;
  available: boolean;
  connection: ConnectionSpec | null;
  rules: PlatformRules | null;
  /** Browser sign-in platforms: the redirect URI to register with the platform's app. */
  redirect_uri?: string | null;
}

/** A browser sign-in in progress (`begin_oauth`). */
export interface OAuthStart {
  flow_id: string;
  authorize_url: string;
  redirect_uri: string;
}

export interface MediaRef {
  media_id: string;
  alt?: string | null;
}
export interface ThreadItem {
  text: string;
  media: MediaRef[];
  delay_secs: number;
}

export type TargetState = 'draft' | 'scheduled' | 'publishing' | 'unconfirmed' | 'published' | 'failed' | 'missed' | 'handed_off';
export type PostStatus = 'draft' | 'scheduled' | 'publishing' | 'published' | 'partial' | 'failed' | 'missed' | 'unconfirmed';

export interface ItemResult {
  position: number;
  remote_id: string;
  url: string | null;
  extra: unknown;
  published_at: string;
}
export interface TargetError {
  code: string | null;
  message: string;
  http_status: number | null;
  at: string;
}
export interface Target {
  id: string;
  post_id: string;
  account_id: string;
  platform: string;
  custom_items: ThreadItem[] | null;
  settings: Record<string, unknown>;
  state: TargetState;
  attempts: number;
  next_attempt_at: string | null;
  results: ItemResult[];
  last_error: TargetError | null;
}
export interface Post {
  id: string;
  items: ThreadItem[];
  tags: string[];
  scheduled_at: string | null;
  time_zone: string;
  is_draft: boolean;
  status: PostStatus;
  targets: Target[];
  created_at: string;
  updated_at: string;
}
/** `[account id, platform, target state]` per target. */
export type SummaryTarget = [string, string, TargetState];
export interface PostSummary {
  id: string;
  preview: string;
  scheduled_at: string | null;
  time_zone: string;
  status: PostStatus;
  tags: string[];
  targets: SummaryTarget[];
}

/** One day of the month view: its earliest posts and how many it has in all. */
export interface CalendarDay {
  /** The day's local midnight, as an instant. */
  start: string;
  total: number;
  posts: PostSummary[];
}

export type Schedule =
  | { kind: 'draft'; at?: string | null }
  | { kind: 'at'; at: string }
  | { kind: 'local'; local: string } // "YYYY-MM-DDTHH:MM:SS" in the post's time_zone
  | { kind: 'now' }
  | { kind: 'queue' };
export interface TargetInput {
  account_id: string;
  custom_items?: ThreadItem[] | null;
  settings?: Record<string, unknown>;
}
export interface PostInput {
  items: ThreadItem[];
  tags: string[];
  targets: TargetInput[];
  schedule: Schedule;
  time_zone?: string | null;
}
export interface Violation {
  account_id: string;
  /** `items[0].text`, `items[1].media`, `items[0].media[2]`, `items`, `settings.title` */
  field: string;
  code: string;
  message: string;
  limit: number | null;
}
export interface Saved {
  post: Post;
  warnings: Violation[];
  time_shifted: boolean;
}

export interface Media {
  id: string;
  original_name: string;
  path: string;
  sha256: string;
  mime: string;
  size_bytes: number;
  width: number | null;
  height: number | null;
  duration_ms: number | null;
  alt: string | null;
  created_at: string;
}

export interface AppSettings {
  time_zone: string | null;
  week_start: 'monday' | 'sunday' | 'saturday';
  missed_grace_minutes: number;
  notifications_enabled: boolean;
  publishing_paused: boolean;
  start_at_login: boolean;
  start_hidden: boolean;
  local_api: LocalApiSettings;
}

/** The local API server on 127.0.0.1 (crates/api). */
export interface LocalApiSettings {
  enabled: boolean;
  port: number;
  posts_per_hour: number;
}

/** Whether the local API runs, and why not when it is turned on but could not start. */
export interface LocalApiStatus {
  running: boolean;
  port: number;
  error: string | null;
}

/** A key of the local API as listed: never the key itself. */
export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  created_at: string;
  last_used_at: string | null;
}

/** The events a webhook can receive. */
export const WEBHOOK_EVENTS = ['post.scheduled', 'post.published', 'post.partial', 'post.failed', 'account.disconnected'] as const;

export interface Webhook {
  id: string;
  url: string;
  events: string[];
  created_at: string;
}

/** A webhook just created: `secret` signs its deliveries and is shown once. */
export interface NewWebhook {
  webhook: Webhook;
  secret: string;
}

/** One event sent to a webhook: the delivery log's row. */
export interface WebhookDelivery {
  id: number;
  webhook_id: string;
  event: string;
  payload: unknown;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: string | null;
  status: number | null;
  response_ms: number | null;
  error: string | null;
  created_at: string;
}

/** A key just created: `secret` is shown once and never again. */
export interface NewApiKey {
  key: ApiKey;
  secret: string;
}

export interface LogEntry {
  id: number;
  at: string;
  post_id: string | null;
  target_id: string | null;
  account_id: string | null;
  platform: string | null;
  action: string;
  endpoint: string | null;
  http_status: number | null;
  error_code: string | null;
  error_message: string | null;
  duration_ms: number;
  attempt: number;
}
export interface LogFilter {
  post_id?: string | null;
  account_id?: string | null;
  errors_only?: boolean;
  before_id?: number | null;
  limit?: number | null;
}

export type NoticeKind = 'published' | 'failed' | 'needs_reconnect' | 'missed';
export interface StoredNotification {
  id: number;
  created_at: string;
  kind: NoticeKind;
  title: string;
  body: string;
  post_id: string | null;
  account_id: string | null;
  link: string | null;
  read: boolean;
}

export type ErrorCode =
  | 'invalid_input'
  | 'validation_failed'
  | 'not_found'
  | 'unauthorized'
  | 'conflict'
  | 'too_large'
  | 'keychain_unavailable'
  | 'platform_error'
  | 'unsupported_platform'
  | 'internal';
/** What every failed command rejects with. */
export interface OpsError {
  code: ErrorCode;
  message: string;
  field: string | null;
  violations?: Violation[];
}

/** The payload of a `sipstory://notification` event (the engine's Notice). */
export interface Notice {
  kind: NoticeKind;
  title: string;
  body: string;
  post_id: string | null;
  account_id: string | null;
  link: string | null;
}
