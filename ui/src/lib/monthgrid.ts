// The month view's grid: the weeks a month spans from the user's week start, the window of
// instants those days cover in the calendar's zone, and the instant a post dropped on another
// day moves to. Dates are civil `YYYY-MM-DD` strings; only the window and a move involve a zone.
import { keptFormatter } from './format';
import type { CalendarDay } from './types';
import { localParts, zonedInstant } from './zoned';

const DAY_MS = 86_400_000;

export interface GridDay {
  /** `YYYY-MM-DD` */
  date: string;
  /** Day of the month, 1–31. */
  day: number;
  /** Whether the day belongs to the month shown (the others fill its first and last weeks). */
  inMonth: boolean;
}

function civil(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  return Date.UTC(y, m - 1, d);
}

function iso(utcMs: number): string {
  return new Date(utcMs).toISOString().slice(0, 10);
}

/** `date` moved by `days` whole days. */
export function addDays(date: string, days: number): string {
  return iso(civil(date) + days * DAY_MS);
}

/** The first day of the month `months` after the one `date` is in. */
export function addMonths(date: string, months: number): string {
  const [y, m] = date.split('-').map(Number);
  return iso(Date.UTC(y, m - 1 + months, 1));
}

/** The weeks the month of `date` spans, each starting on `firstDay` (0 Sunday … 6 Saturday):
 * four to six rows of seven days, as many as the month needs. */
export function monthWeeks(date: string, firstDay: number): GridDay[][] {
  const first = civil(addMonths(date, 0));
  const month = new Date(first).getUTCMonth();
  const lead = (new Date(first).getUTCDay() - firstDay + 7) % 7;
  const length = new Date(civil(addMonths(date, 1)) - DAY_MS).getUTCDate();
  const weeks: GridDay[][] = [];
  for (let i = 0; i < Math.ceil((lead + length) / 7) * 7; i++) {
    const day = new Date(first + (i - lead) * DAY_MS);
    if (i % 7 === 0) weeks.push([]);
    weeks[weeks.length - 1].push({ date: iso(day.getTime()), day: day.getUTCDate(), inMonth: day.getUTCMonth() === month });
  }
  return weeks;
}

/** The instants the grid's days cover in `zone` (IANA): from the first day's start to the end
 * of the last. */
export function gridWindow(weeks: GridDay[][], zone: string): { from: Date; to: Date } {
  const last = weeks[weeks.length - 1];
  return {
    from: zonedInstant(weeks[0][0].date, '00:00', zone)!,
    to: zonedInstant(addDays(last[last.length - 1].date, 1), '00:00', zone)!,
  };
}

/** The loaded days by their date in `zone`. */
export function daysByDate(days: CalendarDay[], zone: string): Map<string, CalendarDay> {
  return new Map(days.map((day) => [localParts(new Date(day.start), zone).date, day]));
}

/** The date `instant` falls on in `zone`. */
export function dateIn(instant: Date, zone: string): string {
  return localParts(instant, zone).date;
}

/** Where a post at `at` moves when dropped on `date`: the same time of day there, in `zone`
 * (a time a daylight-saving change skips on that day moves forward by the change: 02:30 on a
 * spring-forward day is 03:30). */
export function movedTo(at: Date, date: string, zone: string): Date {
  const moved = zonedInstant(date, localParts(at, zone).time, zone)!;
  return new Date(moved.getTime() + (at.getTime() % 60_000));
}

/** The short names of the weekdays from `firstDay` on ("Mon", "Tue", …) and their full names. */
export function weekdayNames(firstDay: number, locale?: string): { short: string; long: string }[] {
  const short = utcFormatter(locale, { weekday: 'short' });
  const long = utcFormatter(locale, { weekday: 'long' });
  // 7 January 2024 was a Sunday.
  return Array.from({ length: 7 }, (_, i) => {
    const day = new Date(Date.UTC(2024, 0, 7 + ((firstDay + i) % 7)));
    return { short: short.format(day), long: long.format(day) };
  });
}

/** "November 2026" for the month of `date`. */
export function monthTitle(date: string, locale?: string): string {
  return utcFormatter(locale, { month: 'long', year: 'numeric' }).format(civil(addMonths(date, 0)));
}

/** "Tuesday 24 November 2026" for a screen reader. */
export function dayLabel(date: string, locale?: string): string {
  return utcFormatter(locale, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(civil(date));
}

/** A kept formatter of civil dates (held as UTC midnights). */
function utcFormatter(locale: string | undefined, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  return keptFormatter(locale, { ...options, timeZone: 'UTC' });
}
