// The settings form's pure logic: reading the grace input and whether the form has changes.
import type { AppSettings } from '../lib/types';

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
