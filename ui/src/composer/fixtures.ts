// Test data shared by the composer's, accounts' and settings' component tests: accounts,
// platforms with their rules, and settings as the engine sends them.
import type { Account, AppSettings, PlatformRules, PlatformSummary } from '../lib/types';

export function account(over: Partial<Account> = {}): Account {
  return {
    id: 'acc-bsky',
    platform: 'bluesky',
    handle: 'alice.bsky.social',
    display_name: 'Alice',
    avatar_url: null,
    status: 'connected',
    paused: false,
    settings: {},
    created_at: '2030-01-01T00:00:00Z',
    ...over,
  };
}

export function rules(platform: string, name: string, over: Partial<PlatformRules> = {}): PlatformRules {
  return {
    platform,
    platform_name: name,
    max_length: 300,
    counting: 'graphemes',
    requires_media: false,
    media: {
      max_items: 4,
      images: true,
      gifs: true,
      videos: true,
      max_image_bytes: 1_000_000,
      max_gif_bytes: null,
      max_video_bytes: null,
      max_video_duration_ms: null,
      video_alone: true,
      max_alt_length: 2000,
    },
    thread: 'replies',
    max_thread_items: null,
    settings_schema: null,
    ...over,
  };
}

export const BLUESKY: PlatformSummary = {
  id: 'bluesky',
  name: 'Bluesky',
  available: true,
  connection: {
    method: 'app_password',
    fields: [
      { key: 'handle', label: 'Handle', secret: false, required: true, placeholder: 'alice.bsky.social', help: null },
      {
        key: 'access_token',
        label: 'App password',
        secret: true,
        required: true,
        placeholder: null,
        help: 'Create one under Settings → App passwords.',
      },
    ],
  },
  rules: rules('bluesky', 'Bluesky'),
};

export const TIKTOK: PlatformSummary = {
  id: 'tiktok',
  name: 'TikTok',
  available: true,
  connection: { method: 'token', fields: [] },
  rules: rules('tiktok', 'TikTok', {
    max_length: 2200,
    settings_schema: {
      type: 'object',
      properties: {
        privacy_level: { type: 'string', enum: ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'] },
        disable_comment: { type: 'boolean' },
      },
      required: ['privacy_level'],
    },
  }),
};

export const THREADS: PlatformSummary = { id: 'threads', name: 'Threads', available: false, connection: null, rules: null };

export function settings(over: Partial<AppSettings> = {}): AppSettings {
  return {
    time_zone: 'Europe/Paris',
    week_start: 'monday',
    missed_grace_minutes: 60,
    notifications_enabled: true,
    publishing_paused: false,
    start_at_login: false,
    start_hidden: false,
    local_api: { enabled: false, port: 5000, posts_per_hour: 30 },
    ...over,
  };
}
