// A person's first minutes with trail, driven through tmux (send-keys and
// capture-pane) on a private tmux server: run `trail` in a project, work,
// close the window, come back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, LAUNCHER, ROOT, Sandbox, eventually } from './helpers.js';

/** A private tmux server for one test: run commands, and wait for the pane to show something. */
function tmuxDriver(sb: Sandbox, name: string, target: string) {
  const sock = `trail-${name}-${process.pid}`;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', sock, '-f', '/dev/null', ...args], { env: sb.env, encoding: 'utf8' });
  let last = '';
  const pane = async (want: string | RegExp) =>
    eventually(async () => {
      const text = (last = tmux('capture-pane', '-p', '-t', target));
      return (typeof want === 'string' ? text.includes(want) : want.test(text)) ? text : null;
    }, `pane to show ${want}`).catch((e: Error) => {
      throw new Error(`${e.message}; the pane showed:\n${last}`);
    });
  const stop = () => {
    try {
      tmux('kill-server');
    } catch {
      /* already gone */
    }
  };
  return { tmux, pane, stop };
}

test('trail in tmux: start in a project, close the window, come back to the same shell', async () => {
  const sb = new Sandbox();
  const { tmux, pane, stop } = tmuxDriver(sb, 'e2e', 'w');
  const project = join(sb.dir, 'myproject');
  mkdirSync(project);
  try {
    const envArgs = Object.entries({ TRAIL_HOME: sb.home, HOME: sb.userHome, SHELL: '/bin/bash' }).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    tmux('new-session', '-d', '-s', 'w', '-x', '100', '-y', '30', ...envArgs, '-c', project, `${LAUNCHER}; echo CLIENT-LEFT; sleep 600`);
    await pane(/^\$/m);
    tmux('send-keys', '-t', 'w', 'cd sub 2>/dev/null || mkdir sub && cd sub && export KEEP=warm && pwd', 'Enter');
    await pane(/myproject\/sub\n/);
    // Close the window entirely, as a person closes a terminal.
    tmux('kill-session', '-t', 'w');
    const list = JSON.parse(execFileSync(process.execPath, [BIN, 'ls', '--json'], { env: sb.env, encoding: 'utf8' }));
    assert.equal(list.length, 1);
    assert.equal(list[0].name, 'myproject');
    // Come back: `trail` in the same directory finds the same session, same shell.
    tmux('new-session', '-d', '-s', 'w', '-x', '100', '-y', '30', ...envArgs, '-c', project, `${LAUNCHER}; echo CLIENT-LEFT; sleep 600`);
    await pane(/myproject\/sub/);
    tmux('send-keys', '-t', 'w', 'echo "still $KEEP in $(basename $PWD)"', 'Enter');
    await pane('still warm in sub');
    tmux('send-keys', '-t', 'w', 'C-\\');
    const after = await pane('CLIENT-LEFT');
    // The goodbye line comes below the session's last output, where the cursor was, not on top of it.
    assert.match(after, /still warm in sub\n(.*\n)*\[detached from myproject\]\n(.*\n)*CLIENT-LEFT/);
  } finally {
    stop();
    await sb.cleanup();
  }
});

test("the README's quick-start command opens a session, as a person would type it", async () => {
  // The first line of the quick start is `npm install && <run command>   # …`;
  // npm install has run (we are its tests), so type the rest in the checkout.
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const line = /## Quick start\s+```sh\n(.*)\n/.exec(readme)?.[1] ?? '';
  const run = /^npm install && (.*?)\s+#/.exec(line)?.[1];
  assert.ok(run, `the quick start's first line is "npm install && <command>  # …", not ${JSON.stringify(line)}`);
  const sb = new Sandbox();
  const { tmux, pane, stop } = tmuxDriver(sb, 'readme', 'r');
  try {
    // An empty npm cache, as on a fresh machine, in case the quick start ever goes through npm again.
    const fresh = { TRAIL_HOME: sb.home, HOME: sb.userHome, SHELL: '/bin/bash', npm_config_cache: join(sb.dir, 'npm-cache') };
    const envArgs = Object.entries(fresh).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    tmux('new-session', '-d', '-s', 'r', '-x', '100', '-y', '30', ...envArgs, '-c', ROOT, `${run}; echo CLIENT-LEFT; sleep 600`);
    await pane(/^\$/m);
    tmux('send-keys', '-t', 'r', 'echo quick-$((6*7))', 'Enter');
    await pane('quick-42');
    tmux('send-keys', '-t', 'r', 'C-\\');
    await pane(/\[detached from .+\]\n(.*\n)*CLIENT-LEFT/);
  } finally {
    stop();
    await sb.cleanup();
  }
});
