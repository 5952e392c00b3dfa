// The FullCalendar plugins the week, day and list views need. They load with those views (the
// month view is the app's own grid); named-time-zone support (luxon) loads only the first time
// the zone setting names one.
import type { PluginDef } from '@fullcalendar/core';
import interactionPlugin from '@fullcalendar/interaction';
import listPlugin from '@fullcalendar/list';
import timeGridPlugin from '@fullcalendar/timegrid';

let luxon: PluginDef | null = null;

/** Whether `zone` ('local', 'UTC' or an IANA name) needs luxon: FullCalendar handles the
 * system's zone and UTC itself. */
export function needsLuxon(zone: string): boolean {
  return zone !== 'local' && zone !== 'UTC';
}

/** Loads what `zone` needs and returns every plugin loaded so far: a calendar given them keeps
 * the zones it has shown without loading again. */
export async function pluginsFor(zone: string): Promise<PluginDef[]> {
  if (needsLuxon(zone) && !luxon) luxon = (await import('@fullcalendar/luxon3')).default;
  return [timeGridPlugin, listPlugin, interactionPlugin, ...(luxon ? [luxon] : [])];
}
