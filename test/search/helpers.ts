import { join } from 'node:path';
import type { SearchConfig } from '../../src/space/config.js';
import { loadConfig } from '../../src/space/config-file.js';
import type { ProgressReporter } from '../../src/util/progress.js';
import { PACKAGE_ROOT } from '../../src/util/version.js';
import { activationBits, bases, groupBoundary, SearchSpace, type AnyDecision } from '../../src/space/index.js';
import { tinyArch } from '../nn/helpers/archs.js';

/** A three-block (two-stage) binary template on 8×8 inputs: a forward pass takes milliseconds. */
export function tinyTemplate(kind: 'basic' | 'plain' | 'bottleneck' = 'basic') {
  return tinyArch({ kind, blocksPerStage: [2, 1], bases: 2, bits: 1, connection: 'soft', classes: 3 });
}

export function tinySpace(
  decisions: AnyDecision[] = [bases({ choices: [1, 2, 3] }), groupBoundary(), activationBits({ choices: [1, 2, 4] })],
  kind: 'basic' | 'plain' | 'bottleneck' = 'basic',
): SearchSpace {
  return new SearchSpace({ name: 'tiny-test', template: tinyTemplate(kind), decisions });
}

/**
 * configs/tiny.json, smaller still, for tests that run a search and evaluate it: 128 images,
 * 2 supernet epochs, 2 candidates × 1 epoch on one worker, no teacher (`extra` overrides win).
 */
export function evaluatedSearchConfig(extra: string[] = []): SearchConfig {
  return loadConfig(join(PACKAGE_ROOT, 'configs', 'tiny.json'), [
    'data.trainLimit=128',
    'data.testLimit=64',
    'search.batchSize=32',
    'teacher.mode=none',
    'evaluation.candidates=2',
    'evaluation.epochs=1',
    'evaluation.workers=1',
    'evaluation.latencyRepeats=3',
    ...extra,
  ]);
}

/** A reporter that aborts once the bar `label` reports `after` done: a Ctrl-C at a chosen point (the search's steps, the evaluation's candidates). */
export function abortWhenBarReaches(label: string, after: number, controller: AbortController): ProgressReporter {
  return {
    start(started) {
      return {
        update(done) {
          if (started === label && done >= after) controller.abort();
        },
        stop() {},
      };
    },
  };
}
