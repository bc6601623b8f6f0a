/**
 * Finding and loading a data set: the embedded Fashion-MNIST subset (the default), the full
 * Fashion-MNIST of Debian's `dataset-fashion-mnist` package, or a user's directory of idx
 * files (MNIST-style) or CIFAR-10 binary batches, told apart by their file names.
 */
import { createHash, type Hash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileFormatError, UsageError } from '../util/errors.js';
import { CIFAR10_CLASSES, parseCifar10Batch } from './cifar10.js';
import {
  channelStats,
  FASHION_MNIST_CLASSES,
  MNIST_CLASSES,
  type Dataset,
  type DatasetSource,
} from './dataset.js';
import { parseIdxImages, parseIdxLabels } from './idx.js';
import { concatImageSets, IGNORE_LABEL, type ImageSet } from './image-set.js';
import { SCENES_FILE } from './scene-files.js';
import { readDataFile } from './read-data-file.js';
import { findVocRoot, readVocDirectory } from './voc-directory.js';

/** Where Debian's `dataset-fashion-mnist` package installs the full data set. */
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** The subset shipped in the package (`data/fashion-mnist/`, made by `scripts/make-embedded-data.mjs`). */
export const EMBEDDED_FASHION_MNIST = {
  name: 'fashion-mnist-subset',
  train: 10_000,
  test: 2_000,
  checksum: 'e53d4d3e040285ea033ec111c061acbcda83892ad6e21206c6da3bc7ff94a068',
} as const;

/** Checksum (see Dataset.checksum) of the official Fashion-MNIST release, 60,000 + 10,000 images. */
export const FASHION_MNIST_CHECKSUM = '14410854cf7a289477dcfc7df3f8ec24741e281cdcc425ede0d9a748ca630214';

/** The package's `data/fashion-mnist/` directory; the same relative place from `src/data` and `dist/data`. */
export function embeddedDataDir(): string {
  return fileURLToPath(new URL('../../data/fashion-mnist/', import.meta.url)).replace(/\/$/, '');
}

export interface LoadDatasetOptions {
  /**
   * `embedded` (the default), `debian`, or a directory holding idx files (standard names, `.gz` or not)
   * or CIFAR-10 `.bin` batches. The two names win over directories of the same name; write `./debian`
   * for a directory called `debian`. A directory in the PASCAL VOC layout (voc-directory.ts) is a
   * segmentation set.
   */
  data?: string;
  /** VOC layout: the side of the square its images are brought to when their sizes differ (see voc-directory.ts). */
  imageSize?: number;
}

/** Load a data set, by default the embedded Fashion-MNIST subset. */
export function loadDataset(options: LoadDatasetOptions = {}): Dataset {
  const data = options.data ?? 'embedded';
  if (data === 'embedded') return loadDirectory(embeddedDataDir(), 'embedded');
  if (data === 'debian') {
    if (!existsSync(DEBIAN_FASHION_MNIST_DIR)) {
      throw new UsageError(
        `--data debian: ${DEBIAN_FASHION_MNIST_DIR} not found (install it with: apt-get install dataset-fashion-mnist)`,
      );
    }
    return loadDirectory(DEBIAN_FASHION_MNIST_DIR, 'debian');
  }
  const dir = resolve(data);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UsageError(
      `--data ${data}: no such directory (expected \`embedded\`, \`debian\` or a directory of idx or CIFAR-10 files; ` +
        `segmentation scenes are made with \`groupnas data make-segmentation --out ${data}\`)`,
    );
  }
  const source: DatasetSource =
    dir === resolve(embeddedDataDir()) ? 'embedded' : dir === DEBIAN_FASHION_MNIST_DIR ? 'debian' : 'directory';
  return loadDirectory(dir, source, options);
}

/** A data set `groupnas info` can report without loading it. */
export interface DatasetLocation {
  /** What `--data` accepts to select it. */
  data: string;
  name: string;
  source: DatasetSource;
  /** Its directory. */
  location: string;
}

/** The data sets present on this machine without being told: the embedded subset and Debian's Fashion-MNIST, when installed. */
export function findDatasets(): DatasetLocation[] {
  const found: DatasetLocation[] = [];
  const embedded = embeddedDataDir();
  if (holdsIdxFiles(embedded)) {
    found.push({ data: 'embedded', name: EMBEDDED_FASHION_MNIST.name, source: 'embedded', location: embedded });
  }
  if (holdsIdxFiles(DEBIAN_FASHION_MNIST_DIR)) {
    found.push({ data: 'debian', name: 'fashion-mnist', source: 'debian', location: DEBIAN_FASHION_MNIST_DIR });
  }
  return found;
}

/** Whether a directory holds a complete idx set (a report never throws; loading explains what is missing). */
function holdsIdxFiles(dir: string): boolean {
  try {
    return detectIdxFiles(dir) !== null;
  } catch {
    return false;
  }
}

/** The four idx roles and the prefixes of their standard file names. */
const IDX_ROLES = {
  trainImages: { prefix: 'train-images', dims: 'idx3' },
  trainLabels: { prefix: 'train-labels', dims: 'idx1' },
  testImages: { prefix: 't10k-images', dims: 'idx3' },
  testLabels: { prefix: 't10k-labels', dims: 'idx1' },
} as const;
type IdxRole = keyof typeof IDX_ROLES;

/** Standard spellings, raw first (no decompression needed): `train-images-idx3-ubyte`, the `.idx3-ubyte` variant, each with `.gz`. */
function idxCandidates(role: IdxRole): string[] {
  const { prefix, dims } = IDX_ROLES[role];
  return [`${prefix}-${dims}-ubyte`, `${prefix}-${dims}-ubyte.gz`, `${prefix}.${dims}-ubyte`, `${prefix}.${dims}-ubyte.gz`];
}

/**
 * The idx files of a directory by role, or null when it holds none of them.
 * Throws when some but not all four are present (naming the missing ones).
 */
function detectIdxFiles(dir: string): Record<IdxRole, string> | null {
  if (!existsSync(dir)) return null;
  const found: Partial<Record<IdxRole, string>> = {};
  const missing: string[] = [];
  for (const role of Object.keys(IDX_ROLES) as IdxRole[]) {
    const name = idxCandidates(role).find((candidate) => existsSync(join(dir, candidate)));
    if (name) found[role] = join(dir, name);
    else missing.push(`${idxCandidates(role)[0]}[.gz]`);
  }
  if (missing.length === 4) return null;
  if (missing.length > 0) throw new FileFormatError(dir, 'idx files', `missing ${missing.join(', ')}`);
  return found as Record<IdxRole, string>;
}

const CIFAR_TRAIN_BATCH = /^data_batch_(\d+)\.bin(\.gz)?$/;
const CIFAR_TEST_BATCH = /^test_batch\.bin(\.gz)?$/;

/** CIFAR-10 batch files of a directory (training batches in numeric order), or null when it holds none. */
function detectCifarFiles(dir: string): { train: string[]; test: string } | null {
  const names = readdirSync(dir);
  const train = names
    .map((name) => ({ name, match: CIFAR_TRAIN_BATCH.exec(name) }))
    .filter((entry) => entry.match !== null)
    .sort((a, b) => Number(a.match![1]) - Number(b.match![1]))
    .map((entry) => join(dir, entry.name));
  const test = names.find((name) => CIFAR_TEST_BATCH.test(name));
  if (train.length === 0 && !test) return null;
  if (train.length === 0) throw new FileFormatError(dir, 'CIFAR-10 files', 'missing data_batch_1.bin … data_batch_5.bin');
  if (!test) throw new FileFormatError(dir, 'CIFAR-10 files', 'missing test_batch.bin');
  return { train, test: join(dir, test) };
}

function loadDirectory(dir: string, source: DatasetSource, options: LoadDatasetOptions = {}): Dataset {
  const idx = detectIdxFiles(dir);
  if (idx) return loadIdxDirectory(dir, source, idx);
  const cifar = detectCifarFiles(dir);
  if (cifar) return loadCifarDirectory(dir, source, cifar);
  const voc = findVocRoot(dir);
  if (voc !== undefined) {
    const read = readVocDirectory(voc, options.imageSize !== undefined ? { imageSize: options.imageSize } : {});
    const name = existsSync(join(voc, 'classes.txt')) ? basename(dir) : 'pascal-voc';
    return finish({ name, source, path: voc, format: 'voc', train: read.train, test: read.test, classes: read.classes, checksum: read.checksum });
  }
  // The CIFAR-10 tarball unpacks into this folder; accept its parent too.
  const unpacked = join(dir, 'cifar-10-batches-bin');
  if (existsSync(unpacked)) return loadDirectory(unpacked, source);
  throw new FileFormatError(
    dir,
    '',
    'no data set found: expected idx files (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], ' +
      't10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]), CIFAR-10 batches (data_batch_1.bin …, test_batch.bin) ' +
      'or the PASCAL VOC layout (JPEGImages/, SegmentationClass/, ImageSets/Segmentation/)',
  );
}

/** Read a file's raw (decompressed) bytes and feed them to the data set checksum. */
function readHashed(file: string, hash: Hash): Uint8Array {
  const bytes = readDataFile(file);
  hash.update(bytes);
  return bytes;
}

function loadIdxDirectory(dir: string, source: DatasetSource, files: Record<IdxRole, string>): Dataset {
  const hash = createHash('sha256');
  const readPair = (imagesFile: string, labelsFile: string): ImageSet => {
    const images = parseIdxImages(readHashed(imagesFile, hash), imagesFile);
    const labels = parseIdxLabels(readHashed(labelsFile, hash), labelsFile);
    if (labels.length !== images.count) {
      throw new FileFormatError(labelsFile, 'count', `expected ${images.count} labels (one per image in ${imagesFile}), found ${labels.length}`);
    }
    return { ...images, labels };
  };
  const train = readPair(files.trainImages, files.trainLabels);
  const test = readPair(files.testImages, files.testLabels);
  const masks = detectMaskFiles(dir);
  if (masks) {
    train.masks = readMasks(masks.train, train, readHashed(masks.train, hash));
    test.masks = readMasks(masks.test, test, readHashed(masks.test, hash));
  }
  if (test.height !== train.height || test.width !== train.width) {
    throw new FileFormatError(
      files.testImages,
      'dims',
      `expected ${train.height}×${train.width} images like ${files.trainImages}, found ${test.height}×${test.width}`,
    );
  }
  const checksum = hash.digest('hex');
  const { name, classes } = nameIdxDataset(dir, source, checksum, () => labelClassCount(train.labels, files.trainLabels));
  checkLabels(train.labels, classes, files.trainLabels);
  checkLabels(test.labels, classes, files.testLabels);
  if (masks) {
    checkMasks(train.masks!, classes, masks.train, train);
    checkMasks(test.masks!, classes, masks.test, test);
  }
  return finish({ name, source, path: dir, format: 'idx', train, test, classes, checksum });
}

/**
 * idx files do not say what they hold. Known checksums identify Fashion-MNIST and the embedded subset;
 * otherwise the directory name decides (`…fashion…` or `…mnist…`), and a `classes.txt` (one name per line)
 * overrides the class names.
 */
function nameIdxDataset(dir: string, source: DatasetSource, checksum: string, labelClasses: () => number): { name: string; classes: readonly string[] } {
  const folder = basename(dir);
  const listed = readClassNames(join(dir, 'classes.txt'));
  let name: string;
  let classes: readonly string[];
  if (checksum === FASHION_MNIST_CHECKSUM || /fashion/i.test(folder)) {
    name = 'fashion-mnist';
    classes = FASHION_MNIST_CLASSES;
  } else if (/mnist/i.test(folder)) {
    name = 'mnist';
    classes = MNIST_CLASSES;
  } else {
    name = folder;
    classes = listed ?? Array.from({ length: labelClasses() }, (_, i) => String(i));
  }
  if (existsSync(join(dir, SCENES_FILE))) name = 'fashion-scenes';
  if (source === 'embedded' || checksum === EMBEDDED_FASHION_MNIST.checksum) name = EMBEDDED_FASHION_MNIST.name;
  return { name, classes: listed ?? classes };
}

function loadCifarDirectory(dir: string, source: DatasetSource, files: { train: string[]; test: string }): Dataset {
  const hash = createHash('sha256');
  const train = concatImageSets(files.train.map((file) => parseCifar10Batch(readHashed(file, hash), file)));
  const test = parseCifar10Batch(readHashed(files.test, hash), files.test);
  const metaFile = join(dir, 'batches.meta.txt');
  const classes = readClassNames(metaFile) ?? CIFAR10_CLASSES;
  if (classes.length !== CIFAR10_CLASSES.length) {
    throw new FileFormatError(metaFile, 'classes', `expected ${CIFAR10_CLASSES.length} class names, one per line, found ${classes.length}`);
  }
  return finish({ name: 'cifar-10', source, path: dir, format: 'cifar10', train, test, classes, checksum: hash.digest('hex') });
}

/** Non-empty trimmed lines of a class-name file, or null when there is none. */
function readClassNames(file: string): string[] | null {
  if (!existsSync(file)) return null;
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

/** Segmentation masks beside the idx files (`train-masks-idx3-ubyte[.gz]`, `t10k-masks-…`): both or neither. */
function detectMaskFiles(dir: string): { train: string; test: string } | null {
  const find = (prefix: string) => [`${prefix}-idx3-ubyte`, `${prefix}-idx3-ubyte.gz`].find((name) => existsSync(join(dir, name)));
  const train = find('train-masks');
  const test = find('t10k-masks');
  if (train === undefined && test === undefined) return null;
  if (train === undefined || test === undefined) {
    throw new FileFormatError(dir, 'mask files', `missing ${train === undefined ? 'train-masks-idx3-ubyte[.gz]' : 't10k-masks-idx3-ubyte[.gz]'} (segmentation needs masks for both parts)`);
  }
  return { train: join(dir, train), test: join(dir, test) };
}

/** A mask file's bytes: one h×w mask per image of `set`. */
function readMasks(file: string, set: ImageSet, bytes: Uint8Array): Uint8Array {
  const masks = parseIdxImages(bytes, file);
  if (masks.count !== set.count || masks.height !== set.height || masks.width !== set.width) {
    throw new FileFormatError(file, 'dims', `expected ${set.count} masks of ${set.height}×${set.width} (one per image), found ${masks.count} of ${masks.height}×${masks.width}`);
  }
  return masks.images;
}

function checkMasks(masks: Uint8Array, classes: readonly string[], file: string, set: ImageSet): void {
  const pixels = set.height * set.width;
  for (let i = 0; i < masks.length; i++) {
    const label = masks[i]!;
    if (label >= classes.length && label !== IGNORE_LABEL) {
      const at = i % pixels;
      throw new FileFormatError(
        file,
        `mask ${Math.floor(i / pixels)} pixel (${Math.floor(at / set.width)}, ${at % set.width})`,
        `expected 0..${classes.length - 1} (${classes.length} classes) or ${IGNORE_LABEL} (ignore), found ${label}`,
      );
    }
  }
}

/**
 * The classes of a data set that does not name them: its training labels' distinct values, which
 * must number them 0..K−1 without a gap — a stray byte (137 among 0..9) is a damaged label, not a
 * 138th class, and is an error naming the file and the label's index.
 */
function labelClassCount(labels: Uint8Array, file: string): number {
  const present = new Array<boolean>(256).fill(false);
  for (const label of labels) present[label] = true;
  let count = 0;
  while (count < present.length && present[count]) count++;
  const stray = labels.findIndex((label) => label >= count);
  if (stray >= 0) {
    throw new FileFormatError(
      file,
      `label ${stray}`,
      `found ${labels[stray]}, but the labels number their classes 0..${count - 1} (no image is labelled ${count}): expected a class in 0..${count - 1}`,
    );
  }
  return count;
}

function checkLabels(labels: Uint8Array, classes: readonly string[], file: string): void {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i]! >= classes.length) {
      throw new FileFormatError(file, `label ${i}`, `expected 0..${classes.length - 1} (${classes.length} classes), found ${labels[i]}`);
    }
  }
}

/** A Dataset from what was read; its shape and statistics follow from the training images. */
function finish(parts: Omit<Dataset, 'shape' | 'stats'>): Dataset {
  return {
    ...parts,
    shape: [parts.train.height, parts.train.width, parts.train.channels],
    stats: channelStats(parts.train),
  };
}
