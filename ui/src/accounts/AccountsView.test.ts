// The accounts screen against faked shell commands: the list with status pills and actions,
// the platform grid, a connect form generated from the platform's fields with errors next to
// their field or on top, a reconnect form filled in from the account, removing after
// confirming, and the time-slot editor.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BLUESKY, THREADS, account, settings } from '../composer/fixtures';
import AccountsView from './AccountsView.svelte';
import { type Call, type Handler, fakeShell } from '../lib/fake-shell';

let calls: Call[];

function fake(overrides: Record<string, Handler> = {}) {
  const handlers: Record<string, Handler> = {
    accounts: () => [account(), account({ id: 'acc-2', handle: 'carol.bsky.social', display_name: 'Carol', status: 'needs_reconnect', paused: true })],
    platforms: () => [BLUESKY, THREADS],
    settings: () => settings({ time_zone: 'UTC' }),
    ...overrides,
  };
  calls = fakeShell(handlers);
}

beforeEach(() => fake());
afterEach(() => cleanup());

describe('AccountsView', () => {
  it('lists accounts with their status and offers the platforms', async () => {
    render(AccountsView);
    const carol = (await screen.findByText('Carol')).closest('li')!;
    expect(within(carol).getByText('Needs reconnect')).toBeInTheDocument();
    expect(within(carol).getByText('Paused')).toBeInTheDocument();
    expect(within(carol).getByRole('button', { name: 'Resume' })).toBeInTheDocument();
    const alice = screen.getByText('Alice').closest('li')!;
    expect(within(alice).getByText('Connected')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Connect Bluesky' })).toBeEnabled();
    expect(screen.getByRole('button', { name: 'Threads, coming soon' })).toBeDisabled();
  });

  it("builds the connect form from the platform's fields and shows a field's error next to it", async () => {
    const message = 'Bluesky refused this app password.';
    fake({
      connect_account: () => {
        throw { code: 'platform_error', message, field: 'fields.access_token' };
      },
    });
    render(AccountsView);
    await fireEvent.click(await screen.findByRole('button', { name: 'Connect Bluesky' }));
    const form = screen.getByRole('form', { name: 'Connect Bluesky' });
    const handle = within(form).getByLabelText(/Handle/);
    const password = within(form).getByLabelText(/App password/);
    expect(handle).toHaveAttribute('type', 'text');
    expect(handle).toHaveAttribute('placeholder', 'alice.bsky.social');
    expect(password).toHaveAttribute('type', 'password');
    expect(password).toHaveAccessibleDescription('Create one under Settings → App passwords.');

    await fireEvent.input(handle, { target: { value: 'dave.bsky.social' } });
    await fireEvent.input(password, { target: { value: 'nope' } });
    await fireEvent.click(within(form).getByRole('button', { name: 'Connect' }));

    await waitFor(() => expect(password).toHaveAccessibleDescription(`${message} Create one under Settings → App passwords.`));
    expect(password).toHaveAttribute('aria-invalid', 'true');
    expect(handle).not.toHaveAttribute('aria-invalid');
    expect(calls.find((c) => c.cmd === 'connect_account')!.args).toEqual({
      platform: 'bluesky',
      fields: { handle: 'dave.bsky.social', access_token: 'nope' },
    });
  });

  it('reconnects with the kept settings filled in and the secret typed again', async () => {
    const carol = account({ id: 'acc-2', handle: 'carol.bsky.social', display_name: 'Carol', status: 'needs_reconnect', settings: { handle: 'carol.bsky.social' } });
    fake({ accounts: () => [carol], connect_account: () => ({ ...carol, status: 'connected' }) });
    render(AccountsView);
    const row = (await screen.findByText('Carol')).closest('li')!;
    await fireEvent.click(within(row).getByRole('button', { name: 'Reconnect' }));
    const form = screen.getByRole('form', { name: 'Reconnect carol.bsky.social on Bluesky' });
    expect(within(form).getByLabelText(/Handle/)).toHaveValue('carol.bsky.social');
    const password = within(form).getByLabelText(/App password/);
    expect(password).toHaveValue('');
    await fireEvent.input(password, { target: { value: 'new-app-password' } });
    await fireEvent.click(within(form).getByRole('button', { name: 'Reconnect' }));
    await waitFor(() => expect(calls.some((c) => c.cmd === 'connect_account')).toBe(true));
    expect(calls.find((c) => c.cmd === 'connect_account')!.args).toEqual({
      platform: 'bluesky',
      fields: { handle: 'carol.bsky.social', access_token: 'new-app-password' },
    });
  });

  it('shows an error about no field (a locked keychain) at the top of the form', async () => {
    const message = 'The keychain is locked: unlock it and try again.';
    fake({ connect_account: () => Promise.reject({ code: 'keychain_unavailable', message, field: null }) });
    render(AccountsView);
    await fireEvent.click(await screen.findByRole('button', { name: 'Connect Bluesky' }));
    const form = screen.getByRole('form', { name: 'Connect Bluesky' });
    await fireEvent.click(within(form).getByRole('button', { name: 'Connect' }));
    expect(await within(form).findByRole('alert')).toHaveTextContent(message);
  });

  it('reconnects an account with the form of its platform', async () => {
    fake({ connect_account: () => account({ id: 'acc-2', handle: 'carol.bsky.social' }) });
    render(AccountsView);
    const carol = (await screen.findByText('Carol')).closest('li')!;
    await fireEvent.click(within(carol).getByRole('button', { name: 'Reconnect' }));
    const form = screen.getByRole('form', { name: 'Reconnect carol.bsky.social on Bluesky' });
    await fireEvent.click(within(form).getByRole('button', { name: 'Reconnect' }));
    await waitFor(() => expect(screen.queryByRole('form', { name: /Reconnect/ })).toBeNull());
  });

  it('pauses, disables and removes an account after confirming', async () => {
    fake({
      pause_account: (a) => account({ paused: a.paused as boolean }),
      set_account_enabled: (a) => account({ status: a.enabled ? 'connected' : 'disabled' }),
      remove_account: () => null,
    });
    render(AccountsView);
    const alice = (await screen.findByText('Alice')).closest('li')!;
    await fireEvent.click(within(alice).getByRole('button', { name: 'Pause' }));
    expect(await within(alice).findByText('Paused')).toBeInTheDocument();
    await fireEvent.click(within(alice).getByRole('button', { name: 'Disable' }));
    expect(await within(alice).findByText('Disabled')).toBeInTheDocument();

    await fireEvent.click(within(alice).getByRole('button', { name: 'Remove' }));
    const confirm = screen.getByRole('alertdialog', { name: 'Remove alice.bsky.social from Sipstory?' });
    expect(confirm).toHaveTextContent('Its posts are removed too');
    await fireEvent.click(within(confirm).getByRole('button', { name: 'Remove account' }));
    await waitFor(() => expect(screen.queryByText('Alice')).toBeNull());
    expect(calls.find((c) => c.cmd === 'remove_account')!.args).toEqual({ id: 'acc-bsky', leaveHeld: false });
  });

  it('asks again before leaving posts its server still holds, and keeps the account on cancel', async () => {
    const message = '1 post(s) of alice.bsky.social are held by its server and could not be taken back now.';
    fake({
      remove_account: (a) => {
        if (!a.leaveHeld) throw { code: 'conflict', message, field: 'leave_held' };
        return null;
      },
    });
    render(AccountsView);
    const alice = (await screen.findByText('Alice')).closest('li')!;
    const removeAfterConfirming = async () => {
      await fireEvent.click(within(alice).getByRole('button', { name: 'Remove' }));
      const confirm = screen.getByRole('alertdialog', { name: 'Remove alice.bsky.social from Sipstory?' });
      expect(confirm).toHaveTextContent('taken back from the server first');
      await fireEvent.click(within(confirm).getByRole('button', { name: 'Remove account' }));
      return screen.findByRole('alertdialog', { name: 'Bluesky still holds posts of alice.bsky.social' });
    };
    const held = await removeAfterConfirming();
    expect(held).toHaveTextContent(message);
    await fireEvent.click(within(held).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(screen.getByText('Alice')).toBeInTheDocument();

    const again = await removeAfterConfirming();
    await fireEvent.click(within(again).getByRole('button', { name: 'Remove and leave them there' }));
    await waitFor(() => expect(screen.queryByText('Alice')).toBeNull());
    const removals = calls.filter((c) => c.cmd === 'remove_account').map((c) => c.args.leaveHeld);
    expect(removals).toEqual([false, false, true]);
  });

  it('edits time slots and shows the next free one', async () => {
    let stored: [number, number][] = [[0, 540]];
    fake({
      time_slots: () => stored,
      set_time_slots: (a) => (stored = a.slots as [number, number][]),
      next_free_slot: () => '2030-01-07T09:00:00Z',
    });
    render(AccountsView);
    const alice = (await screen.findByText('Alice')).closest('li')!;
    await fireEvent.click(within(alice).getByRole('button', { name: 'Time slots' }));
    expect(await within(alice).findByText(/Next free slot/)).toHaveTextContent('09:00');
    expect(within(alice).getByRole('button', { name: 'Remove Monday 09:00' })).toBeInTheDocument();

    await fireEvent.change(within(alice).getByLabelText('Day'), { target: { value: 'weekend' } });
    await fireEvent.input(within(alice).getByLabelText('Time'), { target: { value: '18:30' } });
    await fireEvent.click(within(alice).getByRole('button', { name: 'Add time' }));
    await fireEvent.click(within(alice).getByRole('button', { name: 'Remove Monday 09:00' }));
    await fireEvent.click(within(alice).getByRole('button', { name: 'Save time slots' }));
    await waitFor(() =>
      expect(calls.find((c) => c.cmd === 'set_time_slots')?.args).toEqual({ accountId: 'acc-bsky', slots: [[5, 1110], [6, 1110]] }),
    );
    expect(calls.filter((c) => c.cmd === 'next_free_slot').at(-1)!.args).toEqual({ accountId: 'acc-bsky', timeZone: 'UTC' });
  });
});
