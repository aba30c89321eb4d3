// The CLI as one CommonJS file: Node 20 loads ES modules one by one (~1 ms
// each) and its ES module loader costs ~3 ms to start, while `trail attach` is
// a start-up race (reattach goal 100 ms, of which bare Node takes ~75). The
// bundle sits beside main.js so the relative URLs in it (the daemon entry,
// package.json) resolve the same; packages stay external.
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/src/cli/main.js'],
  outfile: 'dist/src/cli/main.bundle.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  external: ['../server/main.js'],
  define: { 'import.meta.url': '__trail_module_url' },
  banner: { js: "const __trail_module_url = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
});
