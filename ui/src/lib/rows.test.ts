import { describe, expect, it } from 'vitest';
import { demoData } from './demo';
import { failedRows, rowFromPost } from './rows';
import type { PostSummary } from './types';

describe('rows', () => {
  it('turns a post into a row with its first line and each platform once', () => {
    const post = demoData().posts.find((p) => p.id === 'post-thread')!;
    expect(rowFromPost(post)).toEqual({
      id: 'post-thread',
      at: post.scheduled_at,
      preview: 'How we roast, a short thread 🧵',
      platforms: ['bluesky', 'mastodon', 'linkedin-page'],
      status: 'scheduled',
    });
  });

  it('keeps only failed and partly published posts for the Failed list, latest first', () => {
    const s = (id: string, status: PostSummary['status'], at: string): PostSummary => ({
      id, preview: id, scheduled_at: at, time_zone: 'UTC', status, tags: [], targets: [],
    });
    const rows = failedRows([
      s('a', 'failed', '2026-01-01T00:00:00Z'),
      s('b', 'published', '2026-01-02T00:00:00Z'),
      s('c', 'partial', '2026-01-03T00:00:00Z'),
      s('d', 'scheduled', '2026-01-04T00:00:00Z'),
    ]);
    expect(rows.map((r) => r.id)).toEqual(['c', 'a']);
  });
});
