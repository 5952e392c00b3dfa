// Posts as rows of the Queue, Drafts, Failed and Missed lists.
import { preview } from './format';
import type { Post, PostStatus, PostSummary } from './types';

export type ListKind = 'queue' | 'drafts' | 'failed' | 'missed';

export interface PostRow {
  id: string;
  at: string | null;
  preview: string;
  platforms: string[];
  status: PostStatus;
}

export function rowFromPost(post: Post): PostRow {
  return {
    id: post.id,
    at: post.scheduled_at,
    preview: preview(post.items[0]?.text ?? ''),
    platforms: [...new Set(post.targets.map((t) => t.platform))],
    status: post.status,
  };
}

export function rowFromSummary(summary: PostSummary): PostRow {
  return {
    id: summary.id,
    at: summary.scheduled_at,
    preview: preview(summary.preview),
    platforms: [...new Set(summary.targets.map(([, platform]) => platform))],
    status: summary.status,
  };
}

/** How far back and ahead the Failed list looks. */
export const FAILED_WINDOW_DAYS = { past: 90, future: 365 };

/** The failed and partly published posts among a calendar window's, most recent first. */
export function failedRows(summaries: PostSummary[]): PostRow[] {
  return summaries
    .filter((s) => s.status === 'failed' || s.status === 'partial')
    .map(rowFromSummary)
    .sort((a, b) => (b.at ?? '').localeCompare(a.at ?? ''));
}
