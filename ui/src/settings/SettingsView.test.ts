// The settings screen against faked shell commands: loading, saving, errors next to their
// field, the local API (a busy port next to its field, keys created once, listed, revoked;
// webhooks added with their secret shown once, their delivery log, deleted), and exporting a
// backup into a chosen folder.
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { settings } from '../composer/fixtures';
import type { AppSettings } from '../lib/types';
import SettingsView from './SettingsView.svelte';
import { deliveryOutcome, statusMessages, validPort, wholeMinutes } from './logic';
import { type Call, type Handler, fakeShell } from '../lib/fake-shell';

let calls: Call[];

function fake(overrides: Record<string, Handler> = {}) {
  const handlers: Record<string, Handler> = {
    settings: () => settings(),
    data_dir: () => '/home/me/.local/share/sipstory',
    update_settings: (a) => a.settings,
    local_api_status: () => ({ running: false, port: 5000, error: null }),
    api_keys: () => [],
    webhooks: () => [],
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

  it('turns the local API on and shows a busy port next to the port field', async () => {
    const busy = 'Port 5000 is already in use by another program. Choose another port.';
    let status = { running: false, port: 5000, error: null as string | null };
    fake({
      update_settings: (a) => {
        status = { running: false, port: 5000, error: busy };
        return a.settings;
      },
      local_api_status: () => status,
    });
    render(SettingsView);
    await fireEvent.click(await screen.findByLabelText('Turn on the local API'));
    await fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    const port = screen.getByLabelText('Port');
    await waitFor(() => expect(port).toHaveAccessibleDescription(expect.stringContaining(busy)));
    expect(port).toHaveAttribute('aria-invalid', 'true');
    const sent = calls.find((c) => c.cmd === 'update_settings')!.args.settings as AppSettings;
    expect(sent.local_api).toEqual({ enabled: true, port: 5000, posts_per_hour: 30 });
  });

  it('refuses a port below 1024 before saving', async () => {
    render(SettingsView);
    const port = await screen.findByLabelText('Port');
    await fireEvent.input(port, { target: { value: '80' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() => expect(port).toHaveAccessibleDescription(expect.stringContaining('1024 to 65535')));
    expect(calls.some((c) => c.cmd === 'update_settings')).toBe(false);
  });

  it('creates a key shown once, lists it by prefix and revokes it', async () => {
    const key = { id: 'k1', name: 'my script', prefix: 'sip_0123abcd', created_at: '2030-01-01T10:00:00Z', last_used_at: null };
    let keys: (typeof key)[] = [];
    fake({
      api_keys: () => keys,
      create_api_key: (a) => {
        if (!(a.name as string).trim()) throw { code: 'invalid_input', message: 'Name the key (1 to 80 characters).', field: 'name' };
        keys = [key];
        return { key, secret: 'sip_0123abcdfull' };
      },
      revoke_api_key: () => {
        keys = [];
        return null;
      },
    });
    render(SettingsView);
    const name = await screen.findByLabelText('Key name');
    await fireEvent.click(screen.getByRole('button', { name: 'Create key' }));
    await waitFor(() => expect(name).toHaveAccessibleDescription(expect.stringContaining('Name the key')));
    await fireEvent.input(name, { target: { value: 'my script' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Create key' }));
    expect(await screen.findByDisplayValue('sip_0123abcdfull')).toBeInTheDocument();
    const list = await screen.findByRole('list', { name: 'API keys' });
    expect(list).toHaveTextContent('sip_0123abcd…');
    expect(list).not.toHaveTextContent('sip_0123abcdfull');
    await fireEvent.click(screen.getByRole('button', { name: 'Done' }));
    expect(screen.queryByDisplayValue('sip_0123abcdfull')).toBeNull();
    await fireEvent.click(screen.getByRole('button', { name: 'Revoke my script' }));
    await waitFor(() => expect(screen.queryByRole('list', { name: 'API keys' })).toBeNull());
    expect(calls.find((c) => c.cmd === 'revoke_api_key')!.args).toEqual({ id: 'k1' });
  });

  it('adds a webhook, shows its secret once and its deliveries, and deletes it', async () => {
    const hook = { id: 'w1', url: 'https://example.com/hook', events: ['post.published'], created_at: '2030-01-01T10:00:00Z' };
    let hooks: (typeof hook)[] = [];
    fake({
      webhooks: () => hooks,
      create_webhook: (a) => {
        if (!(a.url as string)) throw { code: 'invalid_input', message: 'Enter the full address.', field: 'url' };
        hooks = [{ ...hook, events: a.events as string[] }];
        return { webhook: hooks[0], secret: 'whsec_abc' };
      },
      webhook_deliveries: () => [
        { id: 1, webhook_id: 'w1', event: 'post.published', payload: {}, state: 'delivered', attempts: 2, next_attempt_at: null, status: 200, response_ms: 35, error: null, created_at: '2030-01-01T10:05:00Z' },
      ],
      delete_webhook: () => {
        hooks = [];
        return null;
      },
    });
    render(SettingsView);
    const address = await screen.findByLabelText('Webhook address');
    await fireEvent.click(screen.getByRole('button', { name: 'Add webhook' }));
    await waitFor(() => expect(address).toHaveAccessibleDescription(expect.stringContaining('Enter the full address.')));
    await fireEvent.input(address, { target: { value: 'https://example.com/hook' } });
    await fireEvent.click(screen.getByLabelText('post.failed'));
    await fireEvent.click(screen.getByRole('button', { name: 'Add webhook' }));
    expect(await screen.findByDisplayValue('whsec_abc')).toBeInTheDocument();
    expect(calls.find((c) => c.cmd === 'create_webhook' && c.args.url)!.args.events).toEqual(['post.published']);
    await fireEvent.click(await screen.findByRole('button', { name: 'Deliveries' }));
    const log = await screen.findByRole('table', { name: 'Deliveries to https://example.com/hook' });
    expect(log).toHaveTextContent('Delivered (HTTP 200)');
    expect(log).toHaveTextContent('35 ms');
    await fireEvent.click(screen.getByRole('button', { name: 'Delete https://example.com/hook' }));
    await waitFor(() => expect(screen.queryByRole('list', { name: 'Webhooks' })).toBeNull());
  });

  it('describes a delivery\'s outcome', () => {
    const d = { id: 1, webhook_id: 'w', event: 'post.failed', payload: {}, attempts: 0, next_attempt_at: null, status: null, response_ms: null, error: null, created_at: '' };
    expect(deliveryOutcome({ ...d, state: 'pending' })).toBe('Waiting');
    expect(deliveryOutcome({ ...d, state: 'pending', attempts: 1, status: 500 })).toBe('Retrying (HTTP 500)');
    expect(deliveryOutcome({ ...d, state: 'failed', attempts: 6, error: 'refused' })).toBe('Gave up (refused)');
  });

  it('reads ports and the local API status', () => {
    expect(validPort('5000')).toBe(5000);
    expect(validPort(80)).toBeNull();
    expect(validPort('70000')).toBeNull();
    expect(validPort('')).toBeNull();
    const down = { running: false, port: 5000, error: 'busy' };
    expect(statusMessages(down, true)).toEqual(['busy']);
    expect(statusMessages(down, false)).toEqual([]);
    expect(statusMessages({ running: true, port: 5000, error: null }, true)).toEqual([]);
    expect(statusMessages(null, true)).toEqual([]);
  });

  it('reads whole minutes only', () => {
    expect(wholeMinutes('15')).toBe(15);
    expect(wholeMinutes(15)).toBe(15);
    expect(wholeMinutes('1.5')).toBeNull();
    expect(wholeMinutes(null)).toBeNull();
  });
});
