// The composer against faked shell commands: live counters and rule problems next to their
// fields, the buttons they turn off, save errors at their field, drafts, settings forms,
// customizing a thread per account and files dropped on the window.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { emit } from '@tauri-apps/api/event';
import { mockConvertFileSrc, mockIPC, mockWindows } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { InvokeArgs } from '@tauri-apps/api/core';
import type { Media, PostInput, Violation } from '../lib/types';
import Composer from './Composer.svelte';
import { BLUESKY, TIKTOK, account, settings } from './fixtures';

type Handler = (args: Record<string, unknown>) => unknown;

let calls: { cmd: string; args: Record<string, unknown> }[];

function fake(overrides: Record<string, Handler> = {}) {
  calls = [];
  const handlers: Record<string, Handler> = {
    accounts: () => [account(), account({ id: 'acc-tt', platform: 'tiktok', handle: 'bob', display_name: 'Bob' })],
    platforms: () => [BLUESKY, TIKTOK],
    settings: () => settings(),
    media_list: () => [],
    count_text: (a) => [String(a.text).length, 300],
    validate_post: () => [],
    ...overrides,
  };
  mockWindows('main');
  mockConvertFileSrc('linux');
  mockIPC(
    (cmd: string, args?: InvokeArgs) => {
      const a = (args ?? {}) as Record<string, unknown>;
      calls.push({ cmd, args: a });
      const handler = handlers[cmd];
      if (!handler) throw { code: 'internal', message: `unexpected command ${cmd}`, field: null };
      return handler(a);
    },
    { shouldMockEvents: true },
  );
}

function open(request = {}) {
  const onclose = vi.fn();
  render(Composer, { props: { request, onclose } });
  return onclose;
}

async function chooseAccount(name: RegExp) {
  await fireEvent.click(await screen.findByRole('checkbox', { name }));
}

const sentInputs = (cmd: string) => calls.filter((c) => c.cmd === cmd).map((c) => c.args.input as PostInput);

beforeEach(() => fake());
// Unmount (and let the drop listener go) before the shared setup clears the Tauri mocks.
afterEach(async () => {
  cleanup();
  await new Promise((resolve) => setTimeout(resolve));
});

describe('Composer', () => {
  it('shows an over-limit counter in red, the rule problem next to the text, and turns Schedule off', async () => {
    const tooLong: Violation = {
      account_id: 'acc-bsky',
      field: 'items[0].text',
      code: 'too_long',
      message: 'Bluesky allows 300 characters; this has 312.',
      limit: 300,
    };
    fake({
      validate_post: (a) => ((a.input as PostInput).targets.length ? [tooLong] : []),
      count_text: () => [312, 300],
    });
    open();
    await chooseAccount(/alice\.bsky\.social/);
    const text = screen.getByLabelText('Text of Item 1');
    await fireEvent.input(text, { target: { value: 'a'.repeat(312) } });

    const counter = await screen.findByTestId('counter');
    expect(counter).toHaveTextContent('312 / 300');
    expect(counter).toHaveClass('over');
    await waitFor(() => expect(text).toHaveAccessibleDescription(tooLong.message));
    expect(text).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByRole('button', { name: 'Schedule' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Add to queue' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Publish now' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Save draft' })).toBeEnabled();

    await fireEvent.keyDown(text, { key: 'Enter', ctrlKey: true });
    expect(screen.getByText(/1 problem to fix/).closest('details')).toHaveAttribute('open');
    expect(calls.some((c) => c.cmd === 'create_post')).toBe(false);
  });

  it('hides the counter where the platform has no limit', async () => {
    fake({ count_text: () => [5, null] });
    open();
    await chooseAccount(/alice\.bsky\.social/);
    await fireEvent.input(screen.getByLabelText('Text of Item 1'), { target: { value: 'Hello' } });
    await waitFor(() => expect(calls.some((c) => c.cmd === 'count_text')).toBe(true));
    await new Promise((r) => setTimeout(r, 50));
    expect(screen.queryByTestId('counter')).toBeNull();
  });

  it('saves a draft through create_post', async () => {
    fake({ create_post: (a) => ({ post: { id: 'p1', scheduled_at: null, time_zone: 'Europe/Paris' }, warnings: [], time_shifted: false, input: a }) });
    const onclose = open();
    await chooseAccount(/alice\.bsky\.social/);
    await fireEvent.input(await screen.findByLabelText('Text of Item 1'), { target: { value: 'Hello' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save draft' }));
    await waitFor(() => expect(onclose).toHaveBeenCalled());
    const [input] = sentInputs('create_post');
    expect(input.schedule).toEqual({ kind: 'draft', at: null });
    expect(input.items[0].text).toBe('Hello');
    expect(input.targets.map((t) => t.account_id)).toEqual(['acc-bsky']);
    expect(input.time_zone).toBe('Europe/Paris');
  });

  it('saves a draft with Ctrl+S', async () => {
    fake({ create_post: () => ({ post: { id: 'p1', scheduled_at: null, time_zone: 'UTC' }, warnings: [], time_shifted: false }) });
    const onclose = open();
    const text = await screen.findByLabelText('Text of Item 1');
    await fireEvent.input(text, { target: { value: 'Hi' } });
    await fireEvent.keyDown(text, { key: 's', ctrlKey: true });
    await waitFor(() => expect(onclose).toHaveBeenCalled());
    expect(sentInputs('create_post')[0].schedule.kind).toBe('draft');
  });

  it('shows an error about the date next to the date input', async () => {
    const message = 'That time has already passed. Choose a later time, or publish now.';
    fake({
      create_post: () => {
        throw { code: 'invalid_input', message, field: 'date' };
      },
    });
    const onclose = open();
    await chooseAccount(/alice\.bsky\.social/);
    await fireEvent.input(screen.getByLabelText('Text of Item 1'), { target: { value: 'Hello' } });
    const date = screen.getByLabelText('Date');
    await fireEvent.input(date, { target: { value: '2020-01-01' } });
    await fireEvent.input(screen.getByLabelText('Time'), { target: { value: '10:00' } });
    await waitFor(() => expect(sentInputs('validate_post').length).toBeGreaterThan(0));
    await fireEvent.click(screen.getByRole('button', { name: 'Schedule' }));

    await waitFor(() => expect(date).toHaveAccessibleDescription(message));
    expect(date).toHaveAttribute('aria-invalid', 'true');
    expect(sentInputs('create_post')[0].schedule).toEqual({ kind: 'local', local: '2020-01-01T10:00:00' });
    expect(onclose).not.toHaveBeenCalled();
  });

  it('shows rule problems refused at save time next to their field', async () => {
    const violation: Violation = { account_id: 'acc-tt', field: 'settings.privacy_level', code: 'settings', message: 'TikTok requires the privacy level setting.', limit: null };
    fake({ create_post: () => Promise.reject({ code: 'validation_failed', message: violation.message, field: violation.field, violations: [violation] }) });
    open();
    await chooseAccount(/bob/);
    await fireEvent.input(screen.getByLabelText('Text of Item 1'), { target: { value: 'Hello' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Publish now' }));
    const select = await screen.findByRole('combobox', { name: /Privacy level/ });
    await waitFor(() => expect(select).toHaveAccessibleDescription(violation.message));
  });

  it("renders a platform's settings form with a required choice", async () => {
    open();
    await chooseAccount(/bob/);
    const group = await screen.findByRole('group', { name: 'TikTok settings for @bob' });
    const select = within(group).getByRole('combobox', { name: /Privacy level/ });
    expect(select).toBeRequired();
    expect(within(group).getByText('(required)')).toBeInTheDocument();
    const options = within(select).getAllByRole('option').map((o) => o.textContent);
    expect(options).toEqual(['Choose…', 'PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY']);
    expect(within(group).getByRole('checkbox', { name: 'Disable comment' })).not.toBeChecked();

    await fireEvent.change(select, { target: { value: '2' } });
    await waitFor(() => {
      const last = sentInputs('validate_post').at(-1)!;
      expect(last.targets[0].settings).toEqual({ privacy_level: 'SELF_ONLY' });
    });
  });

  it('customizes the thread for one account and goes back to the shared text', async () => {
    open();
    await chooseAccount(/alice\.bsky\.social/);
    await fireEvent.input(screen.getByLabelText('Text of Item 1'), { target: { value: 'Shared' } });
    await fireEvent.click(screen.getByRole('tab', { name: /@alice\.bsky\.social/ }));
    await fireEvent.click(screen.getByRole('button', { name: 'Customize for @alice.bsky.social' }));
    const own = screen.getByLabelText('Text of Item 1');
    expect(own).toHaveValue('Shared');
    await fireEvent.input(own, { target: { value: 'Just for Bluesky' } });
    await waitFor(() => expect(sentInputs('validate_post').at(-1)!.targets[0].custom_items?.[0].text).toBe('Just for Bluesky'));
    expect(sentInputs('validate_post').at(-1)!.items[0].text).toBe('Shared');

    await fireEvent.click(screen.getByRole('button', { name: 'Use shared text' }));
    await waitFor(() => expect(sentInputs('validate_post').at(-1)!.targets[0].custom_items).toBeNull());
  });

  it('adds, moves and removes thread items, with a delay after the first', async () => {
    open();
    await fireEvent.input(await screen.findByLabelText('Text of Item 1'), { target: { value: 'one' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Add to thread' }));
    await fireEvent.input(screen.getByLabelText('Text of Item 2'), { target: { value: 'two' } });
    await fireEvent.input(screen.getByRole('spinbutton'), { target: { value: '5' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Move Item 2 up' }));
    expect(screen.getByLabelText('Text of Item 1')).toHaveValue('two');
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Move Item 1 down' }));
    await waitFor(() => {
      const items = sentInputs('validate_post').at(-1)!.items;
      expect(items.map((i) => [i.text, i.delay_secs])).toEqual([['two', 0], ['one', 0]]);
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Remove Item 1' }));
    expect(screen.getByLabelText('Text of Item 1')).toHaveValue('one');
    expect(screen.queryByLabelText('Text of Item 2')).toBeNull();
  });

  it('imports files dropped on the window into the active item and shows import errors', async () => {
    const photo: Media = {
      id: 'm1', original_name: 'cat.png', path: '/lib/cat.png', sha256: 'x', mime: 'image/png', size_bytes: 10,
      width: 1, height: 1, duration_ms: null, alt: 'A cat', created_at: '2030-01-01T00:00:00Z',
    };
    fake({
      import_media: (a) => {
        if (String(a.path).endsWith('.pdf')) throw { code: 'invalid_input', message: 'doc.pdf: this file type is not supported', field: 'file' };
        return photo;
      },
    });
    open();
    await screen.findByLabelText('Text of Item 1');
    await emit('tauri://drag-over', { paths: [], position: { x: 0, y: 0 } });
    expect(await screen.findByText(/Drop files to add them to item 1/)).toBeInTheDocument();
    await emit('tauri://drag-drop', { paths: ['/home/me/cat.png', '/home/me/doc.pdf'], position: { x: 0, y: 0 } });
    expect(await screen.findByText('doc.pdf: this file type is not supported')).toBeInTheDocument();
    expect(screen.getByRole('img', { name: 'A cat' })).toBeInTheDocument();
    expect(screen.getByLabelText('Alt text for cat.png')).toHaveValue('A cat');
    await waitFor(() => expect(sentInputs('validate_post').at(-1)!.items[0].media).toEqual([{ media_id: 'm1', alt: 'A cat' }]));
  });

  it('edits a post: prefilled from get_post and saved with update_post', async () => {
    fake({
      get_post: () => ({
        id: 'p9', items: [{ text: 'Old text', media: [], delay_secs: 0 }], tags: ['news'],
        scheduled_at: '2030-05-02T13:00:00Z', time_zone: 'Asia/Tokyo', is_draft: false, status: 'scheduled',
        targets: [{ id: 't', post_id: 'p9', account_id: 'acc-bsky', platform: 'bluesky', custom_items: null, settings: {}, state: 'scheduled', attempts: 0, next_attempt_at: null, results: [], last_error: null }],
        created_at: '', updated_at: '',
      }),
      update_post: () => ({ post: { id: 'p9', scheduled_at: '2030-05-02T13:00:00Z', time_zone: 'Asia/Tokyo' }, warnings: [], time_shifted: false }),
    });
    const onclose = open({ postId: 'p9' });
    expect(await screen.findByLabelText('Text of Item 1')).toHaveValue('Old text');
    expect(screen.getByLabelText('Date')).toHaveValue('2030-05-02');
    expect(screen.getByLabelText('Time')).toHaveValue('22:00');
    expect(screen.getByLabelText('Time zone')).toHaveValue('Asia/Tokyo');
    expect(screen.getByRole('checkbox', { name: /alice\.bsky\.social/ })).toBeChecked();
    await fireEvent.click(screen.getByRole('button', { name: 'Schedule' }));
    await waitFor(() => expect(onclose).toHaveBeenCalled());
    const update = calls.find((c) => c.cmd === 'update_post')!;
    expect(update.args.id).toBe('p9');
    expect((update.args.input as PostInput).schedule).toEqual({ kind: 'local', local: '2030-05-02T22:00:00' });
    expect((update.args.input as PostInput).tags).toEqual(['news']);
  });

  it('asks before Escape throws away changes', async () => {
    const onclose = open();
    const text = await screen.findByLabelText('Text of Item 1');
    await fireEvent.input(text, { target: { value: 'Unsaved' } });
    await fireEvent.keyDown(text, { key: 'Escape' });
    expect(onclose).not.toHaveBeenCalled();
    const confirm = screen.getByRole('alertdialog', { name: 'Discard your changes?' });
    await fireEvent.click(within(confirm).getByRole('button', { name: 'Discard' }));
    expect(onclose).toHaveBeenCalled();
  });

  it('closes on Escape at once when nothing changed', async () => {
    const onclose = open();
    await fireEvent.keyDown(await screen.findByLabelText('Text of Item 1'), { key: 'Escape' });
    expect(onclose).toHaveBeenCalled();
  });
});
