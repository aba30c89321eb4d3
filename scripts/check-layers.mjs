// The build keeps the layers: transports (cli, server, web, mcp) -> api ->
// core (daemon, store, shell) -> common. A wrong import fails `npm run build`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..', 'src');
const allowed = {
  common: [],
  contract: ['common'],
  platform: ['common'],
  wire: ['common', 'contract', 'platform'],
  store: ['common'],
  shell: ['common'],
  daemon: ['common', 'platform', 'store', 'shell'],
  api: ['common', 'contract', 'platform', 'daemon', 'store', 'shell'],
  // The daemon client: what every transport that talks to a daemon uses.
  client: ['common', 'contract', 'platform', 'wire'],
  // server/ hosts the transports: the socket, and HTTP (MCP at /mcp, with the client's error type).
  server: ['common', 'contract', 'platform', 'wire', 'api', 'daemon', 'store', 'mcp', 'client'],
  // cli may start the MCP transport (trail mcp runs it in its own process, as trail daemon runs the server).
  cli: ['common', 'contract', 'platform', 'wire', 'api', 'client', 'mcp'],
  mcp: ['common', 'contract', 'platform', 'api', 'client'],
  web: ['common', 'contract', 'platform', 'api', 'client'],
};
// Packages common/ and contract/ may use: plain JavaScript, no Node or DOM (zod; re2js, a linear-time regex engine).
const PURE_JS = new Set(['zod', 're2js']);
// The one deliberate exception: `trail daemon` runs the daemon in its own process.
const exceptions = new Set(['cli/cmd-daemon.ts -> server/main.js']);
// server/ is the daemon's entry and wiring: it builds the core objects the api runs on.

const problems = [];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.ts') && !p.endsWith('.test.ts')) check(p); // tests may use node:test
  }
}
function check(file) {
  const rel = relative(root, file);
  const layer = rel.split('/')[0];
  const src = readFileSync(file, 'utf8');
  const re = /(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of src.matchAll(re)) {
    const spec = m[1] ?? m[2];
    if ((layer === 'common' || layer === 'contract') && (spec.startsWith('node:') || !spec.startsWith('.')) && !PURE_JS.has(spec))
      problems.push(`${rel}: ${layer}/ must not depend on ${spec} (it builds without Node, for a browser or the MCP server)`);
    if (!spec.startsWith('.')) continue;
    const target = relative(root, resolve(dirname(file), spec)).split('/')[0];
    if (target === layer) continue;
    const key = `${rel} -> ${relative(root, resolve(dirname(file), spec))}`;
    if (exceptions.has(key)) continue;
    if (!(allowed[layer] ?? []).includes(target)) problems.push(`${rel}: ${layer}/ may not import ${target}/ (${spec})`);
  }
}
walk(root);
if (problems.length) {
  console.error('layer check failed:\n  ' + problems.join('\n  '));
  process.exit(1);
}
