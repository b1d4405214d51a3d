/**
 * A minimal OpenAPI v3 discovery (`/openapi/v3` and `/openapi/v3/api/v1`, `/openapi/v3/apis/G/V`).
 *
 * Why: `kubectl create -f` validates with `--validate=strict` by default. It first asks the
 * OpenAPI v3 document whether the server supports the `fieldValidation` query parameter on
 * the kind's PATCH operation (identified by `x-kubernetes-group-version-kind`); when it does,
 * kubectl leaves validation to the server and sends `fieldValidation=Strict`. Otherwise it
 * falls back to downloading the protobuf OpenAPI v2 schema, which this sandbox does not serve.
 * So each kind gets its object path with a PATCH operation that declares `fieldValidation`,
 * and no schemas.
 */
import { createHash } from 'node:crypto';
import type { KindSpec } from './store-types.js';

function gvPath(spec: Pick<KindSpec, 'group' | 'version'>): string {
  return spec.group === '' ? `api/${spec.version}` : `apis/${spec.group}/${spec.version}`;
}

function hashOf(kinds: readonly KindSpec[]): string {
  return createHash('sha256').update(JSON.stringify(kinds)).digest('hex').slice(0, 32).toUpperCase();
}

/** `/openapi/v3`: one entry per group version, with its document's URL. */
export function openApiV3Root(kinds: readonly KindSpec[]): object {
  const hash = hashOf(kinds);
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const spec of kinds) {
    const p = gvPath(spec);
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hash}` };
  }
  return { paths };
}

const QUERY_PARAMS = ['dryRun', 'fieldManager', 'fieldValidation', 'force', 'pretty'];

/** `/openapi/v3/<gv path>`, or undefined when no kind is served there. */
export function openApiV3GroupVersion(
  kinds: readonly KindSpec[],
  gv: string,
  version: string,
): object | undefined {
  const served = kinds.filter((k) => gvPath(k) === gv.replace(/^\/+|\/+$/g, ''));
  if (served.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  for (const spec of served) {
    const base = `/${gvPath(spec)}${spec.namespaced ? '/namespaces/{namespace}' : ''}/${spec.plural}/{name}`;
    const gvk = { group: spec.group, version: spec.version, kind: spec.kind };
    const operation = (verb: string) => ({
      description: `${verb} the specified ${spec.kind}`,
      operationId: `${verb}${spec.kind}`,
      parameters: QUERY_PARAMS.map((name) => ({
        name,
        in: 'query',
        schema: { type: 'string', uniqueItems: true },
      })),
      responses: { '200': { description: 'OK' } },
      'x-kubernetes-action': verb,
      'x-kubernetes-group-version-kind': gvk,
    });
    paths[base] = { get: operation('get'), put: operation('put'), patch: operation('patch') };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version },
    paths,
    components: {},
  };
}
