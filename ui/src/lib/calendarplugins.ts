// The FullCalendar plugins the calendar needs for a view and a time zone. The month view's (the
// day grid, drag and click) load with the window; the time grid (week, day), the list and
// named-time-zone support (luxon) load the first time a view or the zone setting needs them, so
// starting parses and runs only what the first screen shows.
import type { PluginDef } from '@fullcalendar/core';
import dayGridPlugin from '@fullcalendar/daygrid';
import interactionPlugin from '@fullcalendar/interaction';
import type { CalendarViewType } from './calendar';

const optional = {
  timeGrid: () => import('@fullcalendar/timegrid'),
  list: () => import('@fullcalendar/list'),
  luxon: () => import('@fullcalendar/luxon3'),
};
type Optional = keyof typeof optional;

const loaded = new Map<Optional, PluginDef>();

/** The optional plugins `view` in `zone` ('local', 'UTC' or an IANA name) needs. */
export function optionalPlugins(view: CalendarViewType, zone: string): Optional[] {
  const needed: Optional[] = [];
  if (view.startsWith('timeGrid')) needed.push('timeGrid');
  if (view.startsWith('list')) needed.push('list');
  // FullCalendar handles the system's zone and UTC itself; other zones need luxon.
  if (zone !== 'local' && zone !== 'UTC') needed.push('luxon');
  return needed;
}

/** Whether every plugin `view` in `zone` needs is already loaded. */
export function pluginsReady(view: CalendarViewType, zone: string): boolean {
  return optionalPlugins(view, zone).every((name) => loaded.has(name));
}

/** Loads what `view` in `zone` needs and returns every plugin loaded so far: a calendar given
 * them keeps the views and zones it has shown without loading again. */
export async function pluginsFor(view: CalendarViewType, zone: string): Promise<PluginDef[]> {
  await Promise.all(
    optionalPlugins(view, zone)
      .filter((name) => !loaded.has(name))
      .map(async (name) => loaded.set(name, (await optional[name]()).default)),
  );
  return [dayGridPlugin, interactionPlugin, ...loaded.values()];
}
