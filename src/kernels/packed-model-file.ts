/**
 * The two file operations behind `groupnas export` and `groupnas infer`: write a trained
 * model's state dict as a `.gnb`, and load a `.gnb` ready to run on an engine.
 */
import type { Arch } from '../space/arch.js';
import type { EngineChoice } from './engines.js';
import { createEngine } from './engines.js';
import type { BinaryEngine } from './engine.js';
import { readGnb, writeGnb } from './gnb-format.js';
import { packStateDict, type ArrayTensor, type PackOptions } from './pack-state-dict.js';
import { PackedModel } from './packed-model.js';

/** Pack and write atomically; returns nothing on success, throws before touching `path` on bad input. */
export function exportPackedModel(path: string, arch: Arch, state: Readonly<Record<string, ArrayTensor>>, options: PackOptions = {}): void {
  const model = packStateDict(arch, state, options);
  // Building the plan checks that every tensor the arch needs is there with the right shape.
  new PackedModel(model, createEngine('js'), path);
  writeGnb(path, model);
}

/** Read, validate and plan a `.gnb` model on an engine (default: the fastest available). */
export function loadPackedModel(path: string, engine: BinaryEngine | EngineChoice = 'auto'): PackedModel {
  return new PackedModel(readGnb(path), typeof engine === 'string' ? createEngine(engine) : engine, path);
}
