import cliProgress from 'cli-progress';
import type { ProgressReporter, ProgressTask } from '../util/progress.js';

function formatFields(fields: Record<string, string | number>): string {
  return Object.entries(fields)
    .map(([k, v]) => `${k} ${typeof v === 'number' ? formatNumber(v) : v}`)
    .join('  ');
}

function formatNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(4);
}

/**
 * Bars with ETA on stderr; when stderr is not a terminal, one line per finished task instead of
 * redraws — and a task stopped short of its total (Ctrl-C, a failure) says where it stopped.
 */
export function progressBars(stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  return {
    start(label: string, total: number): ProgressTask {
      const started = Date.now();
      let lastFields: Record<string, string | number> = {};
      if (!stream.isTTY) {
        let lastDone = 0;
        return {
          update(done, fields) {
            lastDone = done;
            if (fields) lastFields = fields;
          },
          stop() {
            const secs = ((Date.now() - started) / 1000).toFixed(1);
            const ended = lastDone >= total ? `done in ${secs}s` : `stopped at ${lastDone}/${total} after ${secs}s`;
            stream.write(`${label}: ${ended}  ${formatFields(lastFields)}\n`);
          },
        };
      }
      const bar = new cliProgress.SingleBar(
        {
          stream,
          format: `${label} [{bar}] {value}/{total} | ETA {eta_formatted} | {fields}`,
          hideCursor: true,
          clearOnComplete: false,
          etaBuffer: 20,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0, { fields: '' });
      return {
        update(done, fields) {
          if (fields) lastFields = fields;
          bar.update(done, { fields: formatFields(lastFields) });
        },
        stop() {
          bar.stop();
        },
      };
    },
  };
}
