// Unit tests of the accounts screen's pure logic.
import { describe, expect, it } from 'vitest';
import { account } from '../composer/fixtures';
import { addSlots, connectErrors, formatMinute, parseTime, reconnectValues, slotsByDay, sortSlots, statusPills } from './logic';

describe('accounts logic', () => {
  it('shows the status and the pause as pills', () => {
    expect(statusPills(account()).map((p) => p.label)).toEqual(['Connected']);
    expect(statusPills(account({ status: 'needs_reconnect', paused: true })).map((p) => p.kind)).toEqual(['needs_reconnect', 'paused']);
    expect(statusPills(account({ status: 'disabled' })).map((p) => p.label)).toEqual(['Disabled']);
  });

  it('reads and writes times of day', () => {
    expect(parseTime('09:30')).toBe(570);
    expect(parseTime('9:05')).toBe(545);
    expect(parseTime('24:00')).toBeNull();
    expect(parseTime('')).toBeNull();
    expect(formatMinute(570)).toBe('09:30');
    expect(formatMinute(0)).toBe('00:00');
  });

  it('adds a time on the chosen days, sorted and once each', () => {
    expect(addSlots([[6, 60]], 'weekend', 60)).toEqual([[5, 60], [6, 60]]);
    expect(addSlots([], 'weekdays', 540).map((s) => s[0])).toEqual([0, 1, 2, 3, 4]);
    expect(addSlots([], 'every', 540)).toHaveLength(7);
    expect(addSlots([[2, 600]], 2, 540)).toEqual([[2, 540], [2, 600]]);
    expect(sortSlots([[1, 5], [0, 9], [1, 5]])).toEqual([[0, 9], [1, 5]]);
    expect(slotsByDay([[2, 600], [2, 540], [0, 60]])).toEqual([
      { day: 0, name: 'Monday', minutes: [60] },
      { day: 2, name: 'Wednesday', minutes: [540, 600] },
    ]);
  });

  it('puts a connect error on its field or on top', () => {
    const keys = ['handle', 'access_token'];
    expect(connectErrors({ code: 'invalid_input', message: 'Required.', field: 'fields.handle' }, keys)).toEqual({
      fields: { handle: 'Required.' },
      top: null,
    });
    expect(connectErrors({ code: 'keychain_unavailable', message: 'Locked.', field: null }, keys)).toEqual({ fields: {}, top: 'Locked.' });
    expect(connectErrors({ code: 'platform_error', message: 'Odd.', field: 'fields.other' }, keys).top).toBe('Odd.');
    expect(connectErrors(null, keys)).toEqual({ fields: {}, top: null });
  });

  it('fills a reconnect form with the kept settings, never secrets', () => {
    const field = (key: string, secret = false) => ({ key, label: key, secret, required: false, placeholder: null, help: null });
    const fields = [field('relays'), field('min_ok'), field('secret_key', true), field('pds_url')];
    const nostr = account({ settings: { relays: ['wss://a/', 'wss://b/'], min_ok: 2, secret_key: 'leaked?' } });
    expect(reconnectValues(nostr, fields)).toEqual({ relays: 'wss://a/\nwss://b/', min_ok: '2' });
    expect(reconnectValues(null, fields)).toEqual({});
  });
});
