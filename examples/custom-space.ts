/**
 * A custom search space as a library user writes it: a new decision (the kernel size of each
 * stage, 3×3 or 5×5) next to the built-in `bases` decision, over Group-Net on network R/2.
 * Run it from a clone after `npm ci`:  npx tsc -p examples && node examples/dist/custom-space.js
 */
import { bases, bopsCost, buildPreset, costRange, formatSummary, SearchSpace, summarize, type Decision } from 'groupnas';

/** Kernel size of every block of a stage. A decision writes a draft and reads it back. */
function kernelSize(choices: number[] = [3, 5]): Decision<number> {
  return {
    name: 'kernelSize',
    description: 'kernel size of the blocks of a stage',
    choices,
    scope: 'stage',
    relaxation: { kind: 'softmax-mix' }, // the supernet mixes the 3×3 and 5×5 branches by softmax(α)
    apply(draft, stage, kernel) {
      for (const block of draft.blocks) if (block.stage === stage) block.kernel = kernel;
    },
    read: (draft, stage) => draft.blocks.find((block) => block.stage === stage)?.kernel,
  };
}

const space = new SearchSpace({
  name: 'kernels-and-bases',
  template: buildPreset('groupnet-k5', { widthMultiplier: 0.5 }),
  decisions: [kernelSize(), bases({ choices: [1, 3, 5], sites: [0, 2, 4] })],
});

console.log(`${space.name}: ${space.variables.length} variables, ${space.size()} architectures`);
for (const d of space.decisions) console.log(`  ${d.name} (${d.scope}): ${d.choices.join(' | ')}`);

const range = costRange(space, bopsCost);
console.log(`BOPs from ${range.min} to ${range.max}${range.exact ? '' : ' (coordinate search)'}`);

const all = space.enumerate();
for (const arch of all) {
  const again = space.decode(space.encode(arch));
  if (JSON.stringify(again) !== JSON.stringify(arch)) throw new Error(`round trip failed for ${arch.name}`);
}
console.log(`encode/decode round trip: ${all.length} of ${space.size()} architectures`);

const cheapest = space.decode(range.argmin);
console.log(formatSummary(summarize(cheapest)));
