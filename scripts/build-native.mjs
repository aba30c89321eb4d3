// Builds the native byte relay (native/relay.c -> dist/native/relay.node)
// with the C compiler and Node's own headers: one file, no node-gyp project
// to keep. A machine without a compiler or the headers still gets a working
// trail (the daemon moves bytes in JavaScript), so a failure here warns and
// does not fail the build; the test "the daemon moves bytes natively" is what
// fails in CI if the relay did not build there.
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const src = join(root, 'native', 'relay.c');
const out = join(root, 'dist', 'native', 'relay.node');

if (process.platform !== 'linux') process.exit(0);
if (existsSync(out) && statSync(out).mtimeMs >= statSync(src).mtimeMs) process.exit(0);

const includes = [
  process.env.npm_config_nodedir && join(process.env.npm_config_nodedir, 'include', 'node'),
  join(dirname(process.execPath), '..', 'include', 'node'),
].filter((d) => d && existsSync(join(d, 'node_api.h')));
if (!includes.length) {
  console.warn('trail: Node headers (node_api.h) not found: the daemon will move bytes in JavaScript');
  process.exit(0);
}
mkdirSync(dirname(out), { recursive: true });
rmSync(out, { force: true }); // never leave a module built from older source
const args = ['-O2', '-fPIC', '-shared', '-pthread', '-Wall', '-Wextra', '-Wno-unused-parameter', '-I', includes[0], src, '-o', out];
const compilers = process.env.CC ? [process.env.CC] : ['cc', 'gcc', 'clang'];
const built = compilers.some((cc) => {
  const r = spawnSync(cc, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  return !r.error && r.status === 0;
});
if (!built) console.warn(`trail: could not build the native relay (tried ${compilers.join(', ')}): the daemon will move bytes in JavaScript`);
