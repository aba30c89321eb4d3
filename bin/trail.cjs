#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm install`), as
// one bundled CommonJS file when the build made it (Node starts that fastest:
// no ES module loader), else as ES modules.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');
const bundle = join(__dirname, '..', 'dist', 'src', 'cli', 'main.bundle.cjs');
const entry = join(__dirname, '..', 'dist', 'src', 'cli', 'main.js');
if (existsSync(bundle)) runBundle(bundle);
else if (existsSync(entry)) import(pathToFileURL(entry).href);
else {
  process.stderr.write('trail: not built yet; run `npm install` (or `npm run build`) in the trail checkout\n');
  process.exit(1);
}

/**
 * Runs the bundle as require would, with V8's code cache: compiling its
 * 240 KB was ~7 ms of every command's start, ~3 with the cache (Node 20 has
 * no compile cache of its own for CommonJS). The cache sits beside the
 * bundle, named by its size and time, since V8 checks a cache only against
 * its source's length; it is written once, by the first command that runs
 * without one, where dist/ can be written. Without vm's default loader for
 * import() (Node before 20.12) the bundle is simply required.
 */
function runBundle(file) {
  const vm = require('node:vm');
  const loader = vm.constants && vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER;
  if (!loader) return require(file);
  const fs = require('node:fs');
  const path = require('node:path');
  const Module = require('node:module');
  const st = fs.statSync(file);
  const cacheFile = path.join(path.dirname(file), `.main.bundle.${st.size}.${Math.trunc(st.mtimeMs)}.v8cache`);
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    /* none yet */
  }
  const script = new vm.Script(Module.wrap(fs.readFileSync(file, 'utf8')), { filename: file, cachedData, importModuleDynamically: loader });
  if (!cachedData || script.cachedDataRejected)
    process.once('exit', () => {
      const tmp = `${cacheFile}.${process.pid}`;
      try {
        fs.writeFileSync(tmp, script.createCachedData());
        fs.renameSync(tmp, cacheFile);
      } catch {
        try {
          fs.rmSync(tmp, { force: true });
        } catch {
          /* a checkout that cannot be written: no cache */
        }
      }
    });
  const m = new Module(file, module);
  m.filename = file;
  m.paths = Module._nodeModulePaths(path.dirname(file));
  require.cache[file] = m;
  script.runInThisContext().call(m.exports, m.exports, Module.createRequire(file), m, file, path.dirname(file));
  m.loaded = true;
}
