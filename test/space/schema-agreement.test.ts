/**
 * The TypeScript types and the shipped JSON Schemas cannot drift: every object type's keys and
 * required keys are listed here, checked against the type at compile time (`npx tsc`) and against
 * the schema at run time. Adding a field to one side only fails one of the two checks.
 */
import { describe, expect, it } from 'vitest';
import { readSchema } from '../../src/space/index.js';
import type {
  ActivationBits,
  Arch,
  ArchBlock,
  ArchGroup,
  ArchMetrics,
  ArchProvenance,
  ArchStem,
  BackboneConfig,
  BlockKind,
  Boundary,
  BudgetConfig,
  Connection,
  CostObjectiveConfig,
  DataConfig,
  Decomposition,
  DecisionConfig,
  DistillationConfig,
  EvaluationConfig,
  SearchConfig,
  SearchHyperparameters,
  SpaceConfig,
  TeacherConfig,
  TrainingConfig,
} from '../../src/space/index.js';

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];

/** Compile-time proof that `keys` lists exactly the keys of T and `required` exactly its required keys. */
function shape<T>() {
  return <const K extends readonly (keyof T)[], const R extends readonly (keyof T)[]>(
    keys: K,
    required: R,
    ..._proof: Equals<K[number], keyof T> extends true ? (Equals<R[number], RequiredKeys<T>> extends true ? [] : ['required keys differ']) : ['keys differ']
  ) => ({ keys: [...keys] as string[], required: [...required] as string[] });
}

/** Every field of the `search` section, all of them required. */
const SEARCH_FIELDS = [
  'strategy',
  'samples',
  'population',
  'tournament',
  'epochs',
  'warmupEpochs',
  'batchSize',
  'order',
  'gumbel',
  'archOptimizer',
  'weightOptimizer',
  'entropyStop',
  'archEvery',
  'sandwich',
] as const;

/** Compile-time proof that `values` lists exactly the members of a literal union. */
function members<U>() {
  return <const V extends readonly U[]>(values: V, ..._proof: Equals<V[number], U> extends true ? [] : ['members differ']) => [...values] as unknown[];
}

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode;
  enum?: unknown[];
  default?: unknown;
  oneOf?: SchemaNode[];
  const?: unknown;
}

function at(node: SchemaNode, path: string): SchemaNode {
  let n = node;
  for (const part of path.split('.').filter(Boolean)) {
    const next = part === '[]' ? n.items : n.properties?.[part];
    if (!next) throw new Error(`schema has no ${path}`);
    n = next;
  }
  return n;
}

/** Keys the schema guarantees after validation: required, or filled in from a default. */
function guaranteed(node: SchemaNode): string[] {
  const props = node.properties ?? {};
  return Object.keys(props).filter((k) => node.required?.includes(k) || props[k]!.default !== undefined);
}

const sorted = (xs: string[]) => [...xs].sort();

describe('arch.json schema ⇔ Arch type', () => {
  const schema = readSchema('arch') as SchemaNode;
  const objects: [string, { keys: string[]; required: string[] }][] = [
    [
      '',
      shape<Arch>()(
        [
          'format',
          'version',
          'name',
          'input',
          'stem',
          'blocks',
          'widths',
          'groups',
          'bases',
          'bits',
          'connections',
          'decomposition',
          'dilations',
          'head',
          'metrics',
          'provenance',
        ],
        ['format', 'version', 'input', 'stem', 'blocks', 'widths', 'groups', 'bases', 'bits', 'connections', 'decomposition', 'head', 'provenance'],
      ),
    ],
    ['input', shape<Arch['input']>()(['height', 'width', 'channels'], ['height', 'width', 'channels'])],
    ['stem', shape<ArchStem>()(['filters', 'kernel', 'stride', 'pool'], ['filters', 'kernel', 'stride'])],
    ['stem.pool', shape<NonNullable<ArchStem['pool']>>()(['kernel', 'stride'], ['kernel', 'stride'])],
    ['blocks.[]', shape<ArchBlock>()(['kind', 'stage', 'stride', 'kernel', 'dilation'], ['kind', 'stage', 'stride', 'kernel', 'dilation'])],
    ['groups.[]', shape<ArchGroup>()(['start', 'end'], ['start', 'end'])],
    ['head', shape<Arch['head']>()(['classes', 'fcn'], ['classes'])],
    ['metrics', shape<ArchMetrics>()(['accuracy', 'miou', 'latencyMs', 'predictedLatencyMs', 'bops', 'flops', 'params', 'memoryBytes'], [])],
    ['provenance', shape<ArchProvenance>()(['tool', 'toolVersion', 'source', 'seed', 'createdAt'], ['tool', 'toolVersion', 'source'])],
  ];
  for (const [path, { keys, required }] of objects) {
    it(`${path || '(root)'}: same fields, same required fields`, () => {
      const node = at(schema, path);
      expect(sorted(Object.keys(node.properties ?? {}))).toEqual(sorted(keys));
      expect(sorted(node.required ?? [])).toEqual(sorted(required));
    });
  }
  it('enumerations agree', () => {
    expect(at(schema, 'blocks.[].kind').enum).toEqual(members<BlockKind>()(['basic', 'bottleneck', 'plain', 'skip']));
    expect(at(schema, 'blocks.[].stride').enum).toEqual(members<ArchBlock['stride']>()([1, 2]));
    expect(at(schema, 'bits.[]').enum).toEqual(members<ActivationBits>()([1, 2, 4, 32]));
    expect(at(schema, 'connections.[]').enum).toEqual(members<Connection>()(['aggregate', 'soft']));
    expect(at(schema, 'decomposition').enum).toEqual(members<Decomposition>()(['group', 'layer']));
    expect(at(schema, 'format').const).toBe('groupnas.arch' satisfies Arch['format']);
    expect(at(schema, 'version').const).toBe(1 satisfies Arch['version']);
  });
});

describe('config schema ⇔ SearchConfig type (after defaults)', () => {
  const schema = readSchema('config') as SchemaNode;
  const objects: [string, { keys: string[]; required: string[] }][] = [
    [
      '',
      shape<SearchConfig>()(
        ['format', 'version', 'name', 'seed', 'data', 'backbone', 'space', 'teacher', 'search', 'cost', 'evaluation', 'training', 'distillation'],
        ['format', 'version', 'seed', 'data', 'backbone', 'space', 'teacher', 'search', 'cost', 'evaluation', 'training', 'distillation'],
      ),
    ],
    [
      'data',
      shape<DataConfig>()(
        ['dataset', 'trainLimit', 'testLimit', 'archValFraction', 'augment'],
        ['dataset', 'trainLimit', 'testLimit', 'archValFraction', 'augment'],
      ),
    ],
    ['backbone', shape<BackboneConfig>()(['name', 'widthMultiplier', 'classes', 'segmentation'], ['name', 'widthMultiplier'])],
    ['backbone.segmentation', shape<NonNullable<BackboneConfig['segmentation']>>()(['fcn', 'input', 'lastDilations'], ['fcn', 'input', 'lastDilations'])],
    ['space', shape<SpaceConfig>()(['template', 'decisions', 'constraints'], ['template', 'decisions', 'constraints'])],
    ['space.constraints', shape<BudgetConfig>()(['maxBops', 'maxFloatMacs', 'maxLatencyMs'], [])],
    ['teacher', shape<TeacherConfig>()(['mode', 'path', 'epochs'], ['mode', 'epochs'])],
    ['search', shape<SearchHyperparameters>()(SEARCH_FIELDS, SEARCH_FIELDS)],
    ['search.gumbel', shape<SearchHyperparameters['gumbel']>()(['enabled', 'temperature', 'minTemperature'], ['enabled', 'temperature', 'minTemperature'])],
    ['search.archOptimizer', shape<SearchHyperparameters['archOptimizer']>()(['lr', 'beta1', 'beta2', 'weightDecay'], ['lr', 'beta1', 'beta2', 'weightDecay'])],
    [
      'search.weightOptimizer',
      shape<SearchHyperparameters['weightOptimizer']>()(['type', 'lr', 'momentum', 'weightDecay'], ['type', 'lr', 'momentum', 'weightDecay']),
    ],
    [
      'cost',
      shape<CostObjectiveConfig>()(
        ['objective', 'metric', 'target', 'relativeTarget', 'scale', 'exponent', 'weight'],
        ['objective', 'metric', 'scale', 'exponent', 'weight'],
      ),
    ],
    [
      'evaluation',
      shape<EvaluationConfig>()(
        ['candidates', 'workers', 'epochs', 'engine', 'latencyRepeats', 'queue'],
        ['candidates', 'workers', 'epochs', 'engine', 'latencyRepeats'],
      ),
    ],
    [
      'training',
      shape<TrainingConfig>()(
        ['optimizer', 'lr', 'momentum', 'nesterov', 'schedule', 'warmupEpochs', 'epochs', 'batchSize', 'labelSmoothing', 'weightDecay', 'stagedEpochs'],
        ['optimizer', 'lr', 'momentum', 'nesterov', 'schedule', 'warmupEpochs', 'epochs', 'batchSize', 'labelSmoothing', 'weightDecay', 'stagedEpochs'],
      ),
    ],
    ['distillation', shape<DistillationConfig>()(['kd', 'at', 'temperature'], ['kd', 'at', 'temperature'])],
  ];
  for (const [path, { keys, required }] of objects) {
    it(`${path || '(root)'}: same fields; required in the type = required or defaulted in the schema`, () => {
      const node = at(schema, path);
      expect(sorted(Object.keys(node.properties ?? {}))).toEqual(sorted(keys));
      expect(sorted(guaranteed(node))).toEqual(sorted(required));
    });
  }

  it('decision entries: one schema branch per DecisionConfig variant, same fields', () => {
    const branches = at(schema, 'space.decisions.[]').oneOf!;
    expect(branches.map((b) => b.properties!.type!.const)).toEqual(
      members<DecisionConfig['type']>()(['bases', 'groupBoundary', 'stageWidth', 'activationBits', 'dilation', 'baseDilations', 'blockOp']),
    );
    const fields = shape<DecisionConfig>()(['type', 'choices', 'sites'], ['type']);
    for (const b of branches) {
      expect(sorted(Object.keys(b.properties!))).toEqual(sorted(fields.keys));
      expect(b.required).toEqual(fields.required);
    }
    expect(branches[1]!.properties!.choices!.items!.enum).toEqual(members<Boundary>()(['continue', 'aggregate', 'soft']));
    expect(branches[3]!.properties!.choices!.items!.enum).toEqual(members<ActivationBits>()([1, 2, 4, 32]));
    expect(branches[6]!.properties!.choices!.items!.enum).toEqual(members<BlockKind>()(['basic', 'bottleneck', 'plain', 'skip']));
  });

  it('enumerations agree', () => {
    expect(at(schema, 'backbone.name').enum).toEqual(
      members<BackboneConfig['name']>()(['resnet-r', 'bottleneck-r', 'plain-r', 'resnet18', 'resnet34', 'resnet50', 'alexnet']),
    );
    expect(at(schema, 'teacher.mode').enum).toEqual(members<TeacherConfig['mode']>()(['train', 'load', 'none']));
    expect(at(schema, 'search.strategy').enum).toEqual(members<SearchHyperparameters['strategy']>()(['supernet', 'random', 'evolution']));
    expect(at(schema, 'search.order').enum).toEqual(members<SearchHyperparameters['order']>()(['first', 'second']));
    expect(at(schema, 'search.weightOptimizer.type').enum).toEqual(members<SearchHyperparameters['weightOptimizer']['type']>()(['sgd', 'adam']));
    expect(at(schema, 'cost.objective').enum).toEqual(members<CostObjectiveConfig['objective']>()(['multiplicative', 'additive', 'none']));
    expect(at(schema, 'cost.metric').enum).toEqual(members<CostObjectiveConfig['metric']>()(['latency', 'bops']));
    expect(at(schema, 'evaluation.engine').enum).toEqual(members<EvaluationConfig['engine']>()(['auto', 'js', 'wasm', 'native']));
    expect(at(schema, 'training.optimizer').enum).toEqual(members<TrainingConfig['optimizer']>()(['sgd', 'adam']));
    expect(at(schema, 'training.schedule').enum).toEqual(members<TrainingConfig['schedule']>()(['cosine', 'step', 'constant']));
  });
});
