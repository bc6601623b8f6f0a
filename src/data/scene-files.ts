/**
 * Writing the synthetic segmentation set to a directory (`groupnas data make-segmentation`):
 * the standard idx files of the source's layout (images, and per-scene labels for class-balanced
 * splits), `train-masks-idx3-ubyte.gz` / `t10k-masks-idx3-ubyte.gz` with the per-pixel labels,
 * `classes.txt` (background first) and `scenes.json` (the recipe and the source's checksum), so
 * `--data DIR` loads it like any idx directory. Every file is written atomically; gzip without a
 * timestamp keeps the bytes a function of the recipe and the source alone.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic-write.js';
import type { Dataset } from './dataset.js';
import { encodeIdxImages, encodeIdxLabels } from './idx.js';
import { composeScenes, sceneClasses, type SceneRecipe } from './segmentation-scenes.js';

/** The recipe file that marks a directory as generated scenes. */
export const SCENES_FILE = 'scenes.json';

export interface WrittenScenes {
  dir: string;
  files: string[];
  train: number;
  test: number;
}

/** Compose the train and test scenes of `recipe` from `source` (train items → train scenes, test items → test scenes) into `dir`. */
export function writeSegmentationScenes(dir: string, source: Dataset, recipe: SceneRecipe): WrittenScenes {
  const train = composeScenes(source.train, recipe, 'train');
  const test = composeScenes(source.test, recipe, 'test');
  const masks = (set: typeof train) => encodeIdxImages({ ...set, images: set.masks! });
  const files: [string, Uint8Array][] = [
    ['train-images-idx3-ubyte.gz', encodeIdxImages(train)],
    ['train-labels-idx1-ubyte.gz', encodeIdxLabels(train)],
    ['t10k-images-idx3-ubyte.gz', encodeIdxImages(test)],
    ['t10k-labels-idx1-ubyte.gz', encodeIdxLabels(test)],
    ['train-masks-idx3-ubyte.gz', masks(train)],
    ['t10k-masks-idx3-ubyte.gz', masks(test)],
  ];
  mkdirSync(dir, { recursive: true });
  for (const [name, raw] of files) writeFileAtomic(join(dir, name), gzipSync(raw, { level: 9 }));
  writeFileAtomic(join(dir, 'classes.txt'), `${sceneClasses(source.classes).join('\n')}\n`);
  writeJsonAtomic(join(dir, SCENES_FILE), { format: 'groupnas.scenes', version: 1, recipe, source: { name: source.name, checksum: source.checksum } });
  return { dir, files: [...files.map(([name]) => name), 'classes.txt', SCENES_FILE], train: train.count, test: test.count };
}
