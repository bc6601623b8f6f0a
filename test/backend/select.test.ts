import { describe, expect, it } from 'vitest';
import * as tf from '../helpers/tfjs.js';
import { installedBackends, isBackendInstalled, selectBackend } from '../../src/backend/select.js';
import { NotAvailableError, UsageError } from '../../src/util/errors.js';

describe('selectBackend', () => {
  it('lists the bundled backends as installed and the optional tfjs-node peers as absent here', () => {
    expect(installedBackends()).toEqual(expect.arrayContaining(['wasm', 'cpu']));
    expect(isBackendInstalled('tensorflow')).toBe(false);
    expect(isBackendInstalled('tensorflow-gpu')).toBe(false);
  });

  it('auto skips the missing tfjs-node backends and lands on wasm, saying why it skipped', async () => {
    const choice = await selectBackend('auto');
    expect(choice.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(choice.skipped.map((s) => s.name)).toEqual(['tensorflow-gpu', 'tensorflow']);
    expect(choice.skipped[0]!.reason).toMatch(/not installed; install it with: npm install @tensorflow\/tfjs-node-gpu/);
  });

  it('an explicit backend that is not installed fails with one line naming the install command', async () => {
    const err = await selectBackend('tensorflow').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotAvailableError);
    expect((err as Error).message).toBe(
      "backend 'tensorflow' is not installed; install it with: npm install @tensorflow/tfjs-node@4.22.0 (needs internet access to download libtensorflow)",
    );
  });

  it('cpu can be chosen explicitly and switching back to wasm works', async () => {
    expect((await selectBackend('cpu')).name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect((await selectBackend('wasm')).name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('an unknown name is a usage error', async () => {
    await expect(selectBackend('webgpu' as never)).rejects.toBeInstanceOf(UsageError);
  });
});
