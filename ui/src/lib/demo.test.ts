import { describe, expect, it } from 'vitest';
import { createBackend, demoData, deriveStatus } from './demo';
import type { OpsError, Post } from './types';

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
});
