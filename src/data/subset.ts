import { createRng, deriveSeed, shuffle } from '../util/random.js';
import { indicesByClass, selectImages, type ImageSet } from './image-set.js';

/**
 * A seeded, class-balanced subset: `perClass` images drawn at random from each of the
 * `numClasses` classes, then shuffled together so that any prefix is mixed.
 * Each class draws from its own derived seed, so the draw of one class does not depend on the others.
 */
export function balancedSubset(set: ImageSet, numClasses: number, perClass: number, seed: number): ImageSet {
  const byClass = indicesByClass(set.labels, numClasses);
  const chosen: number[] = [];
  byClass.forEach((indices, c) => {
    if (indices.length < perClass) {
      throw new RangeError(`balancedSubset: class ${c} has ${indices.length} images, fewer than ${perClass}`);
    }
    chosen.push(...shuffle(createRng(deriveSeed(seed, `class ${c}`)), indices).slice(0, perClass));
  });
  shuffle(createRng(deriveSeed(seed, 'order')), chosen);
  return selectImages(set, chosen);
}
