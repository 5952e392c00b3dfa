// The composer's state as plain data, and the pure steps between it and the engine: a new
// or edited post's starting state, the PostInput each button sends, and the result message.
import type { Post, PostInput, Saved, Schedule, TargetInput, ThreadItem } from '../lib/types';
import { formatInstant, localParts, zonedInstant } from '../lib/zoned';

/** One chosen account: its own thread (null: the shared one) and its per-post settings. */
export interface DraftTarget {
  account_id: string;
  custom_items: ThreadItem[] | null;
  settings: Record<string, unknown>;
}

export interface ComposerDraft {
  items: ThreadItem[];
  tags: string[];
  targets: DraftTarget[];
  /** `YYYY-MM-DD`, or empty. */
  date: string;
  /** `HH:MM`, or empty. */
  time: string;
  timeZone: string;
}

/** What a save button asks for. */
export type SaveAction = 'schedule' | 'queue' | 'now' | 'draft';

export function emptyItem(): ThreadItem {
  return { text: '', media: [], delay_secs: 0 };
}

/** A new post, at `date` when the calendar gave one. */
export function newDraft(zone: string, date?: Date): ComposerDraft {
  const when = date ? localParts(date, zone) : { date: '', time: '' };
  return { items: [emptyItem()], tags: [], targets: [], ...when, timeZone: zone };
}

/** The state that edits `post`, its time shown in its own zone. */
export function draftFromPost(post: Post): ComposerDraft {
  const when = post.scheduled_at ? localParts(new Date(post.scheduled_at), post.time_zone) : { date: '', time: '' };
  return {
    items: post.items.length ? structuredClone(post.items) : [emptyItem()],
    tags: [...post.tags],
    targets: post.targets.map((t) => ({
      account_id: t.account_id,
      custom_items: t.custom_items ? structuredClone(t.custom_items) : null,
      settings: { ...t.settings },
    })),
    ...when,
    timeZone: post.time_zone,
  };
}

/** The field to blame when `action` cannot be sent as the draft stands, with why. */
export function missingForAction(draft: ComposerDraft, action: SaveAction): { field: string; message: string } | null {
  if (action === 'schedule' && !zonedInstant(draft.date, draft.time, draft.timeZone)) {
    return { field: 'date', message: 'Choose a date and a time to schedule this post.' };
  }
  if (action !== 'draft' && draft.targets.length === 0) {
    return { field: 'targets', message: 'Choose at least one account to publish to.' };
  }
  return null;
}

export function scheduleFor(draft: ComposerDraft, action: SaveAction): Schedule {
  switch (action) {
    case 'schedule':
      return { kind: 'local', local: `${draft.date}T${draft.time}:00` };
    case 'queue':
      return { kind: 'queue' };
    case 'now':
      return { kind: 'now' };
    case 'draft': {
      const at = zonedInstant(draft.date, draft.time, draft.timeZone);
      return { kind: 'draft', at: at ? at.toISOString() : null };
    }
  }
}

function cleanItems(items: ThreadItem[]): ThreadItem[] {
  return items.map((item, i) => ({
    text: item.text,
    media: item.media.map((m) => (m.alt?.trim() ? { media_id: m.media_id, alt: m.alt } : { media_id: m.media_id })),
    delay_secs: i === 0 ? 0 : Math.max(0, Math.round(item.delay_secs)),
  }));
}

/** Tags trimmed, without a leading `#`, once each. */
export function cleanTags(tags: string[]): string[] {
  const out: string[] = [];
  for (const tag of tags) {
    const t = tag.trim().replace(/^#+/, '');
    if (t && !out.includes(t)) out.push(t);
  }
  return out;
}

function targetInputs(draft: ComposerDraft): TargetInput[] {
  return draft.targets.map((t) => ({
    account_id: t.account_id,
    custom_items: t.custom_items ? cleanItems(t.custom_items) : null,
    settings: { ...t.settings },
  }));
}

/** What the engine gets for `action`. */
export function buildInput(draft: ComposerDraft, action: SaveAction): PostInput {
  return {
    items: cleanItems(draft.items),
    tags: cleanTags(draft.tags),
    targets: targetInputs(draft),
    schedule: scheduleFor(draft, action),
    time_zone: draft.timeZone,
  };
}

/** What the live rule check gets: the content and accounts only, so changing the time does not
 * check again. */
export function validationInput(draft: ComposerDraft): PostInput {
  return { items: cleanItems(draft.items), tags: [], targets: targetInputs(draft), schedule: { kind: 'draft', at: null } };
}

/** What to tell the user once a save went through. */
export function savedMessage(saved: Saved, action: SaveAction, requestedTime: string): string {
  const { post } = saved;
  const when = post.scheduled_at ? formatInstant(new Date(post.scheduled_at), post.time_zone) : null;
  const parts: string[] = [];
  if (action === 'draft') {
    parts.push(when ? `Draft saved, planned for ${when}.` : 'Draft saved.');
    if (saved.warnings.length) {
      const n = saved.warnings.length;
      parts.push(`It has ${n} problem${n === 1 ? '' : 's'} to fix before it can be scheduled.`);
    }
  } else if (action === 'now') {
    parts.push('Publishing now.');
  } else if (when) {
    parts.push(action === 'queue' ? `Added to the queue for ${when} (${post.time_zone}).` : `Scheduled for ${when} (${post.time_zone}).`);
  }
  if (saved.time_shifted && post.scheduled_at) {
    const actual = localParts(new Date(post.scheduled_at), post.time_zone).time;
    parts.push(`${requestedTime} doesn't exist that day in ${post.time_zone}; it will go out at ${actual}.`);
  }
  return parts.join(' ');
}
