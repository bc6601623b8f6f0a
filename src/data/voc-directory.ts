/**
 * The PASCAL VOC segmentation layout, the one users' own data usually comes in:
 *
 *   DIR/JPEGImages/<id>.jpg              the images (RGB JPEG)
 *   DIR/SegmentationClass/<id>.png       per-pixel labels: a palette PNG whose palette *indices*
 *                                        are the classes (VOC's), or an 8-bit grey PNG of labels
 *   DIR/ImageSets/Segmentation/train.txt one id per line: the training part
 *   DIR/ImageSets/Segmentation/val.txt   the test part
 *   DIR/classes.txt                      optional class names, background first (default VOC's 21)
 *
 * Label 255 is `IGNORE_LABEL` (VOC's object borders). The tarball's `VOCdevkit/VOC2012/` under
 * DIR is found too. PNGs are decoded with fast-png, which keeps palette indices (decoders that
 * expand a palette to RGB lose the labels); JPEGs with jpeg-js; both pure JS and synchronous.
 *
 * A data set needs one image size. When every image has the same size it is kept; otherwise each
 * image is scaled (bilinear; masks nearest, so labels stay labels) so that its shorter side is S
 * and centre-cropped to S×S, S being `imageSize` or else the smallest shorter side among the
 * images. A file that is missing, does not decode or disagrees with its partner is a
 * FileFormatError naming it.
 */
import { createHash, type Hash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decode as decodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import { bilinearWeights } from '../util/bilinear-weights.js';
import { FileFormatError, UsageError } from '../util/errors.js';
import { IGNORE_LABEL, type ImageSet } from './image-set.js';
import { mostCovered } from './segmentation-scenes.js';

/** PASCAL VOC 2012's classes, in label order. */
export const VOC_CLASSES: readonly string[] = [
  'background',
  'aeroplane',
  'bicycle',
  'bird',
  'boat',
  'bottle',
  'bus',
  'car',
  'cat',
  'chair',
  'cow',
  'diningtable',
  'dog',
  'horse',
  'motorbike',
  'person',
  'pottedplant',
  'sheep',
  'sofa',
  'train',
  'tvmonitor',
];

export const VOC_IMAGES = 'JPEGImages';
export const VOC_MASKS = 'SegmentationClass';
export const VOC_SPLITS = join('ImageSets', 'Segmentation');

export interface VocOptions {
  /** Side S of the square every image is scaled and cropped to when the sizes differ (default: the smallest shorter side). */
  imageSize?: number;
}

export interface VocData {
  /** The directory that holds JPEGImages/ (DIR itself or its VOCdevkit/VOC2012/). */
  dir: string;
  train: ImageSet;
  test: ImageSet;
  classes: readonly string[];
  /** sha256 of the files' bytes in split-list order (train, then val; per id the image, then the mask). */
  checksum: string;
}

/** The VOC root under `dir` (itself, `VOC2012/` or `VOCdevkit/VOC2012/`), or undefined when there is none. */
export function findVocRoot(dir: string): string | undefined {
  return [dir, join(dir, 'VOC2012'), join(dir, 'VOCdevkit', 'VOC2012')].find((d) => existsSync(join(d, VOC_IMAGES)) && existsSync(join(d, VOC_MASKS)));
}

/** One decoded image and its mask, at the file's own size. */
interface Sample {
  id: string;
  height: number;
  width: number;
  /** height·width·3 bytes, RGB. */
  rgb: Uint8Array;
  /** height·width labels. */
  mask: Uint8Array;
}

/** Read the VOC layout at `root` (see findVocRoot): the train and val lists, decoded and brought to one size. */
export function readVocDirectory(root: string, options: VocOptions = {}): VocData {
  const hash = createHash('sha256');
  const classes = readClassList(join(root, 'classes.txt')) ?? VOC_CLASSES;
  const read = (part: string) => readSplitList(join(root, VOC_SPLITS, `${part}.txt`)).map((id) => readSample(root, id, classes, hash));
  const trainSamples = read('train');
  const testSamples = read('val');
  const all = [...trainSamples, ...testSamples];
  const uniform = all.every((s) => s.height === all[0]!.height && s.width === all[0]!.width);
  let size: { height: number; width: number };
  if (uniform && options.imageSize === undefined) size = { height: all[0]!.height, width: all[0]!.width };
  else {
    const side = options.imageSize ?? Math.min(...all.map((s) => Math.min(s.height, s.width)));
    if (!Number.isInteger(side) || side < 1) throw new UsageError(`imageSize: expected a positive integer, got ${side}`);
    size = { height: side, width: side };
  }
  const toSet = (samples: Sample[]) => imageSetOf(samples.map((s) => fitted(s, size.height, size.width)), size.height, size.width, classes.length - 1);
  return { dir: root, train: toSet(trainSamples), test: toSet(testSamples), classes, checksum: hash.digest('hex') };
}

function readClassList(file: string): string[] | null {
  if (!existsSync(file)) return null;
  const names = readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  if (names.length < 2 || names.length > IGNORE_LABEL) {
    throw new FileFormatError(file, 'classes', `expected 2..${IGNORE_LABEL} class names, one per line, background first; found ${names.length}`);
  }
  return names;
}

function readSplitList(file: string): string[] {
  if (!existsSync(file)) throw new FileFormatError(file, '', 'file not found (a VOC directory lists its parts in ImageSets/Segmentation/train.txt and val.txt)');
  const ids = readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  if (ids.length === 0) throw new FileFormatError(file, '', 'expected one image id per line, found none');
  ids.forEach((id, i) => {
    if (/[\s/\\]/.test(id) || id === '.' || id === '..') throw new FileFormatError(file, `line ${i + 1}`, `expected an image id (a file name without extension), found ${JSON.stringify(id)}`);
  });
  return ids;
}

function readBytes(file: string, hash: Hash): Uint8Array {
  if (!existsSync(file) || !statSync(file).isFile()) throw new FileFormatError(file, '', 'file not found');
  const bytes = readFileSync(file);
  hash.update(bytes);
  return bytes;
}

function readSample(root: string, id: string, classes: readonly string[], hash: Hash): Sample {
  const imageFile = join(root, VOC_IMAGES, `${id}.jpg`);
  const maskFile = join(root, VOC_MASKS, `${id}.png`);
  const image = decodeJpegFile(imageFile, readBytes(imageFile, hash));
  const mask = decodeMaskFile(maskFile, readBytes(maskFile, hash));
  if (mask.height !== image.height || mask.width !== image.width) {
    throw new FileFormatError(maskFile, 'size', `expected ${image.height}×${image.width} like ${imageFile}, found ${mask.height}×${mask.width}`);
  }
  for (let i = 0; i < mask.labels.length; i++) {
    const label = mask.labels[i]!;
    if (label >= classes.length && label !== IGNORE_LABEL) {
      throw new FileFormatError(
        maskFile,
        `pixel (${Math.floor(i / mask.width)}, ${i % mask.width})`,
        `expected a label in 0..${classes.length - 1} (${classes.length} classes) or ${IGNORE_LABEL} (ignore), found ${label}`,
      );
    }
  }
  return { id, height: image.height, width: image.width, rgb: image.rgb, mask: mask.labels };
}

function decodeJpegFile(file: string, bytes: Uint8Array): { height: number; width: number; rgb: Uint8Array } {
  let decoded: { width: number; height: number; data: Uint8Array };
  try {
    decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, maxMemoryUsageInMB: 1024 });
  } catch (err) {
    throw new FileFormatError(file, 'JPEG', `cannot decode (${err instanceof Error ? err.message : String(err)})`);
  }
  const { width, height, data } = decoded;
  if (width < 1 || height < 1 || data.length !== width * height * 3) {
    throw new FileFormatError(file, 'JPEG', `expected ${width}×${height} RGB pixels, decoded ${data.length} bytes`);
  }
  return { height, width, rgb: data };
}

/** A label PNG's per-pixel labels: palette indices (colour type 3) or grey values (colour type 0), 8 bits. */
function decodeMaskFile(file: string, bytes: Uint8Array): { height: number; width: number; labels: Uint8Array } {
  let png: ReturnType<typeof decodePng>;
  try {
    png = decodePng(bytes);
  } catch (err) {
    throw new FileFormatError(file, 'PNG', `cannot decode (${err instanceof Error ? err.message : String(err)})`);
  }
  if (png.channels !== 1 || png.depth !== 8) {
    const kind = png.palette !== undefined ? 'palette' : `${png.channels}-channel`;
    throw new FileFormatError(
      file,
      'PNG',
      `expected one label per pixel (an 8-bit palette or grey PNG, as VOC's SegmentationClass), found a ${png.depth}-bit ${kind} image`,
    );
  }
  return { height: png.height, width: png.width, labels: Uint8Array.from(png.data) };
}

/** The non-zero taps of output `o` of a bilinear resampling matrix (bilinear-weights.ts): at most two. */
function taps(m: Float32Array, inSize: number, o: number): { at: number; weight: number }[] {
  const out: { at: number; weight: number }[] = [];
  for (let k = 0; k < inSize; k++) if (m[o * inSize + k] !== 0) out.push({ at: k, weight: m[o * inSize + k]! });
  return out;
}

/** A sample scaled so its shorter side covers the target and centre-cropped to height×width (unchanged when it already fits). */
function fitted(s: Sample, height: number, width: number): Sample {
  if (s.height === height && s.width === width) return s;
  const scale = Math.max(height / s.height, width / s.width);
  const scaledH = Math.max(height, Math.round(s.height * scale));
  const scaledW = Math.max(width, Math.round(s.width * scale));
  const top = Math.floor((scaledH - height) / 2);
  const left = Math.floor((scaledW - width) / 2);
  const rowMatrix = bilinearWeights(s.height, scaledH);
  const colMatrix = bilinearWeights(s.width, scaledW);
  const rows = Array.from({ length: height }, (_, y) => taps(rowMatrix, s.height, top + y));
  const cols = Array.from({ length: width }, (_, x) => taps(colMatrix, s.width, left + x));
  // Masks take the nearest source pixel: a blend of two labels is no label.
  const nearest = (o: number, inSize: number, outSize: number) => Math.min(inSize - 1, Math.floor(((o + 0.5) * inSize) / outSize));
  const rgb = new Uint8Array(height * width * 3);
  const mask = new Uint8Array(height * width);
  for (let y = 0; y < height; y++) {
    const ny = nearest(top + y, s.height, scaledH);
    for (let x = 0; x < width; x++) {
      mask[y * width + x] = s.mask[ny * s.width + nearest(left + x, s.width, scaledW)]!;
      for (let c = 0; c < 3; c++) {
        let v = 0;
        for (const r of rows[y]!) for (const q of cols[x]!) v += r.weight * q.weight * s.rgb[(r.at * s.width + q.at) * 3 + c]!;
        rgb[(y * width + x) * 3 + c] = Math.min(255, Math.max(0, Math.round(v)));
      }
    }
  }
  return { id: s.id, height, width, rgb, mask };
}

function imageSetOf(samples: Sample[], height: number, width: number, objectClasses: number): ImageSet {
  const pixels = height * width;
  const images = new Uint8Array(samples.length * pixels * 3);
  const masks = new Uint8Array(samples.length * pixels);
  const labels = new Uint8Array(samples.length);
  samples.forEach((s, i) => {
    images.set(s.rgb, i * pixels * 3);
    masks.set(s.mask, i * pixels);
    labels[i] = mostCovered(s.mask, objectClasses);
  });
  return { images, labels, masks, count: samples.length, height, width, channels: 3 };
}
