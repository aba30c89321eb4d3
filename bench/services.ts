// `trail up` of a stack of services, against the same processes started by
// hand in the same order (each waiting for the one before it to accept on its
// port, as the dependencies say), in the same run. Each service is a small
// node HTTP server that is ready as soon as it listens.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { World, median, BIN } from './lib.js';

const SERVER = "require('http').createServer((q,s)=>s.end('ok')).listen(+process.argv[1],'127.0.0.1')";

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

async function waitPort(port: number): Promise<void> {
  while (!(await accepts(port))) await new Promise((r) => setTimeout(r, 5));
}

export async function services(n: number, rounds: number): Promise<string[]> {
  const w = new World();
  const out: string[] = [];
  const base = 30000 + Math.floor(Math.random() * 20000);
  const project = join(w.userHome, 'stack');
  mkdirSync(project, { recursive: true });
  const lines = ['services:'];
  for (let i = 0; i < n; i++) {
    lines.push(`  s${i}:`, `    command: node -e "${SERVER}" ${base + i}`, `    ready: { port: ${base + i}, period: 10ms }`);
    if (i > 0) lines.push(`    depends_on: { s${i - 1}: { condition: ready } }`);
  }
  writeFileSync(join(project, 'trail.yaml'), lines.join('\n') + '\n');
  try {
    await w.startDaemon();
    w.trail('new', 'stack', '-d', '--dir', project);
    const byHand: number[] = [];
    const byTrail: number[] = [];
    for (let r = 0; r < rounds; r++) {
      // By hand: each started once the one before accepts.
      const t0 = performance.now();
      const procs: ChildProcess[] = [];
      for (let i = 0; i < n; i++) {
        procs.push(spawn('/bin/sh', ['-c', `node -e "${SERVER}" ${base + i}`], { stdio: 'ignore', detached: true }));
        await waitPort(base + i);
      }
      byHand.push(performance.now() - t0);
      for (const p of procs) process.kill(-p.pid!, 'SIGKILL');
      for (let i = 0; i < n; i++) while (await accepts(base + i)) await new Promise((res) => setTimeout(res, 5));
      // trail up: the CLI returns once every service is ready.
      const t1 = performance.now();
      await new Promise<void>((resolve) => spawn(process.execPath, [BIN, 'up', '--session', 'stack'], { env: w.env, stdio: 'ignore' }).on('exit', () => resolve()));
      byTrail.push(performance.now() - t1);
      await new Promise<void>((resolve) => spawn(process.execPath, [BIN, 'down', '--session', 'stack'], { env: w.env, stdio: 'ignore' }).on('exit', () => resolve()));
    }
    const hand = median(byHand);
    const trail = median(byTrail);
    out.push(`services: trail up of ${n} node HTTP servers in a dependency chain, each ready when its port accepts (${rounds} rounds, median)`);
    out.push(`  by hand, each after the one before accepts: ${hand.toFixed(0)} ms`);
    out.push(`  trail up (CLI start to every service ready): ${trail.toFixed(0)} ms; overhead ${(trail - hand).toFixed(0)} ms for the stack (goal ≤ 100 ms)`);
  } finally {
    w.stop();
  }
  return out;
}
