import { describe, expect, it } from 'vitest';
import { isTypingTarget, resolveShortcut, type ShortcutContext } from './shortcuts';

const cx = (over: Partial<ShortcutContext> = {}): ShortcutContext => ({
  afterG: false,
  onCalendar: false,
  detailOpen: false,
  typing: false,
  modalOpen: false,
  ...over,
});
const key = (k: string, mods: Partial<KeyboardEvent> = {}) => ({ key: k, ctrlKey: false, metaKey: false, altKey: false, ...mods });

describe('resolveShortcut', () => {
  it('opens a new post with n, but not while typing or behind a modal', () => {
    expect(resolveShortcut(key('n'), cx())).toEqual({ kind: 'new-post' });
    expect(resolveShortcut(key('n'), cx({ typing: true }))).toBeNull();
    expect(resolveShortcut(key('n'), cx({ modalOpen: true }))).toBeNull();
    expect(resolveShortcut(key('n', { ctrlKey: true }), cx())).toBeNull();
  });

  it('goes to views with g then a letter', () => {
    expect(resolveShortcut(key('g'), cx())).toEqual({ kind: 'prefix' });
    expect(resolveShortcut(key('c'), cx({ afterG: true }))).toEqual({ kind: 'go', view: 'calendar' });
    expect(resolveShortcut(key('q'), cx({ afterG: true }))).toEqual({ kind: 'go', view: 'queue' });
    expect(resolveShortcut(key('d'), cx({ afterG: true }))).toEqual({ kind: 'go', view: 'drafts' });
    expect(resolveShortcut(key('a'), cx({ afterG: true }))).toEqual({ kind: 'go', view: 'accounts' });
    expect(resolveShortcut(key('s'), cx({ afterG: true }))).toEqual({ kind: 'go', view: 'settings' });
    expect(resolveShortcut(key('z'), cx({ afterG: true }))).toBeNull();
    expect(resolveShortcut(key('c'), cx())).toBeNull();
  });

  it('switches the calendar layout with 1 to 4 only on the calendar', () => {
    expect(resolveShortcut(key('1'), cx({ onCalendar: true }))).toEqual({ kind: 'calendar-view', view: 'dayGridMonth' });
    expect(resolveShortcut(key('4'), cx({ onCalendar: true }))).toEqual({ kind: 'calendar-view', view: 'listWeek' });
    expect(resolveShortcut(key('2'), cx())).toBeNull();
  });

  it('closes the detail panel with Escape, even from a field, unless a modal is open', () => {
    expect(resolveShortcut(key('Escape'), cx({ detailOpen: true, typing: true }))).toEqual({ kind: 'close-detail' });
    expect(resolveShortcut(key('Escape'), cx({ detailOpen: true, modalOpen: true }))).toBeNull();
    expect(resolveShortcut(key('Escape'), cx())).toBeNull();
  });
});

describe('isTypingTarget', () => {
  it('knows text fields from buttons and checkboxes', () => {
    const text = document.createElement('input');
    const box = document.createElement('input');
    box.type = 'checkbox';
    expect(isTypingTarget(text)).toBe(true);
    expect(isTypingTarget(box)).toBe(false);
    expect(isTypingTarget(document.createElement('textarea'))).toBe(true);
    expect(isTypingTarget(document.createElement('button'))).toBe(false);
    expect(isTypingTarget(null)).toBe(false);
  });
});
