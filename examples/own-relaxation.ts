/**
 * A decision with a relaxation of its own. The kernel size of a block is relaxed single-path
 * (ProxylessNAS): a weight step runs one kernel, drawn from softmax(α), so it costs one branch
 * instead of all of them; an α step runs them all and mixes them (DARTS), so α gets its gradient.
 * The hook is registered under a kind, and the decision names that kind.
 * Run it from a clone after `npm ci`:  npx tsc -p examples && node examples/dist/own-relaxation.js
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as gn from 'groupnas';

/** Weight steps (a draw is offered) run the drawn branch; α steps mix every branch by its probability. */
const singlePath: gn.BranchMix = (input) => (input.draw === undefined ? gn.softmaxMix(input) : input.branch(gn.drawBranch(input.p, input.draw())));
gn.registerRelaxation({ kind: 'single-path', place: (variable, layout) => layout.blockBranches(variable, singlePath) });

const kernelSize: gn.Decision<number> = {
  name: 'kernelSize',
  description: 'kernel size of a block',
  choices: [1, 3, 5],
  scope: 'block',
  sites: [1, 3, 5],
  relaxation: { kind: 'single-path' },
  apply(draft, block, kernel) {
    draft.blocks[block]!.kernel = kernel;
  },
  read: (draft, block) => draft.blocks[block]!.kernel,
};

const space = new gn.SearchSpace({
  name: 'single-path-kernels',
  template: gn.buildPreset('groupnet-k3', { widthMultiplier: 0.25 }),
  decisions: [kernelSize, gn.bases({ choices: [1, 3] })],
});
console.log(`${space.name}: ${space.variables.length} variables, ${space.size()} architectures`);

await gn.selectBackend('auto');
const out = mkdtempSync(join(tmpdir(), 'own-relaxation-'));
const overrides = ['teacher.mode=none', 'data.trainLimit=256', 'search.batchSize=32', 'search.epochs=2', 'search.archOptimizer.lr=0.05', 'cost.objective=none'];
const search = await gn.runSearch(gn.loadConfig('tiny', overrides), { out, space, costModel: (layout) => gn.bopsCostModel(layout) });
const last = search.log.epochs[search.log.epochs.length - 1]!;
space.variables.forEach((v, i) => console.log(`α ${v.id}: ${last.probabilities[i]!.map((p, c) => `${v.choices[c]} ${p.toFixed(3)}`).join(', ')}`));
console.log(
  `derived: kernels ${search.arch.blocks.map((b) => b.kernel).join('/')}, bases ${search.arch.bases.join('/')} (choices ${space.encode(search.arch).join('.')})`,
);
