import { mockIPC } from '@tauri-apps/api/mocks';
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { createBackend, demoData } from '../lib/demo';
import PostDetail from './PostDetail.svelte';

function backend() {
  const handle = createBackend(demoData());
  const calls: [string, Record<string, unknown>][] = [];
  mockIPC((cmd, args) => {
    calls.push([cmd, (args ?? {}) as Record<string, unknown>]);
    return handle(cmd, args as Record<string, unknown>);
  });
  return calls;
}

describe('PostDetail', () => {
  it('shows a failed account’s error with its code and HTTP status, and retries on click', async () => {
    const calls = backend();
    render(PostDetail, { postId: 'post-workshop', onclose: vi.fn() });

    const card = (await screen.findByText('LinkedIn could not process the image. Try a JPEG under 5 MB.')).closest('li')!;
    expect(within(card).getByText('MEDIA_ASSET_PROCESSING_FAILED')).toBeInTheDocument();
    expect(within(card).getByText('HTTP 422')).toBeInTheDocument();
    expect(within(card).getByText('Sipstory Coffee Co.')).toBeInTheDocument();

    await fireEvent.click(screen.getByRole('button', { name: 'Retry failed' }));
    expect(calls).toContainEqual(['retry_failed', { id: 'post-workshop' }]);
    expect(await screen.findAllByText('Scheduled')).not.toHaveLength(0);
    expect(screen.queryByRole('button', { name: 'Retry failed' })).not.toBeInTheDocument();
  });

  it('shows the engine’s message inline when an action fails', async () => {
    const handle = createBackend(demoData());
    mockIPC((cmd, args) => {
      if (cmd === 'retry_failed') throw { code: 'conflict', message: 'This post has no failed accounts to retry.', field: null };
      return handle(cmd, args as Record<string, unknown>);
    });
    render(PostDetail, { postId: 'post-workshop', onclose: vi.fn() });
    await fireEvent.click(await screen.findByRole('button', { name: 'Retry failed' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('This post has no failed accounts to retry.');
  });

  it('offers to settle an unconfirmed publish by its URL', async () => {
    const calls = backend();
    render(PostDetail, { postId: 'post-unconfirmed', onclose: vi.fn() });
    await fireEvent.click(await screen.findByRole('button', { name: /It’s there/ }));
    await fireEvent.input(screen.getByLabelText('Post URL'), { target: { value: 'https://mastodon.social/@sipstory/11223' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Mark as published' }));
    const confirm = calls.find(([cmd]) => cmd === 'confirm_published');
    expect(confirm?.[1]).toMatchObject({ remoteId: '11223', url: 'https://mastodon.social/@sipstory/11223' });
  });

  it('says which account its server holds, and that it goes out while the computer sleeps', async () => {
    backend();
    render(PostDetail, { postId: 'post-quiz', onclose: vi.fn() });
    const note = await screen.findByText(/^Held by mastodon\.social/);
    const card = note.closest('li')!;
    expect(note).toHaveTextContent('it goes out at its time even while this computer sleeps');
    expect(within(card).getByText('With the server')).toBeInTheDocument();
    expect(within(card).getByText('Mastodon')).toBeInTheDocument();
  });

  it('asks before deleting, then closes', async () => {
    const calls = backend();
    const onclose = vi.fn();
    render(PostDetail, { postId: 'post-quiz', onclose });
    await fireEvent.click(await screen.findByRole('button', { name: 'Delete' }));
    const dialog = screen.getByRole('alertdialog');
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Delete' }));
    await vi.waitFor(() => expect(onclose).toHaveBeenCalled());
    expect(calls).toContainEqual(['delete_post', { id: 'post-quiz' }]);
  });
});
