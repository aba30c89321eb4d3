// The CLI as one file: Node 20 loads ES modules one by one (~1 ms each), and
// `trail attach` is a start-up race (reattach goal 100 ms, of which bare Node
// takes ~75). The bundle sits beside main.js so the relative URLs in it (the
// daemon entry, package.json) resolve the same; packages stay external.
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/src/cli/main.js'],
  outfile: 'dist/src/cli/main.bundle.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  external: ['../server/main.js'],
  logLevel: 'warning',
});
