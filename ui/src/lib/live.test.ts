import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeShell } from './fake-shell';
import type { AppSettings } from './types';

const settings: AppSettings = {
  time_zone: 'Europe/Berlin',
  week_start: 'sunday',
  missed_grace_minutes: 60,
  notifications_enabled: true,
  publishing_paused: false,
  start_at_login: false,
  start_hidden: false,
  local_api: { enabled: false, port: 8787, posts_per_hour: 60 },
};

/** A fresh `live`, as a new window start makes it. */
async function startWindow() {
  vi.resetModules();
  return (await import('./live.svelte')).live;
}

describe('live calendar basis', () => {
  beforeEach(() => localStorage.clear());
  afterEach(() => localStorage.clear());

  it('waits for the settings on a first start, then keeps their zone and week start', async () => {
    fakeShell({ settings: () => settings });
    const live = await startWindow();
    expect(live.calendarBasis).toBeNull();
    await live.loadSettings();
    expect(live.calendarBasis).toMatchObject({ time_zone: 'Europe/Berlin', week_start: 'sunday' });
    expect(JSON.parse(localStorage.getItem('sipstory.calendar-basis')!)).toEqual({
      time_zone: 'Europe/Berlin',
      week_start: 'sunday',
    });
  });

  it('draws with the last basis seen until the settings arrive, then with theirs', async () => {
    localStorage.setItem('sipstory.calendar-basis', JSON.stringify({ time_zone: null, week_start: 'monday' }));
    fakeShell({ settings: () => settings });
    const live = await startWindow();
    expect(live.calendarBasis).toEqual({ time_zone: null, week_start: 'monday' });
    await live.loadSettings();
    expect(live.calendarBasis).toMatchObject({ time_zone: 'Europe/Berlin', week_start: 'sunday' });
  });

  it('writes the storage only when the basis changes', async () => {
    localStorage.setItem('sipstory.calendar-basis', JSON.stringify({ time_zone: 'Europe/Berlin', week_start: 'sunday' }));
    let current = settings;
    fakeShell({ settings: () => current });
    const live = await startWindow();
    const writes = vi.spyOn(Storage.prototype, 'setItem');
    await live.loadSettings();
    await live.loadSettings();
    expect(writes).not.toHaveBeenCalled();
    current = { ...settings, week_start: 'monday' };
    await live.loadSettings();
    expect(writes).toHaveBeenCalledTimes(1);
    writes.mockRestore();
  });

  it('ignores a kept basis it cannot read', async () => {
    localStorage.setItem('sipstory.calendar-basis', '{not json');
    const live = await startWindow();
    expect(live.calendarBasis).toBeNull();
  });
});
