// Shell-hook overhead: the time from Enter to the next prompt for a no-op
// command, with trail's hooks and without, in the same shell and rc files.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as pty from 'node-pty';
import { World, pct, sleep } from './lib.js';
import { scriptsDir } from '../src/shell/integration.js';

const PROMPT = 'P> ';

async function roundTrips(file: string, args: string[], env: Record<string, string>, n: number): Promise<number[]> {
  const p = pty.spawn(file, args, { cols: 120, rows: 40, env, name: 'xterm-256color', cwd: env.HOME });
  let buf = '';
  let waiter: (() => void) | null = null;
  p.onData((d) => {
    buf += d;
    if (waiter && buf.includes(PROMPT)) {
      buf = '';
      const w = waiter;
      waiter = null;
      w();
    }
  });
  const next = () => new Promise<void>((r) => (waiter = r));
  await sleep(1500); // let the shell start and draw its first prompt
  buf = '';
  const samples: number[] = [];
  for (let i = 0; i < n + 20; i++) {
    const wait = next();
    const t0 = performance.now();
    p.write('true\r');
    await wait;
    if (i >= 20) samples.push(performance.now() - t0); // the first ones warm up
  }
  p.kill();
  return samples.sort((a, b) => a - b);
}

export async function hooks(n: number): Promise<string[]> {
  const w = new World();
  const out: string[] = [`shell hook overhead: Enter to next prompt for \`true\`, 3 × ${n} prompts each, alternating; added = with hooks - without`];
  try {
    writeFileSync(join(w.userHome, '.bashrc'), `PS1='${PROMPT}'\n`);
    writeFileSync(join(w.userHome, '.zshrc'), `PS1='${PROMPT}'\n`);
    mkdirSync(join(w.userHome, '.config', 'fish'), { recursive: true });
    // Without this fish's first start parses man pages in the background (CPU noise).
    mkdirSync(join(w.userHome, '.local', 'share', 'fish', 'generated_completions'), { recursive: true });
    writeFileSync(join(w.userHome, '.config', 'fish', 'config.fish'), `set -g fish_greeting\nfunction fish_prompt; printf '${PROMPT}'; end\n`);
    // as the daemon does: the scratch file on tmpfs
    const hookEnv = { ...w.env, TRAIL_NONCE: 'benchnonce', TRAIL_TMP: join(existsSync('/dev/shm') ? '/dev/shm' : w.dir, `trail-bench-${process.pid}.tmp`) };
    const cases: [string, [string, string[], Record<string, string>], [string, string[], Record<string, string>]][] = [
      ['bash', ['bash', ['--init-file', join(scriptsDir, 'trail.bash')], hookEnv], ['bash', ['-i'], w.env]],
      ['zsh', ['zsh', ['-i'], { ...hookEnv, ZDOTDIR: join(scriptsDir, 'zsh') }], ['zsh', ['-i'], w.env]],
      ['fish', ['fish', ['--init-command', `source '${join(scriptsDir, 'trail.fish')}'`], hookEnv], ['fish', [], w.env]],
    ];
    for (const [name, hooked, plain] of cases) {
      // Alternate the two, three rounds each, so drift on the machine hits both alike.
      const without: number[] = [];
      const withH: number[] = [];
      for (let round = 0; round < 3; round++) {
        without.push(...(await roundTrips(plain[0], plain[1], plain[2], n)));
        withH.push(...(await roundTrips(hooked[0], hooked[1], hooked[2], n)));
      }
      without.sort((a, b) => a - b);
      withH.sort((a, b) => a - b);
      const added50 = pct(withH, 50) - pct(without, 50);
      const added99 = pct(withH, 99) - pct(without, 99);
      out.push(
        `  ${name.padEnd(5)} without ${pct(without, 50).toFixed(3)} / ${pct(without, 99).toFixed(3)} ms   with ${pct(withH, 50).toFixed(3)} / ${pct(withH, 99).toFixed(3)} ms (p50 / p99)   added: median ${added50.toFixed(3)} ms, p99 ${added99.toFixed(3)} ms   (goal ≤ 0.3 ms; Atuin's hooks ~1.8 ms: ${(added50 / 1.8).toFixed(2)}×)`,
      );
    }
  } finally {
    w.stop();
  }
  return out;
}
