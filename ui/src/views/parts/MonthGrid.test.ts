import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeShell } from '../../lib/fake-shell';
import { nav } from '../../lib/nav.svelte';
import type { CalendarDay, PostStatus, PostSummary } from '../../lib/types';
import MonthGrid from './MonthGrid.svelte';

const post = (id: string, at: string, status: PostStatus = 'scheduled'): PostSummary => ({
  id,
  preview: `Post ${id}`,
  scheduled_at: at,
  time_zone: 'UTC',
  status,
  tags: [],
  targets: [['a1', 'bluesky', status === 'published' ? 'published' : 'scheduled']],
});

/** The shell's calendar_days for November 2026 in UTC: one post on the 3rd, a published one on
 * the 4th, and a busy 10th (5 posts, 3 shown). */
function shell() {
  return fakeShell({
    platforms: () => [{ id: 'bluesky', name: 'Bluesky' }],
    calendar_days: (args) => {
      const from = Date.parse(args.from as string);
      const to = Date.parse(args.to as string);
      const days: CalendarDay[] = [];
      for (let at = from; at < to; at += 86_400_000) {
        const date = new Date(at).toISOString().slice(0, 10);
        const posts =
          date === '2026-11-03'
            ? [post('p1', '2026-11-03T09:30:00Z')]
            : date === '2026-11-04'
              ? [post('p2', '2026-11-04T12:00:00Z', 'published')]
              : date === '2026-11-10'
                ? ['a', 'b', 'c'].map((id) => post(id, '2026-11-10T08:00:00Z'))
                : [];
        days.push({ start: new Date(at).toISOString(), total: date === '2026-11-10' ? 5 : posts.length, posts });
      }
      return days;
    },
  });
}

function renderMonth(onmove = vi.fn(async (_post: PostSummary, _at: Date) => true), onopenday = vi.fn()) {
  const calls = shell();
  render(MonthGrid, { date: '2026-11-23', zone: 'UTC', firstDay: 1, onmove, onopenday, onerror: vi.fn() });
  return { calls, onmove, onopenday };
}

const cell = (date: string) => document.querySelector<HTMLElement>(`[data-date="${date}"]`)!;

afterEach(() => {
  // jsdom lays nothing out; the drag tests say which day is under the pointer.
  Reflect.deleteProperty(document, 'elementFromPoint');
  nav.closePost();
  nav.closeComposer();
});

describe('MonthGrid', () => {
  it('lays out the month from the week start and asks for exactly its days', async () => {
    const { calls } = renderMonth();
    await screen.findByText('Post p1');
    expect(screen.getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']);
    const days = [...document.querySelectorAll<HTMLElement>('[data-date]')].map((d) => d.dataset.date);
    expect(days[0]).toBe('2026-10-26');
    expect(days.at(-1)).toBe('2026-12-06');
    const asked = calls.find((c) => c.cmd === 'calendar_days')!.args;
    expect(asked).toMatchObject({ from: '2026-10-26T00:00:00.000Z', to: '2026-12-07T00:00:00.000Z', perDay: 3 });
  });

  it('shows a post with its time, platform and status, and opens it on click or Enter', async () => {
    renderMonth();
    const p1 = await screen.findByRole('button', { name: /^Scheduled, .*: Post p1 \(Bluesky\)$/ });
    expect(cell('2026-11-03')).toContainElement(p1);
    expect(p1).toHaveTextContent('09:30');
    expect(p1).toHaveTextContent('Bl');
    await fireEvent.click(p1);
    expect(nav.postId).toBe('p1');
    nav.closePost();
    await fireEvent.keyDown(p1, { key: 'Enter' });
    expect(nav.postId).toBe('p1');
  });

  it("counts a busy day's other posts in '+N more', which opens the day", async () => {
    const { onopenday } = renderMonth();
    const more = await screen.findByRole('button', { name: /^2 more posts on .*: open the day$/ });
    expect(more).toHaveTextContent('+2 more');
    expect(cell('2026-11-10')).toContainElement(more);
    await fireEvent.click(more);
    expect(onopenday).toHaveBeenCalledWith('2026-11-10');
    expect(nav.composer).toBeNull();
  });

  it('writes a new post at 09:00 on an empty day clicked', async () => {
    renderMonth();
    await screen.findByText('Post p1');
    await fireEvent.click(cell('2026-12-02'));
    expect(nav.composer?.date?.toISOString()).toBe('2026-12-02T09:00:00.000Z');
  });

  it('moves a post by a day or a week with Alt and the arrow keys, keeping its time', async () => {
    const { onmove } = renderMonth();
    const p1 = await screen.findByRole('button', { name: /Post p1/ });
    await fireEvent.keyDown(p1, { key: 'ArrowRight', altKey: true });
    await fireEvent.keyDown(p1, { key: 'ArrowUp', altKey: true });
    await fireEvent.keyDown(p1, { key: 'ArrowRight' });
    expect(onmove.mock.calls.map(([p, at]) => [p.id, at.toISOString()])).toEqual([
      ['p1', '2026-11-04T09:30:00.000Z'],
      ['p1', '2026-10-27T09:30:00.000Z'],
    ]);
  });

  it('drags a post to another day and ignores the click that ends the drag', async () => {
    const { onmove } = renderMonth();
    const p1 = await screen.findByRole('button', { name: /Post p1/ });
    const target = cell('2026-11-05');
    document.elementFromPoint = () => target;
    await fireEvent.pointerDown(p1, { button: 0, clientX: 10, clientY: 10 });
    await fireEvent.pointerMove(window, { clientX: 60, clientY: 12 });
    expect(target).toHaveClass('over');
    await fireEvent.pointerUp(window, { clientX: 60, clientY: 12 });
    await fireEvent.click(target);
    expect(onmove).toHaveBeenCalledTimes(1);
    expect(onmove.mock.calls[0][1].toISOString()).toBe('2026-11-05T09:30:00.000Z');
    expect(nav.composer).toBeNull();
    await waitFor(() => expect(target).not.toHaveClass('over'));
  });

  it('does not start a drag on a press that barely moves, nor one Escape cancels', async () => {
    const { onmove } = renderMonth();
    const p1 = await screen.findByRole('button', { name: /Post p1/ });
    document.elementFromPoint = () => cell('2026-11-05');
    await fireEvent.pointerDown(p1, { button: 0, clientX: 10, clientY: 10 });
    await fireEvent.pointerMove(window, { clientX: 12, clientY: 11 });
    await fireEvent.pointerUp(window, { clientX: 12, clientY: 11 });
    await fireEvent.pointerDown(p1, { button: 0, clientX: 10, clientY: 10 });
    await fireEvent.pointerMove(window, { clientX: 80, clientY: 10 });
    await fireEvent.keyDown(window, { key: 'Escape' });
    await fireEvent.pointerUp(window, { clientX: 80, clientY: 10 });
    expect(onmove).not.toHaveBeenCalled();
  });
});
