// Wall-clock times in an IANA time zone: an instant's local date and time there, and the
// instant a local date and time there stands for.
import { keptFormatter } from './format';

export interface LocalParts {
  /** `YYYY-MM-DD` */
  date: string;
  /** `HH:MM` */
  time: string;
}

function formatter(zone: string): Intl.DateTimeFormat {
  return keptFormatter('en-CA', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

function fields(instant: Date, zone: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of formatter(zone).formatToParts(instant)) out[part.type] = part.value;
  return out;
}

/** The date and time `instant` shows on a clock in `zone`. */
export function localParts(instant: Date, zone: string): LocalParts {
  const f = fields(instant, zone);
  return { date: `${f.year}-${f.month}-${f.day}`, time: `${f.hour}:${f.minute}` };
}

/** Minutes `zone` is ahead of UTC at `utcMs`. */
function offsetMinutes(utcMs: number, zone: string): number {
  const f = fields(new Date(utcMs), zone);
  const asUtc = Date.UTC(+f.year, +f.month - 1, +f.day, +f.hour, +f.minute, +f.second);
  return Math.round((asUtc - Math.floor(utcMs / 1000) * 1000) / 60_000);
}

/** The instant `date` `time` on a clock in `zone` stands for; null when either is missing or
 * malformed. A time skipped by a daylight-saving change resolves to the instant after the gap. */
export function zonedInstant(date: string, time: string, zone: string): Date | null {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const t = /^(\d{2}):(\d{2})$/.exec(time);
  if (!d || !t) return null;
  const wall = Date.UTC(+d[1], +d[2] - 1, +d[3], +t[1], +t[2]);
  const first = wall - offsetMinutes(wall, zone) * 60_000;
  const second = wall - offsetMinutes(first, zone) * 60_000;
  return new Date(Math.max(first, second));
}

/** The zones the time-zone selects offer, `current` included even if the runtime lacks it. */
export function timeZones(current: string | null = null): string[] {
  const supported = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const zones = supported.length ? [...supported] : ['UTC'];
  if (!zones.includes('UTC')) zones.push('UTC');
  if (current && !zones.includes(current)) zones.push(current);
  return zones.sort();
}

/** The system's zone. */
export function systemZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** "Tue 12 Mar 2025, 09:00" on a clock in `zone`. */
export function formatInstant(instant: Date, zone: string): string {
  return new Intl.DateTimeFormat(undefined, {
    timeZone: zone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(instant);
}
