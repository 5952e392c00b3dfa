import { describe, expect, it } from 'vitest';
import { createBackend, demoData, deriveStatus } from './demo';
import type { CalendarDay, OpsError, Post, PostSummary } from './types';

describe('deriveStatus (the engine’s rule)', () => {
  it('derives a post status from its targets', () => {
    expect(deriveStatus(true, ['scheduled'])).toBe('draft');
    expect(deriveStatus(false, [])).toBe('draft');
    expect(deriveStatus(false, ['published', 'published'])).toBe('published');
    expect(deriveStatus(false, ['published', 'missed'])).toBe('missed');
    expect(deriveStatus(false, ['unconfirmed', 'failed'])).toBe('unconfirmed');
    expect(deriveStatus(false, ['scheduled', 'published'])).toBe('publishing');
    expect(deriveStatus(false, ['scheduled'])).toBe('scheduled');
    expect(deriveStatus(false, ['published', 'failed'])).toBe('partial');
    expect(deriveStatus(false, ['failed'])).toBe('failed');
  });
});

describe('demo backend', () => {
  it('reschedules, refuses a past time and refuses to move a published post', () => {
    const backend = createBackend(demoData());
    const future = new Date(Date.now() + 86_400_000).toISOString();
    expect((backend('reschedule', { id: 'post-quiz', at: future }) as Post).scheduled_at).toBe(future);
    expect(() => backend('reschedule', { id: 'post-quiz', at: '2000-01-01T00:00:00Z' })).toThrow();
    try {
      backend('reschedule', { id: 'post-roast', at: future });
    } catch (e) {
      expect((e as OpsError).code).toBe('conflict');
    }
  });

  it('retries failed targets and tells when something changed', () => {
    let changes = 0;
    const backend = createBackend(demoData(), () => changes++);
    const post = backend('retry_failed', { id: 'post-workshop' }) as Post;
    expect(post.status).toBe('scheduled');
    expect(changes).toBe(1);
  });

  it('answers the month view day by day with the same posts as the window, capped per day', () => {
    const data = demoData();
    data.settings.time_zone = 'UTC';
    const backend = createBackend(data);
    const from = new Date(Date.now() - 20 * 86_400_000);
    from.setUTCHours(0, 0, 0, 0);
    const to = new Date(from.getTime() + 42 * 86_400_000);
    const args = { from: from.toISOString(), to: to.toISOString() };
    const days = backend('calendar_days', { ...args, perDay: 1 }) as CalendarDay[];
    const all = backend('calendar', args) as PostSummary[];
    expect(days).toHaveLength(42);
    expect(days[1].start).toBe(new Date(from.getTime() + 86_400_000).toISOString());
    expect(days.reduce((n, d) => n + d.total, 0)).toBe(all.length);
    expect(days.every((d) => d.posts.length === Math.min(d.total, 1))).toBe(true);
    expect(() => backend('calendar_days', { from: args.to, to: args.from, perDay: 3 })).toThrow();
  });
});
