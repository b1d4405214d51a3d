import * as grpc from '@grpc/grpc-js';
import type * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs/light.js';
import { destinationProtoJson } from './destination-proto-json.js';

/**
 * How messages are handed over, as @grpc/proto-loader with these options would: field names as
 * in the .proto, 64-bit integers and enums as strings, no defaults filled in, the set oneof
 * member named. The client and the sandbox's server use the same definition (below); tests that
 * load proto/ with proto-loader pass these.
 */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: false,
  oneofs: true,
};

const TO_OBJECT: protobuf.IConversionOptions = {
  longs: String,
  enums: String,
  defaults: false,
  oneofs: true,
};

/**
 * A gRPC method of a protobufjs service as grpc-js wants it: what @grpc/proto-loader's
 * createPackageDefinition builds, without the file descriptors it adds for reflection (whose
 * encoding was most of the cost of loading the API at start).
 */
function methodDefinition(
  serviceName: string,
  method: protobuf.Method,
): grpc.MethodDefinition<object, object> {
  const request = method.resolvedRequestType!;
  const response = method.resolvedResponseType!;
  const serialize = (type: protobuf.Type) => (value: object) =>
    Buffer.from(type.encode(type.fromObject(value)).finish());
  const deserialize = (type: protobuf.Type) => (bytes: Buffer) =>
    type.toObject(type.decode(bytes), TO_OBJECT);
  return {
    path: `/${serviceName}/${method.name}`,
    requestStream: method.requestStream === true,
    responseStream: method.responseStream === true,
    requestSerialize: serialize(request),
    requestDeserialize: deserialize(request),
    responseSerialize: serialize(response),
    responseDeserialize: deserialize(response),
    // proto-loader's camelCase of the method name (Get -> get): grpc-js adds both to the client.
    originalName: method.name.charAt(0).toLowerCase() + method.name.slice(1),
  };
}

let cached: grpc.ServiceClientConstructor | undefined;

/** The `io.linkerd.proxy.destination.Destination` service client constructor (cached). */
export function destinationServiceClient(): grpc.ServiceClientConstructor {
  if (!cached) {
    const root = protobuf.Root.fromJSON(destinationProtoJson());
    root.resolveAll();
    const service = root.lookupService('io.linkerd.proxy.destination.Destination');
    const serviceName = service.fullName.replace(/^\./, '');
    const definition: grpc.ServiceDefinition = Object.fromEntries(
      service.methodsArray.map((m) => [m.name, methodDefinition(serviceName, m)]),
    );
    cached = grpc.makeClientConstructor(definition, serviceName);
  }
  return cached;
}
