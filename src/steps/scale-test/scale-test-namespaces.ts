/**
 * The one rule of where scale tests may run: `scaleTest.namespaces` lists the namespaces, `*`
 * allows every one. Planning refuses outside them; recovery looks only inside them.
 */
export function scaleTestNamespaces(settings: { namespaces: readonly string[] }): readonly string[] | 'all' {
  return settings.namespaces.includes('*') ? 'all' : settings.namespaces;
}

export function scaleTestAllowedIn(settings: { namespaces: readonly string[] }, namespace: string): boolean {
  const allowed = scaleTestNamespaces(settings);
  return allowed === 'all' || allowed.includes(namespace);
}
