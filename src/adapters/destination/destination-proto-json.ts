/**
 * Linkerd's destination API (proto/destination.proto and what it imports) as a protobufjs JSON
 * descriptor. proto/ is the source of truth: this module parses it at run time, and the bundle
 * (scripts/bundle.js) replaces the module with the descriptor this very function returned at
 * build time, so the built CLI parses no .proto file when it starts.
 */
import protobuf from 'protobufjs';
import { join, resolve } from 'node:path';
import { protoDir } from '../../project-paths.js';

/** Parses proto/destination.proto with its imports from proto/ (field names kept as written). */
export function destinationProtoJson(dir: string = protoDir()): protobuf.INamespace {
  const root = new protobuf.Root();
  // Imports are found in proto/ (google/protobuf/* come with protobufjs).
  root.resolvePath = (_origin, target) => resolve(dir, target);
  root.loadSync(join(dir, 'destination.proto'), { keepCase: true });
  return root.toJSON();
}
