// The window's keyboard shortcuts as a pure function of the key pressed and what came before.
import type { CalendarViewType } from './calendar';
import { CALENDAR_VIEWS } from './calendar';
import type { View } from './nav.svelte';

export type ShortcutAction =
  | { kind: 'new-post' }
  | { kind: 'go'; view: View }
  | { kind: 'calendar-view'; view: CalendarViewType }
  | { kind: 'close-detail' }
  | { kind: 'prefix' };

/** `g` then one of these keys goes to a view. */
export const GO_KEYS: Record<string, View> = {
  c: 'calendar',
  q: 'queue',
  d: 'drafts',
  m: 'missed',
  f: 'failed',
  a: 'accounts',
  l: 'activity',
  s: 'settings',
};

export interface ShortcutContext {
  /** The key before this one was `g` (within the prefix window). */
  afterG: boolean;
  onCalendar: boolean;
  detailOpen: boolean;
  /** The focus is in a text field, a select or an editable element. */
  typing: boolean;
  /** A modal (the composer, a confirmation) is open. */
  modalOpen: boolean;
}

export function resolveShortcut(
  event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey'>,
  cx: ShortcutContext,
): ShortcutAction | null {
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  if (event.key === 'Escape') return cx.detailOpen && !cx.modalOpen ? { kind: 'close-detail' } : null;
  if (cx.typing || cx.modalOpen) return null;
  if (cx.afterG) {
    const view = GO_KEYS[event.key.toLowerCase()];
    return view ? { kind: 'go', view } : null;
  }
  if (event.key === 'g') return { kind: 'prefix' };
  if (event.key === 'n') return { kind: 'new-post' };
  if (cx.onCalendar) {
    const match = CALENDAR_VIEWS.find((v) => v.key === event.key);
    if (match) return { kind: 'calendar-view', view: match.type };
  }
  return null;
}

/** Whether an element takes typed text (shortcuts stay quiet there). */
export function isTypingTarget(element: Element | null): boolean {
  if (!element) return false;
  if (element instanceof HTMLElement && element.isContentEditable) return true;
  if (element instanceof HTMLInputElement) {
    return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file'].includes(element.type);
  }
  return element instanceof HTMLTextAreaElement || element instanceof HTMLSelectElement;
}
