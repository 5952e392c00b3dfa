// Turns engine errors and rule violations into messages for the fields they concern.
import type { OpsError, Violation } from './types';

/** Messages keyed by field path (`items[0].text`, `date`, `settings.title`...), one account's
 * violations only when `accountId` is given. */
export function fieldMessages(violations: Violation[], accountId?: string): Map<string, string[]> {
  const byField = new Map<string, string[]>();
  for (const v of violations) {
    if (accountId && v.account_id !== accountId) continue;
    const list = byField.get(v.field) ?? [];
    list.push(v.message);
    byField.set(v.field, list);
  }
  return byField;
}

/** The messages an error puts on one field: its own field, or its violations there. */
export function messagesFor(error: OpsError | null, field: string): string[] {
  if (!error) return [];
  const own = error.field === field && !error.violations?.length ? [error.message] : [];
  const fromViolations = (error.violations ?? []).filter((v) => v.field === field).map((v) => v.message);
  return [...own, ...fromViolations];
}
