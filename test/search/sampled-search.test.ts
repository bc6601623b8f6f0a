import { describe, expect, it } from 'vitest';
import { searchSamples } from '../../src/search/sampled-search.js';
import { evaluatedSearchConfig } from './helpers.js';

describe('searchSamples', () => {
  it("is search.samples, or the candidates plus the supernet's epochs counted in candidate trainings", () => {
    // tiny: 2 candidates × 1 epoch; supernet 2 epochs on half the images at 1.5× a step → 1.5 candidate trainings → 2
    expect(searchSamples(evaluatedSearchConfig())).toBe(2 + 2);
    expect(searchSamples(evaluatedSearchConfig(['search.samples=5']))).toBe(5);
    expect(searchSamples(evaluatedSearchConfig(['search.epochs=10', 'evaluation.epochs=3']))).toBe(2 + 3);
  });
});
