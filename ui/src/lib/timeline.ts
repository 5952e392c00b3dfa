// Marks and measures on the page's performance timeline while the window starts, so Web
// Inspector and the desktop benchmark show what the first screen waited for. Only the start's
// are kept: a window left open for weeks does not pile up entries.

/** How long after navigation entries are still recorded. */
const START_MS = 10_000;

/** Marks a moment of the start. */
export function startMark(name: string): void {
  if (performance.now() < START_MS) performance.mark(name);
}

/** Records something that began at `start` (a `performance.now()` reading) and ends now. */
export function startMeasure(name: string, start: number): void {
  if (start < START_MS) performance.measure(name, { start });
}
