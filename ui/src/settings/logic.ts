// The settings form's pure logic: reading the grace and port inputs, whether the form has
// changes, and what the local API's status says next to its port.
import type { AppSettings, LocalApiStatus, WebhookDelivery } from '../lib/types';

/** The whole minutes an input holds, or null when it holds something else. */
export function wholeMinutes(raw: string | number | null): number | null {
  if (raw === null) return null;
  const text = String(raw).trim();
  if (!/^\d+$/.test(text)) return null;
  return Number(text);
}

export function sameSettings(a: AppSettings | null, b: AppSettings | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A port the local API may use (1024–65535), or null. */
export function validPort(raw: string | number | null): number | null {
  const port = wholeMinutes(raw);
  return port !== null && port >= 1024 && port <= 65535 ? port : null;
}

/** What the local API's status says next to the port field: why it is not running although
 * it is turned on (a busy port), or nothing. */
export function statusMessages(status: LocalApiStatus | null, enabled: boolean): string[] {
  return status && enabled && !status.running && status.error ? [status.error] : [];
}

/** A webhook delivery's outcome as its log shows it. */
export function deliveryOutcome(d: WebhookDelivery): string {
  const answer = d.status === null ? (d.error ?? 'no answer') : `HTTP ${d.status}`;
  if (d.state === 'delivered') return `Delivered (${answer})`;
  if (d.state === 'failed') return `Gave up (${answer})`;
  return d.attempts ? `Retrying (${answer})` : 'Waiting';
}
