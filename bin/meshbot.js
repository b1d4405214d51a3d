#!/usr/bin/env node
// The installed `meshbot` command: sets up the runtime, then imports the bundle (dist/, built
// by `npm run build`; see docs/build.md), which runs the CLI.
import module from 'node:module';

// Node 22.1+ keeps compiled code of the bundle on disk (os.tmpdir()/node-compile-cache):
// later starts skip most compilation. Absent on Node 20; NODE_DISABLE_COMPILE_CACHE=1 turns it off.
module.enableCompileCache?.();

// Stack traces in logs name src/ files and lines (maps of our own code only). Only the
// long-running commands write logs; the others print an error as a message and a hint, never
// a stack, and reading the maps (and mapping the stacks grpc-js builds for every cancelled
// call) would cost them about 30 ms of each start on Node 20 (docs/build.md). For any command,
// NODE_OPTIONS=--enable-source-maps turns them on.
const LOGGING_COMMANDS = new Set(['serve', 'sandbox']);
const command = process.argv.slice(2).find((arg) => !arg.startsWith('-'));
if (LOGGING_COMMANDS.has(command)) process.setSourceMapsEnabled(true);

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
