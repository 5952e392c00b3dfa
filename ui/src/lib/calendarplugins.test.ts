import interactionPlugin from '@fullcalendar/interaction';
import listPlugin from '@fullcalendar/list';
import luxonPlugin from '@fullcalendar/luxon3';
import timeGridPlugin from '@fullcalendar/timegrid';
import { describe, expect, it } from 'vitest';
import { needsLuxon, pluginsFor } from './calendarplugins';

describe('needsLuxon', () => {
  it('needs luxon only for a named zone', () => {
    expect(needsLuxon('local')).toBe(false);
    expect(needsLuxon('UTC')).toBe(false);
    expect(needsLuxon('America/New_York')).toBe(true);
  });
});

describe('pluginsFor', () => {
  it('loads luxon for a named zone and keeps it afterwards', async () => {
    expect(await pluginsFor('local')).toEqual([timeGridPlugin, listPlugin, interactionPlugin]);
    expect(await pluginsFor('Europe/Paris')).toEqual([timeGridPlugin, listPlugin, interactionPlugin, luxonPlugin]);
    expect(await pluginsFor('UTC')).toEqual([timeGridPlugin, listPlugin, interactionPlugin, luxonPlugin]);
  });
});
