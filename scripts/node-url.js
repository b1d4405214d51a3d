// Stands in for the `whatwg-url` package in the bundle (scripts/bundle.js): node-fetch 2 (under
// client-node) uses it only when Node has no URL class (`Url.URL || whatwgUrl.URL`), and Node
// always has one. Bundled, the package (with tr46's Unicode tables, which also load the
// deprecated punycode module) cost about 290 KB of parsing and evaluation on every command that
// talks to Kubernetes.
export { URL, URLSearchParams } from 'node:url';
