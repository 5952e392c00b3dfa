// Dates, times, durations and text as the window writes them, in the user's zone or a post's.

/** The user's zone: the setting, else the system's. */
export function userZone(setting: string | null | undefined): string {
  return setting || Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** Formatters by locale and options (a named zone among them): making one costs about a
 * hundred times what formatting with it does, and the calendar labels every post and day it
 * shows. */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The formatter for `locale` and `options`, made once. `options` must name a zone: one that
 * follows the system's zone would keep the zone it was made in. */
export function keptFormatter(locale: string | undefined, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale ?? ''} ${JSON.stringify(options)}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(locale, options);
    formatters.set(key, formatter);
  }
  return formatter;
}

function parts(date: Date, zone: string | undefined, options: Intl.DateTimeFormatOptions): string {
  // Without a zone the formatter follows the system's, which may change while the window is
  // open: that one is made each time.
  if (!zone) return new Intl.DateTimeFormat(undefined, options).format(date);
  return keptFormatter(undefined, { ...options, timeZone: zone }).format(date);
}

/** "Tue 14 May, 09:30" (with the year when it is not this year's). */
export function formatDateTime(iso: string | Date, zone?: string): string {
  const date = typeof iso === 'string' ? new Date(iso) : iso;
  const sameYear = date.getFullYear() === new Date().getFullYear();
  return parts(date, zone, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: sameYear ? undefined : 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** "14 May" (with the year when it is not this year's). */
export function formatDate(iso: string | Date, zone?: string): string {
  const date = typeof iso === 'string' ? new Date(iso) : iso;
  const sameYear = date.getFullYear() === new Date().getFullYear();
  return parts(date, zone, { day: 'numeric', month: 'short', year: sameYear ? undefined : 'numeric' });
}

/** "09:30" */
export function formatTime(iso: string | Date, zone?: string): string {
  const date = typeof iso === 'string' ? new Date(iso) : iso;
  return parts(date, zone, { hour: '2-digit', minute: '2-digit' });
}

/** "Tue 14 May, 09:30 (Europe/Paris)" */
export function formatInZone(iso: string, zone: string): string {
  return `${formatDateTime(iso, zone)} (${zone.replaceAll('_', ' ')})`;
}

/** "340 ms", "2.4 s", "1 min 5 s" */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return seconds ? `${minutes} min ${seconds} s` : `${minutes} min`;
}

/** "in 5 min", "3 h ago", "in 2 days" */
export function formatRelative(iso: string, now: Date = new Date()): string {
  const diff = new Date(iso).getTime() - now.getTime();
  const abs = Math.abs(diff);
  const units: [number, Intl.RelativeTimeFormatUnit][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
  ];
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'short' });
  for (const [size, unit] of units) {
    if (abs >= size) return rtf.format(Math.round(diff / size), unit);
  }
  return diff >= 0 ? 'in under a minute' : 'just now';
}

/** The value of an `<input type="datetime-local">` for a date, in the system's zone. */
export function toLocalInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** The date an `<input type="datetime-local">` holds, in the system's zone; null when empty or invalid. */
export function fromLocalInput(value: string): Date | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** The first line of a text, cut at `max` characters. */
export function preview(text: string, max = 140): string {
  const line = text.trim().split('\n').find((l) => l.trim()) ?? '';
  return line.length > max ? `${line.slice(0, max - 1).trimEnd()}…` : line;
}
