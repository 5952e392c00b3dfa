// Where each problem shows in the composer. Violations and save errors name a field
// (`items[1].text`, `items[0].media[2]`, `settings.title`, `date`...); this maps them to the
// editor that shows it: the shared thread, an account's own thread, an account's settings, or
// the composer itself (accounts, schedule bar, top of the form).
import type { OpsError, Violation } from '../lib/types';

/** The shared thread's scope; an account's own thread and settings use its id. */
export const SHARED = 'shared';
/** The composer's own fields: `date`, `time_zone`, `schedule`, `targets`, `file`, and `''`
 * for an error about no field in particular. */
export const GENERAL = 'general';

/** Messages by location key. */
export type Locations = Map<string, string[]>;

export function locKey(scope: string, field: string): string {
  return `${scope}|${field}`;
}

/** The messages shown at `field` of `scope`. */
export function messagesAt(locations: Locations, scope: string, field: string): string[] {
  return locations.get(locKey(scope, field)) ?? [];
}

/** `settings.tags[1]` → `settings.tags`: a setting's problems show at its input. */
function normalize(field: string): string {
  const setting = /^(settings\.[^.[]+)/.exec(field);
  return setting ? setting[1] : field;
}

function add(locations: Locations, key: string, message: string) {
  const list = locations.get(key) ?? [];
  if (!list.includes(message)) list.push(message);
  locations.set(key, list);
}

/** Violations at their editors: content goes to the thread the account uses (its own when it
 * has custom items, else the shared one), settings to the account's settings form. */
export function locateViolations(violations: Violation[], customIds: ReadonlySet<string>): Locations {
  const out: Locations = new Map();
  for (const v of violations) {
    const field = normalize(v.field);
    const scope = field.startsWith('settings') || customIds.has(v.account_id) ? v.account_id : SHARED;
    add(out, locKey(scope, field), v.message);
  }
  return out;
}

/** A failed save's error at its field; `targets` are the targets of the input that was sent. */
export function locateError(error: OpsError | null, targets: { account_id: string; custom_items?: unknown }[]): Locations {
  if (!error) return new Map();
  if (error.violations?.length) {
    const custom = new Set(targets.filter((t) => t.custom_items).map((t) => t.account_id));
    return locateViolations(error.violations, custom);
  }
  const out: Locations = new Map();
  const field = error.field ?? '';
  const target = /^targets\[(\d+)\]\.(\w+)/.exec(field);
  const account = target ? targets[Number(target[1])]?.account_id : undefined;
  if (target && target[2] === 'custom_items' && account) add(out, locKey(account, 'items'), error.message);
  else if (target) add(out, locKey(GENERAL, 'targets'), error.message);
  else if (field === 'items' || field.startsWith('items[')) add(out, locKey(SHARED, field), error.message);
  else add(out, locKey(GENERAL, field), error.message);
  return out;
}

/** Several location maps as one. */
export function mergeLocations(...maps: Locations[]): Locations {
  const out: Locations = new Map();
  for (const map of maps) for (const [key, messages] of map) for (const m of messages) add(out, key, m);
  return out;
}

/** How many content problems (thread, items, media) a scope has. */
export function contentProblems(locations: Locations, scope: string): number {
  let n = 0;
  for (const [key, messages] of locations) if (key.startsWith(`${scope}|items`)) n += messages.length;
  return n;
}
