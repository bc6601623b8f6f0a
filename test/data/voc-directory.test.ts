import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode as encodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/locate.js';
import { VOC_CLASSES } from '../../src/data/voc-directory.js';
import { FileFormatError } from '../../src/util/errors.js';
import { removeTempDirs, tempDir } from './fixtures.js';

afterAll(removeTempDirs);

interface Item {
  id: string;
  height: number;
  width: number;
  /** label at (y, x) */
  label: (y: number, x: number) => number;
}

/** A smooth RGB image (JPEG keeps it within a few levels). */
const rgbAt = (y: number, x: number, c: number) => 60 + 10 * y + 6 * x + 30 * c;

/** VOC's palette for the first labels, and black elsewhere, with 255 = (224, 224, 192) as VOC's. */
const PALETTE = Array.from({ length: 256 }, (_, i) => (i === 255 ? [224, 224, 192] : [(i * 37) % 256, (i * 91) % 256, (i * 53) % 256]));

function jpegOf(height: number, width: number): Uint8Array {
  const data = new Uint8Array(height * width * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < 4; c++) data[(y * width + x) * 4 + c] = c === 3 ? 255 : rgbAt(y, x, c);
  return jpeg.encode({ data, width, height }, 100).data;
}

function maskOf(item: Item): Uint8Array {
  const labels = new Uint8Array(item.height * item.width);
  for (let y = 0; y < item.height; y++) for (let x = 0; x < item.width; x++) labels[y * item.width + x] = item.label(y, x);
  return labels;
}

/** A VOC directory at `root` with the given parts; `maskBytes` overrides a mask file's bytes. */
function writeVoc(root: string, train: Item[], val: Item[], maskBytes: Record<string, Uint8Array> = {}): string {
  for (const sub of ['JPEGImages', 'SegmentationClass', join('ImageSets', 'Segmentation')]) mkdirSync(join(root, sub), { recursive: true });
  for (const item of [...train, ...val]) {
    writeFileSync(join(root, 'JPEGImages', `${item.id}.jpg`), jpegOf(item.height, item.width));
    const png = maskBytes[item.id] ?? encodePng({ width: item.width, height: item.height, data: maskOf(item), depth: 8, channels: 1, palette: PALETTE });
    writeFileSync(join(root, 'SegmentationClass', `${item.id}.png`), png);
  }
  writeFileSync(join(root, 'ImageSets', 'Segmentation', 'train.txt'), `${train.map((i) => i.id).join('\n')}\n`);
  writeFileSync(join(root, 'ImageSets', 'Segmentation', 'val.txt'), `${val.map((i) => i.id).join('\n')}\n`);
  return root;
}

/** 6×8 scenes: a block of class `c` at the left, an ignored border column, background elsewhere. */
const item = (id: string, c: number, height = 6, width = 8): Item => ({ id, height, width, label: (_y, x) => (x < 3 ? c : x === 3 ? 255 : 0) });

describe('loadDataset: PASCAL VOC layout', () => {
  it('reads the split lists, palette indices as labels (255 kept as ignore), RGB images and the most-covered class per image', () => {
    const train = [item('2007_000001', 15), item('2007_000002', 12), item('2007_000003', 1)];
    const val = [item('2007_000004', 7), item('2007_000005', 20)];
    const dir = writeVoc(tempDir(), train, val);
    const ds = loadDataset({ data: dir });
    expect(ds).toMatchObject({ name: 'pascal-voc', format: 'voc', shape: [6, 8, 3], classes: VOC_CLASSES });
    expect([ds.train.count, ds.test.count]).toEqual([3, 2]);
    expect(Array.from(ds.train.labels)).toEqual([15, 12, 1]);
    expect(Array.from(ds.test.labels)).toEqual([7, 20]);
    expect(Array.from(ds.train.masks!)).toEqual([...train.flatMap((i) => Array.from(maskOf(i)))]);
    expect(Array.from(ds.test.masks!)).toEqual([...val.flatMap((i) => Array.from(maskOf(i)))]);
    // JPEG at quality 100 on a smooth image: every pixel within a few levels of what was written.
    let worst = 0;
    for (let y = 0; y < 6; y++) for (let x = 0; x < 8; x++) for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(ds.train.images[(y * 8 + x) * 3 + c]! - rgbAt(y, x, c)));
    expect(worst).toBeLessThanOrEqual(4);
    expect(ds.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it('finds VOCdevkit/VOC2012 under the directory, and grey label PNGs as well as palette ones', () => {
    const root = tempDir();
    const grey = item('b', 3);
    writeVoc(join(root, 'VOCdevkit', 'VOC2012'), [item('a', 2)], [grey], {
      b: encodePng({ width: 8, height: 6, data: maskOf(grey), depth: 8, channels: 1 }),
    });
    const ds = loadDataset({ data: root });
    expect(ds.path).toBe(join(root, 'VOCdevkit', 'VOC2012'));
    expect(Array.from(ds.test.masks!)).toEqual(Array.from(maskOf(grey)));
  });

  it('brings images of different sizes to one square: shorter side scaled, centre crop, masks by nearest label', () => {
    const tall = { id: 'tall', height: 12, width: 6, label: (y: number) => (y < 6 ? 5 : 9) };
    const wide = item('wide', 4, 6, 10);
    const dir = writeVoc(tempDir(), [tall, wide], [item('v', 2, 7, 7)]);
    const ds = loadDataset({ data: dir });
    expect(ds.shape).toEqual([6, 6, 3]);
    const mask = (set: typeof ds.train, i: number) => Array.from(set.masks!.subarray(i * 36, (i + 1) * 36));
    // tall: already 6 wide; rows 3..8 of 12 kept: three rows of 5 then three of 9.
    expect(mask(ds.train, 0)).toEqual([...Array(18).fill(5), ...Array(18).fill(9)]);
    // wide: columns 2..7 of 10 kept: column 2 is class 4, column 3 the ignored border, the rest background.
    expect(mask(ds.train, 1)).toEqual(Array.from({ length: 36 }, (_, i) => [4, 255, 0, 0, 0, 0][i % 6]));
    // 7×7 → 6×6: source columns 0, 1, 2, 4, 5, 6 (the nearest); the one-pixel border falls between.
    expect(mask(ds.test, 0)).toEqual(Array.from({ length: 36 }, (_, i) => [2, 2, 2, 0, 0, 0][i % 6]));
    expect(loadDataset({ data: dir, imageSize: 4 }).shape).toEqual([4, 4, 3]);
  });

  it('names the file of a malformed mask, image or list', () => {
    const expectFileError = (dir: string, file: RegExp, what: RegExp) => {
      let error: unknown;
      try {
        loadDataset({ data: dir });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(FileFormatError);
      expect((error as FileFormatError).file).toMatch(file);
      expect((error as Error).message).toMatch(what);
    };
    const ok = [item('a', 1)];
    const truncated = encodePng({ width: 8, height: 6, data: maskOf(item('bad', 1)), depth: 8, channels: 1, palette: PALETTE }).subarray(0, 40);
    expectFileError(writeVoc(tempDir(), ok, [item('bad', 1)], { bad: truncated }), /SegmentationClass\/bad\.png$/, /PNG: cannot decode/);
    const rgb = encodePng({ width: 8, height: 6, data: new Uint8Array(8 * 6 * 3), depth: 8, channels: 3 });
    expectFileError(writeVoc(tempDir(), ok, [item('rgb', 1)], { rgb }), /SegmentationClass\/rgb\.png$/, /one label per pixel.*8-bit 3-channel/);
    expectFileError(writeVoc(tempDir(), ok, [item('far', 30)]), /SegmentationClass\/far\.png$/, /pixel \(0, 0\): expected a label in 0\.\.20 .* found 30/);
    const small = encodePng({ width: 4, height: 6, data: new Uint8Array(24), depth: 8, channels: 1 });
    expectFileError(writeVoc(tempDir(), ok, [item('small', 1)], { small }), /SegmentationClass\/small\.png$/, /size: expected 6×8 like .*small\.jpg, found 6×4/);
    const broken = writeVoc(tempDir(), ok, [item('cut', 1)]);
    writeFileSync(join(broken, 'JPEGImages', 'cut.jpg'), jpegOf(6, 8).subarray(0, 30));
    expectFileError(broken, /JPEGImages\/cut\.jpg$/, /JPEG: cannot decode/);
    const listed = writeVoc(tempDir(), ok, [item('here', 1)]);
    writeFileSync(join(listed, 'ImageSets', 'Segmentation', 'val.txt'), 'here\nmissing\n');
    expectFileError(listed, /JPEGImages\/missing\.jpg$/, /file not found/);
  });
});
