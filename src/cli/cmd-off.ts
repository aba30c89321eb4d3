import type { CliCommand } from './command.js';
import { UsageError } from './command.js';
import { call } from './connect.js';
import { out } from './output.js';
import { escapeControls } from './shown.js';

type Switched = { session: string; terminal: number; recording: boolean; changed: boolean };

/** `trail off` / `trail on`: the terminal this is run in (or --terminal ID), by its id, which a rename does not change. */
export async function switchRecording(on: boolean, values: Record<string, unknown>): Promise<number> {
  const terminal = (values.terminal as string | undefined) ?? process.env.TRAIL_TERMINAL;
  if (!terminal) throw new UsageError(`${on ? 'on' : 'off'} works inside a trail terminal (or give --terminal ID, as trail term ls shows it)`);
  const r = await call('term.recording', { terminal, on });
  const where = `terminal ${r.terminal} of ${escapeControls(r.session)}`;
  if (on) out(r.changed ? `trail: recording is on again for ${where}` : `trail: recording was already on for ${where}`);
  else
    out(
      r.changed
        ? `trail: recording is OFF for ${where}: nothing run here is kept until trail on (the trail keeps only that it was paused)`
        : `trail: recording was already off for ${where}`,
    );
  return 0;
}

export const offCommand: CliCommand = {
  name: 'off',
  summary: 'stop recording this terminal (until trail on); the trail keeps only that it was paused',
  usage: 'trail off [--terminal ID]',
  options: { terminal: { type: 'string', short: 't' } },
  run: ({ values }) => switchRecording(false, values),
};
