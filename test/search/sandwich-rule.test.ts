import * as tf from '../helpers/tfjs.js';
import { describe, expect, it } from 'vitest';
import { largestChoices, largestPath } from '../../src/search/sandwich-rule.js';
import { activationBits, bases } from '../../src/space/index.js';
import { tinySpace } from './helpers.js';

describe('largestChoices / largestPath', () => {
  const space = tinySpace([bases({ choices: [2, 1, 3] }), activationBits({ choices: [1, 2] })]);

  it('picks the choice keeping the most units of each prefix-mask variable (bases), none of the others (bits)', () => {
    const largest = largestChoices(space);
    space.variables.forEach((v, i) => expect(largest[i], v.id).toBe(v.decision.name === 'bases' ? 2 : undefined));
  });

  it('replaces exactly those variables of a draw by one-hot vectors at their largest choice', () => {
    const drawn = space.variables.map((v) => tf.tensor1d(v.choices.map((_, c) => (c === 0 ? 1 : 0))));
    const path = largestPath(drawn, largestChoices(space));
    space.variables.forEach((v, i) => {
      if (v.decision.name === 'bases') expect(Array.from(path[i]!.dataSync())).toEqual([0, 0, 1]);
      else expect(path[i]).toBe(drawn[i]);
    });
    tf.dispose([...drawn, ...path]);
  });
});
