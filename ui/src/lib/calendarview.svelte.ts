// The calendar's chosen view (month, week, day, list) and the day it shows, kept across visits
// and set by shortcuts and by "+N more".
import type { CalendarViewType } from './calendar';

class CalendarPrefs {
  view = $state<CalendarViewType>('dayGridMonth');
  /** A day the view shows (`YYYY-MM-DD` in the calendar's zone); null for today. */
  date = $state<string | null>(null);
}

export const calendarPrefs = new CalendarPrefs();
