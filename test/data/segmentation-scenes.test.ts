import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeIdx, IDX_IMAGES_MAGIC } from '../../src/data/idx.js';
import { afterAll, describe, expect, it } from 'vitest';
import { augmentScenes } from '../../src/data/augment.js';
import { typedBatches } from '../../src/data/batches.js';
import { IGNORE_LABEL, type ImageSet } from '../../src/data/image-set.js';
import { loadDataset } from '../../src/data/locate.js';
import { writeSegmentationScenes } from '../../src/data/scene-files.js';
import { composeScenes, defaultSceneRecipe, INK } from '../../src/data/segmentation-scenes.js';
import { splitDataset } from '../../src/data/split.js';
import { createRng } from '../../src/util/random.js';

const embedded = loadDataset({ data: 'embedded' });
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'scenes-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('synthetic segmentation scenes', () => {
  const recipe = { ...defaultSceneRecipe(7, 40, 32), testCount: 10 };

  it('same seed → same bytes on disk; another seed → other scenes', () => {
    const a = tempDir();
    const b = tempDir();
    const written = writeSegmentationScenes(a, embedded, recipe);
    writeSegmentationScenes(b, embedded, recipe);
    for (const file of written.files) expect(readFileSync(join(a, file)).equals(readFileSync(join(b, file))), file).toBe(true);
    const other = composeScenes(embedded.train, { ...recipe, seed: 8 }, 'train');
    expect(Buffer.from(other.images).equals(Buffer.from(composeScenes(embedded.train, recipe, 'train').images))).toBe(false);
  });

  it('labels every ink pixel with its item class + 1 and the rest background; 11 classes load back', () => {
    const dir = tempDir();
    writeSegmentationScenes(dir, embedded, recipe);
    const ds = loadDataset({ data: dir });
    expect(ds.name).toBe('fashion-scenes');
    expect(ds.classes).toHaveLength(11);
    expect(ds.classes[0]).toBe('background');
    expect(ds.train.count).toBe(40);
    expect(ds.test.count).toBe(10);
    const { images, masks } = ds.train;
    let ink = 0;
    for (let i = 0; i < images.length; i++) {
      // An image pixel is ink exactly where the mask names an item.
      expect(masks![i]! > 0).toBe(images[i]! >= INK);
      expect(masks![i]!).toBeLessThan(11);
      if (masks![i]! > 0) ink++;
    }
    expect(ink / images.length).toBeGreaterThan(0.05);
    // The splits carry the masks along with their images.
    const splits = splitDataset(ds, { seed: 0, archValFraction: 0.25 });
    expect(splits.train.masks!.length).toBe(splits.train.count * 32 * 32);
  });

  it('rejects a mask with a label outside the classes, naming the file and pixel', () => {
    const dir = tempDir();
    writeSegmentationScenes(dir, embedded, recipe);
    const masks = composeScenes(embedded.train, recipe, 'train').masks!;
    masks[32 * 32 + 3 * 32 + 5] = 20;
    writeFileSync(join(dir, 'train-masks-idx3-ubyte.gz'), gzipSync(encodeIdx(IDX_IMAGES_MAGIC, [40, 32, 32], masks)));
    expect(() => loadDataset({ data: dir })).toThrow(/train-masks-idx3-ubyte\.gz.*mask 1 pixel \(3, 5\).*found 20/);
    rmSync(join(dir, 't10k-masks-idx3-ubyte.gz'));
    expect(() => loadDataset({ data: dir })).toThrow(/missing t10k-masks-idx3-ubyte/);
  });
});

describe('augmentation of scenes', () => {
  /** A 1-image 6×6 scene whose mask is a function of the pixel: image value v ↔ mask label v mod 11 + 1. */
  function scene(): ImageSet {
    const images = Uint8Array.from({ length: 36 }, (_, i) => 10 + i);
    const masks = Uint8Array.from(images, (v) => (v % 11) + 1);
    return { images, masks, labels: Uint8Array.of(1), count: 1, height: 6, width: 6, channels: 1 };
  }

  it('moves each mask exactly with its image; the padding is black in the image and ignored in the mask', () => {
    const s = scene();
    let shifted = 0;
    for (let seed = 0; seed < 20; seed++) {
      const out = augmentScenes(s.images, s.masks, 1, [6, 6, 1], { pad: 2, flip: true }, createRng(seed));
      for (let i = 0; i < 36; i++) {
        const v = out.images[i]!;
        expect(out.masks![i]).toBe(v === 0 ? IGNORE_LABEL : (v % 11) + 1);
      }
      if (!Buffer.from(out.images).equals(Buffer.from(s.images))) shifted++;
    }
    expect(shifted).toBeGreaterThan(10);
  });

  it('batches yield per-pixel labels aligned with the pixels', () => {
    const s = scene();
    const [batch] = [...typedBatches(s, { batchSize: 1, seed: 3, augment: { pad: 2, flip: true } }, 0)];
    expect(batch!.labels).toHaveLength(36);
    for (let i = 0; i < 36; i++) {
      const v = Math.round(batch!.x[i]! * 255);
      expect(batch!.labels[i]).toBe(v === 0 ? IGNORE_LABEL : (v % 11) + 1);
    }
  });
});
