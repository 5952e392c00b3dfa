import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatDateTime, formatDuration, formatInZone, formatRelative, fromLocalInput, preview, toLocalInput } from './format';

describe('format', () => {
  it('writes durations in the unit that reads best', () => {
    expect(formatDuration(340)).toBe('340 ms');
    expect(formatDuration(2400)).toBe('2.4 s');
    expect(formatDuration(30_000)).toBe('30 s');
    expect(formatDuration(65_000)).toBe('1 min 5 s');
    expect(formatDuration(120_000)).toBe('2 min');
  });

  it('writes a time in a given zone', () => {
    const utc = formatDateTime('2026-05-14T07:30:00Z', 'UTC');
    const paris = formatDateTime('2026-05-14T07:30:00Z', 'Europe/Paris');
    expect(utc).toMatch(/07:30|7:30/);
    expect(paris).toMatch(/09:30|9:30/);
    expect(formatInZone('2026-05-14T07:30:00Z', 'America/New_York')).toMatch(/\(America\/New York\)$/);
  });

  it('writes relative times both ways', () => {
    const now = new Date('2026-05-14T12:00:00Z');
    expect(formatRelative('2026-05-14T12:05:00Z', now)).toMatch(/5 min/);
    expect(formatRelative('2026-05-14T09:00:00Z', now)).toMatch(/3 hr|3 h/);
    expect(formatRelative('2026-05-14T12:00:20Z', now)).toBe('in under a minute');
  });

  it('round-trips a datetime-local input value', () => {
    const date = new Date(2026, 4, 14, 9, 5);
    expect(toLocalInput(date)).toBe('2026-05-14T09:05');
    expect(fromLocalInput('2026-05-14T09:05')?.getTime()).toBe(date.getTime());
    expect(fromLocalInput('')).toBeNull();
    expect(fromLocalInput('nonsense')).toBeNull();
  });

  it('previews the first non-empty line, cut with an ellipsis', () => {
    expect(preview('\n  Hello\nworld')).toBe('Hello');
    expect(preview('a'.repeat(200), 10)).toBe(`${'a'.repeat(9)}…`);
  });

  describe('formatters', () => {
    afterEach(() => vi.restoreAllMocks());

    it('makes one formatter per zone and format, and a fresh one for the system zone', () => {
      const Real = Intl.DateTimeFormat;
      const made = vi.spyOn(Intl, 'DateTimeFormat').mockImplementation(function (...args: ConstructorParameters<typeof Real>) {
        return new Real(...args);
      } as unknown as typeof Real);
      const at = new Date('2026-05-14T07:30:00Z');
      const first = formatDateTime(at, 'Asia/Kathmandu');
      expect(formatDateTime(new Date('2026-05-15T07:30:00Z'), 'Asia/Kathmandu')).not.toBe(first);
      expect(formatDateTime(at, 'Asia/Kathmandu')).toBe(first);
      expect(made).toHaveBeenCalledTimes(1);
      formatDateTime(at, 'Pacific/Chatham');
      formatDateTime(at);
      formatDateTime(at);
      expect(made).toHaveBeenCalledTimes(4);
    });
  });
});
