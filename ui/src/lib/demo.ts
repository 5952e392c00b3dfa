// An in-memory stand-in for the desktop shell's commands: the `?demo` page outside Tauri and
// the tests run the real views against it through `mockIPC`.
import { emit } from '@tauri-apps/api/event';
import { mockIPC, mockWindows } from '@tauri-apps/api/mocks';
import { DateTime } from 'luxon';
import { EVENTS } from './api';
import type { CalendarViewType } from './calendar';
import { calendarPrefs } from './calendarview.svelte';
import { nav, type View } from './nav.svelte';
import type {
  Account, ApiKey, AppSettings, LogEntry, LogFilter, Media, OpsError, PlatformRules, PlatformSummary, Post,
  PostInput, PostStatus, PostSummary, Schedule, StoredNotification, Target, TargetState, ThreadItem, Webhook,
} from './types';

export interface DemoData {
  accounts: Account[];
  posts: Post[];
  media: Media[];
  log: LogEntry[];
  settings: AppSettings;
  apiKeys: ApiKey[];
  webhooks: Webhook[];
  notifications: StoredNotification[];
  slots: Record<string, [number, number][]>;
}

type Args = Record<string, unknown>;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The engine's rule: a post's status from whether it is a draft and its targets' states. */
export function deriveStatus(isDraft: boolean, held: TargetState[]): PostStatus {
  // A target its server holds counts as scheduled, as in the engine.
  const states: TargetState[] = held.map((s) => (s === 'handed_off' ? 'scheduled' : s));
  const any = (s: TargetState) => states.includes(s);
  if (isDraft || states.length === 0 || states.every((s) => s === 'draft')) return 'draft';
  if (states.every((s) => s === 'published')) return 'published';
  if (any('missed')) return 'missed';
  if (any('unconfirmed')) return 'unconfirmed';
  if (any('publishing')) return 'publishing';
  if (any('scheduled')) return any('published') || any('failed') ? 'publishing' : 'scheduled';
  if (any('published')) return 'partial';
  return 'failed';
}

function fail(code: OpsError['code'], message: string, field: string | null = null): never {
  throw { code, message, field } satisfies OpsError;
}

function rules(platform: string, name: string, max: number, thread: PlatformRules['thread']): PlatformRules {
  return {
    platform,
    platform_name: name,
    max_length: max,
    counting: platform === 'x' ? 'x_weighted' : platform === 'bluesky' ? 'graphemes' : 'chars',
    requires_media: false,
    media: {
      max_items: 4,
      images: true,
      gifs: true,
      videos: platform !== 'bluesky',
      max_image_bytes: 1_000_000,
      max_gif_bytes: 1_000_000,
      max_video_bytes: 50_000_000,
      max_video_duration_ms: 140_000,
      video_alone: true,
      max_alt_length: 2000,
    },
    thread,
    max_thread_items: thread === 'none' ? 1 : 25,
    settings_schema: null,
  };
}

const PLATFORMS: PlatformSummary[] = [
  ['bluesky', 'Bluesky', 300, 'replies'],
  ['mastodon', 'Mastodon', 500, 'replies'],
  ['linkedin-page', 'LinkedIn Page', 3000, 'comments'],
  ['x', 'X', 280, 'replies'],
  ['threads', 'Threads', 500, 'replies'],
].map(([id, name, max, thread]) => ({
  id: id as string,
  name: name as string,
  available: true,
  connection: {
    method: 'app_password' as const,
    fields: [
      { key: 'handle', label: 'Handle', secret: false, required: true, placeholder: null, help: null },
      { key: 'password', label: 'App password', secret: true, required: true, placeholder: null, help: null },
    ],
  },
  rules: rules(id as string, name as string, max as number, thread as PlatformRules['thread']),
}));

function svgImage(hue: number, label: string): string {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="320"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${hue} 70% 62%)"/><stop offset="1" stop-color="hsl(${hue + 40} 65% 42%)"/></linearGradient></defs><rect width="320" height="320" fill="url(#g)"/><text x="160" y="175" font-family="sans-serif" font-size="40" fill="white" text-anchor="middle">${label}</text></svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}

/** Sample accounts, posts in every state around `now`, media and a publish log. */
export function demoData(now: Date = new Date()): DemoData {
  const t = now.getTime();
  const iso = (offset: number) => new Date(t + offset).toISOString();
  const at = (days: number, hour: number, minute = 0) => {
    const d = new Date(t + days * DAY);
    d.setHours(hour, minute, 0, 0);
    return d.toISOString();
  };
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const account = (id: string, platform: string, handle: string, display_name: string, status: Account['status'] = 'connected'): Account => ({
    id, platform, handle, display_name, avatar_url: null, status, paused: false, settings: {}, created_at: iso(-60 * DAY),
  });
  const accounts = [
    account('acc-bsky', 'bluesky', '@sipstory.bsky.social', 'Sipstory Coffee'),
    { ...account('acc-masto', 'mastodon', '@sipstory@mastodon.social', 'Sipstory Coffee'), settings: { instance: 'https://mastodon.social' } },
    account('acc-li', 'linkedin-page', 'Sipstory Coffee Co.', 'Sipstory Coffee Co.'),
    account('acc-x', 'x', '@sipstorycoffee', 'Sipstory', 'needs_reconnect'),
  ];
  const platformOf = Object.fromEntries(accounts.map((a) => [a.id, a.platform]));
  const media: Media[] = [
    { id: 'med-1', original_name: 'latte-art.png', path: svgImage(24, 'latte'), sha256: 'a', mime: 'image/png', size_bytes: 182_000, width: 320, height: 320, duration_ms: null, alt: 'A rosetta drawn in milk foam', created_at: iso(-10 * DAY) },
    { id: 'med-2', original_name: 'beans.png', path: svgImage(140, 'beans'), sha256: 'b', mime: 'image/png', size_bytes: 140_000, width: 320, height: 320, duration_ms: null, alt: 'Freshly roasted beans', created_at: iso(-9 * DAY) },
  ];
  let n = 0;
  const item = (text: string, mediaIds: string[] = []): ThreadItem => ({ text, media: mediaIds.map((media_id) => ({ media_id })), delay_secs: 0 });
  const target = (postId: string, accountId: string, state: TargetState, extra: Partial<Target> = {}): Target => ({
    id: `tgt-${++n}`,
    post_id: postId,
    account_id: accountId,
    platform: platformOf[accountId],
    custom_items: null,
    settings: {},
    state,
    attempts: state === 'published' || state === 'failed' || state === 'unconfirmed' ? 1 : 0,
    next_attempt_at: null,
    results: [],
    last_error: null,
    ...extra,
  });
  const published = (postId: string, accountId: string, when: string, remote: string) =>
    target(postId, accountId, 'published', {
      results: [{ position: 0, remote_id: remote, url: `https://example.social/${platformOf[accountId]}/${remote}`, extra: null, published_at: when }],
    });
  const post = (id: string, scheduled_at: string | null, isDraft: boolean, items: ThreadItem[], tags: string[], targets: (id: string) => Target[]): Post => {
    const list = targets(id);
    return {
      id, items, tags, scheduled_at, time_zone: zone, is_draft: isDraft,
      status: deriveStatus(isDraft, list.map((x) => x.state)),
      targets: list, created_at: iso(-20 * DAY), updated_at: iso(-DAY),
    };
  };
  const posts: Post[] = [
    post('post-roast', at(-6, 9, 30), false, [item('New single origin in the shop: Ethiopia Guji, washed. Notes of bergamot and stone fruit. ☕', ['med-2'])], ['beans'], (id) => [
      published(id, 'acc-bsky', at(-6, 9, 30), '3kq2x'),
      published(id, 'acc-masto', at(-6, 9, 30), '1120'),
    ]),
    post('post-hours', at(-4, 8, 0), false, [item('Holiday hours: we open at 10:00 on Monday. See you then!')], ['news'], (id) => [
      published(id, 'acc-bsky', at(-4, 8, 0), '3kr7p'),
      target(id, 'acc-x', 'failed', {
        attempts: 3,
        last_error: { code: '89', message: 'Invalid or expired token. Reconnect the account to publish again.', http_status: 401, at: at(-4, 8, 1) },
      }),
    ]),
    post('post-workshop', at(-2, 17, 0), false, [item('Latte art workshop this Saturday: six seats left. Sign up at the counter.', ['med-1'])], ['events'], (id) => [
      target(id, 'acc-li', 'failed', {
        attempts: 2,
        next_attempt_at: null,
        last_error: { code: 'MEDIA_ASSET_PROCESSING_FAILED', message: 'LinkedIn could not process the image. Try a JPEG under 5 MB.', http_status: 422, at: at(-2, 17, 2) },
      }),
    ]),
    post('post-missed', at(-1, 12, 0), false, [item('Lunch special: cardamom bun and a flat white for 7 €.')], ['food'], (id) => [
      target(id, 'acc-bsky', 'missed'),
      target(id, 'acc-masto', 'missed'),
    ]),
    post('post-unconfirmed', iso(-3 * HOUR), false, [item('We are hiring a weekend barista. DM us or drop by with your CV.')], ['jobs'], (id) => [
      target(id, 'acc-masto', 'unconfirmed', { last_error: { code: null, message: 'The connection closed before Mastodon answered.', http_status: null, at: iso(-3 * HOUR) } }),
      published(id, 'acc-bsky', iso(-3 * HOUR), '3ks1a'),
    ]),
    post('post-thread', at(1, 8, 30), false, [
      item('How we roast, a short thread 🧵', ['med-2']),
      item('1. We start from green beans that we buy directly from three farms.'),
      item('2. Light roasts for filter, a touch darker for espresso. Every batch is cupped the next morning.'),
    ], ['roasting', 'thread'], (id) => [
      target(id, 'acc-bsky', 'scheduled'),
      target(id, 'acc-masto', 'scheduled'),
      target(id, 'acc-li', 'scheduled', { custom_items: [item('How Sipstory roasts its coffee: direct trade, light roasts for filter, and daily cupping.')] }),
    ]),
    post('post-quiz', at(2, 12, 15), false, [item('Quiz: what is the difference between a cortado and a gibraltar? Answers below 👇')], [], (id) => [
      target(id, 'acc-bsky', 'scheduled'),
      target(id, 'acc-masto', 'handed_off', { settings: { schedule_on_server: true } }),
    ]),
    post('post-newsletter', at(3, 10, 0), true, [item('Newsletter teaser: our spring menu is coming. (finish the copy)')], ['menu'], (id) => [
      target(id, 'acc-li', 'draft'),
    ]),
    post('post-weekend', at(5, 9, 0), false, [item('Weekend brunch is back. Pancakes, eggs, and the best filter coffee in town.', ['med-1'])], ['food'], (id) => [
      target(id, 'acc-bsky', 'scheduled'),
      target(id, 'acc-masto', 'scheduled'),
      target(id, 'acc-li', 'scheduled'),
    ]),
    post('post-cupping', at(8, 18, 0), false, [item('Public cupping next Thursday at 18:00. Free, bring a friend.')], ['events'], (id) => [
      target(id, 'acc-masto', 'scheduled'),
    ]),
    post('post-idea', null, true, [item('Idea: a behind-the-counter video of our morning routine.')], ['ideas'], (id) => [
      target(id, 'acc-bsky', 'draft'),
    ]),
    post('post-draft-2', at(10, 15, 0), true, [item('Seasonal drink poll: chai, pumpkin, or maple?')], [], (id) => [
      target(id, 'acc-bsky', 'draft'),
      target(id, 'acc-masto', 'draft'),
    ]),
  ];
  const actions: [number, string, string, string | null, number | null, string | null, string | null, number, number][] = [
    [-6 * DAY, 'acc-bsky', 'publish', 'POST /xrpc/com.atproto.repo.createRecord', 200, null, null, 412, 1],
    [-6 * DAY, 'acc-masto', 'upload_media', 'POST /api/v2/media', 200, null, null, 1830, 1],
    [-6 * DAY, 'acc-masto', 'publish', 'POST /api/v1/statuses', 200, null, null, 640, 1],
    [-4 * DAY, 'acc-bsky', 'publish', 'POST /xrpc/com.atproto.repo.createRecord', 200, null, null, 388, 1],
    [-4 * DAY, 'acc-x', 'publish', 'POST /2/tweets', 401, '89', 'Invalid or expired token.', 221, 1],
    [-4 * DAY + 2 * MINUTE, 'acc-x', 'publish', 'POST /2/tweets', 401, '89', 'Invalid or expired token.', 198, 2],
    [-4 * DAY + 10 * MINUTE, 'acc-x', 'publish', 'POST /2/tweets', 401, '89', 'Invalid or expired token.', 205, 3],
    [-2 * DAY, 'acc-li', 'upload_media', 'POST /rest/images?action=initializeUpload', 200, null, null, 930, 1],
    [-2 * DAY, 'acc-li', 'publish', 'POST /rest/posts', 422, 'MEDIA_ASSET_PROCESSING_FAILED', 'LinkedIn could not process the image.', 1204, 1],
    [-2 * DAY + 5 * MINUTE, 'acc-li', 'publish', 'POST /rest/posts', 422, 'MEDIA_ASSET_PROCESSING_FAILED', 'LinkedIn could not process the image.', 1150, 2],
    [-3 * HOUR, 'acc-bsky', 'publish', 'POST /xrpc/com.atproto.repo.createRecord', 200, null, null, 350, 1],
    [-3 * HOUR, 'acc-masto', 'publish', 'POST /api/v1/statuses', null, null, 'The connection closed before Mastodon answered.', 30_000, 1],
  ];
  const log: LogEntry[] = actions
    .map(([offset, accountId, action, endpoint, status, code, message, duration, attempt], i) => ({
      id: i + 1,
      at: iso(offset),
      post_id: null,
      target_id: null,
      account_id: accountId,
      platform: platformOf[accountId],
      action,
      endpoint,
      http_status: status,
      error_code: code,
      error_message: message,
      duration_ms: duration,
      attempt,
    }))
    .reverse();
  return {
    accounts,
    posts,
    media,
    log,
    settings: {
      time_zone: null,
      week_start: 'monday',
      missed_grace_minutes: 15,
      notifications_enabled: true,
      publishing_paused: false,
      start_at_login: false,
      start_hidden: false,
      local_api: { enabled: false, port: 5000, posts_per_hour: 30 },
    },
    apiKeys: [],
    webhooks: [],
    notifications: [],
    slots: { 'acc-bsky': [[0, 540], [2, 540], [4, 540]] },
  };
}

/** The posts scheduled in `[from, to)`, earliest first. */
function postsBetween(posts: Post[], fromIso: string, toIso: string): Post[] {
  const from = new Date(fromIso).getTime();
  const to = new Date(toIso).getTime();
  if (to <= from) fail('invalid_input', 'the end of the window must be after its start', 'endDate');
  return posts
    .filter((p) => p.scheduled_at && new Date(p.scheduled_at).getTime() >= from && new Date(p.scheduled_at).getTime() < to)
    .sort((a, b) => a.scheduled_at!.localeCompare(b.scheduled_at!));
}

function summary(post: Post): PostSummary {
  return {
    id: post.id,
    preview: (post.items[0]?.text ?? '').slice(0, 140),
    scheduled_at: post.scheduled_at,
    time_zone: post.time_zone,
    status: post.status,
    tags: post.tags,
    targets: post.targets.map((t) => [t.account_id, t.platform, t.state]),
  };
}

/** A command handler over `data`: what `mockIPC` calls. `changed` runs after each write. */
export function createBackend(data: DemoData, changed: () => void = () => {}) {
  let nextId = 1000;
  const newId = (prefix: string) => `${prefix}-${++nextId}`;
  const find = (id: string) => data.posts.find((p) => p.id === id) ?? fail('not_found', 'This post no longer exists.');
  const account = (id: string) => data.accounts.find((a) => a.id === id) ?? fail('not_found', `No account '${id}'.`);
  const settle = (post: Post) => {
    post.status = deriveStatus(post.is_draft, post.targets.map((t) => t.state));
    post.updated_at = new Date().toISOString();
    changed();
    return structuredClone(post);
  };
  const future = (iso: string) => {
    if (new Date(iso).getTime() < Date.now() - MINUTE) fail('invalid_input', 'That time has already passed. Choose a later time, or publish now.', 'date');
    return iso;
  };
  const nextSlot = (accountId: string): string => {
    const slots = data.slots[accountId] ?? [];
    if (!slots.length) fail('invalid_input', 'This account has no free time slot in the next 60 days; add time slots in its settings or pick a time.', 'schedule');
    for (let day = 0; day < 60; day++) {
      const date = DateTime.now().plus({ days: day });
      for (const [weekday, minute] of slots) {
        if (date.weekday - 1 !== weekday) continue;
        const when = date.startOf('day').plus({ minutes: minute });
        if (when > DateTime.now() && !data.posts.some((p) => p.scheduled_at === when.toUTC().toISO())) return when.toUTC().toISO()!;
      }
    }
    return fail('invalid_input', 'No free slot in the next 60 days.', 'schedule');
  };
  const resolve = (input: PostInput): { at: string | null; draft: boolean; zone: string } => {
    const zone = input.time_zone ?? data.settings.time_zone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
    const schedule: Schedule = input.schedule;
    if (!input.items.length) fail('invalid_input', 'A post needs at least one item.', 'items');
    if (schedule.kind !== 'draft' && !input.targets.length) fail('invalid_input', 'Choose at least one account to publish to.', 'targets');
    input.targets.forEach((t) => account(t.account_id));
    switch (schedule.kind) {
      case 'draft':
        return { at: schedule.at ?? null, draft: true, zone };
      case 'at':
        return { at: future(schedule.at), draft: false, zone };
      case 'local':
        return { at: future(DateTime.fromISO(schedule.local, { zone }).toUTC().toISO()!), draft: false, zone };
      case 'now':
        return { at: new Date().toISOString(), draft: false, zone };
      case 'queue':
        return { at: nextSlot(input.targets[0].account_id), draft: false, zone };
    }
  };
  const write = (id: string, input: PostInput, existing?: Post): Post => {
    const { at, draft, zone } = resolve(input);
    const post: Post = {
      id,
      items: structuredClone(input.items),
      tags: [...input.tags],
      scheduled_at: at,
      time_zone: zone,
      is_draft: draft,
      status: 'draft',
      targets: input.targets.map((t) => {
        const kept = existing?.targets.find((x) => x.account_id === t.account_id && x.state === 'published');
        return kept ?? {
          id: newId('tgt'),
          post_id: id,
          account_id: t.account_id,
          platform: account(t.account_id).platform,
          custom_items: t.custom_items ?? null,
          settings: t.settings ?? {},
          state: draft ? 'draft' : 'scheduled',
          attempts: 0,
          next_attempt_at: null,
          results: [],
          last_error: null,
        };
      }),
      created_at: existing?.created_at ?? new Date().toISOString(),
      updated_at: new Date().toISOString(),
    };
    if (existing) data.posts[data.posts.indexOf(existing)] = post;
    else data.posts.push(post);
    return post;
  };
  const inputOf = (post: Post, schedule: Schedule): PostInput => ({
    items: post.items,
    tags: post.tags,
    targets: post.targets.map((t) => ({ account_id: t.account_id, custom_items: t.custom_items, settings: t.settings })),
    schedule,
    time_zone: post.time_zone,
  });
  const requeue = (post: Post, from: TargetState, at: string) => {
    const hit = post.targets.filter((t) => t.state === from);
    if (!hit.length) fail('conflict', `This post has no ${from} accounts.`);
    for (const t of hit) {
      t.state = 'scheduled';
      t.next_attempt_at = at;
      t.last_error = null;
    }
    post.scheduled_at = at;
    post.is_draft = false;
    return settle(post);
  };
  const saved = (post: Post) => {
    settle(post);
    return { post: structuredClone(post), warnings: [], time_shifted: false };
  };

  return (cmd: string, args: Args = {}): unknown => {
    const s = (key: string) => args[key] as string;
    switch (cmd) {
      case 'platforms':
        return structuredClone(PLATFORMS);
      case 'count_text': {
        const limit = PLATFORMS.find((p) => p.id === s('platform'))?.rules?.max_length ?? null;
        return [[...s('text')].length, limit];
      }
      case 'accounts':
        return structuredClone(data.accounts);
      case 'connect_account': {
        const fields = args.fields as Record<string, string>;
        const created: Account = {
          id: newId('acc'), platform: s('platform'), handle: fields.handle ?? 'new account', display_name: fields.handle ?? '',
          avatar_url: null, status: 'connected', paused: false, settings: {}, created_at: new Date().toISOString(),
        };
        data.accounts.push(created);
        changed();
        return created;
      }
      case 'pause_account':
        account(s('id')).paused = args.paused as boolean;
        changed();
        return account(s('id'));
      case 'set_account_enabled':
        account(s('id')).status = args.enabled ? 'connected' : 'disabled';
        changed();
        return account(s('id'));
      case 'remove_account':
        data.accounts = data.accounts.filter((a) => a.id !== s('id'));
        changed();
        return null;
      case 'validate_post':
        return [];
      case 'create_post':
        return saved(write(newId('post'), args.input as PostInput));
      case 'update_post':
        return saved(write(s('id'), args.input as PostInput, find(s('id'))));
      case 'get_post':
        return structuredClone(find(s('id')));
      case 'calendar':
        return postsBetween(data.posts, s('from'), s('to')).map(summary);
      case 'calendar_days': {
        const zone = data.settings.time_zone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
        const end = DateTime.fromISO(s('to'));
        if (end <= DateTime.fromISO(s('from'))) fail('invalid_input', 'the end of the window must be after its start', 'endDate');
        const days = [];
        for (let day = DateTime.fromISO(s('from')).setZone(zone); day < end; ) {
          const next = DateTime.min(day.plus({ days: 1 }).startOf('day'), end);
          const posts = postsBetween(data.posts, day.toISO()!, next.toISO()!);
          days.push({ start: day.toUTC().toISO(), total: posts.length, posts: posts.slice(0, Number(args.perDay)).map(summary) });
          day = next;
        }
        return days;
      }
      case 'drafts':
        return structuredClone(data.posts.filter((p) => p.status === 'draft').sort((a, b) => b.updated_at.localeCompare(a.updated_at)));
      case 'queue':
        return structuredClone(
          data.posts
            .filter((p) => ['scheduled', 'publishing', 'unconfirmed'].includes(p.status) && p.scheduled_at && new Date(p.scheduled_at).getTime() > Date.now() - DAY)
            .sort((a, b) => a.scheduled_at!.localeCompare(b.scheduled_at!)),
        );
      case 'missed_posts':
        return structuredClone(data.posts.filter((p) => p.targets.some((t) => t.state === 'missed')));
      case 'delete_post': {
        const post = find(s('id'));
        if (post.targets.some((t) => t.state === 'publishing')) fail('conflict', 'This post is being published right now; try again in a moment.');
        data.posts = data.posts.filter((p) => p.id !== post.id);
        changed();
        return null;
      }
      case 'delete_post_everywhere':
        data.posts = data.posts.filter((p) => p.id !== find(s('id')).id);
        changed();
        return null;
      case 'reschedule': {
        const post = find(s('id'));
        if (post.targets.some((t) => t.state === 'published')) fail('conflict', 'This post is already published. Duplicate it to publish it again at another time.');
        const when = post.is_draft ? s('at') : future(s('at'));
        return saved(write(post.id, inputOf(post, post.is_draft ? { kind: 'draft', at: when } : { kind: 'at', at: when }), post)).post;
      }
      case 'set_draft': {
        const post = find(s('id'));
        if (args.draft) return saved(write(post.id, inputOf(post, { kind: 'draft', at: post.scheduled_at }), post)).post;
        if (!post.scheduled_at) fail('invalid_input', 'Choose a date and time before scheduling this draft.', 'date');
        return saved(write(post.id, inputOf(post, { kind: 'at', at: post.scheduled_at }), post)).post;
      }
      case 'duplicate_post':
        return saved(write(newId('post'), inputOf(find(s('id')), args.schedule as Schedule)));
      case 'retry_failed': {
        const post = find(s('id'));
        const failed = post.targets.filter((t) => t.state === 'failed');
        if (!failed.length) fail('conflict', 'This post has no failed accounts to retry.');
        for (const t of failed) {
          t.state = 'scheduled';
          t.next_attempt_at = new Date().toISOString();
        }
        return settle(post);
      }
      case 'publish_missed_now':
        return requeue(find(s('id')), 'missed', new Date().toISOString());
      case 'reschedule_missed':
        return requeue(find(s('id')), 'missed', future(s('at')));
      case 'discard_missed': {
        const post = find(s('id'));
        if (!post.targets.some((t) => t.state === 'missed')) fail('conflict', 'This post has no missed accounts.');
        return saved(write(post.id, inputOf(post, { kind: 'draft', at: post.scheduled_at }), post)).post;
      }
      case 'confirm_published':
      case 'publish_unconfirmed_again': {
        const post = data.posts.find((p) => p.targets.some((t) => t.id === s('targetId'))) ?? fail('not_found', 'No such account on any post.');
        const t = post.targets.find((x) => x.id === s('targetId'))!;
        if (t.state !== 'unconfirmed') fail('conflict', 'Only an unconfirmed publish can be settled by hand.');
        if (cmd === 'confirm_published') {
          t.state = 'published';
          t.results = [{ position: 0, remote_id: s('remoteId'), url: (args.url as string | null) ?? null, extra: null, published_at: new Date().toISOString() }];
        } else {
          t.state = 'scheduled';
          t.next_attempt_at = new Date().toISOString();
        }
        t.last_error = null;
        return settle(post);
      }
      case 'import_media':
      case 'upload_media': {
        const name = cmd === 'import_media' ? s('path').split('/').pop()! : s('name');
        const created: Media = {
          id: newId('med'), original_name: name, path: svgImage(200, name.slice(0, 8)), sha256: String(nextId), mime: 'image/png',
          size_bytes: 100_000, width: 320, height: 320, duration_ms: null, alt: (args.alt as string | null) ?? null, created_at: new Date().toISOString(),
        };
        data.media.push(created);
        return created;
      }
      case 'media_list':
        return structuredClone(data.media);
      case 'set_media_alt': {
        const media = data.media.find((m) => m.id === s('id')) ?? fail('not_found', 'No such media.');
        media.alt = (args.alt as string | null) ?? null;
        return structuredClone(media);
      }
      case 'delete_media':
        data.media = data.media.filter((m) => m.id !== s('id'));
        return null;
      case 'settings':
        return structuredClone(data.settings);
      case 'update_settings':
        data.settings = structuredClone(args.settings as AppSettings);
        return structuredClone(data.settings);
      case 'set_publishing_paused':
        data.settings.publishing_paused = args.paused as boolean;
        changed();
        return structuredClone(data.settings);
      case 'time_slots':
        return data.slots[s('accountId')] ?? [];
      case 'set_time_slots':
        data.slots[s('accountId')] = args.slots as [number, number][];
        return data.slots[s('accountId')];
      case 'next_free_slot':
        return (data.slots[s('accountId')] ?? []).length ? nextSlot(s('accountId')) : null;
      case 'activity': {
        const filter = args.filter as LogFilter;
        return data.log
          .filter((e) => !filter.account_id || e.account_id === filter.account_id)
          .filter((e) => !filter.errors_only || e.error_message || e.error_code || (e.http_status ?? 0) >= 400)
          .filter((e) => filter.before_id == null || e.id < filter.before_id)
          .slice(0, filter.limit ?? 100);
      }
      case 'notifications':
        return [data.notifications, data.notifications.filter((x) => !x.read).length];
      case 'mark_notifications_read':
        data.notifications.forEach((x) => (x.read = x.read || x.id <= (args.upToId as number)));
        return null;
      case 'export_backup':
        return `${s('destination')}/sipstory-backup.zip`;
      case 'data_dir':
        return '/home/demo/.local/share/sipstory';
      case 'local_api_status': {
        const { enabled, port } = data.settings.local_api;
        return { running: enabled, port, error: null };
      }
      case 'api_keys':
        return structuredClone(data.apiKeys);
      case 'create_api_key': {
        if (!s('name').trim()) fail('invalid_input', 'Name the key (1 to 80 characters).', 'name');
        const secret = `sip_${crypto.randomUUID().replace(/-/g, '')}`;
        const key = { id: crypto.randomUUID(), name: s('name').trim(), prefix: secret.slice(0, 12), created_at: new Date().toISOString(), last_used_at: null };
        data.apiKeys.push(key);
        return { key: structuredClone(key), secret };
      }
      case 'revoke_api_key':
        data.apiKeys = data.apiKeys.filter((k) => k.id !== s('id'));
        return null;
      case 'webhooks':
        return structuredClone(data.webhooks);
      case 'create_webhook': {
        if (!/^https?:\/\//.test(s('url'))) fail('invalid_input', 'A webhook address starts with http:// or https://.', 'url');
        if (!(args.events as string[]).length) fail('invalid_input', 'Choose at least one event.', 'events');
        const webhook = { id: crypto.randomUUID(), url: s('url'), events: args.events as string[], created_at: new Date().toISOString() };
        data.webhooks.push(webhook);
        return { webhook: structuredClone(webhook), secret: `whsec_${crypto.randomUUID().replace(/-/g, '')}` };
      }
      case 'delete_webhook':
        data.webhooks = data.webhooks.filter((w) => w.id !== s('id'));
        return null;
      case 'webhook_deliveries':
        return [];
      case 'plugin:opener|open_url':
        window.open(s('url'), '_blank', 'noopener');
        return null;
      case 'plugin:dialog|open':
        return null;
      case 'plugin:dialog|save':
        return '/home/demo/Documents';
      case 'plugin:dialog|ask':
      case 'plugin:dialog|confirm':
        return window.confirm(s('message'));
      case 'plugin:dialog|message':
        window.alert(s('message'));
        return null;
      case 'plugin:webview|get_all_webviews':
        return [{ windowLabel: 'main', label: 'main' }];
      default:
        if (cmd.startsWith('plugin:')) return null;
        return fail('internal', `The demo does not know the command '${cmd}'.`);
    }
  };
}

/** Makes the page talk to a demo backend instead of the desktop shell; `view`, `calendar`,
 * `post` and `compose` in the URL's query open a view, a calendar layout, a post or the
 * composer, and `paused` starts with publishing paused (for screenshots). */
export function installDemo(query: URLSearchParams = new URLSearchParams(location.search)) {
  const data = demoData();
  data.settings.publishing_paused = query.has('paused');
  const handler = createBackend(data, () => {
    setTimeout(() => emit(EVENTS.changed), 0);
  });
  mockWindows('main');
  mockIPC((cmd, args) => handler(cmd, args as Args), { shouldMockEvents: true });
  const internals = (window as unknown as { __TAURI_INTERNALS__: { convertFileSrc: (path: string) => string } }).__TAURI_INTERNALS__;
  internals.convertFileSrc = (path) => path;
  const view = query.get('view');
  if (view) nav.go(view as View);
  const layout = query.get('calendar');
  if (layout) calendarPrefs.view = layout as CalendarViewType;
  const post = query.get('post');
  if (post) nav.openPost(post);
  if (query.has('compose')) nav.openComposer();
}
