// Makes docs/briefing-on-attach.png: a real session, a real time away, and
// what `trail` shows on coming back, as tmux showed it, drawn by xterm.js in
// Debian's Chromium. Not part of the build or the tests; it needs
//   apt-get install chromium tmux git
//   npm install --no-save --prefix /tmp/shot playwright-core @xterm/xterm
// then: node scripts/briefing-screenshot.mjs (after npm run build).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'trail');
const SHOT = process.env.SHOT_MODULES ?? '/tmp/shot/node_modules';
const require = createRequire(join(SHOT, 'x.js'));
const { chromium } = require('playwright-core');

const dir = mkdtempSync(join(tmpdir(), 'trail-shot-'));
const home = join(dir, 'state');
const user = join(dir, 'home');
const proj = join(user, 'shop');
mkdirSync(proj, { recursive: true });
mkdirSync(home, { recursive: true, mode: 0o700 });
writeFileSync(join(home, 'config.yaml'), 'brief: { after: 0s }\n');
writeFileSync(join(user, '.bashrc'), "PS1='\\[\\e[32m\\]\\w\\[\\e[0m\\] $ '\n");
const env = { ...process.env, TRAIL_HOME: home, HOME: user, SHELL: '/bin/bash', TERM: 'xterm-256color', GIT_AUTHOR_NAME: 'you', GIT_AUTHOR_EMAIL: 'you@example.com', GIT_COMMITTER_NAME: 'you', GIT_COMMITTER_EMAIL: 'you@example.com' };
delete env.TMUX;
delete env.TRAIL_SESSION;
const sh = (cmd) => execFileSync('/bin/sh', ['-c', cmd], { env, cwd: proj, encoding: 'utf8' });
const tmux = (...a) => execFileSync('tmux', ['-L', 'trailshot', ...a], { env, encoding: 'utf8' });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const waitFor = async (re) => {
  for (let i = 0; i < 100; i++) {
    const screen = tmux('capture-pane', '-p', '-t', 'shot', '-S', '-60');
    if (re.test(screen)) return;
    if (i === 99) console.error(screen);
    await sleep(100);
  }
  throw new Error(`never saw ${re}`);
};

try {
  writeFileSync(join(proj, 'checkout.py'), 'def total(cart):\n    return sum(i.price for i in cart)\n');
  writeFileSync(
    join(proj, 'trail.yaml'),
    'services:\n  api:\n    command: python3 -m http.server 18765 --bind 127.0.0.1\n    ready: { port: 18765 }\n  worker:\n    command: "sleep 2; echo \'Error: redis connection refused (127.0.0.1:6379)\' >&2; exit 1"\n    backoff: { initial: 200ms, max: 200ms }\n    max_restarts: 2\n',
  );
  sh('git init -q -b main && git add . && git commit -q -m "checkout totals"');
  tmux('new-session', '-d', '-s', 'shot', '-x', '112', '-y', '34', '-c', proj, '-e', `TRAIL_HOME=${home}`, '-e', `HOME=${user}`, 'bash --norc');
  tmux('send-keys', '-t', 'shot', `cd ${proj} && ${BIN}`, 'Enter');
  await waitFor(/shop \$\s*$/m);
  for (const c of ['trail up api', 'python3 -c "import checkout"', 'git checkout -q -b fix/rounding', `trail note "total() must round to cents" --file checkout.py:2`])
    (tmux('send-keys', '-t', 'shot', c, 'Enter'), await sleep(1500));
  tmux('send-keys', '-t', 'shot', 'sleep 3; echo "FAILED tests/test_totals.py::test_rounding - assert 10.005 == 10.01"; (exit 1)', 'Enter');
  await sleep(500);
  tmux('send-keys', '-t', 'shot', 'C-\\');
  await sleep(500);
  // Away: a service gives up, the test run fails, a commit lands, a file changes under the note.
  sh(`TRAIL_HOME=${home} ${BIN} up worker --session shop || true`);
  writeFileSync(join(proj, 'checkout.py'), 'def total(cart):\n    return round(sum(i.price for i in cart), 2)\n');
  sh('git commit -q -am "round totals to cents"');
  writeFileSync(join(proj, 'README.md'), '# shop\n');
  await sleep(3500);
  tmux('send-keys', '-t', 'shot', 'clear', 'Enter');
  tmux('send-keys', '-t', 'shot', BIN, 'Enter');
  await waitFor(/trail: shop/);
  await sleep(1500);
  const ansi = tmux('capture-pane', '-p', '-e', '-t', 'shot', '-S', '-40');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  const page = await browser.newPage({ viewport: { width: 1000, height: 900 }, deviceScaleFactor: 1.5 });
  await page.setContent('<html><body style="margin:0;background:#1e1e1e"><div id="t" style="padding:10px"></div></body></html>');
  await page.addStyleTag({ path: join(SHOT, '@xterm/xterm/css/xterm.css') });
  await page.addScriptTag({ path: join(SHOT, '@xterm/xterm/lib/xterm.js') });
  const lines = ansi.replace(/\n+$/, '').split('\n');
  await page.evaluate(
    ({ text, rows }) =>
      new Promise((resolve) => {
        const term = new window.Terminal({ cols: 112, rows, fontSize: 13, fontFamily: 'DejaVu Sans Mono, monospace', theme: { background: '#1e1e1e' } });
        term.open(document.getElementById('t'));
        term.write(text, resolve);
      }),
    { text: lines.join('\r\n'), rows: lines.length },
  );
  await sleep(300);
  const out = join(ROOT, 'docs', 'briefing-on-attach.png');
  await (await page.$('#t')).screenshot({ path: out });
  await browser.close();
  console.log(`wrote ${out}`);
  console.log(ansi.replace(/\x1b\[[0-9;]*m/g, ''));
} finally {
  try {
    execFileSync(BIN, ['daemon', 'stop', '--force'], { env, stdio: 'ignore' });
  } catch {}
  try {
    tmux('kill-server');
  } catch {}
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  } catch {}
}
