/**
 * The synthetic segmentation set: scenes composed from Fashion-MNIST items, generated offline
 * and deterministic from a seed (same source, seed and recipe → same bytes).
 *
 * A scene is a `size`×`size` black canvas holding 1..`maxItems` items, each a source image
 * resized (bilinear) to a random side in [`minSide`, `maxSide`] and placed at a random position
 * inside the canvas; later items lie on top. A pixel whose resized value reaches `INK` belongs
 * to its item: it takes the item's pixel and the label `class + 1`; fainter pixels are left to
 * what lies beneath, so the image and its mask always agree. Everything else is background
 * (label 0): 11 classes. A scene's `labels` entry is its most-covered class (for class-balanced
 * splits). Train scenes draw items from the source's training images, test scenes from its test
 * images, so no item is seen in both.
 *
 * Draw order per scene (one generator seeded by (seed, part, index)): item count, then per
 * item its source image, side, top, left.
 */
import { bilinearWeights } from '../util/bilinear-weights.js';
import { UsageError } from '../util/errors.js';
import { createRng, deriveSeed, randomInt } from '../util/random.js';
import type { ImageSet } from './image-set.js';

/** A resized source pixel at or above this value is ink (its item's), below it transparent. */
export const INK = 48;

export interface SceneRecipe {
  seed: number;
  /** Canvas side in pixels. */
  size: number;
  /** Training scenes; the test part has `testCount`. */
  count: number;
  testCount: number;
  maxItems: number;
  /** Side range of a resized item, in pixels. */
  minSide: number;
  maxSide: number;
}

/** Defaults of `groupnas data make-segmentation`: 64×64 canvases, 1–4 items of 20–48 pixels. */
export function defaultSceneRecipe(seed: number, count: number, size = 64): SceneRecipe {
  return {
    seed,
    size,
    count,
    testCount: Math.max(1, Math.round(count / 5)),
    maxItems: 4,
    minSide: Math.max(4, Math.round(size * 0.3)),
    maxSide: Math.max(4, Math.round(size * 0.75)),
  };
}

export function checkSceneRecipe(r: SceneRecipe): void {
  const int = (name: keyof SceneRecipe, min: number, max = Number.MAX_SAFE_INTEGER) => {
    const v = r[name];
    if (!Number.isInteger(v) || v < min || v > max) throw new UsageError(`scenes: ${name}: expected an integer in ${min}..${max}, got ${v}`);
  };
  int('seed', 0);
  int('size', 8, 1024);
  int('count', 1);
  int('testCount', 1);
  int('maxItems', 1, 16);
  int('minSide', 2, r.size);
  int('maxSide', r.minSide, r.size);
}

/** Segmentation class names of scenes made from items with `itemClasses` names. */
export function sceneClasses(itemClasses: readonly string[]): string[] {
  return ['background', ...itemClasses];
}

/** `count` scenes from single-channel `items` (classes < 255), part `part` (`train` or `test`) of the recipe. */
export function composeScenes(items: ImageSet, recipe: SceneRecipe, part: 'train' | 'test'): ImageSet {
  checkSceneRecipe(recipe);
  if (items.channels !== 1) throw new UsageError(`scenes: items must be single-channel images, got ${items.channels} channels`);
  if (items.count === 0) throw new UsageError('scenes: no source items');
  const { size } = recipe;
  const count = part === 'train' ? recipe.count : recipe.testCount;
  const pixels = size * size;
  const images = new Uint8Array(count * pixels);
  const masks = new Uint8Array(count * pixels);
  const labels = new Uint8Array(count);
  const resizers = new Map<number, Resizer>();
  for (let s = 0; s < count; s++) {
    const rng = createRng(deriveSeed(recipe.seed, `scene ${part} ${s}`));
    const image = images.subarray(s * pixels, (s + 1) * pixels);
    const mask = masks.subarray(s * pixels, (s + 1) * pixels);
    const n = 1 + randomInt(rng, recipe.maxItems);
    for (let i = 0; i < n; i++) {
      const item = randomInt(rng, items.count);
      const side = recipe.minSide + randomInt(rng, recipe.maxSide - recipe.minSide + 1);
      const top = randomInt(rng, size - side + 1);
      const left = randomInt(rng, size - side + 1);
      let resize = resizers.get(side);
      if (resize === undefined) resizers.set(side, (resize = resizer(items.height, items.width, side)));
      paste(resize(items.images.subarray(item * items.height * items.width, (item + 1) * items.height * items.width)), side, items.labels[item]! + 1, image, mask, size, top, left);
    }
    labels[s] = mostCovered(mask, 1 + maxLabel(items.labels));
  }
  return { images, labels, masks, count, height: size, width: size, channels: 1 };
}

type Resizer = (image: Uint8Array) => Float32Array;

/** Bilinear resize of h×w grey images to side×side (rows, then columns; half-pixel centres). */
function resizer(h: number, w: number, side: number): Resizer {
  const rows = bilinearWeights(h, side);
  const cols = bilinearWeights(w, side);
  return (image) => {
    const wide = new Float32Array(h * side);
    for (let y = 0; y < h; y++) for (let x = 0; x < side; x++) for (let j = 0; j < w; j++) wide[y * side + x]! += cols[x * w + j]! * image[y * w + j]!;
    const out = new Float32Array(side * side);
    for (let y = 0; y < side; y++) for (let i = 0; i < h; i++) {
      const weight = rows[y * h + i]!;
      if (weight !== 0) for (let x = 0; x < side; x++) out[y * side + x]! += weight * wide[i * side + x]!;
    }
    return out;
  };
}

function paste(item: Float32Array, side: number, label: number, image: Uint8Array, mask: Uint8Array, size: number, top: number, left: number): void {
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const v = Math.round(item[y * side + x]!);
      if (v < INK) continue;
      const at = (top + y) * size + left + x;
      image[at] = Math.min(255, v);
      mask[at] = label;
    }
  }
}

function maxLabel(labels: Uint8Array): number {
  let max = 0;
  for (const l of labels) max = Math.max(max, l);
  return max;
}

/** The non-background label with the most pixels (0 for an empty mask; ties → the smaller label). */
export function mostCovered(mask: Uint8Array, classes: number): number {
  const counts = new Array<number>(classes + 1).fill(0);
  for (const l of mask) if (l > 0 && l <= classes) counts[l]!++;
  let best = 0;
  for (let c = 1; c <= classes; c++) if (counts[c]! > counts[best]!) best = c;
  return best;
}

