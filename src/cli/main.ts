// The trail CLI: finds the subcommand, parses its flags, runs it, and turns any
// failure into one line on stderr with a non-zero exit.
import { parseArgs } from 'node:util';
import { escapeControls } from './shown.js';
import { commands, findCommand } from './index.js';
import { UsageError } from './command.js';
import { ClientError } from '../client/daemon-client.js';
import { attachHelp } from './attach-client.js';
import { commandHelp } from './help.js';

// bin/trail started us without NODE_EXTRA_CA_CERTS (see there); whatever we
// start gets it back.
const savedCaCerts = process.env.TRAIL_SAVED_NODE_EXTRA_CA_CERTS;
if (savedCaCerts !== undefined) {
  process.env.NODE_EXTRA_CA_CERTS = savedCaCerts;
  delete process.env.TRAIL_SAVED_NODE_EXTRA_CA_CERTS;
}

function help(): string {
  const lines = ['trail: keeps technical work warm: persistent sessions, their command trail, and more', '', 'usage:'];
  for (const c of commands) lines.push(`  ${c.usage}`, `      ${c.summary}`);
  lines.push('', attachHelp(), 'state: $TRAIL_HOME (default ~/.local/state/trail)');
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const dash = argv.indexOf('--');
  const before = dash >= 0 ? argv.slice(0, dash) : argv;
  const rest = dash >= 0 ? argv.slice(dash + 1) : [];
  const [first, ...args] = before;
  if (first === 'help' || first === '--help' || first === '-h') {
    const c = args[0] ? findCommand(args[0]) : undefined;
    if (args[0] && !c) {
      process.stderr.write(`trail: unknown command ${escapeControls(JSON.stringify(args[0]))}; trail help lists them\n`);
      return 2;
    }
    process.stdout.write((c ? commandHelp(c) : help()) + '\n');
    return 0;
  }
  if (first === '--version' || first === 'version') {
    const { readFileSync } = await import('node:fs');
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    process.stdout.write(`trail ${pkg.version}\n`);
    return 0;
  }
  // Options with no command name are the default command's (trail --no-brief).
  const bare = first === undefined || (first.startsWith('-') && first !== '-');
  const cmd = bare ? findCommand('') : findCommand(first);
  if (!cmd) {
    process.stderr.write(`trail: unknown command ${escapeControls(JSON.stringify(first))}; trail help lists them\n`);
    return 2;
  }
  // --help and -h answer for every command, whatever else is on the line (not after --).
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(commandHelp(cmd) + '\n');
    return 0;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: first === undefined ? [] : bare ? before : args, options: cmd.options, allowPositionals: true, strict: true });
  } catch (e) {
    process.stderr.write(`trail ${cmd.name}: ${escapeControls((e as Error).message.split('\n')[0])}\nusage: ${cmd.usage}\n`);
    return 2;
  }
  try {
    return await cmd.run({ values: parsed.values as never, positionals: parsed.positionals, rest });
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`trail ${cmd.name}: ${escapeControls(e.message)}\nusage: ${cmd.usage}\n`);
      return 2;
    }
    if (e instanceof ClientError) {
      process.stderr.write(`trail: ${escapeControls(e.message)}\n`);
      return 1;
    }
    process.stderr.write(`trail: internal error: ${(e as Error).stack ?? e}\n`);
    return 70;
  }
}

// No top-level await: the build bundles this file as CommonJS (see scripts/bundle-cli.mjs).
void main(process.argv.slice(2)).then((code) => {
  if (code !== 0 || !(process.argv[2] === 'daemon' && (process.argv[3] === undefined || process.argv[3] === 'run'))) {
    process.exitCode = code;
    // Let pending writes to stdout finish, then leave (sockets may hold the loop open).
    process.stdout.write('', () => process.exit(code));
  }
});
