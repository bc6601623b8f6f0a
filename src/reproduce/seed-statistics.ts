/** Mean and spread of one preset's test accuracy over seeds. */
export interface SeedStatistics {
  count: number;
  mean: number;
  /** Sample standard deviation (n − 1); 0 for a single seed. */
  std: number;
  min: number;
  max: number;
}

export function seedStatistics(values: readonly number[]): SeedStatistics {
  if (values.length === 0) throw new RangeError('seedStatistics: no values');
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const squares = values.reduce((a, v) => a + (v - mean) ** 2, 0);
  return {
    count: values.length,
    mean,
    std: values.length > 1 ? Math.sqrt(squares / (values.length - 1)) : 0,
    min: Math.min(...values),
    max: Math.max(...values),
  };
}
