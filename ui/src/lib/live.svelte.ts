// What the whole window keeps current: a counter bumped when the engine's data changed (views
// reload on it), the app settings and the number of missed posts.
import { api } from './api';
import type { AppSettings } from './types';

/** What the calendar draws with: the zone (null: the system's) and the first day of the week. */
export type CalendarBasis = Pick<AppSettings, 'time_zone' | 'week_start'>;

/** Where the webview keeps the last calendar basis seen, so the next start draws the calendar
 * without waiting for the settings. Only a hint: the engine's settings replace it on arrival. */
const LAST_BASIS_KEY = 'sipstory.calendar-basis';

function lastBasis(): CalendarBasis | null {
  try {
    const kept = JSON.parse(localStorage.getItem(LAST_BASIS_KEY) ?? 'null') as CalendarBasis | null;
    return kept && 'time_zone' in kept && 'week_start' in kept ? kept : null;
  } catch {
    return null;
  }
}

function basisJson({ time_zone, week_start }: CalendarBasis): string {
  return JSON.stringify({ time_zone, week_start });
}

class Live {
  /** Bumped (debounced) on every `sipstory://changed`; views read it to reload. */
  changes = $state(0);
  settings = $state<AppSettings | null>(null);
  missedCount = $state(0);
  #timer: ReturnType<typeof setTimeout> | null = null;

  /** Coalesces bursts of change events into one reload, `delayMs` after the last. */
  changed(delayMs = 150) {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.changes += 1;
    }, delayMs);
  }

  #lastBasis = lastBasis();
  /** The basis as the storage holds it. */
  #keptBasis = this.#lastBasis && basisJson(this.#lastBasis);
  /** The calendar's basis: from the settings once loaded, until then the last one seen (null
   * on a first start). */
  calendarBasis = $derived<CalendarBasis | null>(this.settings ?? this.#lastBasis);

  async loadSettings() {
    const settings = await api.settings();
    this.settings = settings;
    // The settings reload after every change in the engine: the storage is written only when
    // the basis is a new one.
    const basis = basisJson(settings);
    if (basis === this.#keptBasis) return;
    try {
      localStorage.setItem(LAST_BASIS_KEY, basis);
      this.#keptBasis = basis;
    } catch {
      // Storage full or off: the next start waits for the settings, as the first does.
    }
  }

  async loadMissedCount() {
    this.missedCount = (await api.missedPosts()).length;
  }
}

export const live = new Live();
