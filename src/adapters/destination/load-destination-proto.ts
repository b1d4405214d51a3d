import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { join } from 'node:path';
import { protoDir } from '../../project-paths.js';

/** Options shared by the client and the sandbox server so both see the same message shapes. */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: false,
  oneofs: true,
};

let cached: grpc.GrpcObject | undefined;

/** Loads Linkerd's destination API from `proto/` at run time (cached). */
export function loadDestinationProto(): grpc.GrpcObject {
  if (!cached) {
    const dir = protoDir();
    const definition = protoLoader.loadSync(join(dir, 'destination.proto'), {
      ...PROTO_LOADER_OPTIONS,
      includeDirs: [dir],
    });
    cached = grpc.loadPackageDefinition(definition);
  }
  return cached;
}

/** The `io.linkerd.proxy.destination.Destination` service client constructor. */
export function destinationServiceClient(): grpc.ServiceClientConstructor {
  const root = loadDestinationProto() as unknown as {
    io: { linkerd: { proxy: { destination: { Destination: grpc.ServiceClientConstructor } } } };
  };
  return root.io.linkerd.proxy.destination.Destination;
}
