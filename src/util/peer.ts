import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** The Python that peers (PyTorch) are measured with: Debian's, where `apt-get install python3-torch` puts torch. */
export const PEER_PYTHON = process.env.GROUPNAS_PYTHON ?? '/usr/bin/python3';

let torchVersion: string | null | undefined;

/** PyTorch's version under PEER_PYTHON, or null when it is not installed. Asked once per process. */
export function peerTorchVersion(): string | null {
  if (torchVersion !== undefined) return torchVersion;
  torchVersion = null;
  if (existsSync(PEER_PYTHON)) {
    const r = spawnSync(PEER_PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 60_000 });
    if (r.status === 0) torchVersion = r.stdout.trim();
  }
  return torchVersion;
}

/**
 * Run a peer benchmark script that prints one JSON object as its last stdout line.
 * Throws with the script's stderr when it fails, so a broken peer is visible, not silently skipped.
 */
export function runPeerScript<T>(script: string, args: string[], timeoutMs = 600_000): T {
  const r = spawnSync(PEER_PYTHON, [script, ...args], {
    encoding: 'utf8',
    timeout: timeoutMs,
    // One thread, like the Node side: peers are compared per core.
    env: { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
  });
  if (r.status !== 0) {
    throw new Error(`${script} failed (exit ${r.status ?? r.signal}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  }
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] ?? '') as T;
}
