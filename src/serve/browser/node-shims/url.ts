/** `node:url` in the browser bundle: a module's URL is http(s), its path is what the path shim joins. */
export function fileURLToPath(url: string | URL): string {
  return new URL(String(url)).pathname;
}
