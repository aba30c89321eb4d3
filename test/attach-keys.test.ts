// What a person sees while attached: notices on the screen's bottom row that
// say where they are and what a key did, drawn away after a moment with the
// screen as it was, and the keys a tmux user expects.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PtyClient, Sandbox } from './helpers.js';

const ROWS = 30;
const lastRow = async (c: PtyClient) => (await c.screen()).split('\n')[ROWS - 1];

for (const relay of ['native', 'js'] as const)
  describe(`on-screen notices and keys (${relay} byte relay)`, () => {
    const sb = new Sandbox(relay === 'js' ? { TRAIL_RELAY: 'js' } : {});
    before(async () => {
      await sb.startDaemon();
    });
    after(async () => {
      await sb.cleanup();
    });

    test('attaching says where you are and the keys that matter, then the bottom row shows the session again', async () => {
      await sb.trail(['new', 'hint', '-d', '--dir', sb.userHome]);
      const a = sb.attach(['attach', 'hint']);
      const shown = await a.waitFor(/session hint, terminal 0 · Ctrl-\\ detach · Ctrl-\] \? keys/);
      assert.match(shown.split('\n')[ROWS - 1], /trail: session hint/, 'on the bottom row');
      await a.waitFor((s) => !s.includes('Ctrl-] ? keys'));
      a.type('echo typed-after-$((2*21))\r');
      await a.waitFor('typed-after-42');
      a.type('\x1c');
      assert.equal(await a.left(), 0);
    });

    test('a bad terminal number is said at once, on screen; the screen, colours and cursor come back as they were', async () => {
      await sb.trail(['new', 'badnum', '-d', '--dir', sb.userHome]);
      await sb.trail(['term', 'new', 'badnum']);
      const a = sb.attach(['attach', 'badnum', '-t', '0']);
      await a.waitFor('Ctrl-] ? keys');
      await a.waitFor((s) => !s.includes('Ctrl-] ? keys'));
      // Fill the screen, and leave red text on the bottom row with the cursor after it.
      a.type("clear; seq 1 60; printf '\\e[31mRED-ROW\\e[0m'; read -r x\r");
      await a.waitFor(/RED-ROW$/m);
      const before = await a.screen();
      assert.match(await lastRow(a), /^RED-ROW/);
      a.type('\x1d7');
      const flashed = await a.waitFor('no terminal 7 in badnum; terminals: 0 1');
      assert.match(flashed.split('\n')[ROWS - 1], /no terminal 7/);
      await a.waitFor((s) => !s.includes('no terminal 7'));
      assert.equal(await a.screen(), before, 'the screen is as it was');
      const cell = a.term.buffer.active.getLine(a.term.buffer.active.viewportY + ROWS - 1)!.getCell(0)!;
      assert.ok(cell.isFgPalette() && cell.getFgColor() === 1, 'the red is red again');
      // The cursor went back after the red text: what is typed lands there.
      a.type('typed-here');
      await a.waitFor(/RED-ROWtyped-here/);
      a.type('\r');
      a.type('\x1c');
      assert.equal(await a.left(), 0);
      assert.doesNotMatch(a.raw.slice(a.raw.lastIndexOf('\x1b[?1049h')), /no terminal 7/, 'not repeated on leaving');
    });

    test('switching says which terminal you are in; l goes back to the last one; ? lists the keys; an unbound key is named', async () => {
      await sb.trail(['new', 'sw', '-d', '--dir', sb.userHome]);
      await sb.trail(['term', 'new', 'sw']);
      await sb.trail(['term', 'new', 'sw']);
      const a = sb.attach(['attach', 'sw', '-t', '0']);
      await a.waitFor('Ctrl-] ? keys');
      a.type('echo in-zero\r');
      await a.waitFor('in-zero');
      a.type('\x1d2');
      await a.waitFor('terminal 2 of sw (3 terminals)');
      a.type('\x1dl');
      await a.waitFor('terminal 0 of sw (3 terminals)');
      await a.waitFor('in-zero');
      a.type('\x1dl');
      await a.waitFor('terminal 2 of sw (3 terminals)');
      a.type('\x1d?');
      const help = await a.waitFor('trail keys: Ctrl-\\ detach');
      assert.match(help, /l last terminal/);
      assert.match(help, /s sessions/);
      a.type('\x1dz');
      await a.waitFor('Ctrl-] z is not a trail key; Ctrl-] ? lists them');
      a.type('\x1c');
      assert.equal(await a.left(), 0);
    });

    test('prefix then the detach key sends the detach key to the program', async () => {
      await sb.trail(['new', 'literal', '-d', '--dir', sb.userHome]);
      const a = sb.attach(['attach', 'literal']);
      await a.waitFor('Ctrl-] ? keys');
      a.type('stty -isig; echo isig-$((1+1))-off; cat -v\r');
      await a.waitFor(/^isig-2-off$/m);
      a.type('\x1d\x1c\r');
      await a.waitFor(/^\^\\$/m);
      a.type('\x04stty isig; echo still-attached\r');
      await a.waitFor(/^still-attached$/m);
      a.type('\x1c');
      assert.equal(await a.left(), 0);
    });

    test('prefix s lists the sessions and a number switches to one without leaving', async () => {
      await sb.trail(['new', 'first-s', '-d', '--dir', sb.userHome]);
      await sb.trail(['new', 'second-s', '-d', '--dir', sb.userHome]);
      const a = sb.attach(['attach', 'first-s']);
      await a.waitFor('Ctrl-] ? keys');
      a.type('echo in-first\r');
      await a.waitFor('in-first');
      a.type('\x1ds');
      const list = await a.waitFor(/sessions: .*first-s\*/);
      const n = / (\d) second-s/.exec(list)?.[1];
      assert.ok(n, list);
      a.type(n);
      await a.waitFor('session second-s, terminal 0');
      a.type('echo in-second; echo $TRAIL_SESSION\r');
      await a.waitFor(/^second-s$/m);
      a.type('\x1c');
      assert.equal(await a.left(), 0);
      assert.match(a.raw, /\[detached from second-s\]/);
    });

    test('another client resizing the terminal is said to the one watching', async () => {
      await sb.trail(['new', 'sizes', '-d', '--dir', sb.userHome]);
      const a = sb.attach(['attach', 'sizes']);
      await a.waitFor('Ctrl-] ? keys');
      await a.waitFor((s) => !s.includes('Ctrl-] ? keys'));
      const b = sb.attach(['attach', 'sizes'], { cols: 90, rows: 20 });
      await b.waitFor('Ctrl-] ? keys');
      await a.waitFor(/resized this terminal to 90x20/);
      b.type('\x1c');
      await b.left();
      a.type('\x1c');
      assert.equal(await a.left(), 0);
    });
  });

describe('the status line (status: true in config.yaml)', () => {
  const sb = new Sandbox();
  before(async () => {
    mkdirSync(sb.home, { recursive: true, mode: 0o700 });
    writeFileSync(join(sb.home, 'config.yaml'), 'status: true\n');
    await sb.startDaemon();
  });
  after(async () => {
    await sb.cleanup();
  });

  test('the bottom row says where you are, and stays through scrolling, clear, a scroll region reset and a switch; leaving takes it off', async () => {
    await sb.trail(['new', 'st', '-d', '--dir', sb.userHome]);
    const a = sb.attach(['attach', 'st']);
    const status = (s: string) => s.split('\n')[ROWS - 1];
    await a.waitFor((s) => /^ trail: st · terminal 0 \(1\/1\) · Ctrl-\] \? keys/.test(status(s)));
    // The shell has the rows above it.
    a.type('echo "rows=$(tput lines)"\r');
    await a.waitFor(`rows=${ROWS - 1}`);
    a.type('seq 1 100; echo after-seq\r');
    const scrolled = await a.waitFor(/^after-seq$/m);
    assert.match(status(scrolled), /trail: st · terminal 0/);
    assert.match(await a.allText(), /^57$/m, 'the lines that scrolled away are in the scrollback');
    a.type("clear; printf '\\e[r'; seq 1 40; echo after-reset\r");
    const reset = await a.waitFor(/^after-reset$/m);
    assert.match(status(reset), /trail: st · terminal 0/, reset);
    assert.equal(reset.split('\n')[ROWS - 2], '$ ', 'the prompt is on the row above the status line');
    a.type('\x1dc');
    await a.waitFor((s) => /trail: st · terminal 1 \(2\/2\)/.test(status(s)));
    a.type('\x1c');
    assert.equal(await a.left(), 0);
    const after = (await a.screen()).split('\n');
    assert.ok(!after.some((l) => l.includes('trail: st · terminal')), after.join('\n'));
  });

  test("the session's services are on it, drawn again as they change", async () => {
    const proj = join(sb.userHome, 'withsvc');
    mkdirSync(proj, { recursive: true });
    writeFileSync(join(proj, 'trail.yaml'), 'services:\n  worker:\n    command: sleep 1000\n  broken:\n    command: exit 3\n    autostart: false\n');
    await sb.trail(['new', 'sv', '-d', '--dir', proj]);
    await sb.trail(['up', '--session', 'sv']);
    const a = sb.attach(['attach', 'sv', '--no-brief']);
    const status = (s: string) => s.split('\n')[ROWS - 1];
    await a.waitFor((s) => /trail: sv · terminal 0 \(1\/1\) · services 1\/2 up · /.test(status(s)));
    await sb.trail(['svc', 'start', 'broken', '--session', 'sv']);
    await a.waitFor((s) => /services 1\/2 up \(broken (exited|failed|gave up|restarting)\)/.test(status(s)));
    await sb.trail(['down', '--session', 'sv']);
    await a.waitFor((s) => /services 0\/2 up/.test(status(s)));
    a.type('\x1c');
    assert.equal(await a.left(), 0);
  });

  test("an agent's command waiting for approval stays on it until decided; arriving without a status line says it too", async () => {
    await sb.trail(['new', 'ap', '-d', '--dir', sb.userHome]);
    await sb.trail(['policy', 'ap', 'run']);
    const { DaemonClient } = await import('../src/client/daemon-client.js');
    const saved = process.env.TRAIL_HOME;
    process.env.TRAIL_HOME = sb.home;
    const c = await DaemonClient.connect({ start: false });
    process.env.TRAIL_HOME = saved;
    try {
      const a = sb.attach(['attach', 'ap', '--no-brief']);
      const status = (s: string) => s.split('\n')[ROWS - 1];
      await a.waitFor((s) => /trail: ap · terminal 0/.test(status(s)));
      const asked = await c.call('terminal.run', { session: 'ap', command: 'rm -rf build', actor: 'agent:test' });
      assert.equal(asked.status, 'awaiting approval');
      const id = asked.approval!;
      await a.waitFor((s) => status(s).includes(`1 waiting for approval: trail approve ${id}`));
      // Still there after the notice of the request has gone: the shell's output moves on.
      a.type('echo moved-on\r');
      const later = await a.waitFor(/^moved-on$/m);
      assert.match(status(later), new RegExp(`1 waiting for approval: trail approve ${id}`));
      // Without a status line (a client too short for one), arriving says it.
      const b = sb.attach(['attach', 'ap', '--no-brief'], { cols: 160, rows: 2 });
      await b.waitFor(`1 waiting for approval: trail approve ${id}`);
      b.type('\x1c');
      assert.equal(await b.left(), 0);
      assert.equal((await sb.trail(['deny', String(id)])).code, 0);
      await a.waitFor((s) => /trail: ap · terminal 0/.test(status(s)) && !status(s).includes('waiting for approval'));
      a.type('\x1c');
      assert.equal(await a.left(), 0);
    } finally {
      c.close();
    }
  });
});
