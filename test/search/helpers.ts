import { activationBits, bases, groupBoundary, SearchSpace, type AnyDecision } from '../../src/space/index.js';
import { tinyArch } from '../nn/helpers/archs.js';

/** A three-block (two-stage) binary template on 8×8 inputs: a forward pass takes milliseconds. */
export function tinyTemplate(kind: 'basic' | 'plain' | 'bottleneck' = 'basic') {
  return tinyArch({ kind, blocksPerStage: [2, 1], bases: 2, bits: 1, connection: 'soft', classes: 3 });
}

export function tinySpace(decisions: AnyDecision[] = [bases({ choices: [1, 2, 3] }), groupBoundary(), activationBits({ choices: [1, 2, 4] })], kind: 'basic' | 'plain' | 'bottleneck' = 'basic'): SearchSpace {
  return new SearchSpace({ name: 'tiny-test', template: tinyTemplate(kind), decisions });
}
