// A person's first minutes with trail, driven through tmux (send-keys and
// capture-pane) on a private tmux server: run `trail` in a project, work,
// close the window, come back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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

/** A tmux pane running a plain bash, as a person's own terminal before they run trail. */
async function plainPane(sb: Sandbox, name: string) {
  const d = tmuxDriver(sb, name, name);
  const envArgs = Object.entries({ TRAIL_HOME: sb.home, HOME: sb.userHome, SHELL: '/bin/bash' }).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  d.tmux('new-session', '-d', '-s', name, '-x', '80', '-y', '24', ...envArgs, '-c', sb.dir, `env PS1='$ ' PATH=${join(ROOT, 'bin')}:${process.env.PATH} bash --norc --noprofile`);
  await d.pane(/^\$$/m);
  /** The pane's whole history and screen, as lines. */
  const history = () => d.tmux('capture-pane', '-p', '-S', '-', '-E', '-', '-t', name).replace(/\n+$/, '').split('\n');
  return { ...d, history };
}

/** True when `want` appear in `lines` in this order. */
function inOrder(lines: string[], want: (string | RegExp)[]): boolean {
  let i = 0;
  for (const l of lines) if (i < want.length && (typeof want[i] === 'string' ? l === want[i] : (want[i] as RegExp).test(l))) i++;
  return i === want.length;
}

test("a visit keeps the outer terminal's screen and scrollback, and detaching ends on a clean line below the session's screen", async () => {
  const sb = new Sandbox();
  const { tmux, pane, history, stop } = await plainPane(sb, 'outer');
  try {
    tmux('send-keys', '-t', 'outer', "seq -f 'before-%g' 1 40", 'Enter');
    await pane('before-40');
    // A full-screen program leaves tmux a saved cursor near the top; a stray ESC[?1049l on detach would jump there.
    tmux('send-keys', '-t', 'outer', 'less /etc/hostname', 'Enter');
    await pane('(END)');
    tmux('send-keys', '-t', 'outer', 'q');
    await pane(/less \/etc\/hostname\n\$$/m);
    tmux('send-keys', '-t', 'outer', 'echo last-before-trail; trail new g8; echo CLIENT-LEFT', 'Enter');
    await pane(/^\$$/m);
    const shown = await pane(/\$\n*$/);
    assert.ok(!shown.includes('before-40'), `the session's screen replaced the outer one:\n${shown}`);
    tmux('send-keys', '-t', 'outer', 'echo one; echo two; echo three', 'Enter');
    await pane(/^three$/m);
    tmux('send-keys', '-t', 'outer', 'C-\\');
    await pane('CLIENT-LEFT');
    const lines = history();
    const all = lines.join('\n');
    // Everything from before the visit is still in the pane's history, in order, above the session's screen.
    assert.ok(inOrder(lines, [...Array.from({ length: 40 }, (_, i) => `before-${i + 1}`), '$ less /etc/hostname', 'last-before-trail', /echo one; echo two; echo three$/, 'one', 'two', 'three', '$', '[detached from g8]', 'CLIENT-LEFT']), all);
    // …and nothing was written over: the detach line comes right below the session's prompt.
    const at = lines.indexOf('[detached from g8]');
    assert.equal(lines[at - 1], '$', all);
    assert.equal(lines[at - 2], 'three', all);
  } finally {
    stop();
    await sb.cleanup();
  }
});

test('leaving a terminal that runs a full-screen program returns the outer terminal to its own screen, below the shell the program hid', async () => {
  const sb = new Sandbox();
  const { tmux, pane, history, stop } = await plainPane(sb, 'alt');
  try {
    tmux('send-keys', '-t', 'alt', "seq -f 'mine-%g' 1 5; trail new pager; echo CLIENT-LEFT", 'Enter');
    await pane(/^\$$/m);
    tmux('send-keys', '-t', 'alt', 'echo above-the-pager; seq 1 100 | less', 'Enter');
    await pane(/^:/m);
    tmux('send-keys', '-t', 'alt', 'C-\\');
    await pane('CLIENT-LEFT');
    // Come back while less still runs, and leave again.
    tmux('send-keys', '-t', 'alt', 'trail attach pager; echo CLIENT-LEFT-AGAIN', 'Enter');
    await pane(/^:/m);
    tmux('send-keys', '-t', 'alt', 'C-\\');
    // The outer shell's prompt comes a moment after the client's last line: wait for it.
    const after = await pane(/^CLIENT-LEFT-AGAIN\n\$$/m);
    assert.equal(tmux('display-message', '-p', '-t', 'alt', '#{alternate_on}').trim(), '0', 'the outer terminal is back on its normal screen');
    assert.match(after, /above-the-pager\n\[detached from pager\]\nCLIENT-LEFT-AGAIN\n\$$/m, JSON.stringify(after));
    assert.ok(inOrder(history(), ['mine-1', 'mine-5', /seq 1 100 \| less$/, 'above-the-pager', '[detached from pager]', 'CLIENT-LEFT']), history().join('\n'));
  } finally {
    stop();
    await sb.cleanup();
  }
});

test('Ctrl-R opens the search picker: fuzzy query, moving, filter modes; Enter puts the command on the prompt, not run', async () => {
  const sb = new Sandbox();
  sb.file('.bashrc', "PS1='$ '\nexport TRAIL_CTRL_R=1\n");
  const { tmux, pane, stop } = tmuxDriver(sb, 'pick', 'p');
  try {
    const envArgs = Object.entries({ TRAIL_HOME: sb.home, HOME: sb.userHome, SHELL: '/bin/bash' }).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    tmux('new-session', '-d', '-s', 'p', '-x', '100', '-y', '30', ...envArgs, '-c', sb.userHome, `${LAUNCHER} new picks; echo CLIENT-LEFT; sleep 600`);
    await pane(/^\$$/m);
    for (const line of ['echo alpha-one', 'true; echo gamma-two', 'echo beta-three', 'false || echo delta-four']) {
      tmux('send-keys', '-t', 'p', line, 'Enter');
      await pane(new RegExp(`^${line.split(' ').pop()}$`, 'm'));
    }
    await pane(/delta-four\n\$\n/);
    // Newest first; two down is the third newest.
    tmux('send-keys', '-t', 'p', 'C-r');
    await pane(/trail search · this session/);
    await pane(/^> ok .*false \|\| echo delta-four/m);
    tmux('send-keys', '-t', 'p', 'Down', 'Down');
    await pane(/^> ok .*true; echo gamma-two/m);
    tmux('send-keys', '-t', 'p', 'Enter');
    const put = await pane(/^\$ true; echo gamma-two$/m);
    assert.equal(put.match(/^gamma-two$/gm)?.length, 1, 'put on the prompt, not run');
    // A fuzzy query: two terms, letters spread out.
    tmux('send-keys', '-t', 'p', 'C-u', 'C-r');
    await pane(/trail search · this session/);
    tmux('send-keys', '-t', 'p', '-l', 'alp oe');
    await pane(/^> ok .*echo alpha-one/m);
    tmux('send-keys', '-t', 'p', 'Enter');
    await pane(/^\$ echo alpha-one$/m);
    tmux('send-keys', '-t', 'p', 'Enter');
    await pane(/^alpha-one\n(.*\n)*alpha-one\n\$$/m);
    // Ctrl-R inside the picker cycles the filter; Esc leaves the prompt as it was.
    tmux('send-keys', '-t', 'p', '-l', 'echo kept-');
    tmux('send-keys', '-t', 'p', 'C-r');
    await pane(/trail search · this session/);
    tmux('send-keys', '-t', 'p', 'C-r');
    await pane(/trail search · this directory/);
    tmux('send-keys', '-t', 'p', 'C-r');
    await pane(/trail search · everywhere/);
    tmux('send-keys', '-t', 'p', 'Escape');
    await pane(/^\$ echo kept-$/m);
    tmux('send-keys', '-t', 'p', 'C-u', 'echo end-of-picking', 'Enter');
    await pane(/^end-of-picking$/m);
    const log = JSON.parse(execFileSync(process.execPath, [BIN, 'log', 'picks', '--json'], { env: sb.env, encoding: 'utf8' })) as { command: string }[];
    assert.deepEqual(
      log.map((c) => c.command),
      ['echo alpha-one', 'true; echo gamma-two', 'echo beta-three', 'false || echo delta-four', 'echo alpha-one', 'echo end-of-picking'],
      'the picker itself leaves nothing in the trail',
    );
  } finally {
    stop();
    await sb.cleanup();
  }
});

test('long output goes through a pager on a terminal, and trail log says how many older entries it left out', async () => {
  const sb = new Sandbox();
  const { tmux, pane, stop } = await plainPane(sb, 'pager');
  try {
    const hist = sb.file('.bash_history', Array.from({ length: 30 }, (_, i) => `echo paged-${i + 1}`).join('\n') + '\n');
    tmux('send-keys', '-t', 'pager', `trail import bash ${hist} && clear`, 'Enter');
    await pane(/^\$$/m);
    tmux('send-keys', '-t', 'pager', 'trail log -a -n 25; echo AFTER-LOG', 'Enter');
    // less holds the screen (the first lines, and its prompt) until q: once its prompt shows, the shell has not gone on.
    const inPager = await pane(/5 older commands not shown: trail log -a -n 30[\s\S]*^:$/m);
    assert.doesNotMatch(inPager, /AFTER-LOG/);
    tmux('send-keys', '-t', 'pager', 'q');
    await pane('AFTER-LOG');
    // Not a terminal: no pager, the same words.
    tmux('send-keys', '-t', 'pager', 'clear; trail log -a -n 25 | head -1; trail log -a -n 25 --no-pager | tail -1', 'Enter');
    await pane(/^\(5 older commands not shown: trail log -a -n 30 shows them\)\n.*paged-30/m);
  } finally {
    stop();
    await sb.cleanup();
  }
});

test('switching sessions from the sessions list puts neither the list nor blank rows into the outer history (tmux scroll-on-clear)', async () => {
  const sb = new Sandbox();
  const { tmux, pane, history, stop } = await plainPane(sb, 'sw');
  try {
    tmux('send-keys', '-t', 'sw', 'trail new -d other-s >/dev/null; trail new first-s; echo CLIENT-LEFT', 'Enter');
    await pane(/^\$$/m);
    tmux('send-keys', '-t', 'sw', 'echo in-first', 'Enter');
    await pane(/^in-first$/m);
    tmux('send-keys', '-t', 'sw', 'C-]', 's');
    const list = await pane(/sessions: .*first-s\*/);
    const n = / (\d) other-s/.exec(list)?.[1];
    assert.ok(n, list);
    tmux('send-keys', '-t', 'sw', n);
    await pane(/session other-s, terminal 0/);
    tmux('send-keys', '-t', 'sw', 'C-\\');
    await pane('CLIENT-LEFT');
    const lines = history();
    assert.ok(!lines.some((l) => l.includes('sessions: ')), lines.join('\n'));
    let blank = 0;
    let most = 0;
    for (const l of lines) most = Math.max(most, (blank = l === '' ? blank + 1 : 0));
    assert.ok(most < 20, `a run of ${most} blank rows in the history:\n${lines.join('\n')}`);
  } finally {
    stop();
    await sb.cleanup();
  }
});

test('with a status line: a smaller window keeps the session usable and the line at the bottom; leaving from a full-screen program takes it off', async () => {
  const sb = new Sandbox();
  mkdirSync(sb.home, { recursive: true, mode: 0o700 });
  writeFileSync(join(sb.home, 'config.yaml'), 'status: true\n');
  const { tmux, pane, stop } = await plainPane(sb, 'stl');
  try {
    tmux('send-keys', '-t', 'stl', 'trail new st; echo CLIENT-LEFT', 'Enter');
    await pane(/trail: st · terminal 0 \(1\/1\)/);
    tmux('send-keys', '-t', 'stl', 'seq 1 40', 'Enter');
    await pane(/^40$/m);
    tmux('resize-window', '-t', 'stl', '-x', '80', '-y', '18');
    await eventually(async () => tmux('display-message', '-p', '-t', 'stl', '#{window_height}').trim() === '18', 'the window to shrink');
    tmux('send-keys', '-t', 'stl', 'echo one-$((1)); echo two-$((2))', 'Enter');
    // Output may reach the outer terminal before the resize has reached trail; once it has, the
    // status line is on the bottom row and the output is still on the screen above it.
    await pane(/^one-1\ntwo-2\n\$$/m);
    await eventually(async () => {
      const shown = tmux('capture-pane', '-p', '-t', 'stl');
      const rows = shown.replace(/\n+$/, '').split('\n');
      if (rows.length === 18 && /trail: st · terminal 0/.test(rows[17]) && /^one-1\ntwo-2\n\$\s*$/m.test(rows.slice(0, 17).join('\n'))) return true;
      throw new Error(`the screen:\n${shown}`);
    }, 'the status line on the bottom row, below the output');
    tmux('send-keys', '-t', 'stl', 'less /etc/hostname', 'Enter');
    await pane('(END)');
    tmux('send-keys', '-t', 'stl', 'C-\\');
    const after = await pane('CLIENT-LEFT');
    assert.doesNotMatch(after, /trail: st · terminal/, after);
  } finally {
    stop();
    await sb.cleanup();
  }
});
