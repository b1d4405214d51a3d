/**
 * `NAMESPACE/NAME` of a ServiceAccount as `--kubeconfig-as` takes it. No imports: the CLI
 * parses its flags with it before it loads the sandbox.
 */
export function parseServiceAccountRef(text: string): { namespace: string; name: string } | undefined {
  const m = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/.exec(text);
  return m?.[1] && m[3] ? { namespace: m[1], name: m[3] } : undefined;
}
