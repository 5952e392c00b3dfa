import { describe, expect, it } from 'vitest';
import { handOffNote, serverOf } from './handoff';
import type { Account, Target } from './types';

const target = (over: Partial<Target> = {}): Target => ({
  id: 't1',
  post_id: 'p1',
  account_id: 'acc-masto',
  platform: 'mastodon',
  custom_items: null,
  settings: { schedule_on_server: true },
  state: 'scheduled',
  attempts: 0,
  next_attempt_at: null,
  results: [],
  last_error: null,
  ...over,
});

const account = (instance: unknown): Account => ({
  id: 'acc-masto',
  platform: 'mastodon',
  handle: '@sipstory@mastodon.social',
  display_name: 'Sipstory',
  avatar_url: null,
  status: 'connected',
  paused: false,
  settings: { instance },
  created_at: '2026-01-01T00:00:00Z',
});

describe('serverOf', () => {
  it('names the account’s server by its host, or the platform when it has none', () => {
    expect(serverOf(account('https://mastodon.social'), 'Mastodon')).toBe('mastodon.social');
    expect(serverOf(account('http://127.0.0.1:8080'), 'Mastodon')).toBe('127.0.0.1:8080');
    expect(serverOf(account(undefined), 'Mastodon')).toBe('Mastodon');
    expect(serverOf(undefined, 'Mastodon')).toBe('Mastodon');
  });
});

describe('handOffNote', () => {
  const now = new Date('2026-05-14T09:00:00Z');

  it('says a held post goes out while the computer sleeps, naming the server', () => {
    expect(handOffNote(target({ state: 'handed_off' }), '2026-05-14T12:00:00Z', 'mastodon.social', now)).toBe(
      'Held by mastodon.social: it goes out at its time even while this computer sleeps.',
    );
  });

  it('says Sipstory publishes it itself when its time is too close to give to the server', () => {
    expect(handOffNote(target(), '2026-05-14T09:04:00Z', 'mastodon.social', now)).toMatch(/^Too close to its time to give to mastodon\.social/);
    expect(handOffNote(target(), '2026-05-14T10:00:00Z', 'mastodon.social', now)).toBe('Being given to mastodon.social to hold…');
  });

  it('says nothing for accounts not asked to be held, or already done', () => {
    expect(handOffNote(target({ settings: {} }), '2026-05-14T10:00:00Z', 'x', now)).toBeNull();
    expect(handOffNote(target({ state: 'published' }), '2026-05-14T10:00:00Z', 'x', now)).toBeNull();
    expect(handOffNote(target(), null, 'x', now)).toBeNull();
  });
});
