import dayGridPlugin from '@fullcalendar/daygrid';
import interactionPlugin from '@fullcalendar/interaction';
import luxonPlugin from '@fullcalendar/luxon3';
import timeGridPlugin from '@fullcalendar/timegrid';
import { describe, expect, it } from 'vitest';
import { optionalPlugins, pluginsFor } from './calendarplugins';

describe('optionalPlugins', () => {
  it('needs nothing more for the month view in the system zone or UTC', () => {
    expect(optionalPlugins('dayGridMonth', 'local')).toEqual([]);
    expect(optionalPlugins('dayGridMonth', 'UTC')).toEqual([]);
  });

  it('needs the time grid for week and day, the list for the list, luxon for a named zone', () => {
    expect(optionalPlugins('timeGridWeek', 'local')).toEqual(['timeGrid']);
    expect(optionalPlugins('timeGridDay', 'UTC')).toEqual(['timeGrid']);
    expect(optionalPlugins('listWeek', 'Europe/Paris')).toEqual(['list', 'luxon']);
    expect(optionalPlugins('dayGridMonth', 'America/New_York')).toEqual(['luxon']);
  });
});

describe('pluginsFor', () => {
  it('loads what a view needs and keeps what was loaded before', async () => {
    expect(await pluginsFor('dayGridMonth', 'local')).toEqual([dayGridPlugin, interactionPlugin]);
    expect(await pluginsFor('timeGridDay', 'local')).toEqual([dayGridPlugin, interactionPlugin, timeGridPlugin]);
    const later = await pluginsFor('dayGridMonth', 'Europe/Paris');
    expect(later).toEqual([dayGridPlugin, interactionPlugin, timeGridPlugin, luxonPlugin]);
  });
});
