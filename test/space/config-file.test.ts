import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectMalformedRejected, type MalformedCase } from '../helpers/malformed-json.js';
import { PACKAGE_ROOT } from '../../src/util/version.js';
import { configProblems, loadConfig, parseOverride, spaceFromConfig } from '../../src/space/index.js';

const dir = mkdtempSync(join(tmpdir(), 'groupnas-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const configsDir = join(PACKAGE_ROOT, 'configs');
const defaultConfig = join(configsDir, 'default.json');
const minimal = { format: 'groupnas.config', version: 1, data: { dataset: 'embedded' }, backbone: { name: 'resnet-r' }, space: {} };

describe('shipped configs', () => {
  const files = readdirSync(configsDir).filter((f) => f.endsWith('.json'));
  it('include the shipped presets, segmentation and the real budget among them', () => {
    expect(files.sort()).toEqual([
      'default.json',
      'fashion-mnist.json',
      'groupnet-resnet18-imagenet.json',
      'real-budget.json',
      'segmentation.json',
      'tiny.json',
    ]);
  });
  for (const f of files) {
    it(`${f} is valid and builds its space`, () => {
      const config = loadConfig(join(configsDir, f));
      const space = spaceFromConfig(config);
      expect(space.size()).toBeGreaterThan(1n);
    });
  }

  it('segmentation: an FCN template whose space decides dilation per block and per base (BPAC) beside bases and boundaries', () => {
    const config = loadConfig(join(configsDir, 'segmentation.json'));
    const space = spaceFromConfig(config);
    expect(space.template.head).toEqual({ classes: 11, fcn: '32s' });
    expect(new Set(space.variables.map((v) => v.decision.name))).toEqual(new Set(['bases', 'groupBoundary', 'dilation', 'baseDilations']));
    const bpac = space.variables.filter((v) => v.decision.name === 'baseDilations');
    expect(bpac.map((v) => [v.site, [...v.choices]])).toEqual([
      [4, ['block', '1-4-16']],
      [5, ['block', '1-4-16']],
    ]);
  });

  it('default: embedded data, R/2; tiny: a much smaller space; imagenet: ResNet-18 at 224×224, K=5', () => {
    const d = loadConfig(defaultConfig);
    expect(d.data.dataset).toBe('embedded');
    expect(d.backbone).toEqual({ name: 'resnet-r', widthMultiplier: 0.5 });
    // DARTS' Adam on α, but lr 2e-2: the default search has ~32 α steps (one per 2 weight steps), where 3e-4 leaves α uniform (schema description).
    expect(d.search.archOptimizer).toEqual({ lr: 2e-2, beta1: 0.5, beta2: 0.999, weightDecay: 1e-3 });
    expect(d.search.archEvery).toBe(2);
    // Its latency target follows the machine: 0.6 × the template's (groupnet-k5's) predicted latency.
    expect(d.cost).toMatchObject({ metric: 'latency', relativeTarget: 0.6 });
    expect(d.cost.target).toBeUndefined();
    expect(loadConfig(join(configsDir, 'fashion-mnist.json')).search.archOptimizer.lr).toBe(3e-4);
    const tiny = spaceFromConfig(loadConfig(join(configsDir, 'tiny.json')));
    expect(tiny.size()).toBeLessThan(spaceFromConfig(d).size());
    const imagenet = spaceFromConfig(loadConfig(join(configsDir, 'groupnet-resnet18-imagenet.json')));
    expect(imagenet.template.input).toEqual({ height: 224, width: 224, channels: 3 });
    expect(imagenet.template.bases).toEqual([5, 5, 5, 5, 5, 5, 5, 5]);
    expect(loadConfig(join(configsDir, 'fashion-mnist.json')).data.dataset).toBe('/usr/share/datasets/fashion-mnist');
  });

  it('a minimal config is completed with the schema defaults', () => {
    const file = join(dir, 'minimal.json');
    writeFileSync(file, JSON.stringify({ ...minimal, cost: { objective: 'none' } }));
    const config = loadConfig(file);
    expect(config.seed).toBe(1);
    expect(config.space).toEqual({ template: 'groupnet-k5', decisions: [], constraints: {} });
    expect(config.search.order).toBe('first');
    expect(config.search.gumbel.enabled).toBe(false);
    expect(config.training.labelSmoothing).toBe(0);
    expect(config.distillation).toEqual({ kd: 1, at: 0, temperature: 4 });
  });
});

describe('--set overrides', () => {
  it('override nested fields, parsed as JSON when they parse', () => {
    const config = loadConfig(defaultConfig, [
      'search.epochs=3',
      'backbone.widthMultiplier=0.25',
      'data.dataset=debian',
      'search.gumbel.enabled=true',
      'space.decisions=[{"type":"bases","choices":[1,2]}]',
    ]);
    expect(config.search.epochs).toBe(3);
    expect(config.backbone.widthMultiplier).toBe(0.25);
    expect(config.data.dataset).toBe('debian');
    expect(config.search.gumbel.enabled).toBe(true);
    expect(spaceFromConfig(config).size()).toBe(2n ** 6n);
  });

  it('are validated like the file, and say they came from --set', () => {
    expect(() => loadConfig(defaultConfig, ['search.epochs=0'])).toThrow(
      /default\.json: search\.epochs: expected a number >= 1, got 0 \(from --set search\.epochs=0\)/,
    );
    expect(() => loadConfig(defaultConfig, ['search.epoch=3'])).toThrow(/search\.epoch: unknown field \(not in the schema\) \(from --set search\.epoch=3\)/);
    expect(() => loadConfig(defaultConfig, ['cost.objective=fast'])).toThrow(
      /cost\.objective: expected one of "multiplicative", "additive", "none", got "fast"/,
    );
  });

  it('malformed --set arguments are usage errors', () => {
    expect(() => parseOverride('search.epochs')).toThrow(/expected key\.path=value/);
    expect(() => parseOverride('search..epochs=1')).toThrow(/empty segment/);
    expect(() => loadConfig(defaultConfig, ['seed.value=1'])).toThrow(/--set seed\.value=1: seed is 1, not an object/);
  });
});

const malformed: MalformedCase[] = [
  [
    'missing section',
    (c) => {
      delete c.backbone;
    },
    /backbone: required field is missing/,
  ],
  [
    'missing nested field',
    (c) => {
      delete c.data.dataset;
    },
    /data\.dataset: required field is missing/,
  ],
  [
    'wrong type',
    (c) => {
      c.seed = 'one';
    },
    /seed: expected integer, got "one"/,
  ],
  [
    'wrong type (boolean)',
    (c) => {
      c.data.augment = 'yes';
    },
    /data\.augment: expected boolean, got "yes"/,
  ],
  [
    'out of range',
    (c) => {
      c.data.archValFraction = 1.5;
    },
    /data\.archValFraction: expected a number <= 0\.9, got 1\.5/,
  ],
  [
    'zero lr',
    (c) => {
      c.search.archOptimizer.lr = 0;
    },
    /search\.archOptimizer\.lr: expected a number > 0, got 0/,
  ],
  [
    'negative epochs',
    (c) => {
      c.training.epochs = -1;
    },
    /training\.epochs: expected a number >= 1, got -1/,
  ],
  [
    'unknown version',
    (c) => {
      c.version = 3;
    },
    /version: unsupported config version 3: this groupnas reads version 1/,
  ],
  [
    'not a config',
    (c) => {
      c.format = 'groupnas.arch';
    },
    /format: expected "groupnas\.config", got "groupnas\.arch"/,
  ],
  [
    'extra field',
    (c) => {
      c.learningRate = 0.1;
    },
    /learningRate: unknown field/,
  ],
  [
    'extra nested field',
    (c) => {
      c.search.momentum = 0.9;
    },
    /search\.momentum: unknown field/,
  ],
  [
    'unknown backbone',
    (c) => {
      c.backbone.name = 'vgg16';
    },
    /backbone\.name: expected one of "resnet-r"/,
  ],
  [
    'unknown decision type',
    (c) => {
      c.space.decisions.push({ type: 'kernelSize' });
    },
    /space\.decisions\[3\]\.type: expected one of "bases", "groupBoundary", "stageWidth", "activationBits", "dilation", "baseDilations", "blockOp", got "kernelSize"/,
  ],
  [
    'bases > max',
    (c) => {
      c.space.decisions[0].choices = [1, 9];
    },
    /space\.decisions\[0\]\.choices\[1\]: expected a number <= 8, got 9/,
  ],
  [
    'repeated choices',
    (c) => {
      c.space.decisions[0].choices = [2, 2];
    },
    /space\.decisions\[0\]\.choices: must NOT have duplicate items/,
  ],
  [
    'unknown connection choice',
    (c) => {
      c.space.decisions[1].choices = ['continue', 'hard'];
    },
    /space\.decisions\[1\]\.choices\[1\]: expected one of "continue", "aggregate", "soft"/,
  ],
  [
    'decision site past the last block',
    (c) => {
      c.space.decisions.push({ type: 'dilation', sites: [6] });
    },
    /space\.decisions\[3\]: decision dilation: site 6 is outside its block range 0\.\.5/,
  ],
  [
    'group site that can never start a group',
    (c) => {
      c.space.template = 'gbd-v3-k5';
      c.space.decisions = [{ type: 'bases', sites: [2] }];
    },
    /space\.decisions\[0\]: decision bases: no group can start at block 2/,
  ],
  [
    'dilation on a stride-2 block',
    (c) => {
      c.space.decisions.push({ type: 'dilation', sites: [2] });
    },
    /space\.decisions\[3\]: decision dilation: choice 2 at site 2 gives an invalid architecture/,
  ],
  [
    'the same decision twice',
    (c) => {
      c.space.decisions.push({ type: 'bases' });
    },
    /space\.decisions\[3\]\.type: "bases" is already decided by space\.decisions\[0\]/,
  ],
  [
    'unknown template preset',
    (c) => {
      c.space.template = 'groupnet-k7';
    },
    /space\.template: unknown preset "groupnet-k7"/,
  ],
  [
    'teacher load without a path',
    (c) => {
      c.teacher.mode = 'load';
    },
    /teacher\.path: required when teacher\.mode is "load"/,
  ],
  [
    'cost objective without target',
    (c) => {
      delete c.cost.target;
      delete c.cost.relativeTarget;
    },
    /cost\.target: required when cost\.objective is "multiplicative".*unless cost\.relativeTarget/,
  ],
  [
    'warm-up as long as the search',
    (c) => {
      c.search.warmupEpochs = c.search.epochs;
    },
    /search\.warmupEpochs: expected fewer than search\.epochs \(5\), got 5/,
  ],
  [
    'staged training as long as a candidate trains',
    (c) => {
      c.training.stagedEpochs = c.evaluation.epochs;
    },
    /training\.stagedEpochs: expected fewer than evaluation\.epochs \(\d+\), the epochs each candidate trains, got \d+/,
  ],
  [
    'beta1 = 1',
    (c) => {
      c.search.archOptimizer.beta1 = 1;
    },
    /search\.archOptimizer\.beta1: expected a number < 1, got 1/,
  ],
  [
    'unknown engine',
    (c) => {
      c.evaluation.engine = 'gpu';
    },
    /evaluation\.engine: expected one of "auto", "js", "wasm", "native", got "gpu"/,
  ],
  [
    'negative budget',
    (c) => {
      c.space.constraints.maxBops = -5;
    },
    /space\.constraints\.maxBops: expected a number > 0, got -5/,
  ],
  ['top level is a number', () => 42, /\(root\): expected a JSON object, got 42/],
];

describe('malformed configs are rejected with the path', () => {
  const original = JSON.parse(readFileSync(defaultConfig, 'utf8')) as Record<string, unknown>;
  for (const malformedCase of malformed) {
    it(malformedCase[0], () => expectMalformedRejected(dir, original, malformedCase, loadConfig));
  }

  it('invalid JSON and empty files', () => {
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ "format": ');
    expect(() => loadConfig(broken)).toThrow(/broken\.json: \(root\): invalid JSON/);
    const empty = join(dir, 'empty.json');
    writeFileSync(empty, '');
    expect(() => loadConfig(empty)).toThrow(/empty\.json: \(root\): the file is empty/);
  });

  it('every problem is listed', () => {
    const doc = structuredClone(original) as Record<string, any>;
    doc.seed = -1;
    doc.search.batchSize = 0;
    doc.evaluation.workers = 'two';
    expect(
      configProblems(doc)
        .map((p) => p.path)
        .sort(),
    ).toEqual(['evaluation.workers', 'search.batchSize', 'seed']);
  });
});
