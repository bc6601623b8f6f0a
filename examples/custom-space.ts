/**
 * A custom search space as a library user writes it: a new decision (the kernel size of each
 * stage, 3×3 or 5×5) next to the built-in `bases` decision, over Group-Net on network R/4 — then a
 * short supernet search of it on the embedded images, and the derived architecture trained.
 * Run it from a clone after `npm ci`:  npx tsc -p examples && node examples/dist/custom-space.js
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as gn from 'groupnas';

/** Kernel size of every block of a stage. A decision writes a draft and reads it back. */
function kernelSize(choices: number[] = [3, 5]): gn.Decision<number> {
  return {
    name: 'kernelSize',
    description: 'kernel size of the blocks of a stage',
    choices,
    scope: 'stage',
    // The generic mixed op: the supernet builds the stage's blocks once per kernel and mixes their outputs by softmax(α).
    relaxation: { kind: 'softmax-mix' },
    apply(draft, stage, kernel) {
      for (const block of draft.blocks) if (block.stage === stage) block.kernel = kernel;
    },
    read: (draft, stage) => draft.blocks.find((block) => block.stage === stage)?.kernel,
  };
}

const space = new gn.SearchSpace({
  name: 'kernels-and-bases',
  template: gn.buildPreset('groupnet-k3', { widthMultiplier: 0.25 }),
  decisions: [kernelSize(), gn.bases({ choices: [1, 2, 3], sites: [0, 2, 4] })],
});
console.log(`${space.name}: ${space.variables.length} variables, ${space.size()} architectures`);
for (const d of space.decisions) console.log(`  ${d.name} (${d.scope}): ${d.choices.join(' | ')}`);
const range = gn.costRange(space, gn.bopsCost);
console.log(`BOPs from ${range.min} to ${range.max}${range.exact ? '' : ' (coordinate search)'}`);
const all = space.enumerate();
const roundTrips = all.filter((arch) => JSON.stringify(space.decode(space.encode(arch))) === JSON.stringify(arch)).length;
console.log(`encode/decode round trip: ${roundTrips} of ${space.size()} architectures`);
console.log(gn.formatSummary(gn.summarize(space.decode(range.argmin))));

// A short supernet search: the config gives the data, the budget and the cost term (here BOPs,
// aiming at 70% of the template's); the space is ours. Then the derived architecture trains.
await gn.selectBackend('auto');
const out = mkdtempSync(join(tmpdir(), 'custom-space-'));
const target = Math.round(0.7 * gn.summarize(space.template).totals.bops);
const overrides = [
  'teacher.mode=none',
  'data.trainLimit=256',
  'search.batchSize=32',
  'search.epochs=2',
  'search.archOptimizer.lr=0.05',
  `cost.target=${target}`,
];
const search = await gn.runSearch(gn.loadConfig('tiny', overrides), { out, space, costModel: (layout) => gn.bopsCostModel(layout) });
const last = search.log.epochs[search.log.epochs.length - 1]!;
space.variables.forEach((v, i) => console.log(`α ${v.id}: ${last.probabilities[i]!.map((p, c) => `${v.choices[c]} ${p.toFixed(3)}`).join(', ')}`));
const kernels = space.template.widths.map((_, s) => search.arch.blocks.find((b) => b.stage === s)!.kernel);
console.log(`derived: kernels ${kernels.join('/')} per stage, bases ${search.arch.bases.join('/')} per group (choices ${space.encode(search.arch).join('.')})`);
const trained = gn.trainArch(search.arch, { ...gn.DEFAULT_TRAINING, epochs: 1, limit: 256, testLimit: 128 }, join(out, 'derived'));
console.log(`derived architecture, 1 epoch on 256 images: test accuracy ${(trained.final.accuracy * 100).toFixed(1)}%`);
