import type { Argv, CommandModule } from 'yargs';
import { exportRunOnnx, type ExportedOnnxModel } from '../../train/export-onnx.js';
import { exportRunModel, type ExportedModel } from '../../train/export-packed.js';
import { printJson, useBackend, withBackendOption, withJsonOption, type BackendArgs } from '../options.js';

const FORMATS = ['gnb', 'onnx'] as const;
type ExportFormat = (typeof FORMATS)[number];

interface ExportArgs extends BackendArgs {
  json: boolean;
  run: string;
  out: string;
  format?: ExportFormat;
}

/** `--format`, else the `--out` file's extension (`.onnx` → onnx), else gnb. */
function formatOf(argv: ExportArgs): ExportFormat {
  return argv.format ?? (argv.out.toLowerCase().endsWith('.onnx') ? 'onnx' : 'gnb');
}

function describeAccuracy(accuracy: number | null, images: number | null): string {
  return accuracy === null ? 'no test accuracy recorded (unfinished run)' : `tfjs test accuracy ${(accuracy * 100).toFixed(2)}% on ${images} images`;
}

const exportCommand: CommandModule<object, ExportArgs> = {
  command: 'export',
  describe: "Write a training run's last checkpoint as a .gnb packed model (the packed inference engine) or an ONNX model (any ONNX runtime)",
  builder: (y) =>
    withJsonOption(withBackendOption(y))
      .option('run', { type: 'string', demandOption: true, describe: 'training run directory (groupnas train --out)' })
      .option('out', { type: 'string', demandOption: true, describe: 'the file to write (atomically)' })
      .option('format', {
        choices: FORMATS,
        describe:
          'gnb: bit-packed, for groupnas infer; onnx: standard ONNX (opset 13, NCHW input `images`, output `logits`). Default: from --out (.onnx → ' +
          'onnx), else gnb',
      })
      .example('$0 export --run runs/my-run --out model.gnb', 'for groupnas infer and the packed engines')
      .example('$0 export --run runs/my-run --out model.onnx', 'for onnxruntime and other ONNX runtimes') as Argv<ExportArgs>,
  handler: async (argv) => {
    const format = formatOf(argv);
    await useBackend(argv);
    const written = format === 'onnx' ? onnxSummary(exportRunOnnx(argv.run, argv.out)) : gnbSummary(exportRunModel(argv.run, argv.out));
    if (argv.json) {
      printJson({ format, ...written });
      return;
    }
    const kind = format === 'onnx' ? ', ONNX opset 13' : '';
    console.log(
      `wrote ${written.path} (${(written.bytes / 1024).toFixed(1)} KiB${kind}): ${written.arch ?? 'arch'}, ` +
        `${describeAccuracy(written.tfjsTestAccuracy, written.testImages)}`,
    );
  },
};

/** What `export` reports about the file it wrote, whatever the format. */
interface WrittenModel {
  path: string;
  bytes: number;
  arch: string | null;
  tfjsTestAccuracy: number | null;
  testImages: number | null;
  dataset?: unknown;
}

function onnxSummary(r: ExportedOnnxModel): WrittenModel {
  return { path: r.path, bytes: r.bytes, arch: r.arch.name ?? null, tfjsTestAccuracy: r.tfjsTestAccuracy ?? null, testImages: r.testImages ?? null };
}

function gnbSummary(r: ExportedModel): WrittenModel {
  const m = r.metadata;
  return {
    path: r.path,
    bytes: r.bytes,
    arch: r.arch.name ?? null,
    tfjsTestAccuracy: m.tfjsTestAccuracy ?? null,
    testImages: m.dataset?.testImages ?? null,
    dataset: m.dataset ?? null,
  };
}

export default exportCommand;
