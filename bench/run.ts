// `npm run bench [-- NAME...]`: runs the benchmarks and prints each figure
// beside its baseline from the same run. Names: throughput latency reattach memory hooks search picker services svc-logs svc-echo svc-follow svc-memory svc-search returning mcp-run mcp-tokens mcp-echo.
import { throughput, latency, reattach, memory } from './terminal.js';
import { hooks } from './hooks.js';
import { search } from './search.js';
import { picker } from './picker.js';
import { services, serviceLogs, echoUnderFlood, serviceMemory, serviceSearch, followLatency } from './services.js';
import { returning } from './returning.js';
import { mcpRun, mcpTokens, mcpEcho } from './mcp.js';

const quick = process.env.BENCH_QUICK === '1';
const all: Record<string, () => Promise<string[]>> = {
  throughput: () => throughput(quick ? 20 : 100, quick ? 1 : 3),
  latency: () => latency(quick ? 200 : 2000, quick),
  reattach: () => reattach(10_000, quick ? 3 : 10),
  memory: () => memory(10),
  hooks: () => hooks(quick ? 100 : 1000),
  picker: () => picker(Number(process.env.BENCH_PICKER_COMMANDS ?? (quick ? 20_000 : 1_000_000)), quick ? 3 : 10),
  services: () => services(10, quick ? 2 : 9),
  'svc-logs': () => serviceLogs(quick ? 5 : 20, quick ? 2 : 4),
  'svc-echo': () => echoUnderFlood(quick ? 400 : 4000),
  'svc-follow': () => followLatency(quick ? 20 : 100),
  'svc-memory': () => serviceMemory(20),
  'mcp-run': () => mcpRun(quick ? 20 : 100),
  'mcp-tokens': () => mcpTokens(),
  'mcp-echo': () => mcpEcho(quick ? 400 : 3000),
  returning: () => returning(quick ? 50_000 : 1_000_000, quick ? 5_000 : 100_000),
  'svc-search': () => serviceSearch(Number(process.env.BENCH_LOG_GB ?? (quick ? 0.05 : 1))),
  search: () => search(Number(process.env.BENCH_SEARCH_COMMANDS ?? (quick ? 20_000 : 1_000_000)), Number(process.env.BENCH_SEARCH_OUTPUT_BYTES ?? 2000)),
};
const names = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(all);
console.log(`trail benchmarks, ${new Date().toISOString()}, node ${process.version}, ${(await import('node:os')).cpus().length} cores`);
for (const n of names) {
  const f = all[n];
  if (!f) {
    console.error(`unknown benchmark ${n}; have: ${Object.keys(all).join(' ')}`);
    process.exit(2);
  }
  for (const line of await f()) console.log(line);
  console.log('');
}
process.exit(0);
