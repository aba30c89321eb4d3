// What trail writes to a person's own terminal around a visit, so that the
// terminal's screen and scrollback from before the visit survive it, and the
// visit ends on a clean line below the session's last screen.

/**
 * Leaves the alternate screen if the terminal is in it and changes nothing
 * otherwise. A bare ?1049l would restore a stale saved cursor (tmux and xterm
 * restore it even outside the alternate screen); outside it, ?1049h saves the
 * cursor and ?1049l puts it back where it was.
 */
export const LEAVE_ALT_SCREEN = '\x1b[?1049h\x1b[?1049l';

/**
 * Modes a program inside may have left on: mouse reporting, bracketed paste,
 * focus events, application cursor keys and keypad, a hidden cursor, colours.
 */
export const RESET_MODES = '\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?1015l\x1b[?2004l\x1b[?1004l\x1b[?1l\x1b>\x1b[?25h\x1b[0m';

/** Erases rows from..to (1-based) one by one: a line erase, never a screen clear (tmux's scroll-on-clear would copy the screen into its history). */
function eraseRows(from: number, to: number): string {
  let s = '';
  for (let y = Math.max(1, from); y <= to; y++) s += `\x1b[${y};1H\x1b[2K`;
  return s;
}

/**
 * Before a terminal's screen and scrollback are drawn: the top `used` rows of
 * what the outer terminal shows are scrolled up into its own scrollback (never
 * erased), then the emptied screen is drawn on from the top. `overlay` bottom
 * rows (a notice, a status line) are trail's own: erased first, never kept.
 */
export function handover(used: number, rows: number, overlay = 0): string {
  const up = Math.max(0, Math.min(used, rows - overlay));
  // DECSTBM (ESC[r) makes the whole screen the scroll region, so the newlines
  // at the bottom row scroll lines into the scrollback.
  return (
    LEAVE_ALT_SCREEN +
    RESET_MODES +
    '\x1b[r' +
    eraseRows(rows - overlay + 1, rows) +
    (up ? `\x1b[${rows};1H` + '\n'.repeat(up) : '') +
    eraseRows(1, rows) +
    '\x1b[H'
  );
}

/**
 * Leaving: modes undone and the cursor on a clean line below the `used` rows
 * of the session's screen (scrolling one line when the screen is full). With
 * `used` unknown (the daemon went away), a new line below the cursor.
 */
export function leave(used: number | null, rows: number): string {
  const base = LEAVE_ALT_SCREEN + RESET_MODES;
  if (used === null) return base + '\x1b7\x1b[r\x1b8\r\n';
  // The rows below the session's screen are blank in the session; what trail drew there (a status line) goes.
  if (used < rows) return base + `\x1b[r` + eraseRows(used + 1, rows) + `\x1b[${used + 1};1H`;
  return base + `\x1b[r\x1b[${rows};1H\r\n`;
}
