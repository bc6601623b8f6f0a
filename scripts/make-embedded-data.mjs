#!/usr/bin/env node
/**
 * Make the embedded Fashion-MNIST subset in data/fashion-mnist/: a seeded, class-balanced draw of
 * 1,000 training and 200 test images per class (10,000 + 2,000) from the full data set, written as
 * gzip-compressed idx files, with a README recording source, license, seed and checksums.
 *
 *   npm run build && node scripts/make-embedded-data.mjs [--source DIR] [--out DIR]
 *
 * Deterministic: the same source gives the same images, the same raw bytes and (with the same
 * zlib) the same .gz bytes. DIR defaults to Debian's /usr/share/datasets/fashion-mnist
 * (apt-get install dataset-fashion-mnist); any directory with the official idx files works.
 */
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { writeFileAtomic } from '../dist/util/atomic-write.js';
import { EMBEDDED_SUBSET_RECIPE, makeEmbeddedSubset } from '../dist/data/embedded-subset.js';
import { classCounts } from '../dist/data/image-set.js';
import { loadDataset, DEBIAN_FASHION_MNIST_DIR, FASHION_MNIST_CHECKSUM } from '../dist/data/locate.js';

const { seed: SEED, trainPerClass: TRAIN_PER_CLASS, testPerClass: TEST_PER_CLASS } = EMBEDDED_SUBSET_RECIPE;

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    source: { type: 'string', default: DEBIAN_FASHION_MNIST_DIR },
    out: { type: 'string', default: join(root, 'data', 'fashion-mnist') },
  },
});

const full = loadDataset({ data: values.source });
if (full.checksum !== FASHION_MNIST_CHECKSUM) {
  console.error(
    `${values.source}: checksum ${full.checksum} is not the official Fashion-MNIST (${FASHION_MNIST_CHECKSUM}); refusing to make a subset that would ` +
      `not be reproducible`,
  );
  process.exit(1);
}
const numClasses = full.classes.length;
const { train, test, files, checksum } = makeEmbeddedSubset(full);

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
const rows = [];
for (const [name, raw] of files) {
  // Level 9 for size; gzip's header time stays 0, so the bytes depend only on the content and zlib.
  const gz = gzipSync(raw, { level: 9 });
  writeFileAtomic(join(values.out, name), gz);
  rows.push(`| \`${name}\` | ${gz.length} | \`${sha256(gz)}\` | \`${sha256(raw)}\` |`);
}

const readme = `# Embedded Fashion-MNIST subset

The default data set of groupnas (\`--data embedded\`): ${train.count.toLocaleString('en')} training and
${test.count.toLocaleString('en')} test images of Fashion-MNIST, 28×28 grey, 10 classes
(T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot), in the original
idx format, gzip-compressed.

- **Source**: Fashion-MNIST by Zalando Research, <https://github.com/zalandoresearch/fashion-mnist>
  (Xiao, Rasul and Vollgraf, "Fashion-MNIST: a Novel Image Dataset for Benchmarking Machine Learning
  Algorithms", arXiv:1708.07747, 2017), as packaged by Debian (\`dataset-fashion-mnist\`, files in
  \`${DEBIAN_FASHION_MNIST_DIR}\`). Checksum of the full source (see below for the definition):
  \`${FASHION_MNIST_CHECKSUM}\`.
- **Selection**: class-balanced and seeded: ${TRAIN_PER_CLASS.toLocaleString('en')} training images per class drawn from the
  60,000 training images, ${TEST_PER_CLASS} test images per class from the 10,000 test images (test images
  stay test images), then shuffled together. Seed ${SEED} (\`deriveSeed(${SEED}, 'train')\` and
  \`deriveSeed(${SEED}, 'test')\` with \`makeEmbeddedSubset\` in \`src/data/embedded-subset.ts\`).
  Images per class: train ${JSON.stringify(classCounts(train.labels, numClasses))}, test ${JSON.stringify(classCounts(test.labels, numClasses))}.
- **Made by**: \`npm run build && node scripts/make-embedded-data.mjs\` (rerunnable: the same images and raw
  bytes every time, and the same .gz bytes with the same zlib).

## Checksums (sha256)

| file | bytes | sha256 of the .gz | sha256 of the raw idx |
|---|---|---|---|
${rows.join('\n')}

Data set checksum (what \`groupnas data info\` prints and runs record): sha256 of the raw files
concatenated in the order train images, train labels, test images, test labels:

\`\`\`
${checksum}
\`\`\`

Reproduce it with \`zcat train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz | sha256sum\`.

## License

Fashion-MNIST is released under the MIT License:

> The MIT License (MIT) Copyright © 2017 Zalando SE, https://tech.zalando.com
>
> Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
> associated documentation files (the "Software"), to deal in the Software without restriction,
> including without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense,
> and/or sell copies of the Software, and to permit persons to whom the Software is furnished to do so,
> subject to the following conditions:
>
> The above copyright notice and this permission notice shall be included in all copies or substantial
> portions of the Software.
>
> THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT
> LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN
> NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY,
> WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE
> SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
`;
writeFileAtomic(join(values.out, 'README.md'), readme);
console.log(`wrote ${values.out}: ${train.count} train + ${test.count} test images`);
console.log(`checksum ${checksum}`);
