#!/usr/bin/env node
// The installed `meshbot` command. Source maps are switched on before the bundle loads, so
// stack traces in logs name src/ files and lines; then the bundle (dist/, built by
// `npm run build`) runs the CLI.
process.setSourceMapsEnabled(true);
await import('../dist/meshbot.js');
