// The accounts screen's pure logic: an account's status as a pill, posting time slots as the
// editor shows them, a connect error split between its field and the form, whether a platform
// signs in through the browser, and a reconnect form filled in from the account.
import type { Account, CredentialField, OpsError, PlatformSummary } from '../lib/types';

export type PillKind = 'connected' | 'needs_reconnect' | 'disabled' | 'paused';

/** The pills an account shows: its status, and "paused" when publishing to it is paused. */
export function statusPills(account: Account): { kind: PillKind; label: string }[] {
  const labels: Record<PillKind, string> = {
    connected: 'Connected',
    needs_reconnect: 'Needs reconnect',
    disabled: 'Disabled',
    paused: 'Paused',
  };
  const kinds: PillKind[] = [account.status, ...(account.paused ? (['paused'] as const) : [])];
  return kinds.map((kind) => ({ kind, label: labels[kind] }));
}

/** Weekday 0 = Monday, as the engine counts. */
export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** `[weekday, minute of the day]` */
export type Slot = [number, number];

/** Which days an added time goes on. */
export type DayChoice = number | 'every' | 'weekdays' | 'weekend';

export function daysOf(choice: DayChoice): number[] {
  if (choice === 'every') return [0, 1, 2, 3, 4, 5, 6];
  if (choice === 'weekdays') return [0, 1, 2, 3, 4];
  if (choice === 'weekend') return [5, 6];
  return [choice];
}

/** `09:30` → 570; null when malformed. */
export function parseTime(value: string): number | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(value.trim());
  if (!m) return null;
  const hours = Number(m[1]);
  const minutes = Number(m[2]);
  return hours < 24 && minutes < 60 ? hours * 60 + minutes : null;
}

/** 570 → `09:30` */
export function formatMinute(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

/** Slots in week order, once each. */
export function sortSlots(slots: Slot[]): Slot[] {
  const seen = new Set<string>();
  return [...slots]
    .sort((a, b) => a[0] - b[0] || a[1] - b[1])
    .filter(([day, minute]) => {
      const key = `${day}:${minute}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

/** `slots` with `minute` added on the chosen days. */
export function addSlots(slots: Slot[], choice: DayChoice, minute: number): Slot[] {
  return sortSlots([...slots, ...daysOf(choice).map((day): Slot => [day, minute])]);
}

/** The slots of each weekday that has some, Monday first. */
export function slotsByDay(slots: Slot[]): { day: number; name: string; minutes: number[] }[] {
  return WEEKDAYS.map((name, day) => ({ day, name, minutes: sortSlots(slots).filter((s) => s[0] === day).map((s) => s[1]) })).filter(
    (d) => d.minutes.length,
  );
}

/** A connect error: the message of the credential field it names (`fields.<key>`, one of
 * `keys`), and the message for the top of the form otherwise (a locked keychain, a refused
 * connection). */
export function connectErrors(error: OpsError | null, keys: string[]): { fields: Record<string, string>; top: string | null } {
  if (!error) return { fields: {}, top: null };
  const key = error.field?.startsWith('fields.') ? error.field.slice('fields.'.length) : null;
  return key && keys.includes(key) ? { fields: { [key]: error.message }, top: null } : { fields: {}, top: error.message };
}

/** Whether the platform connects through the system browser (OAuth) rather than a form. */
export function signsInWithBrowser(platform: PlatformSummary): boolean {
  const method = platform.connection?.method;
  return method === 'o_auth2_pkce' || method === 'byo_o_auth2';
}

/** The form of an account being reconnected, filled in with what Sipstory keeps of it: each
 * non-secret field from the account's settings under the same key (a list one item a line).
 * Secrets are never filled in: the user types them again. */
export function reconnectValues(account: Account | null, fields: CredentialField[]): Record<string, string> {
  const values: Record<string, string> = {};
  if (!account) return values;
  for (const field of fields) {
    const kept = account.settings[field.key];
    if (field.secret || kept === undefined || kept === null) continue;
    values[field.key] = Array.isArray(kept) ? kept.join('\n') : String(kept);
  }
  return values;
}
