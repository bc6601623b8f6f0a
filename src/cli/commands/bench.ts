import type { Argv, CommandModule } from 'yargs';
import { benchBackendKernels, formatBackendKernels } from '../../bench/backend-kernels.js';
import { benchKernels, formatKernelsReport } from '../../bench/kernels.js';
import { formatNativeBench, runNativeBench } from '../../bench/native-engine.js';
import { defaultBenchLayers } from '../../bench/kernel-layers.js';
import { benchTrainStep, formatTrainStep, TRAIN_STEP_MODELS, type TrainStepModel } from '../../bench/train-step.js';
import { benchEvaluatePool, formatEvaluatePoolReport } from '../../bench/evaluate-pool.js';
import { benchEvaluateQueue, formatEvaluateQueueReport } from '../../bench/evaluate-queue.js';
import { benchSupernetSteps, formatSupernetSteps } from '../../bench/supernet-step.js';
import { benchLatencyPredictor, formatLatencyPredictor } from '../../bench/latency-predictor.js';
import { benchSupernetRanking, formatSupernetRanking } from '../../bench/supernet-ranking.js';
import { selectBackend } from '../../backend/select.js';
import { CALIBRATION_MODELS, type EngineName, type TimingClock } from '../../kernels/index.js';
import { loadConfig } from '../../space/config-file.js';
import { spaceFromConfig } from '../../space/config-space.js';
import { describeMachine } from '../../util/machine.js';
import kernels from './bench-kernels.js';
import { progressBars } from '../progress-bar.js';
import { checkNumber, checkThreadsOption, printJson, withJsonOption, type BackendArgs } from '../options.js';
import { TRAINING_KERNEL_CHOICES, type TrainingKernelRequest } from '../../backend/index.js';

interface TrainStepArgs {
  json: boolean;
  batch: number;
  steps: number;
  rounds: number;
  model: TrainStepModel[];
  cpu: boolean;
  'cpu-batch': number;
  torch: boolean;
  profile: boolean;
}

const trainStep: CommandModule<object, TrainStepArgs> = {
  command: 'train-step',
  describe:
    'Images/s of one SGD training step of network R (FP twin and Group-Net K=5): native training kernels at 1 and 2 threads, the wasm composites, stock cpu and PyTorch at 1 and 2 threads',
  builder: (y) =>
    withJsonOption(y)
      .option('batch', { type: 'number', default: 64, describe: 'images per step' })
      .option('steps', { type: 'number', default: 5, describe: 'timed steps (median) on native, wasm and in PyTorch' })
      .option('rounds', {
        type: 'number',
        default: 5,
        describe:
          'rounds of native and PyTorch, interleaved, the native thread counts step by step on one model; ratios are medians of per-round ratios (a shared machine slows both sides alike; a median of five rounds is not moved by two slow ones)',
      })
      .option('profile', {
        type: 'boolean',
        default: false,
        describe: 'also profile one native step per model at 1 and 2 threads, by kernel (the next bottleneck, and what does not gain from threads)',
      })
      .option('model', { type: 'array', choices: TRAIN_STEP_MODELS, default: [...TRAIN_STEP_MODELS] as TrainStepModel[], describe: 'models to measure' })
      .option('cpu', { type: 'boolean', default: true, describe: 'also time one step on the stock cpu backend (slow; --no-cpu skips)' })
      .option('cpu-batch', { type: 'number', default: 8, describe: 'images in the one cpu-backend step (its cost is linear in the batch)' })
      .option('torch', {
        type: 'boolean',
        default: true,
        describe: 'also run the PyTorch peer when /usr/bin/python3 has torch (--no-torch skips)',
      }) as Argv<TrainStepArgs>,
  handler: async (argv) => {
    const result = await benchTrainStep({
      batch: argv.batch,
      steps: argv.steps,
      rounds: argv.rounds,
      models: argv.model,
      cpu: argv.cpu,
      cpuBatch: argv['cpu-batch'],
      torch: argv.torch,
      profile: argv.profile,
      progress: progressBars(),
    });
    if (argv.json) printJson(result);
    else console.log(formatTrainStep(result));
  },
};

interface SupernetStepArgs extends Omit<BackendArgs, 'backend'> {
  json: boolean;
  config?: string[];
  'every-decision'?: boolean;
  batch: number;
  steps: number;
}

const supernetStep: CommandModule<object, SupernetStepArgs> = {
  command: 'supernet-step',
  describe: 'Cost of a supernet search step (weight + α step) next to a step of the largest architecture of each space (bound: 2×)',
  builder: (y) =>
    withJsonOption(y)
      .option('config', {
        type: 'array',
        string: true,
        describe: 'configs whose spaces are measured (default: every configs/*.json, plus the default config with every decision type)',
      })
      .option('every-decision', {
        type: 'boolean',
        describe: 'also measure the default config with every decision type added (default: only without --config)',
      })
      .option('batch', { type: 'number', default: 64, describe: 'images per step, for every space' })
      .option('steps', { type: 'number', default: 3, describe: 'timed steps (median)' })
      .option('kernels', {
        choices: TRAINING_KERNEL_CHOICES,
        default: 'auto' as TrainingKernelRequest,
        describe: 'training kernels of the wasm backend the steps run on (native, wasm, auto)',
      })
      .option('threads', { type: 'number', describe: 'threads of the native kernels (default: every core)' }) as Argv<SupernetStepArgs>,
  handler: async (argv) => {
    checkThreadsOption(argv.threads);
    const r = await benchSupernetSteps({
      training: { kernels: argv.kernels, ...(argv.threads !== undefined ? { threads: argv.threads } : {}) },
      ...(argv.config ? { configs: argv.config } : {}),
      ...(argv['every-decision'] !== undefined ? { everyDecision: argv['every-decision'] } : {}),
      batch: argv.batch,
      steps: argv.steps,
    });
    if (argv.json) printJson(r);
    else console.log(formatSupernetSteps(r));
  },
};

const evaluatePool: CommandModule<object, { json: boolean }> = {
  command: 'evaluate-pool',
  describe: 'Candidate evaluation with 1 worker vs 2 workers (4 tiny-config candidates), and the ratio',
  builder: (y) => withJsonOption(y) as Argv<{ json: boolean }>,
  handler: async (argv) => {
    const r = await benchEvaluatePool();
    if (argv.json) printJson(r);
    else console.log(formatEvaluatePoolReport(r));
  },
};

interface EvaluateQueueArgs {
  json: boolean;
  config?: string;
  candidates: number;
  epochs?: number;
  limit?: number;
  queue?: string;
  rounds: number;
}

const evaluateQueue: CommandModule<object, EvaluateQueueArgs> = {
  command: 'evaluate-queue',
  describe: "Candidate evaluation through the Redis queue: 1 vs 2 `groupnas worker` processes (the default config's candidates), and the queue's cost per job",
  builder: (y) =>
    withJsonOption(y)
      .option('config', { type: 'string', describe: 'config whose space and schedule the candidates take (default: configs/default.json)' })
      .option('candidates', { type: 'number', default: 4, describe: 'candidates sampled from the space' })
      .option('epochs', { type: 'number', describe: "training epochs per candidate (default: the config's evaluation.epochs)" })
      .option('limit', { type: 'number', describe: "training images per candidate (default: the config's)" })
      .option('queue', { type: 'string', describe: 'a Redis to use (default: a redis-server started on a free loopback port)' })
      .option('rounds', {
        type: 'number',
        default: 1,
        describe: 'rounds of 1 then 2 worker processes; the ratio is their median (a shared machine drifts between runs)',
      }) as Argv<EvaluateQueueArgs>,
  handler: async (argv) => {
    checkNumber('candidates', argv.candidates, { integer: true, min: 1 });
    checkNumber('epochs', argv.epochs, { integer: true, min: 1 });
    checkNumber('limit', argv.limit, { integer: true, min: 1 });
    checkNumber('rounds', argv.rounds, { integer: true, min: 1 });
    const r = await benchEvaluateQueue({
      rounds: argv.rounds,
      progress: progressBars(),
      ...(argv.config !== undefined ? { config: argv.config } : {}),
      candidates: argv.candidates,
      ...(argv.epochs !== undefined ? { epochs: argv.epochs } : {}),
      ...(argv.limit !== undefined ? { limit: argv.limit } : {}),
      ...(argv.queue !== undefined ? { queue: argv.queue } : {}),
    });
    if (argv.json) printJson(r);
    else console.log(formatEvaluateQueueReport(r));
  },
};

interface NativeArgs {
  json: boolean;
  quick: boolean;
  model: boolean;
}

const native: CommandModule<object, NativeArgs> = {
  command: 'native',
  describe: "The native engine's binary MAC/s per layer and dispatch path against its popcount roofline, XNNPACK and PyTorch fp32; whole Group-Net R",
  builder: (y) =>
    withJsonOption(y).option('quick', { type: 'boolean', default: false, describe: 'shorter timings, the four ResNet-18 stage layers only' }).option('model', {
      type: 'boolean',
      default: true,
      describe: 'also time whole Group-Net R (K=5) through the packed model (--no-model skips)',
    }) as Argv<NativeArgs>,
  handler: async (argv) => {
    const report = await runNativeBench({
      seconds: argv.quick ? 0.2 : 0.5,
      layers: argv.quick ? defaultBenchLayers().slice(0, 4) : defaultBenchLayers(),
      model: argv.model,
    });
    if (argv.json) printJson(report);
    else console.log(formatNativeBench(report));
  },
};

interface BackendKernelsArgs {
  json: boolean;
  batch: number;
  reps: number;
}

const backendKernels: CommandModule<object, BackendKernelsArgs> = {
  command: 'backend-kernels',
  describe:
    "groupnas' wasm training kernels against tfjs-backend-wasm's stock ones: conv forward, dx, dW GFLOP/s of R's layers, then the other replaced kernels",
  builder: (y) =>
    withJsonOption(y)
      .option('batch', { type: 'number', default: 64, describe: 'images per batch' })
      .option('reps', { type: 'number', default: 5, describe: 'timed runs per kernel (median)' }) as Argv<BackendKernelsArgs>,
  handler: async (argv) => {
    const report = await benchBackendKernels({ batch: argv.batch, reps: argv.reps });
    if (argv.json) printJson(report);
    else console.log(formatBackendKernels(report));
  },
};

interface SupernetRankingArgs {
  json: boolean;
  run: string;
  out?: string;
  archs?: number;
  seed?: number;
  'stand-alone': boolean;
  workers?: number;
  trained?: string[];
}

const supernetRanking: CommandModule<object, SupernetRankingArgs> = {
  command: 'supernet-ranking',
  describe:
    "Is a search's supernet informative? For architectures sampled from its space: the supernet's accuracy with one-hot α (inherited weights, " +
    "BN recalibrated) against stand-alone training with the candidates' schedule; Kendall τ and Spearman ρ. Resumable",
  builder: (y) =>
    withJsonOption(y)
      .option('run', {
        type: 'string',
        demandOption: true,
        describe: 'a search run directory whose supernet finished (groupnas search … --no-evaluate is enough)',
      })
      .option('out', { type: 'string', describe: 'where ranking.json and the stand-alone trainings go (default <run>/ranking; rerun to resume)' })
      .option('archs', { type: 'number', describe: 'architectures sampled (default 15)' })
      .option('seed', { type: 'number', describe: "seed of the sample (default: the run's)" })
      .option('stand-alone', { type: 'boolean', default: true, describe: 'train each architecture stand-alone (--no-stand-alone: supernet accuracies only)' })
      .option('workers', { type: 'number', describe: "worker threads of the stand-alone trainings (default: the run's evaluation.workers)" })
      .option('trained', {
        type: 'string',
        array: true,
        describe:
          "finished training runs of the space's architectures with the candidates' schedule (a search's evaluation/candidates/*, presets/candidates/*): " +
          'ranked instead of sampling and training --archs new ones',
      })
      .conflicts('trained', ['archs', 'seed'])
      .example('$0 bench supernet-ranking --run runs/default --archs 15', 'rank 15 architectures of the default search')
      .example(
        '$0 bench supernet-ranking --run runs/real-1 --trained runs/real-1/evaluation/candidates/* runs/random-1/evaluation/candidates/*',
        'rank what the search and a random search already trained',
      ) as Argv<SupernetRankingArgs>,
  handler: async (argv) => {
    checkNumber('archs', argv.archs, { integer: true, min: 2 });
    checkNumber('workers', argv.workers, { integer: true, min: 1 });
    await selectBackend('wasm');
    const report = await benchSupernetRanking({
      run: argv.run,
      ...(argv.out !== undefined ? { out: argv.out } : {}),
      ...(argv.archs !== undefined ? { archs: argv.archs } : {}),
      ...(argv.seed !== undefined ? { seed: argv.seed } : {}),
      standAlone: argv['stand-alone'],
      ...(argv.workers !== undefined ? { workers: argv.workers } : {}),
      ...(argv.trained !== undefined ? { trained: argv.trained } : {}),
      progress: progressBars(),
      log: (line) => process.stderr.write(`groupnas: ${line}\n`),
    });
    if (argv.json) printJson(report);
    else console.log(formatSupernetRanking(report));
  },
};

interface LatencyPredictorArgs {
  json: boolean;
  config: string;
  archs: number;
  seed?: number;
  engine?: EngineName[];
  rounds: number;
  seconds: number;
  clock: TimingClock;
  remeasure: boolean;
  'calibration-models': number;
}

const latencyPredictor: CommandModule<object, LatencyPredictorArgs> = {
  command: 'latency-predictor',
  describe:
    "How well the search's latency table predicts whole models: sample architectures of a config's space, predict each with the table, " +
    "time it on the packed engine(s); share within ±5%/±10%, RMSE, worst cases, and the measurement's own dispersion",
  builder: (y) =>
    withJsonOption(y)
      .option('config', { type: 'string', default: 'default', describe: 'config whose search space is sampled (a JSON file or a bundled name)' })
      .option('archs', { type: 'number', default: 100, describe: 'distinct architectures sampled' })
      .option('seed', { type: 'number', describe: "seed of the sample (default: the config's)" })
      .option('engine', { type: 'array', choices: ['js', 'wasm', 'native'] as const, describe: 'engines checked (default: wasm, and native where it runs)' })
      .option('rounds', {
        type: 'number',
        default: 5,
        describe: "timing rounds per model, interleaved over the models (≥ 2 measures the dispersion; on a shared host 5 rounds' median is steadier than 3's)",
      })
      .option('seconds', { type: 'number', default: 0.2, describe: 'seconds of repeats per model and round' })
      .option('clock', {
        choices: ['cpu', 'wall'] as const,
        default: 'cpu' as TimingClock,
        describe: "clock of the whole models' timing: cpu (this process's CPU time, as the table's entries) or wall (what a user sees on an idle machine)",
      })
      .option('remeasure', {
        type: 'boolean',
        default: false,
        describe: "time the table's entries again now, beside the models, instead of reading the per-machine cache the search uses",
      })
      .option('calibration-models', {
        type: 'number',
        default: CALIBRATION_MODELS,
        describe:
          'whole models (drawn after the checked ones, never among them) the table is calibrated on before it predicts: ' +
          'entries timed alone run hotter than inside a model; 0 = the table as timed',
      })
      .example('$0 bench latency-predictor --archs 20 --engine wasm', 'a quick check on the wasm engine') as Argv<LatencyPredictorArgs>,
  handler: async (argv) => {
    checkNumber('archs', argv.archs, { integer: true, min: 1 });
    checkNumber('rounds', argv.rounds, { integer: true, min: 1 });
    checkNumber('seconds', argv.seconds, { above: 0 });
    checkNumber('calibration-models', argv['calibration-models'], { integer: true, min: 0 });
    const config = loadConfig(argv.config);
    const report = await benchLatencyPredictor(spaceFromConfig(config), {
      archs: argv.archs,
      seed: argv.seed ?? config.seed,
      ...(argv.engine ? { engines: argv.engine } : {}),
      rounds: argv.rounds,
      modelSeconds: argv.seconds,
      clock: argv.clock,
      remeasure: argv.remeasure,
      calibrationModels: argv['calibration-models'],
      progress: progressBars(),
    });
    if (argv.json) printJson(report);
    else console.log(formatLatencyPredictor(report));
  },
};

/** `npm run bench`: every benchmark in one run, with the machine described. */
const all: CommandModule<object, { json: boolean; torch: boolean }> = {
  command: 'all',
  describe: 'Every benchmark (train-step, kernels, supernet-step, evaluate-pool) in one run, with the machine described',
  builder: (y) =>
    withJsonOption(y).option('torch', {
      type: 'boolean',
      default: true,
      describe: 'run the PyTorch peers when /usr/bin/python3 has torch (--no-torch skips)',
    }) as Argv<{ json: boolean; torch: boolean }>,
  handler: async (argv) => {
    const progress = progressBars();
    const machine = describeMachine();
    if (!argv.json)
      console.log(
        `groupnas bench all — ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, simd [${machine.simd.join(' ')}], node ${machine.node}\n`,
      );
    const trainStepResult = await benchTrainStep({ torch: argv.torch, progress });
    if (!argv.json) console.log(formatTrainStep(trainStepResult));
    const kernelsResult = await benchKernels({ torch: argv.torch, progress });
    if (!argv.json) console.log(`\n${formatKernelsReport(kernelsResult)}`);
    const supernetResult = await benchSupernetSteps();
    if (!argv.json) console.log(`\n${formatSupernetSteps(supernetResult)}`);
    const poolResult = await benchEvaluatePool();
    if (argv.json) printJson({ machine, trainStep: trainStepResult, kernels: kernelsResult, supernetStep: supernetResult, evaluatePool: poolResult });
    else console.log(`\n${formatEvaluatePoolReport(poolResult)}`);
  },
};

const bench: CommandModule = {
  command: 'bench <benchmark>',
  describe: 'Benchmarks, measured side by side in one run and printed as ratios',
  builder: (y) =>
    y
      .command(trainStep)
      .command(kernels)
      .command(supernetStep)
      .command(evaluatePool)
      .command(evaluateQueue)
      .command(native)
      .command(backendKernels)
      .command(latencyPredictor)
      .command(supernetRanking)
      .command(all)
      .demandCommand(1, 'Name a benchmark.'),
  handler: () => {},
};

export default bench;
