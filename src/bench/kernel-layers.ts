/**
 * Per-layer binary conv throughput (DESIGN §5): for each layer, a packed engine's binary MAC/s,
 * the same layer as an fp32 conv in tfjs-backend-wasm (XNNPACK) measured in the same run,
 * their ratio, and the fraction of the engine's popcount roofline. Batch 1, one thread.
 * Layers: the four ResNet-18 stage convs and the distinct binary convs of R and R/2 (as
 * src/space lists them).
 */
import * as tf from '../util/tfjs.js';
import { selectBackend } from '../backend/select.js';
import { convEntriesOf, foldOutputTransform, packSigns, packWeights, timeMedian, type BinaryEngine, type ConvSpec, type EngineName } from '../kernels/index.js';
import { buildPreset } from '../space/presets.js';
import { createRng } from '../util/random.js';

export interface BenchLayer {
  name: string;
  h: number;
  w: number;
  cin: number;
  cout: number;
  kernel: number;
  stride: number;
}

/** The four ResNet-18 stage convs (3×3, stride 1): the shapes binary conv engines are usually quoted on. */
export const RESNET18_LAYERS: readonly BenchLayer[] = [
  { name: 'resnet18 stage1 56²×64', h: 56, w: 56, cin: 64, cout: 64, kernel: 3, stride: 1 },
  { name: 'resnet18 stage2 28²×128', h: 28, w: 28, cin: 128, cout: 128, kernel: 3, stride: 1 },
  { name: 'resnet18 stage3 14²×256', h: 14, w: 14, cin: 256, cout: 256, kernel: 3, stride: 1 },
  { name: 'resnet18 stage4 7²×512', h: 7, w: 7, cin: 512, cout: 512, kernel: 3, stride: 1 },
];

/** The distinct binary convs of network R at a width multiplier (R = 1, R/2 = 0.5), from the space's layer list. */
export function binaryLayersOf(label: string, widthMultiplier: number): BenchLayer[] {
  const seen = new Set<string>();
  const layers: BenchLayer[] = [];
  for (const e of convEntriesOf(buildPreset('groupnet-k1', { widthMultiplier }))) {
    if (e.bits !== 1) continue;
    const key = `${e.h} ${e.inChannels} ${e.outChannels} ${e.kernel} ${e.stride}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const shape = e.inChannels === e.outChannels ? `${e.h}²×${e.inChannels}` : `${e.h}²×${e.inChannels}→${e.outChannels}`;
    layers.push({
      name: `${label} ${shape}${e.stride > 1 ? ` s${e.stride}` : ''}`,
      h: e.h,
      w: e.w,
      cin: e.inChannels,
      cout: e.outChannels,
      kernel: e.kernel,
      stride: e.stride,
    });
  }
  return layers;
}

/** ResNet-18's stages, then R's and R/2's binary convs. */
export function defaultBenchLayers(): BenchLayer[] {
  return [...RESNET18_LAYERS, ...binaryLayersOf('R', 1), ...binaryLayersOf('R/2', 0.5)];
}

export interface EngineLayerResult {
  engine: EngineName;
  /** Median seconds of one binary conv with the per-channel transform to float32 (pack of the input not included). */
  seconds: number;
  macsPerSecond: number;
  /** The same conv with the fused sign output (packed bits for the next binary layer). */
  signSeconds: number;
  /** fp32 XNNPACK time / binary time. */
  speedupVsFp32: number;
  /** Binary MAC/s over the engine's roofline (absent for engines without one, e.g. js). */
  rooflineFraction?: number;
}

export interface LayerResult {
  layer: BenchLayer;
  binaryMacs: number;
  /** Median seconds of the fp32 conv in tfjs-backend-wasm (XNNPACK), same shape and padding, read back. */
  fp32Seconds: number;
  fp32FlopsPerSecond: number;
  engines: EngineLayerResult[];
}

export interface EngineRoofline {
  engine: EngineName;
  /** The engine's XOR+popcount inner loop on one core, binary MAC/s. */
  macsPerSecond: number;
}

export interface LayerBenchOptions {
  layers?: readonly BenchLayer[];
  /** Seconds of timing per measurement (after warm-up). */
  seconds?: number;
  onLayer?: (done: number, total: number, name: string) => void;
}

/** Engines that expose their popcount loop's peak (wasm and native do). */
interface WithRoofline {
  measureRoofline(seconds?: number): number;
}

function hasRoofline(engine: BinaryEngine): engine is BinaryEngine & WithRoofline {
  return typeof (engine as Partial<WithRoofline>).measureRoofline === 'function';
}

/** `length` random ±1 values from `seed`. */
export function randomSigns(seed: number, length: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length }, () => (rng() < 0.5 ? -1 : 1));
}

/** Median seconds of `fn` over about `seconds` of repeats (at least 5). */
export function medianSeconds(fn: () => void, seconds: number): number {
  // warm-up long enough for V8's optimizing tier and the wasm tier-up
  return timeMedian(fn, { warmUpSeconds: Math.min(0.2, seconds), seconds, minRepeats: 5 }).medianSeconds;
}

function outSide(size: number, stride: number): number {
  return Math.floor((size - 1) / stride) + 1;
}

/** Median seconds of the layer as an fp32 conv on the current tfjs backend, result read back ('symmetric': pad (k−1)/2 on every side). */
export function timeFp32Conv(layer: BenchLayer, seconds: number, padding: 'same' | 'symmetric'): number {
  const pad = padding === 'same' ? 'same' : (layer.kernel - 1) / 2;
  const x = tf.tensor4d(randomSigns(3, layer.h * layer.w * layer.cin), [1, layer.h, layer.w, layer.cin]);
  const w = tf.tensor4d(randomSigns(4, layer.kernel ** 2 * layer.cin * layer.cout), [layer.kernel, layer.kernel, layer.cin, layer.cout]);
  try {
    return medianSeconds(() => {
      const y = tf.conv2d(x, w, layer.stride, pad);
      y.dataSync();
      y.dispose();
    }, seconds);
  } finally {
    tf.dispose([x, w]);
  }
}

/** Random packed operands of the layer's binary conv: ±1 input and weights, a per-channel transform. */
export function layerOperands(layer: BenchLayer, padding: ConvSpec['padding']) {
  const spec: ConvSpec = { kernel: layer.kernel, stride: layer.stride, dilation: 1, padding };
  const input = packSigns(randomSigns(1, layer.h * layer.w * layer.cin), { n: 1, h: layer.h, w: layer.w, c: layer.cin });
  const weights = packWeights(randomSigns(2, layer.kernel ** 2 * layer.cin * layer.cout), {
    kernel: layer.kernel,
    inChannels: layer.cin,
    outChannels: layer.cout,
  });
  const transform = foldOutputTransform({ channels: layer.cout, alpha: new Float32Array(layer.cout).fill(0.05) });
  return { spec, input, weights, transform };
}

function timeBinary(engine: BinaryEngine, layer: BenchLayer, seconds: number): { seconds: number; signSeconds: number } {
  const { spec, input, weights, transform } = layerOperands(layer, 'symmetric');
  return {
    seconds: medianSeconds(() => engine.conv(input, weights, spec, transform), seconds),
    signSeconds: medianSeconds(() => engine.convSign(input, weights, spec, transform), seconds),
  };
}

/** The popcount roofline of each engine that has one (wasm, native; the js reference has none). */
export function measureRooflines(engines: readonly BinaryEngine[], seconds = 0.3): EngineRoofline[] {
  return engines.filter(hasRoofline).map((e) => ({ engine: e.name, macsPerSecond: e.measureRoofline(seconds) }));
}

/**
 * Time every layer on every engine and as an fp32 XNNPACK conv (switches tfjs to the wasm
 * backend). The fp32 conv uses the same symmetric zero padding as the binary one.
 */
export async function benchLayers(
  engines: readonly BinaryEngine[],
  rooflines: readonly EngineRoofline[],
  options: LayerBenchOptions = {},
): Promise<LayerResult[]> {
  const seconds = options.seconds ?? 0.4;
  const layers = options.layers ?? defaultBenchLayers();
  await selectBackend('wasm');
  const results: LayerResult[] = [];
  layers.forEach((layer, i) => {
    const binaryMacs = outSide(layer.h, layer.stride) * outSide(layer.w, layer.stride) * layer.cout * layer.kernel ** 2 * layer.cin;
    const fp32Seconds = timeFp32Conv(layer, seconds, 'symmetric');
    results.push({
      layer,
      binaryMacs,
      fp32Seconds,
      fp32FlopsPerSecond: (2 * binaryMacs) / fp32Seconds,
      engines: engines.map((engine) => {
        const t = timeBinary(engine, layer, seconds);
        const macsPerSecond = binaryMacs / t.seconds;
        const roofline = rooflines.find((r) => r.engine === engine.name)?.macsPerSecond;
        return {
          engine: engine.name,
          seconds: t.seconds,
          macsPerSecond,
          signSeconds: t.signSeconds,
          speedupVsFp32: fp32Seconds / t.seconds,
          ...(roofline ? { rooflineFraction: macsPerSecond / roofline } : {}),
        };
      }),
    });
    options.onLayer?.(i + 1, layers.length, layer.name);
  });
  return results;
}
