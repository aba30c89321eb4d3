// How a terminal's program is started: the user's shell with our integration
// injected (never by editing their rc files), or a given command as it is.
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';

export type ShellKind = 'bash' | 'zsh' | 'fish';
export const SUPPORTED_SHELLS: ShellKind[] = ['bash', 'zsh', 'fish'];

// From this module (dist/src/shell/) and from the CLI bundle (dist/src/cli/) alike: both sit one level under dist/src.
export const scriptsDir = fileURLToPath(new URL('../shell/scripts/', import.meta.url));

/** Where the `trail` launcher of this installation is (bin/ of the checkout or package). */
export const binDir = fileURLToPath(new URL('../../../bin/', import.meta.url)).replace(/\/$/, '');

export type Launch = {
  file: string;
  args: string[];
  /** The program line as the person asked for it (their shell, not trail's --init-file). */
  shown: string[];
  env: Record<string, string>;
  kind: ShellKind | null;
};

/**
 * What a shell itself prints between a command's start mark and the command's
 * own output, which is not the command's: fish turns bracketed paste off,
 * sets the title and resets colours after fish_preexec has run.
 */
export const OUTPUT_PREAMBLE: Partial<Record<ShellKind, RegExp>> = {
  // eslint-disable-next-line no-control-regex
  fish: /^(?:\x1b\[\?2004l|\x1b\][012];[^\x07\x1b]*(?:\x07|\x1b\\)|\x1b\[[0-9;]*m|\x1b\(B)*\r?/,
};

export function shellKind(file: string): ShellKind | null {
  const b = basename(file).replace(/^-/, '');
  return (SUPPORTED_SHELLS as string[]).includes(b) ? (b as ShellKind) : null;
}

/**
 * The program line for a terminal. With no command, the user's shell runs as a
 * login shell (as tmux does) with our hooks; an explicit command runs bare.
 */
export function launchFor(opts: { command?: string[]; shell: string; env: Record<string, string>; nonceFile: string }): Launch {
  const env: Record<string, string> = { ...opts.env, TRAIL_BIN: binDir };
  // `trail new NAME -- zsh`: a shell named alone is the user's shell for this terminal, with the integration.
  const shell = opts.command?.length === 1 && shellKind(opts.command[0]) ? opts.command[0] : opts.shell;
  if (opts.command && opts.command.length > 0 && shell !== opts.command[0]) {
    return { file: opts.command[0], args: opts.command.slice(1), shown: opts.command, env, kind: null };
  }
  const kind = shellKind(shell);
  if (!kind) return { file: shell, args: ['-l'], shown: [shell], env, kind: null };
  env.TRAIL_NONCE_FILE = opts.nonceFile;
  switch (kind) {
    case 'bash':
      env.TRAIL_BASH_LOGIN = '1';
      return { file: shell, args: ['--init-file', scriptsDir + 'trail.bash'], shown: [shell], env, kind };
    case 'zsh':
      if (env.ZDOTDIR) env.TRAIL_USER_ZDOTDIR = env.ZDOTDIR;
      env.ZDOTDIR = scriptsDir + 'zsh';
      return { file: shell, args: ['-l'], shown: [shell], env, kind };
    case 'fish':
      return { file: shell, args: ['-l', '--init-command', `source '${scriptsDir}trail.fish'`], shown: [shell], env, kind };
  }
}

/** The integration script for a shell, as `trail init SHELL` prints it. */
export function integrationScript(kind: ShellKind): string {
  const file = kind === 'zsh' ? 'trail.zsh' : kind === 'bash' ? 'trail.bash' : 'trail.fish';
  return readFileSync(scriptsDir + file, 'utf8');
}
