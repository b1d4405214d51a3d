/**
 * zod compiles a parser for each object schema (`new Function`) the first time it parses with
 * it: worth it for a server that parses all day, not for a command that parses a few answers
 * and exits. In a Node 20 profile of `meshbot endpoints` that compiling was 15 of the 30 ms
 * zod took; timed as whole processes, the command ends about 5 ms sooner without it
 * (docs/build.md). zod decides when a schema is created, so this module is imported
 * before the first schema is (command-io.ts); the results of parsing are the same either way.
 */
import { config } from 'zod';

config({ jitless: true });
