import type { CliCommand } from './command.js';
import { switchRecording } from './cmd-off.js';

export const onCommand: CliCommand = {
  name: 'on',
  summary: 'record this terminal again after trail off',
  usage: 'trail on [--terminal ID]',
  options: { terminal: { type: 'string', short: 't' } },
  run: ({ values }) => switchRecording(true, values),
};
