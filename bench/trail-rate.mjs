// How fast the trail keeps up with a shell: 2,000 command lines pasted into
// bash, the time until the client has seen the last output and until the last
// record is ended in trail.db. Run after `npm run build`:
//   node bench/trail-rate.mjs [plain|git] [--exec]   (--exec: each line also runs /bin/true)
import { Sandbox, sleep } from '../dist/test/helpers.js';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import Database from 'better-sqlite3';

const git = process.argv[2] === 'git';
const exec = process.argv.includes('--exec');
const sb = new Sandbox();
sb.file('.bashrc', "PS1='rate$ '\n");
await sb.startDaemon();
const dir = git ? sb.dir + '/repo' : sb.userHome;
if (git) {
  mkdirSync(dir);
  execFileSync('git', ['-C', dir, 'init', '-q']);
}
await sb.trail(['new', 'x', '-d', '--dir', dir]);
const c = sb.attach(['attach', 'x'], { cols: 120, rows: 30 });
await c.waitFor('rate$');
const N = 2000;
const t0 = Date.now();
c.type(Array.from({ length: N }, (_, i) => `echo ok-${i + 1} >> /dev/null;${exec ? ' /bin/true;' : ''} echo ok-${i + 1}\r`).join(''));
await c.waitFor(`ok-${N}\r`, 'raw', 120_000);
const t1 = Date.now();
const db = new Database(sb.home + '/trail.db', { readonly: true });
while (db.prepare('select count(*) n from commands where ended_at is not null').get().n < N) await sleep(20);
const t2 = Date.now();
console.log(`${git ? 'git repo' : 'plain dir'}${exec ? ', /bin/true each' : ''}: client saw all ${N} in ${t1 - t0} ms; trail had all ended in ${t2 - t0} ms (lag ${t2 - t1} ms)`);
c.kill();
await sb.cleanup();
