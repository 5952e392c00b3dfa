// Labels and colours of post statuses and target states, as every view shows them.
import type { PostStatus, TargetState } from './types';

type Status = PostStatus | TargetState;

const LABELS: Record<Status, string> = {
  draft: 'Draft',
  scheduled: 'Scheduled',
  publishing: 'Publishing',
  published: 'Published',
  partial: 'Partly published',
  failed: 'Failed',
  missed: 'Missed',
  unconfirmed: 'Unconfirmed',
  handed_off: 'With the server',
};

const HINTS: Record<Status, string> = {
  draft: 'Not scheduled yet.',
  scheduled: 'Waiting for its time.',
  publishing: 'Being sent to the platforms.',
  published: 'Live everywhere.',
  partial: 'Live on some accounts; others failed.',
  failed: 'A platform refused it or could not be reached.',
  missed: 'Its time passed while Sipstory was not running.',
  unconfirmed: 'Sent, but the platform never answered: check whether it is there.',
  handed_off: 'Its server holds it and publishes it at its time, even while this computer sleeps.',
};

export function statusLabel(status: Status): string {
  return LABELS[status] ?? status;
}

export function statusHint(status: Status): string {
  return HINTS[status] ?? '';
}

/** The CSS colour of a status: one of the `--st-*` variables of app.css. */
export function statusColor(status: Status): string {
  return `var(--st-${status})`;
}

/** Statuses that need the user's attention. */
export function needsAttention(status: Status): boolean {
  return status === 'failed' || status === 'partial' || status === 'missed' || status === 'unconfirmed';
}
