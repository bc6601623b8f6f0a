/** `node:path` in the browser bundle: POSIX joins over the virtual package paths the fs shim serves. */
export const sep = '/';

function normalize(path: string): string {
  const absolute = path.startsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!absolute) out.push('..');
    } else out.push(part);
  }
  return `${absolute ? '/' : ''}${out.join('/')}` || (absolute ? '/' : '.');
}

export function join(...parts: string[]): string {
  return normalize(parts.filter((p) => p !== '').join('/'));
}

export function resolve(...parts: string[]): string {
  return normalize(parts.reduce((acc, p) => (p.startsWith('/') ? p : `${acc}/${p}`), '/'));
}

export function dirname(path: string): string {
  const n = normalize(path);
  const i = n.lastIndexOf('/');
  return i < 0 ? '.' : i === 0 ? '/' : n.slice(0, i);
}

export function basename(path: string): string {
  const n = normalize(path);
  return n.slice(n.lastIndexOf('/') + 1);
}
