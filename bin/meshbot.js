#!/usr/bin/env node
// The installed `meshbot` command: sets up the runtime, then imports the bundle (dist/, built
// by `npm run build`; see docs/build.md), which runs the CLI.
import module from 'node:module';

// Node 22.1+ keeps compiled code of the bundle on disk (os.tmpdir()/node-compile-cache):
// later starts skip most compilation. Absent on Node 20; NODE_DISABLE_COMPILE_CACHE=1 turns it off.
module.enableCompileCache?.();

// Stack traces in logs name src/ files and lines (maps of our own code only).
process.setSourceMapsEnabled(true);

// Node warns about url.parse() (DEP0169) only when the caller is not in node_modules; bundled,
// the dependency that calls it (client-node's node-fetch) no longer is, and every command that
// talks to Kubernetes would print the warning on Node 24.
const FROM_BUNDLED_DEPENDENCIES = new Set(['DEP0169']);
const emitWarning = process.emitWarning;
process.emitWarning = function (warning, ...args) {
  const code = typeof args[0] === 'object' && args[0] !== null ? args[0].code : args[1];
  if (FROM_BUNDLED_DEPENDENCIES.has(code)) return;
  return emitWarning.call(process, warning, ...args);
};

await import('../dist/meshbot.js');
