/** The data pipeline's public surface: readers, data set loading, splits, augmentation, batching. */
export type { ImageSet } from './image-set.js';
export { selectImages, firstImages, concatImageSets, classCounts, IGNORE_LABEL } from './image-set.js';
export type { SceneRecipe } from './segmentation-scenes.js';
export { composeScenes, defaultSceneRecipe, checkSceneRecipe, sceneClasses, INK } from './segmentation-scenes.js';
export { writeSegmentationScenes, SCENES_FILE, type WrittenScenes } from './scene-files.js';
export { readIdx, parseIdxImages, parseIdxLabels, encodeIdx, encodeIdxImages, encodeIdxLabels, IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC } from './idx.js';
export { readCifar10Batch, parseCifar10Batch, CIFAR10_CLASSES } from './cifar10.js';
export { readDataFile } from './read-data-file.js';
export type { Dataset, DatasetSource, DatasetFormat, ChannelStats } from './dataset.js';
export { FASHION_MNIST_CLASSES, MNIST_CLASSES, channelStats } from './dataset.js';
export type { LoadDatasetOptions, DatasetLocation } from './locate.js';
export {
  loadDataset,
  findDatasets,
  embeddedDataDir,
  DEBIAN_FASHION_MNIST_DIR,
  EMBEDDED_FASHION_MNIST,
  FASHION_MNIST_CHECKSUM,
} from './locate.js';
export { readVocDirectory, findVocRoot, VOC_CLASSES, type VocData, type VocOptions } from './voc-directory.js';
export { loadDatasetCached } from './dataset-cache.js';
export type { DataInfo } from './info.js';
export { dataInfo } from './info.js';
export { balancedSubset } from './subset.js';
export type { EmbeddedSubset } from './embedded-subset.js';
export { makeEmbeddedSubset, EMBEDDED_SUBSET_RECIPE } from './embedded-subset.js';
export type { SplitOptions, DataSplits } from './split.js';
export { splitDataset, DEFAULT_ARCH_VAL_FRACTION } from './split.js';
export type { AugmentOptions } from './augment.js';
export { defaultAugmentation, augmentImages, augmentScenes, shiftImage, normalizeImages } from './augment.js';
export type { BatchOptions, TypedBatch, BatchPosition } from './batches.js';
export { typedBatches, typedBatchAt, typedBatchStream, positionAfter, batchesPerEpoch, epochOrder } from './batches.js';
export type { TensorBatch, OneHotBatchOptions } from './tensor-batches.js';
export { tensorBatches, tensorBatchStream, toTensorBatch, disposeBatch } from './tensor-batches.js';
