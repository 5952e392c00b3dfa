// The settings screen against faked shell commands: loading, saving, errors next to their
// field, and exporting a backup into a chosen folder.
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { settings } from '../composer/fixtures';
import type { AppSettings } from '../lib/types';
import SettingsView from './SettingsView.svelte';
import { wholeMinutes } from './logic';
import { type Call, type Handler, fakeShell } from '../lib/fake-shell';

let calls: Call[];

function fake(overrides: Record<string, Handler> = {}) {
  const handlers: Record<string, Handler> = {
    settings: () => settings(),
    data_dir: () => '/home/me/.local/share/sipstory',
    update_settings: (a) => a.settings,
    ...overrides,
  };
  calls = fakeShell(handlers);
}

beforeEach(() => fake());
afterEach(() => cleanup());

describe('SettingsView', () => {
  it('shows the settings and the data folder', async () => {
    render(SettingsView);
    expect(await screen.findByLabelText('Time zone')).toHaveValue('Europe/Paris');
    expect(screen.getByLabelText('Week starts on')).toHaveValue('monday');
    expect(screen.getByLabelText('Missed-post grace (minutes)')).toHaveValue(60);
    expect(screen.getByLabelText('Desktop notifications')).toBeChecked();
    expect(screen.getByLabelText('Data folder')).toHaveValue('/home/me/.local/share/sipstory');
    expect(screen.getByRole('button', { name: 'Save settings' })).toBeDisabled();
  });

  it('saves the system time zone as null', async () => {
    render(SettingsView);
    await fireEvent.change(await screen.findByLabelText('Time zone'), { target: { value: '' } });
    await fireEvent.click(screen.getByLabelText('Pause publishing for every account'));
    await fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() => expect(calls.some((c) => c.cmd === 'update_settings')).toBe(true));
    const sent = calls.find((c) => c.cmd === 'update_settings')!.args.settings as AppSettings;
    expect(sent).toEqual(settings({ time_zone: null, publishing_paused: true }));
  });

  it('shows a missed_grace_minutes error next to its input', async () => {
    const message = 'The grace must be between 1 minute and 7 days.';
    fake({ update_settings: () => Promise.reject({ code: 'invalid_input', message, field: 'missed_grace_minutes' }) });
    render(SettingsView);
    const grace = await screen.findByLabelText('Missed-post grace (minutes)');
    await fireEvent.input(grace, { target: { value: '0' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() => expect(grace).toHaveAttribute('aria-invalid', 'true'));
    expect(grace).toHaveAccessibleDescription(expect.stringContaining(message));
    expect((calls.find((c) => c.cmd === 'update_settings')!.args.settings as AppSettings).missed_grace_minutes).toBe(0);
  });

  it('shows a time_zone error next to the zone', async () => {
    const message = "unknown time zone 'Mars/Olympus'";
    fake({ update_settings: () => Promise.reject({ code: 'invalid_input', message, field: 'time_zone' }) });
    render(SettingsView);
    const zone = await screen.findByLabelText('Time zone');
    await fireEvent.change(zone, { target: { value: 'UTC' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() => expect(zone).toHaveAccessibleDescription(expect.stringContaining(message)));
  });

  it('exports a backup into the chosen folder', async () => {
    fake({
      'plugin:dialog|open': () => '/media/usb',
      export_backup: (a) => `${a.destination}/sipstory-backup-20300101-000000`,
    });
    render(SettingsView);
    await fireEvent.click(await screen.findByRole('button', { name: 'Export backup…' }));
    expect(await screen.findByRole('status')).toHaveTextContent('/media/usb/sipstory-backup-20300101-000000');
    expect(calls.find((c) => c.cmd === 'plugin:dialog|open')!.args.options).toMatchObject({ directory: true });
  });

  it('reads whole minutes only', () => {
    expect(wholeMinutes('15')).toBe(15);
    expect(wholeMinutes(15)).toBe(15);
    expect(wholeMinutes('1.5')).toBeNull();
    expect(wholeMinutes(null)).toBeNull();
  });
});
