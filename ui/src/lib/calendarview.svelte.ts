// The calendar's chosen view (month, week, day, list), kept across visits and set by shortcuts.
import type { CalendarViewType } from './calendar';

class CalendarPrefs {
  view = $state<CalendarViewType>('dayGridMonth');
}

export const calendarPrefs = new CalendarPrefs();
