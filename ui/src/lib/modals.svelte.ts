// How many modal dialogs are open, so window shortcuts stay quiet behind them.
class Modals {
  open = $state(0);
}

export const modals = new Modals();
